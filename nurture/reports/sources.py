"""Which lead sources and campaigns produce the MQLs that convert.

The campaign of a contact is ``contacts.attributes.campaign`` when set, else the
``utm_campaign`` property of its first event carrying one (first touch); "(none)" otherwise.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from nurture.reports.funnel import FunnelRow, first_touch_campaign, funnel, source_of
from nurture.reports.scope import Scope


def by_source(connection: Connection, scope: Scope) -> list[FunnelRow]:
    return funnel(connection, scope, source_of())


def by_campaign(connection: Connection, scope: Scope) -> list[FunnelRow]:
    return funnel(connection, scope, first_touch_campaign())

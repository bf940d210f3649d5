"""Statements of the score ledger: what a contact's score book and fit corrections start from."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, select

from nurture.domain.scorebook import NON_FIT
from nurture.store import models
from nurture.store.statements.lists import in_list

_S = models.ScoreEntry

BOOK_ROWS = (
    select(_S.id, _S.contact_id, _S.rule, _S.kind, _S.points, _S.reason, _S.at)
    .where(in_list(_S.contact_id, "contact_ids"), _S.kind.in_((*NON_FIT, "reset")))
    .order_by(_S.id)
)
"""The rows of the contacts' score books, and their resets: a book holds what came after
its contact's last reset."""
FIT_SUMS = (
    select(_S.contact_id, _S.rule, func.sum(_S.points))
    .where(in_list(_S.contact_id, "contact_ids"), _S.kind == "fit")
    .group_by(_S.contact_id, _S.rule)
)
"""What each fit rule gives each contact today, by its ledger rows."""
FIT_SUMS_OF_CONTACT = (
    select(_S.rule, func.sum(_S.points))
    .where(_S.contact_id == bindparam("contact_id"), _S.kind == "fit")
    .group_by(_S.rule)
)
"""What each fit rule gives one contact today, by its ledger rows."""


LEDGER_OF = select(_S).where(_S.contact_id == bindparam("contact_id")).order_by(_S.at, _S.id)
"""A contact's whole score ledger, oldest first (ORM rows)."""


CLEAR_OF = delete(_S).where(_S.contact_id == bindparam("contact_id"))
"""A contact's whole ledger dropped (a recompute writes it again from its history)."""

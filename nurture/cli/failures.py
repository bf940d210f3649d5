"""Failures a user fixes in the configuration, told in one line instead of a traceback.

A database or broker that does not answer is almost always a wrong URL, a service not
started, or a firewall: the line names the setting, the service and what its client said.
"""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError


def one_line(exc: BaseException) -> str | None:
    """The one line for ``exc``, or None when it is not a configuration failure."""
    if isinstance(exc, DBAPIError) and _is_connection_failure(exc):
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return (
            f"cannot reach the database of NURTURE_DATABASE_URL: {first} "
            "(is the server running, and the URL's host, port, user and password right?)"
        )
    if _broker_unreachable(exc):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"cannot reach the broker of NURTURE_BROKER_URL: {first} "
            "(is Redis or RabbitMQ running at that URL?)"
        )
    return None


def _is_connection_failure(exc: DBAPIError) -> bool:
    """Raised while connecting (no statement ran), as opposed to a failing statement."""
    return exc.statement is None or "connect" in str(exc.orig).lower()


def _broker_unreachable(exc: BaseException) -> bool:
    kinds: list[type[BaseException]] = []
    redis = sys.modules.get("redis.exceptions")
    if redis is not None:
        kinds.append(redis.ConnectionError)
    pika = sys.modules.get("pika.exceptions")
    if pika is not None:
        kinds.append(pika.AMQPConnectionError)
    dramatiq = sys.modules.get("dramatiq.errors")
    if dramatiq is not None:
        kinds.append(dramatiq.ConnectionError)
    return isinstance(exc, tuple(kinds))

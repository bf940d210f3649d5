"""The Dramatiq broker of a deployment, chosen by ``NURTURE_BROKER_URL``.

Redis or RabbitMQ from the URL; Dramatiq's StubBroker when the URL is unset (unit tests,
and importing the actors in a process that runs everything in-process). Retries back off
exponentially; a message that exhausts them is dead-lettered by the broker itself (Redis:
``<prefix>:<queue>.XQ``; RabbitMQ: the ``<queue>.XQ`` queue), where `nurture dlq` finds it.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries, default_middleware

from nurture.settings import Settings

MAX_RETRIES = 5
MIN_BACKOFF_MS = 500
MAX_BACKOFF_MS = 60_000


def make_broker(settings: Settings) -> dramatiq.Broker:
    url = str(settings.broker_url) if settings.broker_url else None
    middleware = [m() for m in default_middleware if m is not Retries]
    middleware.append(
        Retries(max_retries=MAX_RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS)
    )
    broker: dramatiq.Broker
    if url is None:
        broker = StubBroker(middleware=middleware)
        broker.emit_after("process_boot")
    elif url.startswith("redis"):
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=url, namespace=settings.queue_prefix, middleware=middleware
        )
    else:
        broker = RabbitmqBroker(url=url, middleware=middleware)
    return broker


def queue_name(settings: Settings, kind: str) -> str:
    """``<prefix>.<kind>``: a deployment (or a test) keeps its queues apart by the prefix."""
    return f"{settings.queue_prefix}.{kind}"

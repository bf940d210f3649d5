"""Dead-lettered messages, read where Dramatiq's brokers keep them, and sent back.

A message that failed all its retries is moved aside by the broker itself: on Redis into the
sorted set ``<namespace>:<queue>.XQ`` (ids by time) and the hash ``<queue>.XQ.msgs``; on
RabbitMQ into the durable queue ``<queue>.XQ``; on the StubBroker into a list. Retrying a
message enqueues it again on its own queue with its retry count reset, then removes it from
the dead letters. Redelivering work is always safe here: every actor is idempotent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import q_name, xq_name


@dataclasses.dataclass(frozen=True)
class DeadLetter:
    message_id: str
    queue: str
    actor: str
    args: tuple[Any, ...]
    error: str | None
    dead_at: datetime | None


def _letter(message: dramatiq.Message[Any], dead_at: datetime | None = None) -> DeadLetter:
    return DeadLetter(
        message_id=message.message_id,
        queue=q_name(message.queue_name),
        actor=message.actor_name,
        args=tuple(message.args),
        error=_last_line(message.options.get("traceback")),
        dead_at=dead_at,
    )


def _last_line(text: str | None) -> str | None:
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else None


def _fresh(message: dramatiq.Message[Any]) -> dramatiq.Message[Any]:
    """The message back on its own queue, as if never tried."""
    options = {k: v for k, v in message.options.items() if k not in ("retries", "eta", "traceback")}
    return dataclasses.replace(message, queue_name=q_name(message.queue_name), options=options)


def list_dead(broker: dramatiq.Broker, queues: Iterable[str]) -> list[DeadLetter]:
    """Every dead-lettered message of ``queues``, oldest first where the broker knows."""
    found: list[DeadLetter] = []
    for queue in queues:
        if isinstance(broker, RedisBroker):
            found += _redis_list(broker, queue)
        elif isinstance(broker, RabbitmqBroker):
            found += [_letter(m) for m, _tag in _rabbit_peek(broker, queue)]
        elif isinstance(broker, StubBroker):
            found += [_letter(p._message) for p in broker.dead_letters_by_queue[queue]]
        else:
            raise TypeError(f"no dead-letter support for {type(broker).__name__}")
    return found


def retry_dead(
    broker: dramatiq.Broker, queues: Iterable[str], message_ids: set[str] | None = None
) -> list[DeadLetter]:
    """Send dead-lettered messages (all, or those in ``message_ids``) back to their queues."""
    retried: list[DeadLetter] = []
    for queue in queues:
        if isinstance(broker, RedisBroker):
            retried += _redis_retry(broker, queue, message_ids)
        elif isinstance(broker, RabbitmqBroker):
            retried += _rabbit_retry(broker, queue, message_ids)
        elif isinstance(broker, StubBroker):
            dead = broker.dead_letters_by_queue[queue]
            for proxy in list(dead):
                if message_ids is None or proxy.message_id in message_ids:
                    broker.enqueue(_fresh(proxy._message))
                    dead.remove(proxy)
                    retried.append(_letter(proxy._message))
        else:
            raise TypeError(f"no dead-letter support for {type(broker).__name__}")
    return retried


def _redis_keys(broker: RedisBroker, queue: str) -> tuple[str, str]:
    xq = f"{broker.namespace}:{xq_name(queue)}"
    return xq, f"{xq}.msgs"


def _redis_entries(broker: RedisBroker, queue: str) -> list[tuple[bytes, DeadLetter, bytes]]:
    """(Redis id, letter, encoded message): Redis keys a message by its own redis id."""
    xq, msgs = _redis_keys(broker, queue)
    client: Any = broker.client
    entries = []
    for raw_id, score in client.zrange(xq, 0, -1, withscores=True):
        data = client.hget(msgs, raw_id)
        if data is not None:
            at = datetime.fromtimestamp(score / 1000, UTC)
            entries.append((raw_id, _letter(dramatiq.Message.decode(data), at), data))
    return entries


def _redis_list(broker: RedisBroker, queue: str) -> list[DeadLetter]:
    return [letter for _id, letter, _data in _redis_entries(broker, queue)]


def _redis_retry(broker: RedisBroker, queue: str, message_ids: set[str] | None) -> list[DeadLetter]:
    xq, msgs = _redis_keys(broker, queue)
    client: Any = broker.client
    retried = []
    for raw_id, letter, data in _redis_entries(broker, queue):
        if message_ids is not None and letter.message_id not in message_ids:
            continue
        broker.enqueue(_fresh(dramatiq.Message.decode(data)))
        client.zrem(xq, raw_id)
        client.hdel(msgs, raw_id)
        retried.append(letter)
    return retried


def _rabbit_peek(broker: RabbitmqBroker, queue: str) -> list[tuple[dramatiq.Message[Any], int]]:
    """Read the dead-letter queue without taking anything: unacked gets, then nack all."""
    broker.declare_queue(queue, ensure=True)
    channel = broker.connection.channel()
    try:
        return _rabbit_drain(channel, queue)
    finally:
        channel.close()  # unacked messages go back to the queue


def _rabbit_drain(channel: Any, queue: str) -> list[tuple[dramatiq.Message[Any], int]]:
    got: list[tuple[dramatiq.Message[Any], int]] = []
    while True:
        method, _properties, body = channel.basic_get(queue=xq_name(queue), auto_ack=False)
        if method is None:
            return got
        got.append((dramatiq.Message.decode(body), method.delivery_tag))


def _rabbit_retry(
    broker: RabbitmqBroker, queue: str, message_ids: set[str] | None
) -> list[DeadLetter]:
    broker.declare_queue(queue, ensure=True)
    channel = broker.connection.channel()
    retried = []
    try:
        for message, tag in _rabbit_drain(channel, queue):
            if message_ids is None or message.message_id in message_ids:
                broker.enqueue(_fresh(message))
                channel.basic_ack(tag)
                retried.append(_letter(message))
    finally:
        channel.close()
    return retried

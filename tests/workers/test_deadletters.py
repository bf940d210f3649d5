"""`nurture dlq` reads dead letters where Redis and RabbitMQ keep them, and sends them back."""

from __future__ import annotations

import uuid

import dramatiq
import pytest

from nurture.settings import load_settings
from nurture.workers.broker import make_broker
from nurture.workers.deadletters import list_dead, retry_dead


@pytest.fixture(params=["redis_url", "rabbitmq_url"])
def broker(request):
    url = request.getfixturevalue(request.param)
    settings = load_settings(broker_url=url, queue_prefix=f"dlq_{uuid.uuid4().hex[:10]}")
    broker = make_broker(settings)
    broker.queue = f"{settings.queue_prefix}.steps"
    broker.url = url
    broker.declare_queue(broker.queue)
    yield broker
    broker.flush(broker.queue)
    if url.startswith("redis"):
        keys = list(broker.client.scan_iter(f"{settings.queue_prefix}*"))
        if keys:
            broker.client.delete(*keys)
    else:
        channel = broker.channel
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(queue=broker.queue + suffix)
    broker.close()


def _take(broker, queue: str):
    consumer = broker.consume(queue, prefetch=1, timeout=2000)
    try:
        for _ in range(10):
            message = next(consumer)
            if message is not None:
                return consumer, message
        raise AssertionError(f"nothing arrived on {queue}")
    except BaseException:
        consumer.close()
        raise


def test_a_nacked_message_is_listed_and_a_retry_puts_it_back(broker) -> None:
    sent = broker.enqueue(
        dramatiq.Message(
            queue_name=broker.queue,
            actor_name="execute_contacts",
            args=([42], "owner-1"),
            kwargs={},
            options={"retries": 5, "traceback": "Traceback...\nProviderError: refused\n"},
        )
    )
    consumer, message = _take(broker, broker.queue)
    consumer.nack(message)  # what Dramatiq does once the retries are spent
    consumer.close()

    [letter] = list_dead(broker, [broker.queue])
    assert (letter.message_id, letter.actor, letter.args) == (
        sent.message_id,
        "execute_contacts",
        ([42], "owner-1"),
    )
    assert letter.error == "ProviderError: refused"
    assert list_dead(broker, [broker.queue]) == [letter]  # listing takes nothing away

    assert retry_dead(broker, [broker.queue], {"some-other-id"}) == []
    assert [r.message_id for r in retry_dead(broker, [broker.queue])] == [sent.message_id]
    assert list_dead(broker, [broker.queue]) == []
    consumer, again = _take(broker, broker.queue)
    assert again.message_id == sent.message_id
    assert "retries" not in again.options  # a fresh set of retries
    consumer.ack(again)
    consumer.close()


@pytest.mark.parametrize("broker", ["redis_url"], indirect=True)
def test_the_dlq_commands_list_and_retry(broker) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    sent = broker.enqueue(
        dramatiq.Message(
            queue_name=broker.queue, actor_name="sweep", args=("decay",), kwargs={}, options={}
        )
    )
    consumer, message = _take(broker, broker.queue)
    consumer.nack(message)
    consumer.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update(
        NURTURE_BROKER_URL=broker.url,
        NURTURE_QUEUE_PREFIX=broker.queue.removesuffix(".steps"),
        COLUMNS="200",
    )
    nurture = str(Path(sys.executable).with_name("nurture"))
    listed = subprocess.run([nurture, "dlq", "list"], env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert sent.message_id in listed.stdout
    assert "1 dead-lettered messages" in listed.stdout
    retried = subprocess.run(
        [nurture, "dlq", "retry", sent.message_id], env=env, capture_output=True, text=True
    )
    assert retried.returncode == 0, retried.stderr
    assert "1 messages sent back to their queues" in retried.stdout
    assert list_dead(broker, [broker.queue]) == []

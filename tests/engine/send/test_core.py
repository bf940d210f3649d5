"""A message's uid is the uuid5 of its key and address, as it always was."""

from __future__ import annotations

import random
import uuid

from nurture.engine.send.core import _MESSAGE_NAMESPACE, message_uid


def test_the_uid_is_uuid5_of_the_key_and_address() -> None:
    rng = random.Random(18)
    names = [
        "",
        "enrollment:1:v1:welcome:1:ana@example.com",
        "enrollment:7:v2:step:3:žan@primer.si",
    ]
    names += [
        "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(0, 80))) for _ in range(500)
    ]
    for name in names:
        assert message_uid(name) == str(uuid.uuid5(_MESSAGE_NAMESPACE, name))

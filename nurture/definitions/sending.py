"""workspace.yaml ``sending:`` (already validated) as the domain's SendingRules."""

from __future__ import annotations

from datetime import time

from nurture.definitions.schema import SendingSpec
from nurture.domain.durations import parse_duration
from nurture.domain.sending import FrequencyCap, QuietHours, SendingRules
from nurture.domain.windows import WEEKDAYS, SendWindow


def sending_rules(spec: SendingSpec) -> SendingRules:
    window = quiet = cap = None
    if spec.window is not None:
        window = SendWindow(
            days=frozenset(WEEKDAYS.index(day) for day in spec.window.days),
            start=time.fromisoformat(spec.window.start),
            end=time.fromisoformat(spec.window.end),
        )
    if spec.quiet_hours is not None:
        quiet = QuietHours(
            time.fromisoformat(spec.quiet_hours.start), time.fromisoformat(spec.quiet_hours.end)
        )
    if spec.frequency_cap is not None:
        cap = FrequencyCap(spec.frequency_cap.max, parse_duration(spec.frequency_cap.per))
    when_capped = spec.frequency_cap.when_capped if spec.frequency_cap else "wait"
    return SendingRules(window=window, quiet_hours=quiet, cap=cap, when_capped=when_capped)

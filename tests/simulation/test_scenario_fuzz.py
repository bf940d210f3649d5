"""Hostile scenario files: a clear DefinitionError or a scenario that replays cleanly.

Hypothesis writes scenario files with extreme starts, relative and absolute times, bad
addresses and JSON without NaN's place in it. Loading never raises anything but
DefinitionError; a scenario that loads replays through the real engine, after which the store
is consistent. Examples are bounded so the suite stays quick.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nurture.clock import ManualClock
from nurture.errors import DefinitionError
from nurture.simulation.replay import replay
from nurture.simulation.scenario import Scenario, load_scenario
from nurture.testing import make_harness

STARTS = st.one_of(
    st.just("2026-03-02T08:00:00Z"),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2300, 1, 1)).map(
        datetime.isoformat
    ),
    st.datetimes().map(lambda d: d.isoformat() + "+14:00"),
    st.sampled_from(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00", "soon", ""]),
    st.integers(),
)
ATS = st.one_of(
    st.builds(
        "day {} {:02d}:{:02d}".format,
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=0, max_value=23),
        st.integers(min_value=0, max_value=59),
    ),
    st.builds(
        "day {} {}:{}".format,
        st.integers(min_value=-5, max_value=10**30),
        st.integers(min_value=0, max_value=99),
        st.integers(min_value=0, max_value=99),
    ),
    st.sampled_from(["2026-03-03T10:00:00Z", "9999-12-31T23:59:59Z", "2026-03-01T00:00"]),
    st.text(max_size=12),
)
EMAILS = st.one_of(
    st.sampled_from(["ana@acme.com", "bo@globex.example"]),
    st.sampled_from(["a,b@x.example", "a\x08@x.example", "x@<svg>.example", "nobody"]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=6,
)
EVENTS = st.fixed_dictionaries(
    {
        "at": ATS,
        "email": EMAILS,
        "type": st.sampled_from(["subscribed", "page_viewed", "webinar_attended", "Bad"]),
    },
    optional={"properties": st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=2)},
)
SCENARIOS = st.fixed_dictionaries(
    {
        "start": STARTS,
        "days": st.one_of(st.integers(min_value=1, max_value=3), st.integers()),
        "contacts": st.lists(st.fixed_dictionaries({"email": EMAILS}), max_size=2),
        "events": st.lists(EVENTS, max_size=4),
    }
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _load(folder: Path, text: str) -> Scenario | None:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return load_scenario(path)
    except DefinitionError as exc:
        assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)
        assert "Traceback" not in str(exc)
        return None


@FUZZ
@given(spec=SCENARIOS, good=st.booleans())
def test_a_scenario_loads_or_says_where_it_is_wrong_and_replays_cleanly(
    nurture_workspace: Path, nurture_templates: Path, store_consistency, spec: Any, good: bool
) -> None:
    if good:  # a share of cases that load, so the replay is exercised too
        spec = {**spec, "start": "2026-03-02T08:00:00Z", "days": 2}
        spec["events"] = [
            {**e, "at": "day 1 10:00", "email": "ana@acme.com", "type": "page_viewed"}
            for e in spec["events"]
        ]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        scenario = _load(folder, yaml.safe_dump(spec, allow_unicode=True))
        event("loaded" if scenario else "refused")
        if scenario is None:
            return
        clock = ManualClock(scenario.start)
        harness = make_harness(folder, clock, nurture_workspace, nurture_templates)
        try:
            replay(harness.runtime, clock, scenario)
            assert store_consistency(harness.runtime.engine, clock.now()) == []
        finally:
            harness.runtime.engine.dispose()


@settings(max_examples=40, deadline=None)
@given(start=STARTS, text=st.text(max_size=200))
def test_any_text_as_a_scenario_file_is_a_definition_error_at_worst(start: Any, text: str) -> None:
    """Unquoted, YAML itself reads a start like 9999-12-31T23:59:59-05:00 as a timestamp."""
    with tempfile.TemporaryDirectory() as name:
        _load(Path(name), f"start: {start}\ndays: 2\n{text}")

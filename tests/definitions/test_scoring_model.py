"""The scoring model and handoff settings: loaded into the domain, errors at path:line:col."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml

from nurture.definitions.loader import load_workspace
from nurture.definitions.scoring_schema import scoring_schema
from nurture.domain.assignment import Rep
from nurture.domain.decay import Decay, Inactivity
from nurture.domain.scoring import Cap
from nurture.errors import DefinitionError

ROOT = Path(__file__).parents[2]
JOURNEYS = ROOT / "example"
TEMPLATES = ROOT / "example" / "templates"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("workspace.yaml", "scoring.yaml"):
        shutil.copy(JOURNEYS / name, folder / name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def problems(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        load_workspace(folder, TEMPLATES)
    return raised.value.problems


def test_the_example_model_loads_caps_decay_inactivity_and_the_matrix() -> None:
    workspace = load_workspace(JOURNEYS, TEMPLATES)
    model = workspace.scoring
    rules = {rule.id: rule for rule in model.behaviour}
    assert (rules["ebook-download"].points, rules["pricing-visit"].points) == (5, 10)
    assert rules["demo-request"].points == 20
    assert rules["webinar-attended"].cap == Cap(3, timedelta(days=90))
    assert rules["email-click"].decay == Decay(half_life=timedelta(days=30))
    assert model.inactivity == Inactivity(timedelta(days=30), -10)
    assert model.action("A", "hot") == "sales now"
    assert {rule.id: rule.points for rule in model.fit}["c-level"] == 15


def test_the_example_handoff_settings_load() -> None:
    handoff = load_workspace(JOURNEYS, TEMPLATES).handoff
    assert handoff.team[0] == Rep("maja.novak@acme.example")
    assert handoff.business_hours is not None
    assert handoff.business_hours.timezone == "Europe/Ljubljana"
    assert (handoff.business_hours.opens, handoff.business_hours.closes) == (time(9), time(17))
    friday = datetime(2026, 3, 6, 14, tzinfo=UTC)
    assert handoff.due(friday) == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert handoff.escalation.action == "reassign"
    assert handoff.email_owner


def test_the_json_schema_accepts_the_example_and_rejects_a_bad_cap() -> None:
    schema = scoring_schema()
    example = yaml.safe_load((JOURNEYS / "scoring.yaml").read_text())
    jsonschema.validate(example, schema)
    example["behaviour"][0]["cap"] = {"count": 0, "per": "1d"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, schema)
    assert {"behaviour", "fit", "bands", "grades", "inactivity", "matrix"} <= set(
        schema["properties"]
    )


def test_cap_decay_and_matrix_errors_point_at_the_line(folder: Path) -> None:
    scoring = folder / "scoring.yaml"
    edit(scoring, "cap: {count: 3, per: 90d}", "cap: {count: 3, per: ninety}")
    edit(scoring, "decay: {half_life: 30d}", "decay: {half_life: 30d, amount: 2}")
    edit(scoring, "  D:\n    hot:", "  E:\n    hot:")
    edit(scoring, "    warm: watch\n    cold: watch\n", "    warm: watch\n    frozen: watch\n")
    found = problems(folder)
    lines = scoring.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "per: ninety" in text)
    assert f"{scoring}:{line}:26: behaviour[5].cap.per: 'ninety' is not a duration" in "\n".join(
        found
    )
    assert any("behaviour[6].decay" in p and "either half_life" in p for p in found)
    edit(scoring, "per: ninety", "per: 90d")
    edit(scoring, "half_life: 30d, amount: 2", "half_life: 30d")
    found = problems(folder)
    assert any("unknown grade 'E': use one of D, C, B, A" in p for p in found)
    assert any("unknown band 'frozen': use one of cold, warm, hot" in p for p in found)


def test_a_duplicate_rule_id_and_a_bad_between_are_refused(folder: Path) -> None:
    scoring = folder / "scoring.yaml"
    edit(scoring, "{id: enterprise,", "{id: mid-market,")
    edit(scoring, "between: [1, 10]", "between: [10, 1]")
    found = problems(folder)
    assert any("fit[3]" in p and "needs low below high" in p for p in found)
    edit(scoring, "between: [10, 1]", "between: [1, 10]")
    (found,) = problems(folder)
    assert "duplicate rule id 'mid-market'" in found


def test_handoff_settings_are_checked(folder: Path) -> None:
    settings = folder / "workspace.yaml"
    edit(settings, "reps: [luka.horvat@acme.example]", "reps: [luka@elsewhere.example]")
    edit(settings, 'opens: "09:00"', 'opens: "18:00"')
    edit(
        settings,
        "escalation: {action: reassign, manager: petra.zupan@acme.example}",
        "escalation: {action: notify_manager}",
    )
    found = problems(folder)
    assert any(
        "handoff.routes" not in p and "'luka@elsewhere.example' is not in handoff.team" in p
        for p in found
    )
    assert any("closes must be after opens" in p for p in found)
    assert any("notify_manager needs a manager" in p for p in found)

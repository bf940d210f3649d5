import pytest

from nurture.domain.lifecycle import FUNNEL, LifecycleRules, Transition, has_reached, rank

RULES = LifecycleRules(
    lead_events=frozenset({"content_downloaded", "demo_requested"}),
    mql_score=40,
    mql_grades=frozenset({"A", "B"}),
)


def test_rank_follows_the_funnel() -> None:
    assert [rank(stage) for stage in FUNNEL] == list(range(len(FUNNEL)))


def test_recycled_ranks_as_a_lead_and_disqualified_below_everything() -> None:
    assert rank("recycled") == rank("lead")
    assert rank("disqualified") < rank("subscriber")


def test_rank_of_an_unknown_stage_is_an_error() -> None:
    with pytest.raises(ValueError):
        rank("prospect")


@pytest.mark.parametrize(
    ("stage", "target", "expected"),
    [
        ("mql", "mql", True),
        ("customer", "mql", True),
        ("lead", "mql", False),
        ("recycled", "lead", True),
        ("recycled", "mql", False),
        ("disqualified", "subscriber", False),
        ("disqualified", "disqualified", False),
    ],
)
def test_has_reached(stage: str, target: str, expected: bool) -> None:
    assert has_reached(stage, target) is expected


def test_subscriber_becomes_lead_on_a_lead_event() -> None:
    moves = RULES.transitions("subscriber", 5, "C", ["page_viewed", "content_downloaded"])
    assert moves == [Transition("subscriber", "lead", "first real interaction: content_downloaded")]


def test_lead_cause_names_the_first_lead_event_alphabetically() -> None:
    moves = RULES.transitions("subscriber", 0, "C", ["demo_requested", "content_downloaded"])
    assert moves[0].cause == "first real interaction: content_downloaded"


def test_subscriber_stays_without_a_lead_event() -> None:
    assert RULES.transitions("subscriber", 5, "C", ["page_viewed", "email_opened"]) == []


def test_lead_event_does_not_move_a_lead() -> None:
    assert RULES.transitions("lead", 5, "C", ["demo_requested"]) == []


def test_lead_becomes_mql_when_score_and_grade_hold() -> None:
    assert RULES.transitions("lead", 40, "B") == [
        Transition("lead", "mql", "score 40 >= 40 and grade B")
    ]


def test_very_active_poor_fit_lead_stays_a_lead() -> None:
    assert RULES.transitions("lead", 500, "C") == []


def test_good_fit_without_enough_score_stays_a_lead() -> None:
    assert RULES.transitions("lead", 39, "A") == []


def test_subscriber_can_pass_through_lead_to_mql_at_once() -> None:
    assert RULES.transitions("subscriber", 60, "A", ["demo_requested"]) == [
        Transition("subscriber", "lead", "first real interaction: demo_requested"),
        Transition("lead", "mql", "score 60 >= 40 and grade A"),
    ]


def test_recycled_contact_can_become_mql_again() -> None:
    assert RULES.transitions("recycled", 45, "A") == [
        Transition("recycled", "mql", "score 45 >= 40 and grade A")
    ]


@pytest.mark.parametrize("stage", ["mql", "sal", "sql", "opportunity", "customer", "disqualified"])
def test_no_automatic_move_from_later_or_side_stages(stage: str) -> None:
    assert RULES.transitions(stage, 1000, "A", ["demo_requested", "content_downloaded"]) == []


@pytest.mark.parametrize("stage", ["mql", "sal", "customer"])
def test_a_low_score_never_moves_a_contact_backwards(stage: str) -> None:
    assert RULES.transitions(stage, -100, "D") == []


def test_is_marketing_qualified() -> None:
    assert RULES.is_marketing_qualified(40, "A")
    assert not RULES.is_marketing_qualified(40, "C")
    assert not RULES.is_marketing_qualified(39, "A")

"""Every sales action tells the handoff's owner the right thing by email, or nothing.

The example workspace emails owners (handoff.notify.email_owner); its team is maja, luka and
ana, in that order, and a new MQL goes to maja.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select

from nurture.domain.feedback import Bant
from nurture.engine import feedback
from nurture.store import models
from nurture.testing import Harness

MAJA, LUKA, PETRA = (
    "maja.novak@acme.example",
    "luka.horvat@acme.example",
    "petra.zupan@acme.example",
)


def mails(nurture: Harness) -> list[tuple[str, str, list[str]]]:
    """(to, subject, lines) of every owner email queued so far, oldest first."""
    with nurture.runtime.sessions() as session:
        rows = session.scalars(
            select(models.Notification)
            .where(models.Notification.channel == "email")
            .order_by(models.Notification.id)
        )
        return [(r.target, r.payload["subject"], r.payload["lines"]) for r in rows]


def mql(nurture: Harness, email: str = "ana@client.example") -> str:
    nurture.contact(email, first_name="Ana", job_title="CMO", company="Client", company_size=250)
    nurture.emit(email, "demo_requested")
    assert nurture.stage(email) == "mql"
    return email


def test_a_new_mql_asks_its_owner_to_accept_it_by_the_sla(nurture: Harness) -> None:
    email = mql(nurture)
    ((to, subject, lines),) = mails(nurture)
    assert to == MAJA
    assert subject.startswith(f"New MQL for you: {email} (score ")
    assert lines[0] == f"{email} (Ana)"
    assert lines[1] == "CMO at Client"
    assert lines[-1].startswith("Please accept by ")
    assert lines[-1].endswith(f"nurture handoff accept {email}")


def test_the_owner_rejecting_their_own_mql_gets_no_email(nurture: Harness) -> None:
    email = mql(nurture)
    assert feedback.reject(nurture.runtime, email, "no budget") == "recycled"
    assert [subject for _, subject, _ in mails(nurture)] == [mails(nurture)[0][1]]
    assert not any("accept" in line for _, _, lines in mails(nurture)[1:] for line in lines)


def test_a_rejection_by_someone_else_tells_the_owner_why_and_asks_nothing(
    nurture: Harness,
) -> None:
    email = mql(nurture)
    feedback.reject(nurture.runtime, email, " not our market ", by=PETRA)
    to, subject, lines = mails(nurture)[-1]
    assert (to, subject) == (MAJA, f"Your MQL {email} was rejected by {PETRA}")
    assert lines == [
        f"{PETRA} rejected {email}: not our market.",
        "It is now recycled to marketing: nothing is due from you for it.",
    ]
    assert len(mails(nurture)) == 2


def test_accepting_tells_the_owner_only_when_someone_else_did(nurture: Harness) -> None:
    mine, theirs = mql(nurture, "a@client.example"), mql(nurture, "b@client.example")
    owner_of_theirs = nurture.summary(theirs)["owner"]
    feedback.accept(nurture.runtime, mine)
    assert len(mails(nurture)) == 2  # the two "New MQL" emails only
    feedback.accept(nurture.runtime, theirs, by=PETRA)
    to, subject, lines = mails(nurture)[-1]
    assert (to, subject) == (owner_of_theirs, f"Your MQL {theirs} was accepted by {PETRA}")
    assert lines[-1] == "It is now a SAL: nothing is due from you for it."


def test_qualifying_by_someone_else_tells_the_owner_the_bant(nurture: Harness) -> None:
    email = mql(nurture)
    bant = Bant("20k EUR", "the CMO", "reporting", "Q3")
    feedback.qualify(nurture.runtime, email, bant, by=PETRA)
    to, subject, lines = mails(nurture)[-1]
    assert (to, subject) == (MAJA, f"Your MQL {email} was qualified by {PETRA}")
    assert lines == [
        f"{PETRA} qualified {email}: BANT budget 20k EUR; authority the CMO; need reporting; "
        "timeline Q3.",
        "It is now an SQL: nothing is due from you for it.",
    ]


def test_an_sla_breach_tells_the_new_owner_to_accept_and_the_old_one_it_is_gone(
    nurture: Harness,
) -> None:
    email = mql(nurture)
    with nurture.runtime.sessions() as session:
        due = session.scalars(select(models.Handoff.sla_due_at)).one()
    nurture.advance(
        due.replace(tzinfo=UTC) - nurture.now() + timedelta(minutes=1)
    )  # maja did not accept in time
    assert nurture.summary(email)["owner"] == LUKA
    assert len(mails(nurture)) == 3
    new, old = mails(nurture)[1:3]
    assert new[0] == LUKA
    assert new[1].startswith(f"MQL reassigned to you: {email}")
    assert new[2][0].startswith(f"{MAJA} did not accept it by ")
    assert new[2][-1].startswith("Please accept by ")
    assert old[:2] == (MAJA, f"MQL reassigned: {email} is now {LUKA}'s")
    assert old[2][-1] == "Nothing is due from you for it."
    assert not any("Please accept" in line for line in old[2])

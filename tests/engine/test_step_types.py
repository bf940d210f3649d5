"""A time-travel story per step type, each on a one-journey workspace of its own."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from nurture.clock import ManualClock
from nurture.engine import feedback
from nurture.store import models
from nurture.testing import DEFAULT_START, Harness, make_harness

ROOT = Path(__file__).parents[2]
ANA = "ana@acme.com"


class Workspace:
    """Builds a harness on the example settings plus the journeys a test writes."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.folder = tmp_path / "journeys"
        self.folder.mkdir()
        for name in ("workspace.yaml", "scoring.yaml"):
            shutil.copy(ROOT / "example" / name, self.folder / name)
        self.harnesses: list[Harness] = []

    def harness(self, **journeys: str) -> Harness:
        for name, text in journeys.items():
            (self.folder / f"{name}.yaml").write_text(text)
        harness = make_harness(
            self.tmp_path, ManualClock(DEFAULT_START), self.folder, ROOT / "example" / "templates"
        )
        self.harnesses.append(harness)
        return harness


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace(tmp_path)
    yield workspace
    for harness in workspace.harnesses:
        harness.runtime.engine.dispose()


def journey(steps: str, entry: str = "  stages: [lead]", extra: str = "") -> str:
    return f"id: j\nname: J\nentry:\n{entry}\n{extra}steps:\n{steps}"


def enrollment(h: Harness, email_: str = ANA) -> models.Enrollment:
    with h.runtime.sessions() as session:
        contact = session.scalars(
            select(models.Contact).where(models.Contact.email == email_)
        ).one()
        return session.scalars(
            select(models.Enrollment)
            .where(models.Enrollment.contact_id == contact.id)
            .order_by(models.Enrollment.id.desc())
        ).first()  # type: ignore[return-value]


def messages(h: Harness) -> list[models.Message]:
    with h.runtime.sessions() as session:
        return list(session.scalars(select(models.Message).order_by(models.Message.id)))


def eml(h: Harness, uid: str) -> email.message.Message:
    return email.message_from_bytes((h.outbox / f"{uid}.eml").read_bytes())


def test_send_with_subject_override_from_and_reply_to(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - id: hello\n    type: send\n    template: welcome\n"
            "    subject: 'Hello {{ contact.first_name }}'\n"
            "    from_email: maja@acme.example\n    from_name: Maja from Acme\n"
            "    reply_to: sales@acme.example\n"
        )
    )
    h.contact(ANA, first_name="Ana")
    h.emit(ANA, "subscribed")
    (message,) = messages(h)
    sent = eml(h, message.uid)
    assert sent["Subject"] == "Hello Ana"
    assert sent["From"] == "Maja from Acme <maja@acme.example>"
    assert sent["Reply-To"] == "sales@acme.example"
    assert enrollment(h).status == "completed"


def test_wait_until_a_weekday_and_time_in_the_contacts_zone(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: pause, type: wait, until: {day: tue, time: '10:00'}}\n"
            "  - {id: hello, type: send, template: welcome}\n"
        )
    )
    h.contact(ANA, timezone="America/New_York")  # Monday 2026-03-02 03:00 in New York
    h.emit(ANA, "subscribed")
    h.advance(days=1, hours=6, minutes=59)  # Tuesday 09:59 New York (EST, UTC-5)
    assert h.sent_steps(ANA) == []
    h.advance(minutes=1)
    assert h.sent_steps(ANA) == ["j/hello"]
    assert h.sent(ANA)[0]["sent_at"] == "2026-03-03T15:00:00+00:00"


WAIT_FOR_CLICK = journey(
    "  - {id: hello, type: send, template: welcome}\n"
    "  - id: wait-click\n    type: wait_for\n    event: email_clicked\n    of_step: hello\n"
    "    timeout: 3d\n    then: thanks\n    on_timeout: reminder\n"
    "  - {id: thanks, type: send, template: case-study}\n"
    "  - {id: stop, type: end}\n"
    "  - {id: reminder, type: send, template: getting-started}\n"
)


def test_wait_for_a_click_on_the_email_of_an_earlier_step(ws: Workspace) -> None:
    h = ws.harness(j=WAIT_FOR_CLICK)
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    (hello,) = messages(h)
    h.advance(days=1)
    # A click on some other email does not count; a click on this step's email does, at once.
    h.emit(ANA, "email_clicked", message_id="someone-else", step="hello")
    assert h.sent_steps(ANA) == ["j/hello"]
    h.emit(ANA, "email_clicked", message_id=hello.uid, step="hello", journey="j")
    assert h.sent_steps(ANA) == ["j/hello", "j/thanks"]
    assert h.sent(ANA)[1]["sent_at"] == (DEFAULT_START + timedelta(days=1)).isoformat()
    h.advance(days=5)
    assert h.sent_steps(ANA) == ["j/hello", "j/thanks"]


def test_wait_for_times_out_to_its_timeout_step(ws: Workspace) -> None:
    h = ws.harness(j=WAIT_FOR_CLICK)
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    h.advance(days=3, seconds=-1)
    assert h.sent_steps(ANA) == ["j/hello"]
    h.advance(seconds=1)
    assert h.sent_steps(ANA) == ["j/hello", "j/reminder"]


def test_branch_goes_to_the_first_condition_that_holds_else_elsewhere(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - id: fit\n    type: branch\n    branches:\n"
            "      - {grade: [A], goto: vip}\n"
            "      - attribute: {name: company_size, gte: 50}\n        goto: mid\n"
            "    else: small\n"
            "  - {id: vip, type: send, template: case-study}\n  - {id: e1, type: end}\n"
            "  - {id: mid, type: send, template: getting-started}\n  - {id: e2, type: end}\n"
            "  - {id: small, type: send, template: welcome}\n"
        )
    )
    h.contact("cmo@big.com", job_title="CMO", company_size=500)
    h.contact("it@mid.com", job_title="Engineer", company_size=80)
    h.contact("me@tiny.com", job_title="Engineer", company_size=3)
    for who in ("cmo@big.com", "it@mid.com", "me@tiny.com"):
        h.emit(who, "subscribed")
    assert h.sent_steps("cmo@big.com") == ["j/vip"]
    assert h.sent_steps("it@mid.com") == ["j/mid"]
    assert h.sent_steps("me@tiny.com") == ["j/small"]


def test_split_is_deterministic_per_contact_weighted_and_recorded(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - id: ab\n    type: split\n    variants:\n"
            "      - {name: a, weight: 3, goto: va}\n      - {name: b, weight: 1, goto: vb}\n"
            "  - {id: va, type: send, template: welcome}\n  - {id: e, type: end}\n"
            "  - {id: vb, type: send, template: getting-started}\n"
        )
    )
    people = [f"p{i}@acme.com" for i in range(12)]
    for who in people:
        h.contact(who)
        h.emit(who, "subscribed")
    variants = {who: enrollment(h, who).path["variants"]["ab"] for who in people}
    assert set(variants.values()) == {"a", "b"}  # the spread itself: tests/domain/test_steps
    for who in people:
        step = "j/va" if variants[who] == "a" else "j/vb"
        assert h.sent_steps(who) == [step]
    with h.runtime.sessions() as session:  # recorded for reports, one row per contact
        recorded = {
            (row.journey_id, row.step_id, row.variant)
            for row in session.scalars(select(models.SplitAssignment))
        }
        assert session.scalar(select(func.count()).select_from(models.SplitAssignment)) == 12
    assert recorded == {("j", "ab", v) for v in set(variants.values())}
    # The same contact in a new workspace lands in the same variant.
    again = ws.harness()
    again_people = people[:4]
    for who in again_people:
        again.contact(who)
        again.emit(who, "subscribed", id=f"again-{who}")
    assert {who: enrollment(again, who).path["variants"]["ab"] for who in again_people} == {
        who: variants[who] for who in again_people
    }


def test_update_sets_attributes_adds_points_with_a_reason_and_recycles(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - id: tag\n    type: update\n    set: {interest: dashboards}\n"
            "    add_points: {points: 7, reason: joined the dashboards track}\n"
            "  - {id: pause, type: wait, duration: 1d}\n"
            "  - {id: back, type: update, stage: recycled, reason: no reply from sales}\n",
            entry="  stages: [mql]",
        )
    )
    h.contact(ANA, job_title="CMO", company_size=250)  # fit 25, grade A
    h.emit(ANA, "demo_requested")  # 20 + 25 = 45: MQL
    assert h.stage(ANA) == "mql"
    assert h.score(ANA) == 52
    with h.runtime.sessions() as session:
        contact = session.scalars(select(models.Contact)).one()
        assert contact.attributes == {"interest": "dashboards"}
        ledger = session.scalars(
            select(models.ScoreEntry).where(models.ScoreEntry.kind == "journey")
        ).one()
        assert (ledger.points, ledger.reason) == (7, "joined the dashboards track")
    h.advance(days=1)
    assert h.stage(ANA) == "recycled"
    with h.runtime.sessions() as session:
        last = session.scalars(select(models.StageChange).order_by(models.StageChange.id)).all()[-1]
        assert (last.from_stage, last.to_stage) == ("mql", "recycled")
        assert last.cause == "no reply from sales (journey j, step back)"
        # as when sales recycles: the demo request's 20 points go (fit and journey points
        # stay), so it earns its MQL anew; its owner and open handoff go too
        contact = session.scalars(select(models.Contact)).one()
        handoff = session.scalars(select(models.Handoff)).one()
        assert (contact.score, contact.owner) == (32, None)
        assert (handoff.status, handoff.reason) == ("closed", last.cause)


def test_update_never_recycles_where_it_is_not_allowed(ws: Workspace) -> None:
    h = ws.harness(j=journey("  - {id: back, type: update, stage: recycled, reason: test}\n"))
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    assert h.stage(ANA) == "lead"  # a lead was never handed to sales: nothing to recycle
    assert enrollment(h).status == "completed"


def test_update_disqualifies_and_nothing_more_is_sent(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: hello, type: send, template: welcome}\n"
            "  - {id: pause, type: wait, duration: 1d}\n"
            "  - {id: out, type: update, stage: disqualified, reason: a competitor}\n"
            "  - {id: later, type: wait, duration: 1d}\n"
            "  - {id: tips, type: send, template: getting-started}\n"
        )
    )
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    assert h.sent_steps(ANA) == ["j/hello"]
    h.advance(days=1)
    assert h.stage(ANA) == "disqualified"
    assert (enrollment(h).status, enrollment(h).exit_reason) == ("exited", "suppressed")
    h.advance(days=3)
    assert h.sent_steps(ANA) == ["j/hello"]


def test_a_journey_for_disqualified_contacts_runs_its_updates_to_the_end(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: mark, type: update, set: {lost_to: competitor}}\n"
            "  - {id: pause, type: wait, duration: 1d}\n"
            "  - {id: again, type: update, add_points: {points: 1, reason: still reading}}\n",
            entry="  stages: [disqualified]",
        )
    )
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    feedback.disqualify(h.runtime, ANA, "chose a competitor")
    h.emit(ANA, "page_viewed", url="/blog")  # a change: the journey admits it now
    h.advance(days=1)
    assert (enrollment(h).status, enrollment(h).exit_reason) == ("completed", None)
    assert h.summary(ANA)["stage"] == "disqualified"


class Hook:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200)


def test_notify_posts_a_signed_webhook_once_retrying_a_failure(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: tell, type: notify, webhook: 'https://crm.example/hooks/nurture'}\n"
            "  - {id: hello, type: send, template: welcome}\n"
        )
    )
    hook = Hook([503])
    h.runtime.http = httpx.Client(transport=httpx.MockTransport(hook))
    h.contact(ANA, first_name="Ana")
    h.emit(ANA, "subscribed")
    assert len(hook.requests) == 1  # refused: the step is retried after the lease
    assert h.sent_steps(ANA) == []
    h.advance(minutes=5)
    assert len(hook.requests) == 2
    first, second = hook.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    body = second.content
    secret = h.runtime.webhook_secret.encode()
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    assert second.headers["X-Nurture-Signature"] == f"sha256={expected}"
    assert json.loads(body)["contact"]["first_name"] == "Ana"
    assert h.sent_steps(ANA) == ["j/tell", "j/hello"]
    h.advance(days=3)
    assert len(hook.requests) == 2


def test_handoff_then_notify_the_owner_by_email(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: to-sales, type: handoff, reason: asked for a call}\n"
            "  - id: tell-owner\n    type: notify\n"
            "    owner: {subject: 'New lead {{ contact.email }}', message: 'Score {{ contact.score }}'}\n",
            entry="  event: {type: form_submitted, where: {form: call-me}}",
        )
    )
    h.contact(ANA, job_title="Engineer")
    h.emit(ANA, "form_submitted", form="call-me")
    summary = h.summary(ANA)
    assert summary["stage"] == "mql"
    assert summary["owner"] == "maja.novak@acme.example"
    with h.runtime.sessions() as session:
        handoff = session.scalars(select(models.Handoff)).one()
        assert handoff.sla_due_at == h.now() + timedelta(hours=8)
        change = session.scalars(
            select(models.StageChange).where(models.StageChange.to_stage == "mql")
        ).one()
        assert change.cause == "handed off by journey j, step to-sales: asked for a call"
    notice = [m for m in messages(h) if m.step_id == "tell-owner"]
    assert [m.status for m in notice] == ["sent"]
    sent = eml(h, notice[0].uid)
    assert (sent["To"], sent["Subject"]) == ("maja.novak@acme.example", f"New lead {ANA}")


def test_goto_loops_with_a_wait_and_each_pass_is_its_own_send(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: news, type: send, template: welcome}\n"
            "  - {id: week, type: wait, duration: 7d}\n"
            "  - {id: again, type: goto, step: news}\n"
        )
    )
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    h.advance(days=21)
    keys = [m.idempotency_key for m in messages(h)]
    assert [k.rsplit(":", 1)[1] for k in keys] == ["1", "2", "3", "4"]
    assert len(set(m.uid for m in messages(h))) == 4
    assert enrollment(h).path["visits"]["news"] == 4


def test_end_finishes_the_enrollment_with_its_reason(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - id: check\n    type: branch\n    branches: [{band: [hot], goto: never}]\n"
            "  - {id: hello, type: send, template: welcome}\n"
            "  - {id: stop, type: end, reason: one email is enough}\n"
            "  - {id: never, type: send, template: case-study}\n"
        )
    )
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    h.advance(days=10)
    assert h.sent_steps(ANA) == ["j/hello"]
    ended = enrollment(h)
    assert (ended.status, ended.exit_reason) == ("completed", "one email is enough")


def test_a_goal_condition_is_checked_on_every_change_of_the_contact(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: pause, type: wait, duration: 5d}\n"
            "  - {id: hello, type: send, template: welcome}\n",
            extra="goals:\n  - when: {attribute: {name: country, equals: SI}}\n",
        )
    )
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    h.advance(days=1)
    h.contact(ANA, country="SI")  # a profile change, not an event
    assert enrollment(h).status == "exited"
    h.advance(days=10)
    assert h.sent_steps(ANA) == []


def test_send_window_defers_to_the_opening_in_the_contacts_zone(ws: Workspace) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: hello, type: send, template: welcome}\n",
            extra="send_window:\n  days: [mon, tue, wed, thu, fri]\n"
            "  hours: {start: '09:00', end: '17:00'}\n",
        )
    )
    h.contact(ANA, timezone="Asia/Tokyo")  # Monday 08:00 UTC is 17:00 in Tokyo: closed
    h.emit(ANA, "subscribed")
    assert h.sent_steps(ANA) == []
    h.advance(days=1)
    assert h.sent(ANA)[0]["sent_at"] == datetime(2026, 3, 3, 0, 0, tzinfo=UTC).isoformat()


ENTRY_ON_FORM = "  event: {type: form_submitted}"


@pytest.mark.parametrize(("reentry", "sends"), [("never", 1), ("after 10d", 2), ("always", 3)])
def test_reentry(ws: Workspace, reentry: str, sends: int) -> None:
    h = ws.harness(
        j=journey(
            "  - {id: hello, type: send, template: welcome}\n",
            entry=ENTRY_ON_FORM,
            extra=f"reentry: {reentry}\n",
        )
    )
    h.contact(ANA)
    for day in (0, 3, 12):
        h.advance(days=day - (h.now() - DEFAULT_START).days)
        h.emit(ANA, "form_submitted", id=f"form-{day}")
    assert len(h.sent(ANA)) == sends


def test_priority_picks_one_journey_when_several_qualify_at_once(ws: Workspace) -> None:
    low = journey("  - {id: hello, type: send, template: welcome}\n", entry=ENTRY_ON_FORM)
    high = low.replace("id: j\n", "id: k\npriority: 5\n")
    h = ws.harness(j=low, k=high)
    h.contact(ANA)
    h.emit(ANA, "form_submitted")
    assert h.sent_steps(ANA) == ["k/hello"]

"""Tracked links, the open pixel and unsubscribe, through the HTTP app and the real outbox."""

from __future__ import annotations

import email
import re
from email import policy

from sqlalchemy import select

from nurture.store import models

ANA = "ana@acme.com"


def _last_email(app) -> email.message.EmailMessage:
    [path] = sorted(app.harness.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)[-1:]
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _path(url: str) -> str:
    return url.removeprefix("http://localhost:8000")


def _events(app, kind: str) -> list[models.Event]:
    with app.harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Event).where(models.Event.type == kind)))


def test_links_are_tracked_and_redirect_to_their_target(app) -> None:
    app.harness.emit(ANA, "subscribed")
    html = _html(_last_email(app))
    links = re.findall(r'href="(http://localhost:8000/c/[^"]+)"', html)
    assert len(links) == 1  # the guide; the unsubscribe link stays as written
    assert 'href="http://localhost:8000/u/' in html
    assert "acme.example/blog/start-here" not in html

    before = app.harness.score(ANA)
    response = app.client.get(_path(links[0]))
    assert response.status_code == 302
    assert response.headers["location"] == "https://acme.example/blog/start-here"
    [click] = _events(app, "email_clicked")
    assert click.properties["url"] == "https://acme.example/blog/start-here"
    assert click.properties["journey"] == "welcome"
    assert click.properties["step"] == "welcome"
    assert app.harness.score(ANA) == before + 2


def test_a_redirect_to_a_url_not_in_the_email_is_refused(app) -> None:
    app.harness.emit(ANA, "subscribed")
    [link] = re.findall(r'href="http://localhost:8000/c/([^"]+)"', _html(_last_email(app)))
    uid = _last_email(app)["X-Nurture-Message-Id"]
    tampered = link[:-3] + ("abc" if link[-3:] != "abc" else "xyz")
    # a token signed with another secret, and an altered genuine one
    from nurture.delivery.links import Links

    foreign = Links("another-secret", "http://x").click_url(uid, "https://evil.example/")
    for token in (foreign.rsplit("/", 1)[1], tampered, "https%3A%2F%2Fevil.example"):
        response = app.client.get(f"/c/{token}")
        assert response.status_code == 404, token
        assert "location" not in response.headers
    assert _events(app, "email_clicked") == []


def test_the_open_pixel_records_a_low_scoring_open(app) -> None:
    app.harness.emit(ANA, "subscribed")
    [pixel] = re.findall(r'<img src="(http://localhost:8000/o/[^"]+)"', _html(_last_email(app)))
    before = app.harness.score(ANA)
    response = app.client.get(_path(pixel))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.headers["cache-control"].startswith("no-store")
    assert app.harness.score(ANA) == before + 1
    assert app.client.get("/o/forged.gif").status_code == 404


def test_headers_offer_one_click_unsubscribe(app) -> None:
    app.harness.emit(ANA, "subscribed")
    message = _last_email(app)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://localhost:8000/u/")
    assert url in _html(message)  # the footer links to the preferences page too


def test_an_unsubscribed_contact_in_the_middle_of_a_journey_gets_nothing_more(app) -> None:
    app.harness.emit(ANA, "subscribed")
    assert app.harness.sent_steps(ANA) == ["welcome/welcome"]
    url = _last_email(app)["List-Unsubscribe"].strip("<>")
    app.harness.advance(days=1)

    # what a mail client sends (RFC 8058): a POST, no cookie, no browser
    response = app.client.post(
        _path(url),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "is unsubscribed" in response.text

    app.harness.advance(days=30)
    assert app.harness.sent_steps(ANA) == ["welcome/welcome"]
    with app.harness.runtime.sessions() as session:
        [row] = session.scalars(select(models.Suppression)).all()
        assert (row.email, row.reason) == (ANA, "unsubscribed")
        [enrollment] = session.scalars(select(models.Enrollment)).all()
        assert enrollment.status == "exited"


def test_the_preferences_page_changes_nothing_until_asked(app) -> None:
    app.harness.emit(ANA, "subscribed")
    url = _path(_last_email(app)["List-Unsubscribe"].strip("<>"))
    page = app.client.get(url)
    assert page.status_code == 200
    assert "a***@acme.com receives emails" in page.text
    assert ANA not in page.text
    assert _events(app, "unsubscribed") == []

    app.client.post(url)
    assert "is unsubscribed" in app.client.get(url).text
    app.client.post(url + "/resubscribe")
    assert "receives emails" in app.client.get(url).text
    assert app.client.get("/u/forged").status_code == 404
    assert app.client.post("/u/forged").status_code == 404

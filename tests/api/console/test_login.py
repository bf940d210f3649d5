"""The console's door: nothing without a login, a login only with a token, forms with CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from nurture.api.console.session import COOKIE, LOGIN_COOKIE

PAGES = [
    "/console/journeys",
    "/console/journeys/hot-lead",
    "/console/contacts",
    "/console/contact?email=dan%40delta.example",
    "/console/report",
    "/console/validation",
]


def _csrf(client: TestClient) -> str:
    form = client.get("/console/login")
    assert form.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, token: str = "console-token") -> None:
    response = client.post(
        "/console/login",
        data={"token": token, "csrf": _csrf(client), "next": "/console/report"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/report"


def _cookie_flags(response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.lower()
    raise AssertionError(f"no {name} cookie set")


def test_every_page_sends_a_stranger_to_the_login(console_client: TestClient) -> None:
    console_client.cookies.clear()
    for page in PAGES:
        response = console_client.get(page)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/console/login?next=%2Fconsole%2F")


def test_a_token_opens_a_secure_httponly_samesite_session(console_client: TestClient) -> None:
    console_client.cookies.clear()
    form = console_client.get("/console/login")
    flags = _cookie_flags(form, LOGIN_COOKIE)
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = console_client.post(
        "/console/login", data={"token": "console-token", "csrf": csrf, "next": "/console/report"}
    )
    assert response.status_code == 303
    flags = _cookie_flags(response, COOKIE)
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags
    assert "path=/console" in flags
    for page in PAGES:
        assert console_client.get(page).status_code == 200, page
    headers = console_client.get("/console/journeys").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_a_wrong_token_or_a_forged_form_is_refused(console_client: TestClient) -> None:
    console_client.cookies.clear()
    wrong = console_client.post(
        "/console/login", data={"token": "guess", "csrf": _csrf(console_client)}
    )
    assert wrong.status_code == 400 and "Unknown token" in wrong.text
    console_client.cookies.clear()
    forged = console_client.post(
        "/console/login", data={"token": "console-token", "csrf": "made-up"}
    )
    assert forged.status_code == 400 and "form expired" in forged.text
    assert COOKIE not in console_client.cookies
    assert console_client.get("/console/journeys").status_code == 303


def test_after_login_it_goes_only_to_a_console_page(console_client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/console/", "/docs"):
        console_client.cookies.clear()
        response = console_client.post(
            "/console/login",
            data={"token": "console-token", "csrf": _csrf(console_client), "next": target},
        )
        assert response.headers["location"] == "/console/journeys", target


def test_a_forged_or_tampered_cookie_is_no_session(console_client: TestClient) -> None:
    console_client.cookies.clear()
    _login(console_client)
    value = console_client.cookies[COOKIE]
    console_client.cookies.clear()
    console_client.cookies.set(COOKIE, value[:-2] + "xx", domain="testserver", path="/console")
    assert console_client.get("/console/journeys").status_code == 303


def test_logout_needs_the_sessions_csrf_token(console_client: TestClient) -> None:
    console_client.cookies.clear()
    _login(console_client)
    page = console_client.get("/console/journeys")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert console_client.post("/console/logout", data={"csrf": "nope"}).status_code == 400
    assert console_client.get("/console/journeys").status_code == 200
    out = console_client.post("/console/logout", data={"csrf": csrf})
    assert out.status_code == 303
    assert "max-age=0" in _cookie_flags(out, COOKIE)
    assert console_client.get("/console/journeys").status_code == 303


def test_unknown_things_are_a_404_page(console_client: TestClient) -> None:
    console_client.cookies.clear()
    _login(console_client)
    assert console_client.get("/console/journeys/nope").status_code == 404
    missing = console_client.get("/console/contact?email=nobody%40x.example")
    assert missing.status_code == 404 and "no contact" in missing.text
    assert console_client.get("/console/report?since=yesterday").status_code == 404

"""The console's pages: journeys, a contact, the report, the workspace's validation.

Server-rendered with Jinja2 (autoescaping), no script; every page but the login needs a
session (:mod:`nurture.api.console.session`). Read-only: the only forms are login and logout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from nurture.api.console import session as auth
from nurture.api.console import views
from nurture.api.deps import RuntimeDep, SettingsDep
from nurture.charts.render import chart_svg, count_rows
from nurture.clock import as_utc
from nurture.errors import NotFound
from nurture.reports.build import build_report
from nurture.reports.html import as_html
from nurture.reports.scope import Cohort, Scope

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["quote"] = lambda text: quote(str(text), safe="")


def require_session(request: Request, settings: SettingsDep) -> auth.ConsoleSession:
    found = auth.current_session(request, settings)
    if found is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise auth.LoginRequired(path)
    return found


SessionDep = Annotated[auth.ConsoleSession, Depends(require_session)]
router = APIRouter(prefix=auth.PATH, include_in_schema=False)


def _page(
    request: Request, name: str, session: auth.ConsoleSession | None, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"session": session, "section": name.split(".")[0], **context}
    )


def _time(text: str | None, name: str, session: auth.ConsoleSession) -> datetime | None:
    if not text:
        return None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise auth.Missing(f"{name} {text!r}: use a date such as 2026-03-01", session) from None


def _scope(
    rt: RuntimeDep,
    session: auth.ConsoleSession,
    since: str | None,
    until: str | None,
    cohort: Cohort | None = None,
) -> Scope:
    start, end = _time(since, "since", session), _time(until, "until", session)
    return Scope(
        rt.engine.dialect.name, end or rt.clock.now(), since=start, until=end, cohort=cohort
    )


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    if auth.current_session(request, settings) is not None:
        return RedirectResponse(auth.safe_next(next), status_code=303)
    return _login_page(request, settings, next, None)


def _login_page(
    request: Request, settings: SettingsDep, next: str | None, error: str | None
) -> Response:
    csrf = auth.login_csrf(request)
    page = _page(
        request,
        "login.html",
        None,
        csrf=csrf,
        next=auth.safe_next(next),
        enabled=bool(settings.api_token_set),
        error=error,
    )
    if error:
        page.status_code = 400
    auth.keep_login_csrf(page, csrf)
    return page


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not auth.same(csrf, request.cookies.get(auth.LOGIN_COOKIE)):
        return _login_page(request, settings, next, "The form expired: log in again.")
    if not auth.known_token(settings, token):
        return _login_page(
            request,
            settings,
            next,
            "Unknown token: use one of the API tokens set in NURTURE_API_TOKENS.",
        )
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    auth.open_session(response, settings, token)
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, csrf: Annotated[str, Form()] = "") -> Response:
    found = auth.current_session(request, settings)
    if found is not None and not auth.same(csrf, found.csrf):
        return HTMLResponse("The form expired: go back and log out again.", status_code=400)
    response = RedirectResponse(f"{auth.PATH}/login", status_code=303)
    auth.close_session(response)
    return response


@router.get("")
@router.get("/")
def home(session: SessionDep) -> RedirectResponse:
    return RedirectResponse(f"{auth.PATH}/journeys", status_code=303)


@router.get("/journeys")
async def journeys(request: Request, session: SessionDep, rt: RuntimeDep) -> HTMLResponse:
    rows = await run_in_threadpool(views.journey_list, rt)
    return _page(request, "journeys.html", session, journeys=rows)


@router.get("/journeys/{journey_id}")
async def journey(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    settings: SettingsDep,
    journey_id: str,
    version: Annotated[int | None, Query(ge=1)] = None,
    since: str | None = None,
    until: str | None = None,
) -> HTMLResponse:
    scope = _scope(rt, session, since, until)
    found = await run_in_threadpool(views.journey_page, rt, settings, journey_id, version, scope)
    if found is None:
        which = f"version {version}" if version else "published version"
        raise auth.Missing(f"journey {journey_id!r} has no {which}", session)
    return _page(
        request,
        "journey.html",
        session,
        page=found,
        svg=Markup(chart_svg(found.chart, found.counts)),
        rows=count_rows(found.chart, found.counts),
        since=since or "",
        until=until or "",
        stamp=views.stamp,
    )


@router.get("/contacts")
async def contacts(
    request: Request, session: SessionDep, rt: RuntimeDep, q: str = ""
) -> HTMLResponse:
    rows = await run_in_threadpool(views.find_contacts, rt, q)
    return _page(request, "contacts.html", session, contacts=rows, q=q)


@router.get("/contact")
async def contact(
    request: Request, session: SessionDep, rt: RuntimeDep, email: str
) -> HTMLResponse:
    try:
        data = await run_in_threadpool(views.contact_page, rt, email)
    except NotFound as exc:
        raise auth.Missing(str(exc), session) from None
    return _page(request, "contact.html", session, **data, stamp=views.stamp)


@router.get("/report")
async def report(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    since: str | None = None,
    until: str | None = None,
    cohort: Cohort | None = None,
) -> HTMLResponse:
    scope = _scope(rt, session, since, until, cohort)
    built = await run_in_threadpool(build_report, rt.engine, scope)
    return _page(
        request,
        "report.html",
        session,
        body=Markup(_body_of(as_html(built))),
        since=since or "",
        until=until or "",
        cohort=cohort or "",
    )


def _body_of(page: str) -> str:
    """The HTML report's body (charts and tables): the console gives it its own frame."""
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    return body.split("</h1>", 1)[1] if "</h1>" in body else body


@router.get("/validation")
async def validation(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    problems, ok = await run_in_threadpool(views.validation, settings)
    return _page(
        request,
        "validation.html",
        session,
        problems=problems,
        ok=ok,
        folder=str(settings.workspace),
        checked=views.stamp(datetime.now(UTC)),
    )

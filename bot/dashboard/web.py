"""The dashboard's HTTP side: a Flask blueprint under /dashboard (the only Flask module here).

Sign-in: GET /dashboard/login/<token> shows a button and does not use the link up (chat apps
fetch links to preview them); the POST behind the button redeems it and opens a session cookie
(HttpOnly, SameSite=Lax, Secure when PUBLIC_URL is https). Every POST carries the session's CSRF
token. What each view shows is limited by `access.visible_departments`, asked once per request.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from bot.core.config import Settings
from bot.dashboard import access, charts, data, links, measures, palette
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_number, format_rate
from bot.people.members import find_member
from bot.people.registration import ROLE_NAMES
from bot.reporting import approval, workbook
from bot.reporting.review_notices import refusal_text, tell_reporter
from bot.reporting.rounds import format_day
from bot.storage.db import session_scope
from bot.storage.models import Department, Member
from bot.texts import dashboard as t
from bot.texts import labels

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates",
               static_folder="static", static_url_path="/static")
EXTENSION = "kaikaku_dashboard"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; script-src 'none'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine


def mount(app: Flask, settings: Settings, engine: Engine) -> None:
    https = (settings.public_url or "").lower().startswith("https://")
    app.secret_key = settings.secret_key.get_secret_value()
    app.config.update(SESSION_COOKIE_NAME="kaikaku_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=https,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.dashboard_session_hours))
    app.extensions[EXTENSION] = Deps(settings, engine)
    app.register_blueprint(bp)
    app.add_url_rule("/login/<token>", "dashboard_link", short_link)


def short_link(token: str) -> BaseResponse:
    """The address sent in chat, /login/TOKEN: the sign-in page lives under /dashboard."""
    response = redirect(url_for("dashboard.login_form", token=token), code=302)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def deps() -> Deps:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(deps().engine) as s:
        yield s


def now() -> datetime:
    return deps().settings.now()


# --- sessions, CSRF, refusals ------------------------------------------------------------------------


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


@bp.before_request
def check_csrf() -> None:
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        kept = session.get("csrf", "")
        if not sent or not kept or not hmac.compare_digest(str(sent), str(kept)):
            abort(400)


@bp.after_request
def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def refuse(status: int, message: str, back: tuple[str, str] | None = None, title: str = t.REFUSED_TITLE) -> Response:
    """A page saying why not; `back` (address, words) links to where to try again."""
    body = render_template("message.html", title=title, message=message, back=back, **common())
    return Response(body, status=status, mimetype="text/html")


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    messages = {400: t.CSRF_FAILED, 401: t.SIGNED_OUT, 403: t.FORBIDDEN, 404: t.NOT_FOUND}
    code = error.code or 500
    return refuse(code, messages.get(code, t.NOT_FOUND))


def viewer(s: Session) -> Member | None:
    """The signed-in member: a session lasts DASHBOARD_SESSION_HOURS from the sign-in (not from
    the last click), and ends when the account is no longer registered."""
    account, since = session.get("account"), session.get("since")
    if not isinstance(account, list) or len(account) != 2 or not isinstance(since, int | float):
        return None
    if now().timestamp() - since > deps().settings.dashboard_session_hours * 3600:
        return None
    return find_member(s, account[0], account[1])


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Open a database session, load the viewer and their scope into `g`, or refuse (401)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with db() as s:
            member = viewer(s)
            if member is None:
                session.clear()
                abort(401)
            g.db, g.member = s, member
            g.who = t.SIGNED_IN_AS.format(name=member.name or t.NO_NAME, department=member.department.name,
                                          role=ROLE_NAMES.get(member.role, member.role))
            g.scope = access.visible_departments(s, deps().settings, member)
            return view(*args, **kwargs)

    return wrapper


def common() -> dict[str, Any]:
    """What every template gets: texts, labels, colours, the viewer, the CSRF token, and the
    coordinating division's name (the setting) for the texts that name it ({coordinator})."""
    who = g.get("who")  # a string: a refusal after a rollback must not touch the (expired) member
    return {"t": t, "status_labels": labels.STATUS, "progress_labels": labels.PROGRESS, "basis_labels": labels.BASIS,
            "audit_labels": labels.AUDIT_ACTION, "platform_labels": t.PLATFORM_LABELS, "who": who,
            "csrf_token": csrf_token(), "states": data.STATES, "coordinator": deps().settings.coordinator_department}


def page(template: str, **values: Any) -> str:
    return render_template(template, **common(), **values)


# --- sign-in -----------------------------------------------------------------------------------------


@bp.get("/login/<token>")
def login_form(token: str) -> str:
    return page("login.html", token=token)


@bp.post("/login/<token>")
def login(token: str) -> BaseResponse:
    with db() as s:
        try:
            platform, user = links.redeem(s, deps().settings, token, now())
        except links.LinkRefused as refused:
            return refuse(403, t.LINK_REFUSED[refused.code])
        if find_member(s, platform, user) is None:
            return refuse(403, t.LINK_REFUSED["unregistered"])
    session.clear()  # a new session for a new sign-in: nothing carried over from before
    session.permanent = True
    session["account"] = [platform, user]
    session["since"] = now().timestamp()
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(url_for("dashboard.overview"), code=303)


@bp.post("/logout")
def logout() -> str:
    session.clear()
    return page("message.html", title=t.SIGN_OUT, message=t.SIGNED_OUT_DONE)


@bp.get("/font/ipaexg.ttf")
def font() -> Response:
    """IPAexGothic (IPA Font License), the charts' and pages' Japanese font, from the bot itself."""
    import matplotlib_fontja

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    response = send_file(path, mimetype="font/ttf", max_age=86400 * 30)
    response.headers["Cache-Control"] = "public, max-age=2592000"
    return response


# --- pages -------------------------------------------------------------------------------------------


@bp.get("/")
@signed_in
def overview() -> str:
    settings = deps().settings
    ov = data.overview(g.db, settings, now(), g.scope)
    rnd = ov.round
    chart = charts.burndown_svg(
        ov.burndown, ov.total, rnd.open_day, rnd.deadline, ov.today,
        t.BURNDOWN_ALT.format(opens=format_day(rnd.open_day), total=ov.total, today=format_day(ov.today),
                              open=ov.burndown[-1][1] if ov.burndown else ov.total, deadline=format_day(rnd.deadline)),
        {"deadline": t.BURNDOWN_DEADLINE, "today": t.BURNDOWN_TODAY, "actual": t.BURNDOWN_ACTUAL,
         "ideal": t.BURNDOWN_IDEAL})
    days_left = data.business_days_left(settings, rnd, ov.today)
    return page("overview.html", ov=ov, chart=chart, days_left=days_left,
                days_past=(ov.today - rnd.deadline).days, nav="overview")


@bp.get("/measures")
@signed_in
def measure_list() -> str:
    fy = data.current_round(deps().settings, now()).fy
    rows = measures.measure_rows(g.db, fy.year, g.scope)
    dept = request.args.get("department", type=int)
    state = request.args.get("status") if request.args.get("status") in labels.STATUS else None
    numeric = request.args.get("numeric") == "1"
    query = (request.args.get("q") or "").strip()[:100]
    shown = [r for r in rows if r.matches(dept, state, numeric, query)]
    return page("measures.html", fy=fy, rows=shown, total=len(rows), departments=measures.departments(g.db, g.scope),
                chosen={"department": dept, "status": state, "numeric": numeric, "q": query}, nav="measures")


@bp.get("/measures/<int:no>")
@signed_in
def measure(no: int) -> str:
    settings = deps().settings
    fy = data.current_round(settings, now()).fy
    found = measures.measure_page(g.db, no, fy.year, g.scope)
    if found is None:
        abort(404)
    if not measures.visible(found.measure, g.scope):
        abort(403)
    years = _years(found.years)
    trend = [(s, charts.trend_svg(years, s.targets, s.actuals, s.unit, _trend_alt(s, years), {
        "target": t.TREND_TARGET, "actual": t.TREND_ACTUAL, "none": t.TREND_NONE})) for s in found.trend]
    parts = [(part, approval.history(g.db, no, part.department.id, fy.year),
              approval.can_review(g.db, settings, g.member, part.department.id))
             for part in found.reports]
    return page("measure.html", fy=fy, m=found, trend=trend, parts=parts, nav="measures",
                names=lambda key: approval.display_name(g.db, key))


def _years(years: list[int]) -> list[tuple[int, str]]:
    return [(y, t.TREND_YEAR.format(reiwa=FiscalYear(y).reiwa)) for y in years]


def _trend_alt(series: measures.TrendSeries, years: list[tuple[int, str]]) -> str:
    def q(value: Any) -> str:
        return t.TREND_NONE if value is None else format_number(value) + (series.unit or "")

    points = t.LIST_SEPARATOR.join(t.TREND_POINT.format(fy=name, target=q(series.targets.get(y)), actual=q(series.actuals.get(y)))
                      for y, name in years)
    return t.TREND_ALT.format(metric=series.metric, points=points)


@bp.post("/measures/<int:no>/review")
@signed_in
def review(no: int) -> BaseResponse:
    settings = deps().settings
    fy = data.current_round(settings, now()).fy.year
    department_id = request.form.get("department", type=int)
    revision = request.form.get("revision", type=int)
    if department_id is None or not access.may_see(g.scope, department_id):
        abort(403)
    try:
        if request.form.get("action") == "approve":
            done = approval.approve(g.db, settings, g.member, no, department_id, fy, now=now(), revision=revision)
        else:
            done = approval.return_report(g.db, settings, g.member, no, department_id, fy,
                                          request.form.get("comment", "")[:2000], now=now(), revision=revision)
    except approval.ReviewRefused as refused:  # worded as in chat, with a link back to the measure
        department = g.db.get(Department, department_id)
        message = refusal_text(g.db, settings, refused, no, department.name if department else "", fy, revision)
        g.db.rollback()
        back = (url_for("dashboard.measure", no=no, _anchor=f"d{department_id}"), t.REVIEW_BACK.format(no=no))
        return refuse(409 if refused.code in ("not_submitted", "stale") else
                      403 if refused.code in ("not_allowed", "own_report") else 400, message, back,
                      title=t.REVIEW_REFUSED_TITLE)
    tell_reporter(g.db, done, now(), settings.tz)  # as a review in chat does: through the outbox
    session["flash"] = t.REVIEW_DONE[done.status]
    return redirect(url_for("dashboard.measure", no=no, _anchor=f"d{department_id}"), code=303)


@bp.get("/departments")
@signed_in
def department_list() -> str:
    fy = data.current_round(deps().settings, now()).fy
    return page("departments.html", fy=fy, rows=data.department_rows(g.db, fy.year, g.scope), nav="departments")


@bp.get("/departments/<int:department_id>")
@signed_in
def department(department_id: int) -> str:
    if not access.may_see(g.scope, department_id):
        abort(403)
    fy = data.current_round(deps().settings, now()).fy
    found = measures.department_page(g.db, department_id, fy.year)
    if found is None:
        abort(404)
    return page("department.html", fy=fy, d=found, role_names=ROLE_NAMES, nav="departments")


@bp.get("/downloads")
@signed_in
def downloads() -> str:
    fy = data.current_round(deps().settings, now()).fy
    return page("downloads.html", fy=fy, allowed=access.may_download(g.scope), nav="downloads")


@bp.get("/downloads/<kind>")
@signed_in
def download(kind: str) -> Response:
    if not access.may_download(g.scope):
        abort(403)
    fy = data.current_round(deps().settings, now()).fy
    tz = deps().settings.tz
    if kind == "workbook":
        body, mime, suffix = workbook.build_workbook(g.db, fy.year, tz=tz), XLSX, "xlsx"
    elif kind == "csv":
        body, mime, suffix = workbook.build_csv(g.db, fy.year, tz=tz), "text/csv; charset=utf-8", "csv"
    else:
        abort(404)
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="results-{fy.key}.{suffix}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- template filters --------------------------------------------------------------------------------


@bp.app_template_filter("when")
def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(deps().settings.tz)
    return t.WHEN.format(year=local.year, month=local.month, day=local.day, hour=local.hour, minute=local.minute)


@bp.app_template_filter("day")
def _day(day: date) -> str:
    return format_day(day)


@bp.app_template_filter("fy_label")
def _fy_label(year: int) -> str:
    return FiscalYear(year).label


@bp.app_template_filter("rate")
def _rate(value: float) -> str:
    return format_rate(value)


@bp.app_template_filter("num")
def _num(value: Any) -> str:
    return format_number(value)


@bp.app_context_processor
def _flash() -> dict[str, Any]:
    return {"flash": session.pop("flash", None) if request.method == "GET" else None}


@bp.app_template_filter("stack")
def _stack(row: data.DepartmentRow) -> Markup:
    """A department's pairs as one stacked bar (SVG: a CSP without inline styles allows it)."""
    parts = t.LIST_SEPARATOR.join(t.GRID_PART.format(label=labels.STATUS[s], n=row.counts[s])
                                  for s in data.STATES if row.counts[s])
    return Markup(charts.stack_svg([(row.counts[s], palette.STATE_COLOURS[s]) for s in data.STATES],
                                   t.GRID_ITEM_ALT.format(name=row.name, parts=parts)))

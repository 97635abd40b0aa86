"""From a parsed question to the replies: looks the data up and hands it to `render`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.answers import render
from bot.answers.catalog_view import MeasureView, catalog_view
from bot.answers.intent import Kind, Question, Topic
from bot.answers.parse import parse
from bot.answers.results import (
    department_reports,
    measure_results,
    numeric_status,
    round_fiscal_year,
)
from bot.core.config import Settings
from bot.core.messages import Reply
from bot.japanese.fiscal_year import FiscalYear, fiscal_year_of
from bot.reporting.round_status import round_status
from bot.storage.models import Member

MAX_REPLIES = 5  # LINE sends at most five messages per reply
MAX_MEASURES = 5  # "No.1, 2, 3 ..." in one question


class _Ask:
    """One question being answered: the shared lookups, computed once."""

    def __init__(self, session: Session, member: Member | None, now: datetime, settings: Settings) -> None:
        self.session = session
        self.member = member
        self.now = now
        self.settings = settings
        self.view = catalog_view(session)
        current = fiscal_year_of(now, settings.bot_timezone).year
        # The plan's year to show by default: this year, or the nearest year of the plan.
        self.plan_fy = min(max(current, self.view.first_fy), self.view.last_fy) if self.view.measures else current
        self.current_fy = current
        self.round_fy = round_fiscal_year(settings, now)

    # --- examples for help texts
    @property
    def example(self) -> MeasureView | None:
        ms = self.view.measures
        if 34 in ms:
            return ms[34]
        return next((m for m in ms.values() if m.numeric_goal and m.departments), next(iter(ms.values()), None))

    @property
    def example_department(self) -> str | None:
        m = self.example
        return m.departments[0] if m and m.departments else None

    def member_department(self) -> str | None:
        return self.member.department.name if self.member is not None else None


def answer(session: Session, text: str, *, member: Member | None, now: datetime, settings: Settings) -> list[Reply]:
    """The replies to a question typed in chat (or asked with `kaikaku ask`)."""
    ask = _Ask(session, member, now, settings)
    if not ask.view.measures:
        return [render.no_catalog()]
    question = parse(text, ask.view, now)
    replies = _HANDLERS[question.topic](ask, question)
    return replies[:MAX_REPLIES]


# --- topics --------------------------------------------------------------------------------------


def _measures(ask: _Ask, q: Question) -> list[Reply]:
    replies: list[Reply] = []
    numbers = q.numbers[:MAX_MEASURES]
    per_measure = max(1, MAX_REPLIES // max(1, len(numbers)))
    for no in numbers:
        m = ask.view.measures.get(no)
        if m is None:
            replies.append(render.not_found(no, ask.view))
            continue
        replies.extend(_measure(ask, m, q)[:per_measure])
    if len(q.numbers) > MAX_MEASURES:
        replies.append(render.too_many(len(q.numbers), MAX_MEASURES))
    return replies


def _measure(ask: _Ask, m: MeasureView, q: Question) -> list[Reply]:
    replies = []
    for kind in q.kinds or (Kind.OVERVIEW,):
        if kind is Kind.OWNERS:
            replies.append(render.owners(m))
        elif kind is Kind.OVERVIEW:
            replies.append(render.overview(m, _plan_years(ask, q)[0]))
        elif kind is Kind.RESULTS:
            replies.extend(_results(ask, m, q))
        else:
            outside = _outside(ask, q)
            if outside is not None:
                replies.append(outside)
            elif kind is Kind.TARGET:
                replies.append(render.target(m, _plan_years(ask, q)))
            else:
                replies.append(render.plan(m, q.fys and _plan_years(ask, q) or _all_years(ask), ask.current_fy))
    return replies


def _results(ask: _Ask, m: MeasureView, q: Question) -> list[Reply]:
    years = [fy.year for fy in q.fys] or [ask.round_fy.year]
    can_report = ask.member_department() in m.departments
    replies = []
    for fy in years[:MAX_REPLIES]:
        found = measure_results(ask.session, ask.view, m, fy, ask.settings.tz)
        replies.append(
            render.results(
                m, fy, found.reports, found.reported_years, ask.settings.tz,
                report_choice=can_report and fy == ask.round_fy.year,
            )
        )
    return replies


def _department(ask: _Ask, q: Question) -> list[Reply]:
    names = list(q.departments)
    if q.own_department:
        own = ask.member_department()
        if own is None:
            return [render.no_department_of_member()]
        names = [own]
    kind = q.kind or Kind.OVERVIEW
    if kind in (Kind.TARGET, Kind.PLAN):
        outside = _outside(ask, q)
        if outside is not None:
            return [outside]
    replies = []
    for name in names[:MAX_REPLIES]:
        ms = [ask.view.measures[no] for no in ask.view.by_department.get(name, ())]
        if kind is Kind.RESULTS:
            fy = q.fys[0].year if q.fys else ask.round_fy.year
            reports = department_reports(ask.session, ask.view, ask.view.departments[name], fy, ask.settings.tz)
            replies.append(render.department_results(name, ms, fy, reports))
        else:
            replies.append(render.department(name, ms, kind, _plan_years(ask, q)[0]))
    return replies


def _status(ask: _Ask, q: Question) -> list[Reply]:
    if q.own_department and ask.member_department() is not None:
        return _department(ask, q)
    fy = q.fys[0] if q.fys else ask.round_fy
    status = round_status(ask.session, fy)
    numeric = numeric_status(ask.session, ask.view, fy)
    return [render.round_status(status, ask.now, ask.settings.tz), render.numeric_results(numeric, fy)]


def _numeric(ask: _Ask, q: Question) -> list[Reply]:
    if q.kind is Kind.RESULTS:
        fy = q.fys[0] if q.fys else ask.round_fy
        return [render.numeric_results(numeric_status(ask.session, ask.view, fy), fy)]
    outside = _outside(ask, q)
    if outside is not None:
        return [outside]
    ms = [m for _, m in sorted(ask.view.measures.items()) if m.numeric_goal]
    return [render.numeric_targets(ms, _plan_years(ask, q)[0])]


def _search(ask: _Ask, q: Question) -> list[Reply]:
    keyword = q.keyword or ""
    hits = ask.view.index.search(keyword)
    ms = [ask.view.measures[h.no] for h in hits if h.no in ask.view.measures]
    if len(ms) == 1:
        return _measure(ask, ms[0], Question(Topic.MEASURE, q.kinds or (Kind.OVERVIEW,), fys=q.fys))
    kind = q.kind
    if kind in (Kind.TARGET, Kind.PLAN):
        outside = _outside(ask, q)
        if outside is not None:
            return [outside]
    if kind is Kind.RESULTS and ms:
        fy = q.fys[0].year if q.fys else ask.round_fy.year
        states = round_status(ask.session, FiscalYear(fy)).reported_states()
        return [render.search_results(keyword, ms, kind, fy, states)]
    return [render.search_results(keyword, ms, kind, _plan_years(ask, q)[0])]


def _ambiguous_number(ask: _Ask, q: Question) -> list[Reply]:
    no = q.numbers[0]
    m = ask.view.measures.get(no)
    if m is None:
        return [render.not_found(no, ask.view)]
    return [render.ambiguous_number(m)]


def _ambiguous_department(ask: _Ask, q: Question) -> list[Reply]:
    word = q.keyword or ""
    hits = ask.view.index.search(word) if word else []
    if len(q.departments) == 1 and not hits:
        return _department(ask, Question(Topic.DEPARTMENT, q.kinds, fys=q.fys, departments=q.departments))
    return [render.ambiguous_department(word, q.departments, len(hits))]


def _need_measure(ask: _Ask, q: Question) -> list[Reply]:
    return [render.need_measure(q.kinds, ask.example)]


def _greeting(ask: _Ask, q: Question) -> list[Reply]:
    return [render.greeting(ask.example, ask.example_department)]


def _unknown(ask: _Ask, q: Question) -> list[Reply]:
    return [render.not_understood(ask.example, ask.example_department, None)]


_HANDLERS = {
    Topic.MEASURE: _measures,
    Topic.DEPARTMENT: _department,
    Topic.STATUS: _status,
    Topic.NUMERIC: _numeric,
    Topic.SEARCH: _search,
    Topic.AMBIGUOUS_NUMBER: _ambiguous_number,
    Topic.AMBIGUOUS_DEPARTMENT: _ambiguous_department,
    Topic.NEED_MEASURE: _need_measure,
    Topic.GREETING: _greeting,
    Topic.UNKNOWN: _unknown,
}


# --- years ---------------------------------------------------------------------------------------


def _plan_years(ask: _Ask, q: Question) -> list[int]:
    return [fy.year for fy in q.fys if ask.view.covers(fy.year)] or [ask.plan_fy]


def _all_years(ask: _Ask) -> list[int]:
    return list(range(ask.view.first_fy, ask.view.last_fy + 1))


def _outside(ask: _Ask, q: Question) -> Reply | None:
    """A polite no when every year asked lies outside the plan."""
    if q.fys and not any(ask.view.covers(fy.year) for fy in q.fys):
        return render.outside_plan(q.fys[0], ask.view)
    return None


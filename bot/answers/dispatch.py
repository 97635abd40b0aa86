"""From a parsed question to the replies: looks the data up and hands it to `render`.

Imports: a question about the plan (target, plan, owners, a keyword) needs only parse, intent,
catalog_view and render; reports, the round, trends and lists are imported inside the functions
that read them, so `kaikaku ask "No.34の目標は?"` does not load them (tests/test_answers.py holds it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bot.answers import render, render_help
from bot.answers.catalog_view import MeasureView, catalog_view
from bot.answers.intent import Kind, Question, Topic
from bot.answers.parse import parse
from bot.core.messages import Reply
from bot.japanese.fiscal_year import FiscalYear, fiscal_year_of
from bot.people import permissions
from bot.texts import people as people_texts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.answers.results import NumericStatus, ReportView
    from bot.core.config import Settings
    from bot.reporting.results_table import TrendPoint
    from bot.storage.models import Member

MAX_REPLIES = 5  # LINE sends at most five messages per reply
MAX_MEASURES = 5  # "No.1, 2, 3 ..." in one question


class _Ask:
    """One question being answered: the shared lookups, computed once."""

    def __init__(self, session: Session, member: Member | None, now: datetime, settings: Settings,
                 direct: bool = True) -> None:
        self.session = session
        self.member = member
        self.viewer = permissions.viewer(member, settings, direct)
        self.now = now
        self.settings = settings
        self.view = catalog_view(session)
        current = fiscal_year_of(now, settings.bot_timezone).year
        # The plan's year to show by default: this year, or the nearest year of the plan.
        self.plan_fy = min(max(current, self.view.first_fy), self.view.last_fy) if self.view.measures else current
        self.current_fy = current

    @cached_property
    def round_fy(self) -> FiscalYear:
        """The year reports made now are about (results and the round's default year)."""
        from bot.answers.results import round_fiscal_year

        return round_fiscal_year(self.settings, self.now)

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

    def city_wide(self) -> bool:
        """Whether "which departments / measures" questions cover the whole city for this asker.

        Managers and the coordinating division see the city; staff their own department
        (`bot.people.permissions`, the one place it is decided).
        """
        return self.member is None or self.viewer.sees_all_results


def answer(session: Session, text: str, *, member: Member | None, now: datetime, settings: Settings,
           direct: bool = True) -> list[Reply]:
    """The replies to a question typed in chat (or asked with `kaikaku ask`); what they show of
    reported results depends on who asks and where (`bot.people.permissions`)."""
    ask = _Ask(session, member, now, settings, direct)
    if not ask.view.measures:
        return [render_help.no_catalog()]
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
        replies.append(render_help.too_many(len(q.numbers), MAX_MEASURES))
    return replies


def _measure(ask: _Ask, m: MeasureView, q: Question) -> list[Reply]:
    replies = []
    for kind in q.kinds or (Kind.OVERVIEW,):
        if kind is Kind.OWNERS:
            replies.append(render.owners(m, ask.settings.coordinator_department))
        elif kind is Kind.TREND:
            from bot.answers.trend import trend_reply
            from bot.reporting.results_table import measure_trend

            replies.append(trend_reply(m, _visible_trend(ask, measure_trend(ask.session, m.no))))
        elif kind is Kind.REPORTER:
            if not ask.viewer.sees_status:
                replies.append(_not_shown(ask))
                continue
            from bot.answers.results import measure_results

            fy = q.fys[0].year if q.fys else ask.round_fy.year
            found = measure_results(ask.session, ask.view, m, fy, ask.settings.tz)
            replies.append(render.reporters(m, fy, _visible(ask, found.reports), ask.settings.tz))
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
    from bot.answers.results import measure_results

    years = [fy.year for fy in q.fys] or [ask.round_fy.year]
    if not ask.viewer.sees_status:
        facts = render.target(m, [y for y in years if ask.view.covers(y)] or [ask.plan_fy])
        asks_results = {c.value for c in render.measure_choices(m)} - {
            c.value for c in render.measure_choices(m, skip=Kind.RESULTS)}
        return [_not_shown(ask, Reply(facts.text, tuple(c for c in facts.choices if c.value not in asks_results)))]
    can_report = ask.member_department() in m.departments
    replies = []
    for fy in years[:MAX_REPLIES]:
        found = measure_results(ask.session, ask.view, m, fy, ask.settings.tz)
        replies.append(
            render.results(
                m, fy, _visible(ask, found.reports), found.reported_years, ask.settings.tz,
                report_choice=can_report and fy == ask.round_fy.year,
            )
        )
    return replies


def _visible(ask: _Ask, reports: list[ReportView]) -> list[ReportView]:
    """Reports as the asker may see them: other departments' reduced to their status unless allowed."""
    from bot.answers.results import redacted

    ids = ask.view.departments
    return [r if ask.viewer.sees_results_of(ids.get(r.department, -1)) else redacted(r) for r in reports]


def _visible_trend(ask: _Ask, points: list[TrendPoint]) -> list[TrendPoint]:
    """The trend as the asker may see it: targets for anyone, actuals under the same rule as results."""
    ids = ask.view.departments
    return [p if p.actual is None or ask.viewer.sees_results_of(ids.get(p.department or "", -1))
            else replace(p, actual=None, department=None) for p in points]


def _not_shown(ask: _Ask, facts: Reply | None = None) -> Reply:
    """The plan's facts (when there are some to give) and why reported results are not shown here."""
    if ask.member is not None or not ask.viewer.direct:
        why = people_texts.RESULTS_IN_GROUP
    else:
        why = people_texts.RESULTS_UNREGISTERED if facts is not None else people_texts.STATUS_UNREGISTERED
    if facts is None:
        return Reply(why)
    return Reply(f"{facts.text}\n{why}", facts.choices)


def _department(ask: _Ask, q: Question) -> list[Reply]:
    from bot.answers import render_lists

    names = list(q.departments)
    if q.own_department:
        own = ask.member_department()
        if own is None:
            return [render_help.no_department_of_member()]
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
            if not ask.viewer.sees_status:
                return [_not_shown(ask, render_lists.department(name, ms, Kind.OVERVIEW, _plan_years(ask, q)[0]))]
            from bot.answers.results import department_reports, redacted

            fy = q.fys[0].year if q.fys else ask.round_fy.year
            dept_id = ask.view.departments[name]
            reports = department_reports(ask.session, ask.view, dept_id, fy, ask.settings.tz)
            if not ask.viewer.sees_results_of(dept_id):
                reports = {k: redacted(r) for k, r in reports.items()}
            replies.append(render_lists.department_results(name, ms, fy, reports))
        else:
            replies.append(render_lists.department(name, ms, kind, _plan_years(ask, q)[0]))
    return replies


def _status(ask: _Ask, q: Question) -> list[Reply]:
    from bot.answers import render_lists
    from bot.reporting.round_status import round_status_of

    if not ask.viewer.sees_status:
        return [_not_shown(ask)]
    if q.own_department and ask.member_department() is not None and not ask.city_wide():
        return _department(ask, q)
    fy = q.fys[0] if q.fys else ask.round_fy
    status = round_status_of(ask.session, fy, ask.view.pairs)
    return [render_lists.round_status(status, ask.now, ask.settings.tz),
            render_lists.numeric_results(_numeric_status(ask, fy), fy)]


def _numeric_status(ask: _Ask, fy: FiscalYear) -> list[NumericStatus]:
    """Actuals of the numeric targets the asker may see: all of them, or their own department's."""
    from bot.answers.results import numeric_status

    items = numeric_status(ask.session, ask.view, fy)
    if ask.viewer.sees_all_results:
        return items
    own = ask.member_department()
    return [replace(i, actuals=tuple((d, a) for d, a in i.actuals if d == own))
            for i in items if own in i.measure.departments]


def _numeric(ask: _Ask, q: Question) -> list[Reply]:
    from bot.answers import render_lists

    if q.kind is Kind.RESULTS:
        if not ask.viewer.sees_status:
            return [_not_shown(ask, render_lists.numeric_targets(
                [m for _, m in sorted(ask.view.measures.items()) if m.numeric_goal], _plan_years(ask, q)[0]))]
        fy = q.fys[0] if q.fys else ask.round_fy
        return [render_lists.numeric_results(_numeric_status(ask, fy), fy)]
    outside = _outside(ask, q)
    if outside is not None:
        return [outside]
    ms = [m for _, m in sorted(ask.view.measures.items()) if m.numeric_goal]
    return [render_lists.numeric_targets(ms, _plan_years(ask, q)[0])]


def _search(ask: _Ask, q: Question) -> list[Reply]:
    keyword = q.keyword or ""
    hits = ask.view.index.search(keyword)
    ms = [ask.view.measures[h.no] for h in hits if h.no in ask.view.measures]
    if len(ms) == 1:
        return _measure(ask, ms[0], Question(Topic.MEASURE, q.kinds or (Kind.OVERVIEW,), fys=q.fys))
    from bot.answers import render_lists

    kind = q.kind
    if kind in (Kind.TARGET, Kind.PLAN):
        outside = _outside(ask, q)
        if outside is not None:
            return [outside]
    if kind is Kind.RESULTS and ms and not ask.viewer.sees_status:
        return [_not_shown(ask, render_lists.search_results(keyword, ms, None, _plan_years(ask, q)[0]))]
    if kind is Kind.RESULTS and ms:
        from bot.reporting.round_status import round_status_of

        fy = q.fys[0].year if q.fys else ask.round_fy.year
        states = round_status_of(ask.session, FiscalYear(fy), ask.view.pairs).reported_states()
        return [render_lists.search_results(keyword, ms, kind, fy, states)]
    return [render_lists.search_results(keyword, ms, kind, _plan_years(ask, q)[0])]


def _round(ask: _Ask, q: Question) -> list[Reply]:
    """締切はいつ?: the round in words; while it runs, what is still missing."""
    from bot.answers import render_lists
    from bot.reporting.reports import report_fy
    from bot.reporting.round_phase import LATE, OPEN, round_phase, round_words
    from bot.reporting.round_status import round_status_of

    first, last = ask.view.first_fy, ask.view.last_fy
    phase = round_phase(ask.settings, ask.now, first, last)
    lines = round_words(phase, first, last, report_fy(ask.settings, ask.now))
    if phase.phase in (OPEN, LATE) and ask.viewer.sees_status:
        status = round_status_of(ask.session, phase.fy, ask.view.pairs)
        lines += render_lists.round_pending(status, ask.member_department())
    return [render_lists.lines_reply(lines)]


def _achievement(ask: _Ask, q: Question) -> list[Reply]:
    """達成した取組は? / 未達成の取組は?: the numeric goals judged so, city-wide or the asker's."""
    from bot.answers import render_lists
    from bot.answers.results import numeric_status

    if not ask.viewer.sees_status:
        return [_not_shown(ask)]
    fy = q.fys[0] if q.fys else ask.round_fy
    own = ask.member_department() if (q.own_department or not ask.city_wide()) else None
    items = numeric_status(ask.session, ask.view, fy)
    judged = [
        (item.measure, dept, a) for item in items for dept, a in item.actuals
        if a.met is q.achieved and (own is None or dept == own)
    ]
    return [render_lists.achievement_list(judged, fy, bool(q.achieved), own, ask.settings.coordinator_department,
                                          shared_scope=own is not None and not q.own_department)]


def _decline(ask: _Ask, q: Question) -> list[Reply]:
    return [render_help.decline(q.keyword or "", ask.example, ask.example_department)]


def _did_you_mean(ask: _Ask, q: Question) -> list[Reply]:
    return [render_help.did_you_mean(q.keyword or "", q.departments, q.kind)]


def _number_only(ask: _Ask, q: Question) -> list[Reply]:
    example = ask.example
    return [render_help.number_only(q.keyword or "", example.no if example else 34)]


def _ambiguous_number(ask: _Ask, q: Question) -> list[Reply]:
    no = q.numbers[0]
    m = ask.view.measures.get(no)
    if m is None:
        return [render.not_found(no, ask.view)]
    return [render_help.ambiguous_number(m)]


def _ambiguous_department(ask: _Ask, q: Question) -> list[Reply]:
    word = q.keyword or ""
    hits = ask.view.index.search(word) if word else []
    if len(q.departments) == 1 and not hits:
        return _department(ask, Question(Topic.DEPARTMENT, q.kinds, fys=q.fys, departments=q.departments))
    return [render_help.ambiguous_department(word, q.departments, len(hits))]


def _need_measure(ask: _Ask, q: Question) -> list[Reply]:
    return [render_help.need_measure(q.kinds, ask.example)]


def _greeting(ask: _Ask, q: Question) -> list[Reply]:
    return [render_help.greeting(ask.example, ask.example_department)]


def _unknown(ask: _Ask, q: Question) -> list[Reply]:
    return [render_help.not_understood(ask.example, ask.example_department, None)]


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
    Topic.ROUND: _round,
    Topic.ACHIEVEMENT: _achievement,
    Topic.DECLINE: _decline,
    Topic.DID_YOU_MEAN: _did_you_mean,
    Topic.NUMBER_ONLY: _number_only,
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


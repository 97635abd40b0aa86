"""The words of list answers: a department's measures, keyword hits, numeric goals, the round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from bot.answers.catalog_view import MeasureView
from bot.answers.intent import Kind
from bot.answers.render import (
    STATUS,
    achievement,
    actual_phrase,
    as_reply,
    choice,
    flag,
    fy_label,
    gap_phrase,
    moment,
    owners_text,
    plan_or_gap,
    quote,
    target_phrase,
)
from bot.answers.render_help import examples, help_choices
from bot.core.messages import Choice, Reply
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_rate
from bot.texts import answers as say
from bot.texts import rounds as round_say
from bot.texts.labels import MET

if TYPE_CHECKING:
    from bot.answers.results import ActualView, NumericStatus, ReportView
    from bot.reporting.round_status import RoundStatus

MAX_LISTED = 15  # measures listed for a keyword

# --- lists ---------------------------------------------------------------------------------------


def _nos(nos: Sequence[int]) -> str:
    return say.JOIN_NAMES.join(say.NO.format(no=n) for n in nos)


def _choices(ms: Sequence[MeasureView], label: str, ask: str) -> list[Choice]:
    return [choice(label.format(no=m.no), ask.format(no=m.no)) for m in ms]


def department(name: str, ms: Sequence[MeasureView], kind: Kind, fy: int) -> Reply:
    if not ms:
        return Reply(say.DEPARTMENT_NONE.format(department=name))
    if kind is Kind.TARGET:
        lines = [say.DEPARTMENT_TARGETS.format(department=name, count=len(ms), fy=fy_label(fy))]
        for m in ms:
            targets = m.targets_for(fy)
            if targets:
                lines.append(say.ITEM_TARGETS.format(no=m.no, targets=" / ".join(target_phrase(t, m) for t in targets)))
            else:
                detail = gap_phrase(m, fy) if m.numeric_goal else say.NO_NUMERIC_TARGET
                lines.append(say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=detail))
        return as_reply(lines, _choices(ms, say.LABEL_MEASURE_TARGET, say.ASK_TARGET))
    if kind is Kind.PLAN:
        lines = [say.DEPARTMENT_PLANS.format(department=name, count=len(ms), fy=fy_label(fy))]
        lines += [say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=plan_or_gap(m, fy)) for m in ms]
        return as_reply(lines, _choices(ms, say.LABEL_MEASURE_PLAN, say.ASK_PLAN))
    lines = [say.DEPARTMENT_COUNT.format(department=name, count=len(ms))]
    lines += [say.ITEM.format(no=m.no, title=m.title, flag=flag(m)) for m in ms]
    return as_reply(lines, _choices(ms, say.ASK_OVERVIEW, say.ASK_OVERVIEW))


def _state(status: str | None) -> str:
    return STATUS["missing"] if status is None else STATUS.get(status, status)


def department_results(name: str, ms: Sequence[MeasureView], fy: int, reports: dict[int, ReportView]) -> Reply:
    if not ms:
        return Reply(say.DEPARTMENT_NONE.format(department=name))
    done = sum(1 for m in ms if m.id in reports and reports[m.id].submitted)
    lines = [say.DEPARTMENT_RESULTS.format(department=name, fy=fy_label(fy), count=len(ms), done=done)]
    for m in ms:
        r = reports.get(m.id)
        line = say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=_state(r.status if r else None))
        if r is not None and r.submitted:
            line += "".join(say.ACTUAL_PART.format(actual=actual_phrase(a, m)) for a in r.actuals)
        lines.append(line)
    return as_reply(lines, _choices(ms, say.LABEL_MEASURE_RESULTS, say.ASK_RESULTS))


def search_results(
    keyword: str,
    ms: Sequence[MeasureView],
    kind: Kind | None,
    fy: int,
    states: Mapping[tuple[int, str], str | None] | None = None,
) -> Reply:
    """Measures a keyword found, best first; with `states` ((measure id, department) -> report
    status), the reporting state of each (for 「防災の進捗は?」)."""
    keyword = quote(keyword)
    if not ms:
        return as_reply([say.SEARCH_NONE.format(keyword=keyword), *examples(None, None, None)], help_choices())
    lines = [say.SEARCH_COUNT.format(keyword=keyword, count=len(ms))]
    more = len(ms) - MAX_LISTED
    ms = ms[:MAX_LISTED]
    reply = _search_lines(ms, kind, fy, states, lines)
    if more > 0:
        return Reply(reply.text + "\n" + say.SEARCH_MORE.format(more=more), reply.choices)
    return reply


def _search_lines(
    ms: Sequence[MeasureView],
    kind: Kind | None,
    fy: int,
    states: Mapping[tuple[int, str], str | None] | None,
    lines: list[str],
) -> Reply:
    total = lines[0]
    if kind is Kind.TARGET:
        lines[0] = say.SEARCH_TARGETS.format(head=total, fy=fy_label(fy))
        for m in ms:
            targets = m.targets_for(fy)
            detail = " / ".join(target_phrase(t, m) for t in targets) if targets else (
                gap_phrase(m, fy) if m.numeric_goal else say.NO_NUMERIC_TARGET)
            lines.append(say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=detail))
        return as_reply(lines, _choices(ms, say.LABEL_MEASURE_TARGET, say.ASK_TARGET))
    if kind is Kind.PLAN:
        lines[0] = say.SEARCH_PLANS.format(head=total, fy=fy_label(fy))
        lines.extend(say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=plan_or_gap(m, fy)) for m in ms)
        return as_reply(lines, _choices(ms, say.LABEL_MEASURE_PLAN, say.ASK_PLAN))
    if kind is Kind.RESULTS and states is not None:
        lines[0] = say.SEARCH_STATES.format(head=total, fy=fy_label(fy))
        for m in ms:
            parts = [say.SEARCH_STATE.format(department=d, state=_state(states.get((m.id, d)))) for d in m.departments]
            detail = say.JOIN_NAMES.join(parts or [say.NO_OWNER_SET])
            lines.append(say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=detail))
        return as_reply(lines, _choices(ms, say.LABEL_MEASURE_RESULTS, say.ASK_RESULTS))
    lines.extend(say.ITEM_OWNERS.format(no=m.no, title=m.title, flag=flag(m), owners=owners_text(m)) for m in ms)
    ask = say.SEARCH_ASK[{Kind.RESULTS: "results", Kind.OWNERS: "owners"}.get(kind or Kind.OVERVIEW, "other")]
    return as_reply(lines, [choice(f"{say.NO.format(no=m.no)}{ask.rstrip('?')}", f"{say.NO.format(no=m.no)}{ask}")
                            for m in ms])


def numeric_targets(ms: Sequence[MeasureView], fy: int) -> Reply:
    lines = [say.NUMERIC_TARGETS_HEAD.format(count=len(ms), fy=fy_label(fy))]
    for m in ms:
        targets = m.targets_for(fy)
        detail = " / ".join(target_phrase(t, m) for t in targets) if targets else gap_phrase(m, fy)
        lines.append(say.ITEM_DETAIL.format(no=m.no, title=m.title, detail=detail))
    return as_reply(lines, [choice(say.LABEL_ACHIEVEMENT, say.ASK_NUMERIC_STATUS)])


def numeric_results(items: Sequence[NumericStatus], fy: FiscalYear) -> Reply:
    reported = sum(1 for i in items if i.actuals)
    lines = [say.NUMERIC_RESULTS_HEAD.format(count=len(items), fy=fy.label, reported=reported)]
    for item in items:
        m = item.measure
        targets = m.targets_for(fy.year)
        if not item.actuals:
            goal = " / ".join(target_phrase(t, m) for t in targets) if targets else gap_phrase(m, fy.year)
            lines.append(say.NOT_REPORTED_ITEM.format(no=m.no, title=m.title, goal=goal))
            continue
        for dept, a in item.actuals:
            goal_t = next((t for t in targets if t.metric == a.metric), targets[0] if len(targets) == 1 else None)
            goal = say.GOAL.format(target=target_phrase(goal_t, m, with_metric=False)) if goal_t else say.NO_GOAL
            done = achievement(a)
            who = say.WHO.format(department=dept) if len(m.departments) > 1 else ""
            lines.append(say.NUMERIC_ACTUAL.format(no=m.no, actual=actual_phrase(a, m), who=who, goal=goal,
                                                   done=say.ARROW.format(done=done) if done else ""))
    return as_reply(lines)


def round_status(status: RoundStatus, at: datetime, tz: tzinfo) -> Reply:
    fy = status.fy
    done = [d for d in status.departments if not d.open_nos]
    pending = status.pending_departments
    lines = [
        say.STATUS_HEAD.format(fy=fy.label, moment=moment(at, tz)),
        say.STATUS_RATE.format(rate=format_rate(status.rate), total=status.total, submitted=status.responded),
        say.STATUS_APPROVAL.format(rate=format_rate(status.approval_rate), approved_label=STATUS["approved"],
                                   approved=status.approved, submitted_label=STATUS["submitted"],
                                   submitted=status.counts["submitted"], returned_label=STATUS["returned"],
                                   returned=status.counts["returned"]),
        say.STATUS_DONE.format(done=len(done), total=len(status.departments)),
    ]
    if pending:
        lines.append(say.STATUS_PENDING_HEAD.format(count=len(pending)))
        for d in pending:
            drafts = say.STATUS_DRAFTS.format(count=len(d.drafts)) if d.drafts else ""
            if d.count("returned"):
                drafts += say.STATUS_RETURNED.format(label=STATUS["returned"], count=d.count("returned"))
            lines.append(say.STATUS_PENDING_LINE.format(department=d.name, count=len(d.open_nos), nos=_nos(d.open_nos),
                                                        drafts=drafts))
    else:
        lines.append(say.STATUS_ALL_DONE)
    if status.unassigned:
        lines.append(say.STATUS_UNASSIGNED.format(nos=_nos([n for n, _ in status.unassigned])))
    choices = [choice(say.LABEL_NUMERIC_STATUS, say.ASK_NUMERIC_STATUS)]
    choices += [choice(say.LABEL_DEPARTMENT_STATUS.format(department=d.name),
                       say.ASK_DEPARTMENT_RESULTS.format(department=d.name)) for d in pending[:5]]
    return as_reply(lines, choices)


# --- the round in words, and what is achieved ---------------------------------------------------


def round_pending(status: RoundStatus, department: str | None) -> list[str]:
    """While a round runs: what is still missing, city-wide and for the asker's department."""
    fy = status.fy.label
    lines = [round_say.ROUND_PENDING.format(fy=fy, missing=status.total - status.responded, total=status.total)]
    own = next((d for d in status.departments if d.name == department), None)
    if own is not None:
        if own.open_nos:
            lines.append(round_say.ROUND_PENDING_OWN.format(department=own.name, nos=_nos(own.open_nos)))
        else:
            lines.append(round_say.ROUND_ALL_DONE.format(department=own.name, fy=fy))
    return lines


def lines_reply(lines: Sequence[str]) -> Reply:
    return as_reply(lines, [choice(say.ASK_PENDING, say.ASK_PENDING), choice(say.ASK_STATUS, say.ASK_STATUS)])


def achievement_list(
    judged: Sequence[tuple[MeasureView, str, ActualView]],
    fy: FiscalYear,
    achieved: bool,
    department: str | None,
    coordinator: str,
    shared_scope: bool,
) -> Reply:
    """達成した取組は? / 未達成の取組は?: the numeric goals judged so, by title."""
    scope = department or say.CITY_WIDE
    if not judged:
        verdict = MET[achieved]
        lines = [say.ACHIEVED_NONE.format(scope=scope, fy=fy.label, verdict=verdict)]
    else:
        title = say.ACHIEVED_TITLE if achieved else say.NOT_ACHIEVED_TITLE
        lines = [title.format(scope=scope, fy=fy.label, count=len(judged))]
        for m, dept, a in judged:
            goal = next((t for t in m.targets_for(fy.year) if t.metric == a.metric), None)
            target = target_phrase(goal, m, with_metric=False) if goal else say.NO_GOAL
            line = say.ACHIEVEMENT_LINE.format(no=m.no, title=m.title, department=dept,
                                               actual=actual_phrase(a, m), target=target)
            done = achievement(a)
            lines.append(line + (say.ARROW.format(done=done) if done else ""))
    if shared_scope:
        lines.append(say.OWN_SCOPE_NOTE.format(coordinator=coordinator))
    return as_reply(lines, [choice(say.LABEL_NUMERIC_STATUS, say.ASK_NUMERIC_STATUS)])

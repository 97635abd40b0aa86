"""The words of list answers: a department's measures, keyword hits, numeric goals, the round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from bot.answers.catalog_view import MeasureView
from bot.answers.intent import Kind
from bot.answers.render import (
    STATUS,
    achievement,
    actual_phrase,
    as_reply,
    choice,
    fy_label,
    gap_phrase,
    moment,
    owners_text,
    plan_or_gap,
    quote,
    target_phrase,
)
from bot.answers.render_help import examples, help_choices
from bot.answers.results import ActualView, NumericStatus, ReportView, RoundStatus
from bot.core.messages import Reply
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_rate
from bot.texts import answers as say
from bot.texts import rounds as round_say

MAX_LISTED = 15  # measures listed for a keyword

# --- lists ---------------------------------------------------------------------------------------


def _flag(m: MeasureView) -> str:
    return "【数値目標】" if m.numeric_goal else ""


def department(name: str, ms: Sequence[MeasureView], kind: Kind, fy: int) -> Reply:
    if not ms:
        return Reply(f"{name}が担当する取組は、この計画にはありません。")
    if kind is Kind.TARGET:
        lines = [f"{name}の取組({len(ms)}件)の{fy_label(fy)}の目標"]
        for m in ms:
            targets = m.targets_for(fy)
            if targets:
                lines.append(f"・No.{m.no} " + " / ".join(target_phrase(t, m) for t in targets))
            elif m.numeric_goal:
                lines.append(f"・No.{m.no} {m.title}: {gap_phrase(m, fy)}")
            else:
                lines.append(f"・No.{m.no} {m.title}: 数値目標なし")
        return as_reply(lines, [choice(f"No.{m.no}の目標", f"No.{m.no}の目標は?") for m in ms])
    if kind is Kind.PLAN:
        lines = [f"{name}の取組({len(ms)}件)の{fy_label(fy)}の実施計画"]
        for m in ms:
            lines.append(f"・No.{m.no} {m.title}: {plan_or_gap(m, fy)}")
        return as_reply(lines, [choice(f"No.{m.no}の計画", f"No.{m.no}の計画は?") for m in ms])
    lines = [f"{name}の取組は{len(ms)}件です。"]
    lines.extend(f"・No.{m.no} {m.title}{_flag(m)}" for m in ms)
    return as_reply(lines, [choice(f"No.{m.no}について", f"No.{m.no}について") for m in ms])


def _state(status: str | None) -> str:
    return "未提出" if status is None else STATUS.get(status, status)


def department_results(name: str, ms: Sequence[MeasureView], fy: int, reports: dict[int, ReportView]) -> Reply:
    if not ms:
        return Reply(f"{name}が担当する取組は、この計画にはありません。")
    done = sum(1 for m in ms if m.id in reports and reports[m.id].submitted)
    lines = [f"{name}の{fy_label(fy)}の報告状況: {len(ms)}件中{done}件提出済み"]
    for m in ms:
        r = reports.get(m.id)
        line = f"・No.{m.no} {m.title}: {_state(r.status if r else None)}"
        if r is not None and r.submitted:
            line += "".join(f" / {actual_phrase(a, m)}" for a in r.actuals)
        lines.append(line)
    return as_reply(lines, [choice(f"No.{m.no}の進捗", f"No.{m.no}の進捗は?") for m in ms])


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
        return as_reply([f"「{keyword}」に当てはまる取組は見つかりませんでした。", *examples(None, None, None)], help_choices())
    lines = [f"「{keyword}」に関する取組は{len(ms)}件です。"]
    more = len(ms) - MAX_LISTED
    ms = ms[:MAX_LISTED]
    reply = _search_lines(keyword, ms, kind, fy, states, lines)
    if more > 0:
        text = reply.text + f"\n…ほか{more}件(言葉を足すと絞り込めます)"
        return Reply(text, reply.choices)
    return reply


def _search_lines(
    keyword: str,
    ms: Sequence[MeasureView],
    kind: Kind | None,
    fy: int,
    states: Mapping[tuple[int, str], str | None] | None,
    lines: list[str],
) -> Reply:
    total = lines[0]
    if kind is Kind.TARGET:
        lines[0] = f"{total}{fy_label(fy)}の目標:"
        for m in ms:
            targets = m.targets_for(fy)
            detail = " / ".join(target_phrase(t, m) for t in targets) if targets else (
            gap_phrase(m, fy) if m.numeric_goal else "数値目標なし")
            lines.append(f"・No.{m.no} {m.title}: {detail}")
        return as_reply(lines, [choice(f"No.{m.no}の目標", f"No.{m.no}の目標は?") for m in ms])
    if kind is Kind.PLAN:
        lines[0] = f"{total}{fy_label(fy)}の実施計画:"
        lines.extend(f"・No.{m.no} {m.title}: {plan_or_gap(m, fy)}" for m in ms)
        return as_reply(lines, [choice(f"No.{m.no}の計画", f"No.{m.no}の計画は?") for m in ms])
    if kind is Kind.RESULTS and states is not None:
        lines[0] = f"{total}{fy_label(fy)}の報告状況:"
        for m in ms:
            parts = [f"{d} {_state(states.get((m.id, d)))}" for d in m.departments] or ["担当課未設定"]
            lines.append(f"・No.{m.no} {m.title}: {'、'.join(parts)}")
        return as_reply(lines, [choice(f"No.{m.no}の進捗", f"No.{m.no}の進捗は?") for m in ms])
    lines.extend(f"・No.{m.no} {m.title}{_flag(m)}({owners_text(m)})" for m in ms)
    ask = {Kind.RESULTS: "の進捗は?", Kind.OWNERS: "の担当課は?"}.get(kind or Kind.OVERVIEW, "について")
    return as_reply(lines, [choice(f"No.{m.no}{ask.rstrip('?')}", f"No.{m.no}{ask}") for m in ms])


def numeric_targets(ms: Sequence[MeasureView], fy: int) -> Reply:
    lines = [f"数値目標のある取組は{len(ms)}件です({fy_label(fy)}の目標)。"]
    for m in ms:
        targets = m.targets_for(fy)
        detail = " / ".join(target_phrase(t, m) for t in targets) if targets else gap_phrase(m, fy)
        lines.append(f"・No.{m.no} {m.title}: {detail}")
    return as_reply(lines, [choice("達成状況", "数値目標の達成状況は?")])


def numeric_results(items: Sequence[NumericStatus], fy: FiscalYear) -> Reply:
    reported = sum(1 for i in items if i.actuals)
    lines = [f"数値目標のある取組({len(items)}件)の{fy.label}の達成状況: 実績報告 {reported}件"]
    for item in items:
        m = item.measure
        targets = m.targets_for(fy.year)
        if not item.actuals:
            goal = " / ".join(target_phrase(t, m) for t in targets) if targets else gap_phrase(m, fy.year)
            lines.append(f"・No.{m.no} {m.title}: {goal}: 未報告")
            continue
        for dept, a in item.actuals:
            goal_t = next((t for t in targets if t.metric == a.metric), targets[0] if len(targets) == 1 else None)
            goal = f"目標 {target_phrase(goal_t, m, with_metric=False)}" if goal_t else "目標なし"
            done = achievement(a)
            who = f"({dept})" if len(m.departments) > 1 else ""
            lines.append(f"・No.{m.no} {actual_phrase(a, m)}{who} / {goal}" + (f" → {done}" if done else ""))
    return as_reply(lines)


def round_status(status: RoundStatus, at: datetime, tz: tzinfo) -> Reply:
    fy = status.fy
    done = [d for d in status.departments if not d.open_nos]
    pending = status.pending_departments
    lines = [
        f"{fy.label}の報告状況({moment(at, tz)}時点)",
        f"回答率 {format_rate(status.rate)}(取組と担当課の組 {status.total}件中 {status.submitted}件が提出済み)",
        f"提出を終えた課: {len(done)}課 / {len(status.departments)}課",
    ]
    if pending:
        lines.append(f"未提出の取組がある課({len(pending)}課):")
        for d in pending:
            nos = "、".join(f"No.{n}" for n in d.open_nos)
            draft = f"、うち作成中 {len(d.drafts)}件" if d.drafts else ""
            lines.append(f"・{d.name} {len(d.open_nos)}件({nos}{draft})")
    else:
        lines.append("すべての課が提出済みです。")
    if status.unassigned:
        nos = "、".join(f"No.{n}" for n in status.unassigned)
        lines.append(f"担当課が未設定の取組: {nos}")
    choices = [choice("数値目標の達成状況", "数値目標の達成状況は?")]
    choices += [choice(f"{d.name}の状況", f"{d.name}の進捗は?") for d in pending[:5]]
    return as_reply(lines, choices)


# --- the round in words, and what is achieved ---------------------------------------------------


def round_pending(status: RoundStatus, department: str | None) -> list[str]:
    """While a round runs: what is still missing, city-wide and for the asker's department."""
    fy = status.fy.label
    lines = [round_say.ROUND_PENDING.format(fy=fy, missing=status.total - status.submitted, total=status.total)]
    own = next((d for d in status.departments if d.name == department), None)
    if own is not None:
        if own.open_nos:
            nos = "、".join(f"No.{n}" for n in own.open_nos)
            lines.append(round_say.ROUND_PENDING_OWN.format(department=own.name, nos=nos))
        else:
            lines.append(round_say.ROUND_ALL_DONE.format(department=own.name, fy=fy))
    return lines


def lines_reply(lines: Sequence[str]) -> Reply:
    return as_reply(lines, [choice("未提出の課は?", "未提出の課は?"), choice("状況", "状況")])


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
        verdict = "達成" if achieved else "未達成"
        lines = [say.ACHIEVED_NONE.format(scope=scope, fy=fy.label, verdict=verdict)]
    else:
        title = say.ACHIEVED_TITLE if achieved else say.NOT_ACHIEVED_TITLE
        lines = [title.format(scope=scope, fy=fy.label, count=len(judged))]
        for m, dept, a in judged:
            goal = next((t for t in m.targets_for(fy.year) if t.metric == a.metric), None)
            target = target_phrase(goal, m, with_metric=False) if goal else "-"
            line = say.ACHIEVEMENT_LINE.format(no=m.no, title=m.title, department=dept,
                                               actual=actual_phrase(a, m), target=target)
            done = achievement(a)
            lines.append(line + (f" → {done}" if done else ""))
    if shared_scope:
        lines.append(say.OWN_SCOPE_NOTE.format(coordinator=coordinator))
    return as_reply(lines, [choice("数値目標の達成状況", "数値目標の達成状況は?")])

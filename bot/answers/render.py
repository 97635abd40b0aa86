"""Every word the question answering says: intent + data in, `Reply` out.

Numbers go through `bot.japanese.numbers.format_quantity` (1,700名, 98.87%, 800,000千円) and fiscal years
through `FiscalYear.label` (令和8年度). Choices carry a full question as their value, so a tap
comes back through the router like typed text; labels stay within LINE's 20 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal

from bot.answers.catalog_view import CatalogView, MeasureView, TargetView
from bot.answers.intent import Kind
from bot.answers.results import (
    ActualView,
    NumericStatus,
    ReportView,
)
from bot.core.messages import Choice, Reply
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import canonical_unit, format_number, format_quantity, format_rate
from bot.reporting.round_status import RoundStatus
from bot.texts import people as people_texts
from bot.texts.labels import BASIS, PROGRESS, STATUS

MAX_CHOICES = 10  # LINE allows 13 quick replies; fewer is easier to read
LABEL_MAX = 20  # LINE's quick-reply label limit
MAX_LINES = 60  # per reply: a chat message, not a report
MAX_LISTED = 15  # measures listed for a keyword

_DIRECTION = {"at_least": "以上", "at_most": "以下", "exactly": ""}
_COMPARISONS = ("以上", "以下", "未満", "超")
_STATUS = STATUS  # the labels of the status codes (bot.texts.labels)


# --- small pieces --------------------------------------------------------------------------------


def fy_label(fy: int | FiscalYear) -> str:
    return (fy if isinstance(fy, FiscalYear) else FiscalYear(fy)).label


def head(m: MeasureView) -> str:
    return f"No.{m.no} {m.title}"


def choice(label: str, value: str) -> Choice:
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "…"
    return Choice(label, value)


def moment(at: datetime, tz: tzinfo) -> str:
    local = at.astimezone(tz) if at.tzinfo is not None else at
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _places(m: MeasureView, metric: str) -> int:
    """Decimal places the plan uses for a metric's series (94.0% stays 94.0%, as printed)."""
    places = 0
    for t in m.targets:
        if t.metric == metric and t.value is not None:
            exponent = t.value.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < 0:
                places = max(places, -exponent)
    return places


def amount(value: Decimal, unit: str | None, places: int = 0) -> str:
    """A figure with its unit; `places` keeps the plan's decimals (94.0%, not 94%)."""
    number = value.normalize()
    exponent = number.as_tuple().exponent
    if places and isinstance(exponent, int) and -exponent < places:
        fixed = number.quantize(Decimal(1).scaleb(-places))
        text = ("△" if fixed < 0 else "") + format(abs(fixed), ",f")
        return text + (canonical_unit(unit) if unit else "")
    return format_quantity(number, unit)


def target_phrase(t: TargetView, m: MeasureView | None = None, *, with_metric: bool = True) -> str:
    """コミュニティ防災士数 1,700名以上(累計) / 実質公債費比率 10%未満 / 経常収支比率 中核市平均以下."""
    q = (t.qualifier or "").strip()
    metric = f"{t.metric} " if with_metric else ""
    if t.value is None:
        return f"{metric}{q or _DIRECTION.get(t.direction, '')}".strip()
    number = amount(t.value, t.unit, _places(m, t.metric) if m else 0)
    if q.startswith(_COMPARISONS):
        return f"{metric}{number}{q}"
    if q.startswith("/"):
        tail = q if any(c in q for c in _COMPARISONS) else q + _DIRECTION.get(t.direction, "")
        return f"{metric}{number}{tail}"
    phrase = f"{metric}{number}{_DIRECTION.get(t.direction, '')}"
    return f"{phrase}({q})" if q else phrase


def _points(points: Decimal) -> str:
    shown = format_number(abs(points.normalize()))
    return f"+{shown}" if points > 0 else (f"△{shown}" if points < 0 else "±0")


def actual_phrase(a: ActualView, m: MeasureView | None = None) -> str:
    text = f"{a.metric} {amount(a.value, a.unit, _places(m, a.metric) if m else 0)}"
    if a.basis:
        text += f"({BASIS.get(a.basis, a.basis)})"
    return text


def achievement(a: ActualView) -> str:
    parts = []
    if a.rate is not None:
        parts.append(f"達成率 {format_rate(a.rate)}")
    elif a.points is not None:
        parts.append(f"目標との差 {_points(a.points)}ポイント")
    if a.met is not None:
        parts.append("達成" if a.met else "未達成")
    return "・".join(parts)


def _plan_text(m: MeasureView, fy: int) -> str | None:
    text = m.plans.get(fy)
    return text.replace("\n", " ") if text else None


def _plan_or_gap(m: MeasureView, fy: int) -> str:
    return _plan_text(m, fy) or ("計画書から読み取れません" if _lost(m, fy) else "計画書に記載がありません")


def _lines(lines: Iterable[str]) -> str:
    out = [line for line in lines if line is not None]
    if len(out) > MAX_LINES:
        rest = len(out) - MAX_LINES + 1
        out = out[: MAX_LINES - 1] + [f"…ほか{rest}行"]
    return "\n".join(out)


def _reply(lines: Iterable[str], choices: Sequence[Choice] = ()) -> Reply:
    return Reply(_lines(lines), tuple(choices)[:MAX_CHOICES])


def measure_choices(m: MeasureView, skip: Kind | None = None) -> list[Choice]:
    """What else one may ask about a measure."""
    options = [
        (Kind.OVERVIEW, "概要", f"No.{m.no}について"),
        (Kind.TARGET, "目標", f"No.{m.no}の目標は?"),
        (Kind.PLAN, "計画", f"No.{m.no}の計画は?"),
        (Kind.RESULTS, "進捗", f"No.{m.no}の進捗は?"),
        (Kind.OWNERS, "担当課", f"No.{m.no}の担当課は?"),
    ]
    return [choice(f"No.{m.no}の{label}", value) for kind, label, value in options if kind is not skip]


# --- a measure -----------------------------------------------------------------------------------


def overview(m: MeasureView, fy: int) -> Reply:
    lines = [head(m) + ("【数値目標】" if m.numeric_goal else "")]
    lines.append(f"担当: {owners_text(m)}")
    if m.summary:
        lines.append(f"概要: {m.summary}")
    lines.append(f"めざす姿: {m.vision or '計画書から読み取れません'}")
    targets = m.targets_for(fy)
    if targets:
        lines.append(f"{fy_label(fy)}の目標: " + " / ".join(target_phrase(t, m) for t in targets))
    else:
        lines.append(f"{fy_label(fy)}の実施計画: {_plan_or_gap(m, fy)}")
    return _reply(lines, measure_choices(m, skip=Kind.OVERVIEW))


def owners_text(m: MeasureView) -> str:
    return "、".join(m.departments) if m.departments else "未設定"


def owners(m: MeasureView) -> Reply:
    if not m.departments:
        lines = [
            f"{head(m)} の担当課は、計画書から読み取れないため、まだ決まっていません。",
            "デジタル行政戦略課が担当課を割り当てます。",
        ]
    elif len(m.departments) == 1:
        lines = [f"{head(m)} の担当課は{m.departments[0]}です。"]
    else:
        lines = [f"{head(m)} の担当課は{'、'.join(m.departments)}です(共同で担当)。"]
    choices = [choice(f"{d}の取組", f"{d}の取組は?") for d in m.departments]
    return _reply(lines, choices + measure_choices(m, skip=Kind.OWNERS)[:3])


def target(m: MeasureView, fys: Sequence[int]) -> Reply:
    lines = [head(m) + ("【数値目標】" if m.numeric_goal else "")]
    if not m.numeric_goal:
        lines.append("この取組には数値目標がありません。")
        for fy in fys:
            lines.append(f"{fy_label(fy)}の実施計画: {_plan_or_gap(m, fy)}")
        lines.append(f"めざす姿: {m.vision or '計画書から読み取れません'}")
        return _reply(lines, measure_choices(m, skip=Kind.TARGET))
    for fy in fys:
        lines.extend(_year_targets(m, fy))
    if len(fys) == 1 and len({t.metric for t in m.targets}) == 1 and len(m.target_years) > 1:
        lines.append(f"各年度の目標: {_series(m)}")
    return _reply(lines, measure_choices(m, skip=Kind.TARGET))


def _year_targets(m: MeasureView, fy: int) -> list[str]:
    targets = m.targets_for(fy)
    label = fy_label(fy)
    if not targets:
        if _lost(m, fy):
            lines = [f"{label}の数値目標は、計画書の該当欄が読み取れないためお答えできません。"]
        else:
            lines = [f"{label}の数値目標は計画に定められていません。"]
        plan = _plan_text(m, fy)
        if plan:
            lines.append(f"{label}の実施計画: {plan}")
        return lines
    if len(targets) == 1:
        lines = [f"{label}の目標: {target_phrase(targets[0], m)}"]
    else:
        lines = [f"{label}の目標:"] + [f"・{target_phrase(t, m)}" for t in targets]
    plan = _plan_text(m, fy)
    if plan and _plan_says_more(plan, targets):
        lines.append(f"(実施計画の記載: {plan})")
    return lines


def _series(m: MeasureView) -> str:
    """Each year's target of a one-metric measure, compact when the wording repeats."""
    same = len({(t.direction, t.qualifier) for t in m.targets}) == 1
    parts = []
    for t in m.targets:
        if same and t.value is not None:
            parts.append(f"{fy_label(t.fy)} {amount(t.value, t.unit, _places(m, t.metric))}")
        else:
            parts.append(f"{fy_label(t.fy)} {target_phrase(t, m, with_metric=False)}")
    return " / ".join(parts)


def _lost(m: MeasureView, fy: int) -> bool:
    """Whether the document lost that year's plan or target cell (the catalog's `missing`)."""
    key = FiscalYear(fy).key
    return f"plans.{key}" in m.missing or f"targets.{key}" in m.missing


def _plan_says_more(plan: str, targets: Sequence[TargetView]) -> bool:
    """Whether the plan cell holds more than the target itself (then it is worth showing)."""
    rest = plan
    for t in targets:
        rest = rest.replace(t.metric, "")
        if t.value is not None:
            rest = rest.replace(format_number(t.value.normalize()), "").replace(str(t.value.normalize()), "")
        for word in (t.unit or "", t.qualifier or ""):
            rest = rest.replace(word, "") if word else rest
    rest = "".join(ch for ch in rest if not ch.isspace() and ch not in "・()()")
    return len(rest) >= 4


def plan(m: MeasureView, fys: Sequence[int], current: int) -> Reply:
    lines = [head(m)]
    for fy in fys:
        text = m.plans.get(fy)
        mark = "(今年度)" if fy == current and len(fys) > 1 else ""
        if text is None:
            lines.append(f"{fy_label(fy)}{mark}の実施計画: {_plan_or_gap(m, fy)}")
        elif "\n" in text:
            lines.append(f"{fy_label(fy)}{mark}の実施計画:")
            lines.extend(text.split("\n"))
        else:
            lines.append(f"{fy_label(fy)}{mark}の実施計画: {text}")
    return _reply(lines, measure_choices(m, skip=Kind.PLAN))


def results(
    m: MeasureView,
    fy: int,
    reports: Sequence[ReportView],
    other_years: Sequence[int],
    tz: tzinfo,
    report_choice: bool,
) -> Reply:
    label = fy_label(fy)
    by_department = {r.department: r for r in reports}
    lines = [f"{head(m)}", f"{label}の実施結果"]
    targets = m.targets_for(fy)
    departments = list(m.departments) or [r.department for r in reports]
    if not departments:
        lines.append("担当課が未設定のため、まだ報告されていません。")
    submitted_any = False
    for name in departments:
        r = by_department.get(name)
        if r is None or not r.submitted:
            state = "まだ報告されていません" if r is None else _STATUS.get(r.status, r.status)
            lines.append(f"■{name}: {state}。")
            continue
        submitted_any = submitted_any or not r.hidden  # a hidden result: the target is still for anyone
        lines.extend(_report_lines(m, r, targets, tz))
    if targets and not submitted_any:
        lines.append(f"{label}の目標: " + " / ".join(target_phrase(t, m) for t in targets))
    choices = [choice(f"{fy_label(y)}の結果", f"No.{m.no}の{fy_label(y)}の実績は?") for y in other_years if y != fy]
    if report_choice:
        choices.insert(0, choice(f"No.{m.no}を報告する", f"報告 {m.no}"))
    return _reply(lines, choices[:3] + measure_choices(m, skip=Kind.RESULTS)[:3])


def _report_lines(m: MeasureView, r: ReportView, targets: Sequence[TargetView], tz: tzinfo) -> list[str]:
    status = _STATUS.get(r.status, r.status)
    lines = [f"■{r.department}({status}" + (f"・第{r.revision}版" if r.revision > 1 else "") + ")"]
    if r.hidden:
        return [lines[0] + people_texts.RESULTS_OTHER_DEPARTMENT]
    if r.result_text:
        lines.append(f"実施結果: {r.result_text}")
    extra = [f"進捗: {PROGRESS.get(r.progress, r.progress)}" if r.progress else "", f"自己評価: {r.rating}" if r.rating else ""]
    if any(extra):
        lines.append(" / ".join(e for e in extra if e))
    by_metric = {t.metric: t for t in targets}
    for a in r.actuals:
        line = f"実績: {actual_phrase(a, m)}"
        goal = by_metric.get(a.metric) or (targets[0] if len(targets) == 1 else None)
        if goal is not None:
            line += f" / 目標 {target_phrase(goal, m, with_metric=False)}"
        done = achievement(a)
        if done:
            line += f" → {done}"
        lines.append(line)
    who = r.reporter or "不明"
    when = moment(r.reported_at, tz) if r.reported_at else "日時不明"
    lines.append(f"報告: {who}({when})")
    return lines


def not_found(no: int, view: CatalogView) -> Reply:
    if not view.measures:
        return Reply("計画の取組がまだ登録されていません。管理者に `kaikaku init` の実行を依頼してください。")
    return Reply(f"No.{no} の取組はありません。取組の番号は No.{view.first_no}〜No.{view.last_no} です。")


def outside_plan(fy: FiscalYear, view: CatalogView) -> Reply:
    return Reply(
        f"{fy.label}は計画期間({fy_label(view.first_fy)}〜{fy_label(view.last_fy)})の外のため、"
        "目標や実施計画はありません。"
    )


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
                lines.append(f"・No.{m.no} {m.title}: {fy_label(fy)}の数値目標はありません")
            else:
                lines.append(f"・No.{m.no} {m.title}: 数値目標なし")
        return _reply(lines, [choice(f"No.{m.no}の目標", f"No.{m.no}の目標は?") for m in ms])
    if kind is Kind.PLAN:
        lines = [f"{name}の取組({len(ms)}件)の{fy_label(fy)}の実施計画"]
        for m in ms:
            lines.append(f"・No.{m.no} {m.title}: {_plan_or_gap(m, fy)}")
        return _reply(lines, [choice(f"No.{m.no}の計画", f"No.{m.no}の計画は?") for m in ms])
    lines = [f"{name}の取組は{len(ms)}件です。"]
    lines.extend(f"・No.{m.no} {m.title}{_flag(m)}" for m in ms)
    return _reply(lines, [choice(f"No.{m.no}について", f"No.{m.no}について") for m in ms])


def _state(status: str | None) -> str:
    return _STATUS["missing"] if status is None else _STATUS.get(status, status)


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
    return _reply(lines, [choice(f"No.{m.no}の進捗", f"No.{m.no}の進捗は?") for m in ms])


def search_results(
    keyword: str,
    ms: Sequence[MeasureView],
    kind: Kind | None,
    fy: int,
    states: Mapping[tuple[int, str], str | None] | None = None,
) -> Reply:
    """Measures a keyword found, best first; with `states` ((measure id, department) -> report
    status), the reporting state of each (for 「防災の進捗は?」)."""
    if not ms:
        return _reply([f"「{keyword}」に当てはまる取組は見つかりませんでした。", *_examples(None, None, None)], help_choices())
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
            detail = " / ".join(target_phrase(t, m) for t in targets) if targets else "数値目標なし"
            lines.append(f"・No.{m.no} {m.title}: {detail}")
        return _reply(lines, [choice(f"No.{m.no}の目標", f"No.{m.no}の目標は?") for m in ms])
    if kind is Kind.PLAN:
        lines[0] = f"{total}{fy_label(fy)}の実施計画:"
        lines.extend(f"・No.{m.no} {m.title}: {_plan_or_gap(m, fy)}" for m in ms)
        return _reply(lines, [choice(f"No.{m.no}の計画", f"No.{m.no}の計画は?") for m in ms])
    if kind is Kind.RESULTS and states is not None:
        lines[0] = f"{total}{fy_label(fy)}の報告状況:"
        for m in ms:
            parts = [f"{d} {_state(states.get((m.id, d)))}" for d in m.departments] or ["担当課未設定"]
            lines.append(f"・No.{m.no} {m.title}: {'、'.join(parts)}")
        return _reply(lines, [choice(f"No.{m.no}の進捗", f"No.{m.no}の進捗は?") for m in ms])
    lines.extend(f"・No.{m.no} {m.title}{_flag(m)}({owners_text(m)})" for m in ms)
    ask = {Kind.RESULTS: "の進捗は?", Kind.OWNERS: "の担当課は?"}.get(kind or Kind.OVERVIEW, "について")
    return _reply(lines, [choice(f"No.{m.no}{ask.rstrip('?')}", f"No.{m.no}{ask}") for m in ms])


def numeric_targets(ms: Sequence[MeasureView], fy: int) -> Reply:
    lines = [f"数値目標のある取組は{len(ms)}件です({fy_label(fy)}の目標)。"]
    for m in ms:
        targets = m.targets_for(fy)
        detail = " / ".join(target_phrase(t, m) for t in targets) if targets else f"{fy_label(fy)}の数値目標なし"
        lines.append(f"・No.{m.no} {detail}" if targets else f"・No.{m.no} {m.title}: {detail}")
    return _reply(lines, [choice("達成状況", "数値目標の達成状況は?")])


def numeric_results(items: Sequence[NumericStatus], fy: FiscalYear) -> Reply:
    reported = sum(1 for i in items if i.actuals)
    lines = [f"数値目標のある取組({len(items)}件)の{fy.label}の達成状況: 実績報告 {reported}件"]
    for item in items:
        m = item.measure
        targets = m.targets_for(fy.year)
        if not item.actuals:
            goal = (
                " / ".join(target_phrase(t, m) for t in targets)
                if targets
                else f"{m.title}({fy.label}の数値目標なし)"
            )
            lines.append(f"・No.{m.no} {goal}: 未報告")
            continue
        for dept, a in item.actuals:
            goal_t = next((t for t in targets if t.metric == a.metric), targets[0] if len(targets) == 1 else None)
            goal = f"目標 {target_phrase(goal_t, m, with_metric=False)}" if goal_t else "目標なし"
            done = achievement(a)
            who = f"({dept})" if len(m.departments) > 1 else ""
            lines.append(f"・No.{m.no} {actual_phrase(a, m)}{who} / {goal}" + (f" → {done}" if done else ""))
    return _reply(lines)


def round_status(status: RoundStatus, at: datetime, tz: tzinfo) -> Reply:
    fy = status.fy
    done = [d for d in status.departments if not d.open_nos]
    pending = status.pending_departments
    lines = [
        f"{fy.label}の報告状況({moment(at, tz)}時点)",
        f"回答率 {format_rate(status.rate)}(取組と担当課の組 {status.total}件中 {status.responded}件が提出済み)",
        f"承認率 {format_rate(status.approval_rate)}({_STATUS['approved']} {status.approved}件・"
        f"{_STATUS['submitted']} {status.counts['submitted']}件・{_STATUS['returned']} {status.counts['returned']}件)",
        f"提出を終えた課: {len(done)}課 / {len(status.departments)}課",
    ]
    if pending:
        lines.append(f"未提出の取組がある課({len(pending)}課):")
        for d in pending:
            nos = "、".join(f"No.{n}" for n in d.open_nos)
            draft = f"、うち作成中 {len(d.drafts)}件" if d.drafts else ""
            returned = f"、うち{_STATUS['returned']} {d.count('returned')}件" if d.count("returned") else ""
            lines.append(f"・{d.name} {len(d.open_nos)}件({nos}{draft}{returned})")
    else:
        lines.append("すべての課が提出済みです。")
    if status.unassigned:
        nos = "、".join(f"No.{n}" for n, _ in status.unassigned)
        lines.append(f"担当課が未設定の取組: {nos}")
    choices = [choice("数値目標の達成状況", "数値目標の達成状況は?")]
    choices += [choice(f"{d.name}の状況", f"{d.name}の進捗は?") for d in pending[:5]]
    return _reply(lines, choices)


# --- questions back ------------------------------------------------------------------------------


def ambiguous_number(m: MeasureView) -> Reply:
    return _reply(
        [f"「{m.no}」は {head(m)} のことでしょうか。知りたいことを選んでください。"],
        measure_choices(m),
    )


def ambiguous_department(word: str, names: Sequence[str], search_hits: int) -> Reply:
    if len(names) == 1 and search_hits:
        text = f"「{word}」は{names[0]}のことでしょうか。それとも「{word}」を含む取組をお探しですか。"
    elif search_hits:
        text = f"「{word}」に当てはまる課が複数あります。どの課か、または「{word}」を含む取組の検索かを選んでください。"
    else:
        text = f"「{word}」に当てはまる課が複数あります。どの課でしょうか。"
    choices = [choice(f"{n}の取組", f"{n}の取組は?") for n in names]
    if search_hits:
        choices.append(choice(f"「{word}」で検索", f"「{word}」を検索"))
    return _reply([text], choices)


def need_measure(kinds: Sequence[Kind], example: MeasureView | None) -> Reply:
    word = {Kind.TARGET: "目標", Kind.PLAN: "計画", Kind.OWNERS: "担当課"}.get(kinds[0] if kinds else Kind.OVERVIEW, "内容")
    no = example.no if example else 34
    return _reply(
        [f"どの取組の{word}でしょうか。番号や言葉を添えてお尋ねください(例: No.{no}の{word}は?)。"],
        [choice(f"No.{no}の{word}", f"No.{no}の{word}は?"), choice("数値目標の一覧", "数値目標の一覧")],
    )


def help_choices(example: MeasureView | None = None, department: str | None = None) -> list[Choice]:
    no = example.no if example else 34
    dept = department or "危機管理課"
    return [
        choice(f"No.{no}の目標は?", f"No.{no}の目標は?"),
        choice(f"No.{no}の進捗は?", f"No.{no}の進捗は?"),
        choice(f"{dept}の取組", f"{dept}の取組は?"),
        choice("未提出の課は?", "未提出の課は?"),
    ]


def greeting(example: MeasureView | None, department: str | None) -> Reply:
    return _reply(
        ["kaikaku-bot です。取組の目標や報告の状況をお答えします。", *_examples(example, department, None)],
        help_choices(example, department),
    )


def not_understood(example: MeasureView | None, department: str | None, keyword: str | None) -> Reply:
    return _reply(
        ["ご質問を読み取れませんでした。", *_examples(example, department, keyword)],
        help_choices(example, department),
    )


def _examples(example: MeasureView | None, department: str | None, keyword: str | None) -> list[str]:
    no = example.no if example else 34
    return [
        "次のようにお尋ねください。",
        f"・取組の番号で: No.{no}の目標は? / No.{no}の進捗は? / No.{no}の担当課は?",
        f"・年度を添えて: No.{no}の令和7年度の計画は?",
        f"・課の名前で: {department or '危機管理課'}の取組は?",
        f"・言葉で探す: {keyword or '防災'}",
        "・報告の状況: 未提出の課は?",
    ]


def no_catalog() -> Reply:
    return Reply("計画の取組がまだ登録されていません。管理者に `kaikaku init` の実行を依頼してください。")


def no_department_of_member() -> Reply:
    return Reply(
        "あなたの課がまだ登録されていないため、どの課かわかりません。"
        "課の名前を添えてお尋ねください(例: 危機管理課の取組は?)。"
    )


def too_many(asked: int, shown: int) -> Reply:
    return Reply(f"一度にお答えできるのは{shown}件までです({asked}件のうち最初の{shown}件にお答えしました)。")


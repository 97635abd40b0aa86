"""The words of a measure's answers (overview, target, plan, results) and the pieces every answer uses.

Sentences live in bot/texts/answers.py; lists are in `render_lists`, questions back in `render_help`.

Numbers go through `bot.japanese.numbers.format_quantity` (1,700名, 98.87%, 800,000千円) and fiscal years
through `FiscalYear.label` (令和8年度). Choices carry a full question as their value, so a tap
comes back through the router like typed text; labels stay within LINE's 20 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.answers.catalog_view import CatalogView, MeasureView, TargetView
from bot.answers.intent import Kind
from bot.core.messages import Choice, Reply, clean
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import canonical_unit, format_number, format_quantity, format_rate
from bot.texts import answers as say
from bot.texts import people as people_texts
from bot.texts.labels import BASIS, MET, PROGRESS, SKIP_REASON
from bot.texts.labels import STATUS as STATUS_LABELS

if TYPE_CHECKING:
    from bot.answers.results import ActualView, ReportView

MAX_CHOICES = 10  # LINE allows 13 quick replies; fewer is easier to read
LABEL_MAX = 20  # LINE's quick-reply label limit
MAX_LINES = 60  # per reply: a chat message, not a report
MAX_TEXT = 4_500  # per reply: under LINE's 5,000 characters, with room for a platform's frame
ECHO_MAX = 100  # what is quoted back of a message: one line

_DIRECTION = say.DIRECTION
_COMPARISONS = say.COMPARISONS
STATUS = STATUS_LABELS  # the labels of the status codes (bot.texts.labels)


# --- small pieces --------------------------------------------------------------------------------


def fy_label(fy: int | FiscalYear) -> str:
    return (fy if isinstance(fy, FiscalYear) else FiscalYear(fy)).label


def head(m: MeasureView) -> str:
    return f"No.{m.no} {m.title}"


def choice(label: str, value: str) -> Choice:
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "…"
    return Choice(label, value)


def quote(said: str, limit: int = ECHO_MAX) -> str:
    """What the user typed, as quoted back: one line, no control characters, cut with … ."""
    text = " ".join(clean(said).split())
    return text if len(text) <= limit else text[: limit - 1] + say.ELLIPSIS


def moment(at: datetime, tz: tzinfo) -> str:
    local = at.astimezone(tz) if at.tzinfo is not None else at
    return say.MOMENT.format(year=local.year, month=local.month, day=local.day, time=f"{local:%H:%M}")


def places(m: MeasureView, metric: str) -> int:
    """Decimal places the plan uses for a metric's series (94.0% stays 94.0%, as printed)."""
    return m.decimals.get(metric, 0)


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
    return _target_phrase(t, places(m, t.metric) if m else 0, with_metric)


@lru_cache(maxsize=4096)
def _target_phrase(t: TargetView, decimals: int, with_metric: bool) -> str:
    """Memoised: a target is catalog data (a frozen value), and the status lists word the same
    twenty-odd targets on every question."""
    q = (t.qualifier or "").strip()
    metric = f"{t.metric} " if with_metric else ""
    if t.value is None:
        return f"{metric}{q or _DIRECTION.get(t.direction, '')}".strip()
    number = amount(t.value, t.unit, decimals)
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
    if a.value is None:
        return f"{a.metric} {SKIP_REASON.get(a.skip or '', a.skip or '')}"
    text = f"{a.metric} {amount(a.value, a.unit, places(m, a.metric) if m else 0)}"
    if a.basis:
        text += f"({BASIS.get(a.basis, a.basis)})"
    return text


def achievement(a: ActualView) -> str:
    parts = []
    if a.rate is not None:
        parts.append(say.RATE.format(rate=format_rate(a.rate)))
    elif a.points is not None:
        parts.append(say.POINTS.format(points=_points(a.points)))
    if a.met is not None:
        parts.append(MET[a.met])
    return say.JOIN_ACHIEVEMENT.join(parts)


def plan_text(m: MeasureView, fy: int) -> str | None:
    text = m.plans.get(fy)
    return text.replace("\n", " ") if text else None


def plan_or_gap(m: MeasureView, fy: int) -> str:
    text = plan_text(m, fy)
    if text:
        return text
    if m.numeric_goal and target_gap(m, fy) == "blank":
        return say.PLAN_BLANK
    return say.PLAN_LOST if lost(m, fy) else say.PLAN_NONE


def _lines(lines: Iterable[str]) -> str:
    out = [line for line in lines if line is not None]
    if len(out) > MAX_LINES:
        rest = len(out) - MAX_LINES + 1
        out = out[: MAX_LINES - 1] + [say.MORE_LINES.format(n=rest)]
    return "\n".join(out)


def as_reply(lines: Iterable[str], choices: Sequence[Choice] = ()) -> Reply:
    text = _lines(lines)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + say.ELLIPSIS
    return Reply(text, tuple(choices)[:MAX_CHOICES])


def measure_choices(m: MeasureView, skip: Kind | None = None) -> list[Choice]:
    """What else one may ask about a measure."""
    options = [
        (Kind.OVERVIEW, say.LABEL_OVERVIEW, say.ASK_OVERVIEW),
        (Kind.TARGET, say.LABEL_TARGET, say.ASK_TARGET),
        (Kind.PLAN, say.LABEL_PLAN, say.ASK_PLAN),
        (Kind.RESULTS, say.LABEL_RESULTS, say.ASK_RESULTS),
        (Kind.OWNERS, say.LABEL_OWNERS, say.ASK_OWNERS),
    ]
    return [choice(say.MEASURE_CHOICE.format(no=m.no, label=label), value.format(no=m.no))
            for kind, label, value in options if kind is not skip]


# --- a measure -----------------------------------------------------------------------------------


def overview(m: MeasureView, fy: int) -> Reply:
    lines = [head(m) + flag(m)]
    lines.append(say.OWNERS_LINE.format(owners=owners_text(m)))
    if m.summary:
        lines.append(say.SUMMARY_LINE.format(summary=m.summary))
    lines.append(say.VISION_LINE.format(vision=m.vision or say.PLAN_LOST))
    targets = m.targets_for(fy)
    if targets:
        lines.append(say.YEAR_TARGET_LINE.format(fy=fy_label(fy), targets=" / ".join(target_phrase(t, m) for t in targets)))
    else:
        lines.append(say.YEAR_PLAN_LINE.format(fy=fy_label(fy), mark="", plan=plan_or_gap(m, fy)))
    return as_reply(lines, measure_choices(m, skip=Kind.OVERVIEW))


def flag(m: MeasureView) -> str:
    return say.NUMERIC_FLAG if m.numeric_goal else ""


def owners_text(m: MeasureView) -> str:
    return say.JOIN_NAMES.join(m.departments) if m.departments else say.NO_OWNER


def owners(m: MeasureView, coordinator: str) -> Reply:
    if not m.departments:
        lines = [line.format(head=head(m), coordinator=coordinator) for line in say.OWNERS_UNKNOWN]
    elif len(m.departments) == 1:
        lines = [say.OWNERS_ONE.format(head=head(m), department=m.departments[0])]
    else:
        lines = [say.OWNERS_JOINT.format(head=head(m), departments=say.JOIN_NAMES.join(m.departments))]
    choices = [choice(say.LABEL_DEPARTMENT.format(department=d), say.ASK_DEPARTMENT.format(department=d))
               for d in m.departments]
    return as_reply(lines, choices + measure_choices(m, skip=Kind.OWNERS)[:3])


def target(m: MeasureView, fys: Sequence[int]) -> Reply:
    lines = [head(m) + flag(m)]
    if not m.numeric_goal:
        lines.append(say.NOT_NUMERIC)
        for fy in fys:
            lines.append(say.YEAR_PLAN_LINE.format(fy=fy_label(fy), mark="", plan=plan_or_gap(m, fy)))
        lines.append(say.VISION_LINE.format(vision=m.vision or say.PLAN_LOST))
        return as_reply(lines, measure_choices(m, skip=Kind.TARGET))
    for fy in fys:
        lines.extend(_year_targets(m, fy, others=len(fys) == 1))
    one_metric = len({t.metric for t in m.targets}) == 1
    if len(fys) == 1 and m.targets_for(fys[0]) and one_metric and len(m.target_years) > 1:
        lines.append(say.SERIES_LINE.format(series=_series(m)))
    return as_reply(lines, measure_choices(m, skip=Kind.TARGET))


def _year_targets(m: MeasureView, fy: int, others: bool = False) -> list[str]:
    targets = m.targets_for(fy)
    label = fy_label(fy)
    if not targets:
        lines = [_GAP_SENTENCE[target_gap(m, fy)].format(fy=label)]
        plan = plan_text(m, fy)
        if plan:
            lines.append(say.YEAR_PLAN_LINE.format(fy=label, mark="", plan=plan))
        elsewhere = [t for t in m.targets if t.fy != fy] if others else []
        if elsewhere:
            shown = " / ".join(f"{fy_label(t.fy)} {target_phrase(t, m)}" for t in elsewhere)
            lines.append(say.TARGET_OTHER_YEARS.format(targets=shown))
        return lines
    if len(targets) == 1:
        lines = [say.YEAR_TARGET_LINE.format(fy=label, targets=target_phrase(targets[0], m))]
    else:
        lines = [say.YEAR_TARGET_HEAD.format(fy=label)] + [say.BULLET.format(text=target_phrase(t, m)) for t in targets]
    plan = plan_text(m, fy)
    if plan and _plan_says_more(plan, targets):
        lines.append(say.PLAN_SAYS.format(plan=plan))
    return lines


def _series(m: MeasureView) -> str:
    """Each year's target of a one-metric measure, compact when the wording repeats."""
    same = len({(t.direction, t.qualifier) for t in m.targets}) == 1 and not m.targets[0].qualifier
    parts = []
    for t in m.targets:
        if same and t.value is not None:
            parts.append(f"{fy_label(t.fy)} {amount(t.value, t.unit, places(m, t.metric))}")
        else:
            parts.append(f"{fy_label(t.fy)} {target_phrase(t, m, with_metric=False)}")
    return " / ".join(parts)


_PUNCTUATION = "・()()"
_GAP_SENTENCE = {"lost": say.TARGET_LOST, "blank": say.TARGET_BLANK, "none": say.TARGET_NONE}
_GAP_SHORT = {"lost": say.GAP_LOST, "blank": say.GAP_BLANK, "none": say.GAP_NONE}


def target_gap(m: MeasureView, fy: int) -> str:
    """Why a numeric measure has no target for `fy`: three different things, said differently.

    - "lost": the document lost the cell (the catalog lists `targets.R8` as missing): unreadable;
    - "blank": the year's cell is empty on purpose (no plan text, the target cell not lost);
    - "none": the plan has that year's text but sets no figure (次期計画に基づく…).
    """
    key = FiscalYear(fy).key
    if f"targets.{key}" in m.missing:
        return "lost"
    if m.plans.get(fy) is None:
        return "blank"
    return "none"


def gap_phrase(m: MeasureView, fy: int) -> str:
    """The short form for lists: 令和8年度の数値目標なし(計画書で空欄)."""
    return _GAP_SHORT[target_gap(m, fy)].format(fy=fy_label(fy))


def lost(m: MeasureView, fy: int) -> bool:
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
    rest = "".join(ch for ch in rest if not ch.isspace() and ch not in _PUNCTUATION)
    return len(rest) >= 4


def plan(m: MeasureView, fys: Sequence[int], current: int) -> Reply:
    lines = [head(m)]
    for fy in fys:
        text = m.plans.get(fy)
        mark = say.THIS_YEAR_MARK if fy == current and len(fys) > 1 else ""
        if text is None:
            lines.append(say.YEAR_PLAN_LINE.format(fy=fy_label(fy), mark=mark, plan=plan_or_gap(m, fy)))
        elif "\n" in text:
            lines.append(say.YEAR_PLAN_HEAD.format(fy=fy_label(fy), mark=mark))
            lines.extend(text.split("\n"))
        else:
            lines.append(say.YEAR_PLAN_LINE.format(fy=fy_label(fy), mark=mark, plan=text))
    return as_reply(lines, measure_choices(m, skip=Kind.PLAN))


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
    lines = [head(m), say.RESULTS_HEAD.format(fy=label)]
    targets = m.targets_for(fy)
    departments = list(m.departments) or [r.department for r in reports]
    if not departments:
        lines.append(say.NO_OWNER_YET)
    submitted_any = False
    for name in departments:
        r = by_department.get(name)
        if r is None or not r.submitted:
            state = say.NOT_REPORTED if r is None else STATUS.get(r.status, r.status)
            lines.append(say.DEPARTMENT_STATE.format(department=name, state=state))
            continue
        submitted_any = submitted_any or not r.hidden  # a hidden result: the target is still for anyone
        lines.extend(_report_lines(m, r, targets, tz))
    if targets and not submitted_any:
        lines.append(say.YEAR_TARGET_LINE.format(fy=label, targets=" / ".join(target_phrase(t, m) for t in targets)))
    choices = [choice(say.LABEL_YEAR_RESULTS.format(fy=fy_label(y)), say.ASK_YEAR_RESULTS.format(no=m.no, fy=fy_label(y)))
               for y in other_years if y != fy]
    if report_choice:
        choices.insert(0, choice(say.LABEL_REPORT.format(no=m.no), say.REPORT_COMMAND.format(no=m.no)))
    return as_reply(lines, choices[:3] + measure_choices(m, skip=Kind.RESULTS)[:3])


def _report_lines(m: MeasureView, r: ReportView, targets: Sequence[TargetView], tz: tzinfo) -> list[str]:
    status = STATUS.get(r.status, r.status)
    revision = say.REVISION_MARK.format(revision=r.revision) if r.revision > 1 else ""
    lines = [say.REPORT_HEAD.format(department=r.department, status=status, revision=revision)]
    if r.hidden:
        return [lines[0] + people_texts.RESULTS_OTHER_DEPARTMENT]
    if r.result_text:
        lines.append(say.RESULT_TEXT_LINE.format(text=r.result_text))
    extra = [say.PROGRESS_PART.format(progress=PROGRESS.get(r.progress, r.progress)) if r.progress else "",
             say.RATING_PART.format(rating=r.rating) if r.rating else ""]
    if any(extra):
        lines.append(" / ".join(e for e in extra if e))
    by_metric = {t.metric: t for t in targets}
    for a in r.actuals:
        line = say.ACTUAL_LINE.format(actual=actual_phrase(a, m))
        goal = by_metric.get(a.metric) or (targets[0] if len(targets) == 1 else None)
        if goal is not None:
            line += say.AGAINST_TARGET.format(target=target_phrase(goal, m, with_metric=False))
        done = achievement(a)
        if done:
            line += f" → {done}"
        lines.append(line)
    who = r.reporter or say.UNNAMED_MEMBER
    when = moment(r.reported_at, tz) if r.reported_at else say.WHEN_UNKNOWN
    lines.append(say.REPORTED_BY.format(who=who, when=when))
    return lines


def reporters(m: MeasureView, fy: int, reports: Sequence[ReportView], tz: tzinfo) -> Reply:
    """誰がNo.34を報告した?: each department's reporter by display name, never an account id."""
    lines = [say.REPORTER_TITLE.format(head=head(m), fy=fy_label(fy))]
    by_department = {r.department: r for r in reports}
    if not m.departments:
        lines.append(say.NO_OWNER_YET)
    for name in m.departments or [r.department for r in reports]:
        r = by_department.get(name)
        if r is None:
            lines.append(say.REPORTER_NONE.format(department=name))
        elif not r.submitted:
            lines.append(say.REPORTER_DRAFT.format(department=name))
        else:
            when = moment(r.reported_at, tz) if r.reported_at else ""
            lines.append(say.REPORTER_LINE.format(department=name, who=r.reporter or say.UNNAMED_MEMBER, when=when,
                                                  status=STATUS.get(r.status, r.status), revision=r.revision))
    return as_reply(lines, measure_choices(m, skip=Kind.OWNERS)[:4])


def not_found(no: int, view: CatalogView) -> Reply:
    if not view.measures:
        return Reply(say.NO_CATALOG)
    return Reply(say.NOT_FOUND.format(no=no, first=view.first_no, last=view.last_no))


def outside_plan(fy: FiscalYear, view: CatalogView) -> Reply:
    return Reply(say.OUTSIDE_PLAN.format(fy=fy.label, first=fy_label(view.first_fy), last=fy_label(view.last_fy)))

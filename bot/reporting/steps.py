"""The functions conversations/report.yaml names: choices, checks, cards and actions of a report.

The dialog's data holds only JSON values: numbers as strings, the measure by its number, the
department by id. Storage rules (drafts, revisions, achievement) are in bot.reporting.reports.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from bot.catalog.store import active_plan
from bot.core.messages import Card, Choice, Reply
from bot.dialogs.model import (
    END,
    REGISTRY,
    Accept,
    AskConfirm,
    Outcome,
    Reject,
    Result,
    Turn,
    render,
)
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import (
    NumberParseError,
    format_quantity,
    parse_for_target,
    parse_quantity,
)
from bot.japanese.plausibility import implausible
from bot.people.members import is_coordinator
from bot.reporting import reports
from bot.reporting.meanwhile import notice
from bot.reporting.review_notices import ask_reviewers
from bot.reporting.round_phase import BEFORE, round_phase, round_words
from bot.reporting.step_data import (
    check_measure,
    db,
    department_data,
    drafts_note,
    measure_data,
    measure_of,
    now_of,
    own_status,
    plain,
    report_summary,
    target_label,
)
from bot.storage.models import Department
from bot.texts import reporting as say
from bot.texts import rounds as round_say
from bot.texts.labels import BASIS, PROGRESS, SKIP_REASON

register = REGISTRY
# The report dialog's choice values (conversations/report.yaml) these steps compare with
RESUME = "続きから"
REVISE = "修正する"
# Typed at a number step for a figure not known yet (after NFKC: － is "-", ー stays): matched, not said.
SKIP_WORDS = {
    "pending": frozenset({"未確定", "集計中", "未定", "未集計", "確定前", "あとで", "後で", "スキップ", "保留"}),
    "not_available": frozenset({"なし", "無し", "-", "ー", "―", "—", "該当なし", "不明"}),
}
NO_PATTERN = re.compile(r"^(?:no\.?|#|番号)?\s*(\d{1,3})\s*(?:番)?$", re.IGNORECASE)


# --- actions ---------------------------------------------------------------------------------------


def _round_notes(turn: Turn, fy: FiscalYear) -> tuple[list[Reply], bool]:
    """What to say about the round before the first question, and whether the report may go on:
    a year outside the plan is never offered; before a round opens, the report is for the coming one."""
    plan = active_plan(db(turn))
    if plan is None:
        return [], True
    first, last = plan.first_fy, plan.last_fy
    phase = round_phase(turn.env.settings, now_of(turn), first, last)
    if not first <= fy.year <= last:
        refusal = round_say.OUTSIDE_PLAN_REPORT.format(fy=fy.label, first=FiscalYear(first).label,
                                                       last=FiscalYear(last).label)
        return [Reply("\n".join([refusal, *round_words(phase, first, last)]))], False
    if phase.phase == BEFORE and phase.fy == fy:
        return [Reply("\n".join(round_words(phase, first, last, fy)))], True
    return [], True


@register.action("report_start")
def report_start(turn: Turn) -> Outcome:
    """Fix the fiscal year; with a measure named (`報告 34`), check it and load it."""
    env = turn.env
    fy = reports.report_fy(env.settings, now_of(turn))
    data: dict[str, Any] = {"fy": fy.year, "fy_label": fy.label, "fy_key": fy.key,
                            "department_home": env.member.department.name}
    turn = Turn(env, turn.dialog, {**turn.data, **data})
    notes, go_on = _round_notes(turn, fy)
    if not go_on:
        return Outcome(data, notes, goto=END)
    later = [int(n) for n in turn.data.get("later_nos") or []]
    if later:
        rest = "、".join(f"No.{n}" for n in later)
        notes.append(Reply(turn.msg("one_at_a_time", no=turn.data.get("requested_no"), rest_nos=rest,
                                    next_no=later[0])))
    coordinator = is_coordinator(env.member, env.settings.coordinator_department)
    data["coordinator_note"] = turn.msg("coordinator_note") if coordinator else ""
    requested = turn.data.get("requested_no")
    if requested is None:
        data["drafts_note"] = drafts_note(turn)
        return Outcome(data, notes)
    measure, problem = check_measure(turn, int(requested))
    if measure is None:
        return Outcome(data, [*notes, Reply(problem or "")], goto=END)
    departments = reports.reporting_departments(env.member, measure, env.settings)
    department = departments[0] if len(departments) == 1 else None
    data.update(measure_data(turn, measure, department))
    data["measure"] = measure.no
    return Outcome(data, notes)


def _code(table: dict[str, str], value: Any) -> Any:
    """The code of a value: a dialog stored before the codes may still hold the label."""
    return next((code for code, label in table.items() if label == value), value)


def report_input(data: dict[str, Any]) -> reports.ReportInput:
    basis = _code(BASIS, data.get("basis"))
    actuals = [
        reports.ActualInput(a["metric"], None if a.get("value") is None else Decimal(a["value"]), a.get("unit"),
                            a["typed"], basis, a.get("skip"))
        for a in (data.get("actuals") or []) if a
    ]
    text = data.get("result_text") or data.get("_overlong:result_text")
    return reports.ReportInput(_code(PROGRESS, data.get("progress")), text, data.get("rating"), actuals)


def _department(turn: Turn) -> Department:
    dept = db(turn).get(Department, int(turn.data["department_id"]))
    assert dept is not None
    return dept


@register.action("report_submit")
def report_submit(turn: Turn) -> Outcome:
    env, data = turn.env, dict(turn.data)
    measure, department = measure_of(turn), _department(turn)
    if not reports.can_report(env.member, measure, env.settings):
        return Outcome(replies=[Reply(turn.msg("not_yours", no=measure.no, owners=data.get("owners", ""),
                                                     coordinator=env.settings.coordinator_department))])
    seen = (data.get("submitted") or {}).get("revision")
    try:
        report, changed = reports.submit(db(turn), measure, department, int(data["fy"]), report_input(data),
                                         env.who, now_of(turn), seen=seen)
    except reports.SubmittedMeanwhile as meanwhile:  # theirs stands; this text is kept as a draft
        told = notice(db(turn), meanwhile, env.who, env.member.department_id, now_of(turn), env.settings.tz)
        summary = report_summary(meanwhile.current, list(data.get("metrics") or []), env.settings.tz)
        return Outcome({"submitted": summary}, [Reply(told)], goto="summary")
    if changed:
        ask_reviewers(db(turn), env.settings, report, now_of(turn))
    lines = [turn.msg("submitted" if changed else "unchanged", revision=report.revision)]
    for a in report.actuals:
        text = reports.method_of(a).get("text")
        if text:
            lines.append(turn.msg("achievement_line", metric=a.metric, text=text))
    return Outcome({"revision": report.revision}, [Reply("\n".join(lines))])


@register.action("report_keep_draft")
def report_keep_draft(turn: Turn) -> Outcome:
    """On キャンセル: keep what was typed as a draft, and say so."""
    env, data = turn.env, dict(turn.data)
    if "department_id" not in data or "measure_no" not in data:
        return Outcome(replies=[Reply(turn.msg("cancelled"))])
    typed = report_input(data)
    if typed.is_empty:
        return Outcome(replies=[Reply(turn.msg("cancelled"))])
    measure, department = measure_of(turn), _department(turn)
    fy = int(data["fy"])
    submitted = reports.last_submitted(db(turn), measure.id, department.id, fy)
    if submitted is not None and reports.same_content(submitted, typed):
        reports.discard_draft(db(turn), measure.id, department.id, fy)
        return Outcome(replies=[Reply(turn.msg("cancelled_unchanged"))])
    reports.save_draft(db(turn), measure, department, fy, typed, env.who, now_of(turn))
    return Outcome(replies=[Reply(turn.msg("cancelled_draft"))])


# --- conditions ------------------------------------------------------------------------------------


@register.condition("needs_measure")
def needs_measure(turn: Turn) -> bool:
    return "measure_no" not in turn.data


@register.condition("needs_department")
def needs_department(turn: Turn) -> bool:
    return "department_id" not in turn.data


@register.condition("has_draft")
def has_draft(turn: Turn) -> bool:
    return "draft" in turn.data


@register.condition("has_submitted_only")
def has_submitted_only(turn: Turn) -> bool:
    return "submitted" in turn.data and "draft" not in turn.data


@register.condition("has_targets")
def has_targets(turn: Turn) -> bool:
    return bool(turn.data.get("metrics"))


# --- choices and cards -----------------------------------------------------------------------------



_MARK = say.STATE_MARK


@register.choice_provider("own_measures")
def own_measures(turn: Turn) -> list[Choice]:
    out = []
    for row in own_status(turn):
        mark = _MARK["draft"] if row.has_draft else _MARK.get(row.state, "")
        out.append(Choice(f"No.{row.no} {row.title}{mark}", str(row.no)))
    return out


@register.card("own_measures_card")
def own_measures_card(turn: Turn) -> Card:
    fy = int(turn.data["fy"])
    fields = []
    for m in reports.department_measures(db(turn), turn.env.member.department_id):
        lines = [say.CARD_PLAN.format(text=reports.plan_of(m, fy) or say.NO_TEXT)]
        targets = reports.targets_of(m, fy)
        if targets:
            lines.append(say.CARD_TARGETS.format(targets="、".join(
                f"{t.metric} {target_label(t.value, t.unit, t.qualifier)}" for t in targets)))
        if len(m.departments) > 1:
            lines.append(say.CARD_JOINT.format(departments="・".join(d.name for d in m.departments)))
        fields.append((f"No.{m.no} {m.title}", "\n".join(lines)))
    title = say.OWN_MEASURES_TITLE.format(department=turn.data.get("department_home", ""),
                                          fy=turn.data.get("fy_label", ""))
    return Card(title, tuple(fields))


@register.card("measure_card")
def measure_card(turn: Turn) -> Card:
    d = turn.data
    fields: list[tuple[str, str]] = [(say.FIELD_FY, str(d.get("fy_label", ""))),
                                     (say.FIELD_DEPARTMENT, str(d.get("department", "")))]
    fields.append((say.FIELD_PLAN, str(d.get("plan_text", ""))))
    for m in d.get("metrics") or []:
        fields.append((say.FIELD_TARGET.format(metric=m["metric"]), m["target_label"]))
    return Card(f"No.{d.get('measure_no')} {d.get('measure_title', '')}", tuple(fields))


@register.choice_provider("measure_departments")
def measure_departments(turn: Turn) -> list[Choice]:
    measure = measure_of(turn)
    return [Choice(d.name, str(d.id)) for d in reports.reporting_departments(turn.env.member, measure, turn.env.settings)]


@register.choice_provider("progress_choices")
def progress_choices(turn: Turn) -> list[Choice]:
    return [Choice(label, code) for code, label in PROGRESS.items()]


@register.choice_provider("basis_choices")
def basis_choices(turn: Turn) -> list[Choice]:
    return [Choice(label, code) for code, label in BASIS.items()]


@register.choice_provider("rating_choices")
def rating_choices(turn: Turn) -> list[Choice]:
    return [Choice(label, label.split()[0]) for label in turn.env.settings.rating_scale]


@register.choice_provider("fix_choices")
def fix_choices(turn: Turn) -> list[Choice]:
    out = [Choice(say.FIELD_PROGRESS, "progress"), Choice(say.FIELD_RESULT, "result_text")]
    if turn.data.get("metrics"):
        out += [Choice(say.FIELD_ACTUAL, "actuals"), Choice(say.FIELD_BASIS, "basis")]
    return out + [Choice(say.FIELD_RATING, "rating"), Choice(say.BACK_TO_SUMMARY, "summary")]


def _rating_label(turn: Turn, value: str | None) -> str:
    if not value:
        return say.UNANSWERED
    return next((lbl for lbl in turn.env.settings.rating_scale if lbl.split()[0] == value), value)


def _actual_line(a: dict[str, Any], metric: dict[str, Any], basis: str | None) -> str:
    if a.get("value") is None:
        return say.ACTUAL_LINE.format(metric=metric["metric"], shown=SKIP_REASON.get(a.get("skip") or "", ""))
    shown = format_quantity(Decimal(a["value"]), a.get("unit"))
    line = say.ACTUAL_LINE.format(metric=metric["metric"], shown=shown)
    if a.get("typed") and a["typed"] != shown:
        line += say.ACTUAL_TYPED.format(typed=a["typed"])
    if metric.get("target") is not None:
        line += say.ACTUAL_TARGET.format(target=metric["target_label"])
    else:
        line += say.ACTUAL_NO_TARGET.format(target=metric["target_label"])
    return line + (f"({BASIS.get(basis, basis)})" if basis else "")


@register.card("summary_card")
def summary_card(turn: Turn) -> Card:
    d = turn.data
    fields: list[tuple[str, str]] = [
        (say.FIELD_FY, str(d.get("fy_label", ""))),
        (say.FIELD_DEPARTMENT, str(d.get("department", ""))),
        (say.FIELD_PROGRESS, PROGRESS.get(d.get("progress") or "", d.get("progress") or say.UNANSWERED)),
        (say.FIELD_RESULT, str(d.get("result_text") or say.UNANSWERED)),
    ]
    metrics = d.get("metrics") or []
    answers = d.get("actuals") or []
    for i, metric in enumerate(metrics):
        a = answers[i] if i < len(answers) else None
        value = _actual_line(a, metric, d.get("basis")) if a else say.ACTUAL_UNANSWERED.format(metric=metric["metric"])
        fields.append((say.FIELD_ACTUAL, value))
    fields.append((say.FIELD_RATING, _rating_label(turn, d.get("rating"))))
    revision = (d.get("submitted") or {}).get("revision")
    footer = say.NEXT_REVISION.format(next=revision + 1, revision=revision) if revision else None
    return Card(f"No.{d.get('measure_no')} {d.get('measure_title', '')}", tuple(fields), footer)


# --- validators ------------------------------------------------------------------------------------


def _number_of(text: str) -> int | None:
    match = NO_PATTERN.match(unicodedata.normalize("NFKC", text).strip())
    return int(match.group(1)) if match else None


@register.validator("measure")
def validate_measure(turn: Turn) -> Result:
    no = int(turn.value) if turn.value is not None else _number_of(turn.text)
    if no is None:
        return Reject(turn.msg("choose"))
    measure, problem = check_measure(turn, no)
    if measure is None:
        return Reject(problem or "")
    departments = reports.reporting_departments(turn.env.member, measure, turn.env.settings)
    department = departments[0] if len(departments) == 1 else None
    return Accept(no, data=measure_data(turn, measure, department))


@register.validator("department")
def validate_department(turn: Turn) -> Result:
    if turn.value is None:
        return Reject(turn.msg("choose"))
    measure = measure_of(turn)
    department = db(turn).get(Department, int(turn.value))
    if department is None or not reports.is_responsible(measure, department.id):
        return Reject(turn.msg("choose"))
    data = department_data(turn, measure, department, list(turn.data.get("metrics") or []))
    return Accept(department.name, data=data)


def _prefill(turn: Turn, source: str) -> dict[str, Any]:
    return dict((turn.data.get(source) or {}).get("fields") or {})


@register.validator("resume")
def validate_resume(turn: Turn) -> Result:
    if turn.value is None:
        return Reject(turn.msg("choose"))
    if turn.value != RESUME:
        return Accept(turn.value)
    data = _prefill(turn, "draft")
    text = data.get("result_text") or ""
    if len(text) > turn.env.settings.result_text_max_chars:
        # A draft kept over the limit: offer the text again in the form, to be shortened.
        data["_overlong:result_text"] = data.pop("result_text")
    return Accept(turn.value, data=data)


@register.validator("revise")
def validate_revise(turn: Turn) -> Result:
    if turn.value is None:
        return Reject(turn.msg("choose"))
    return Accept(turn.value, data=_prefill(turn, "submitted") if turn.value == REVISE else {})


def skip_reason(text: str) -> str | None:
    """未確定・集計中・未定 → "pending"; なし・－ → "not_available"; a figure → None."""
    word = unicodedata.normalize("NFKC", text).strip().rstrip("。.").strip()
    for code, words in SKIP_WORDS.items():
        if word in words:
            return code
    return None


def _unmet_and_met(turn: Turn) -> tuple[list[str], list[str]]:
    """The actuals typed so far that miss / meet their targets ("48名 / 目標 50名")."""
    unmet: list[str] = []
    met: list[str] = []
    answers = turn.data.get("actuals") or []
    for metric, a in zip(turn.data.get("metrics") or [], answers, strict=False):
        if not a or a.get("value") is None or metric.get("target") is None or metric.get("direction") is None:
            continue
        ok = reports.meets(Decimal(a["value"]), Decimal(metric["target"]), metric["direction"], bool(metric.get("strict")))
        shown = say.AGAINST.format(metric=metric["metric"], actual=format_quantity(Decimal(a["value"]), a.get("unit")),
                                   target=metric["target_label"])
        (met if ok else unmet).append(shown)
    return unmet, met


@register.validator("rating")
def validate_rating(turn: Turn) -> Result:
    """The self-rating, with a nudge when it disagrees with the figures (A with 48 of 50)."""
    if turn.value is None:
        return Reject(turn.msg("choose"))
    unmet, met = _unmet_and_met(turn)
    top, bottom = turn.env.settings.rating_scale[0].split()[0], turn.env.settings.rating_scale[-1].split()[0]
    if turn.value == top and unmet:
        return AskConfirm(turn.value, turn.msg("rating_high", rating=turn.value, figures=say.JOIN_FIGURES.join(unmet)))
    if turn.value == bottom and met and not unmet:
        return AskConfirm(turn.value, turn.msg("rating_low", rating=turn.value, figures=say.JOIN_FIGURES.join(met)))
    return Accept(turn.value)


@register.validator("actual")
def validate_actual(turn: Turn) -> Result:
    """One actual, read as people type it and converted into the target's unit; or, for a figure
    not known yet, a skip with its reason (stored as value NULL + the reason's code)."""
    metric: dict[str, Any] = turn.item or {}
    unit = metric.get("unit")
    reason = skip_reason(turn.text)
    if reason is not None:
        label = SKIP_REASON[reason]
        echo = turn.msg("skipped", metric=metric.get("metric", ""), label=label)
        return Accept({"metric": metric.get("metric"), "value": None, "unit": unit, "typed": turn.text,
                       "skip": reason}, echo)
    try:
        quantity = parse_for_target(turn.text, unit) if unit else parse_quantity(turn.text)
    except NumberParseError as exc:
        return Reject(str(exc))
    shown = format_quantity(quantity.value, quantity.unit)
    typed_as = parse_quantity(turn.text)
    prefix = say.APPROX if quantity.approx else ""
    converted = typed_as.unit not in (None, quantity.unit) and typed_as.value != quantity.value
    echo = say.ACCEPTED.format(metric=metric.get("metric", say.FIELD_ACTUAL), shown=prefix + shown)
    if converted:
        echo += say.CONVERTED.format(typed=format_quantity(typed_as.value, typed_as.unit), unit=quantity.unit)
    echo += say.ACCEPTED_END
    value = {"metric": metric.get("metric"), "value": plain(quantity.value), "unit": quantity.unit, "typed": turn.text}
    target = Decimal(metric["target"]) if metric.get("target") is not None else None
    doubt = implausible(quantity.value, quantity.unit, target)
    if doubt:
        question = render(say.CONFIRM_DOUBT, {"doubt": doubt, "shown": shown})
        return AskConfirm(value, question, echo)
    return Accept(value, echo)

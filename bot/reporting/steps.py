"""The functions conversations/report.yaml names: choices, checks, cards and actions of a report.

The dialog's data holds only JSON values: numbers as strings, the measure by its number, the
department by id. Storage rules (drafts, revisions, achievement) are in bot.reporting.reports.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.catalog.store import measure_by_no
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
from bot.reporting.review_notices import ask_reviewers, return_note
from bot.reporting.round_status import MeasureState, department_status
from bot.storage.models import Department, Measure, Report
from bot.texts import reporting as say
from bot.texts import review as review_texts
from bot.texts.labels import BASIS, PROGRESS

register = REGISTRY
# The report dialog's choice values (conversations/report.yaml) these steps compare with
RESUME = "続きから"
REVISE = "修正する"
NO_PATTERN = re.compile(r"^(?:no\.?|#|番号)?\s*(\d{1,3})\s*(?:番)?$", re.IGNORECASE)


def _db(turn: Turn) -> Session:
    assert turn.env.session is not None, "the report dialog runs with a database session"
    return turn.env.session


def _now(turn: Turn) -> datetime:
    assert turn.env.now is not None
    return turn.env.now


# --- what the dialog knows about a measure ---------------------------------------------------------


def plain(value: Decimal) -> str:
    """A number for the dialog's JSON data: "1650", "98.5" (never "1.65E+3")."""
    return format(Decimal(value).normalize(), "f")


def target_label(value: Decimal | None, unit: str | None, qualifier: str | None) -> str:
    """"1,700名(累計)", "98.47%", "中核市平均以下"."""
    if value is None:
        return qualifier or say.NO_NUMERIC_TARGET
    shown = format_quantity(Decimal(value), unit)
    return f"{shown}({qualifier})" if qualifier else shown


def metrics_of(measure: Measure, fy: int) -> list[dict[str, Any]]:
    out = []
    for t in reports.targets_of(measure, fy):
        value = None if t.value is None else Decimal(t.value)
        out.append({
            "metric": t.metric,
            "unit": t.unit,
            "unit_label": t.unit or say.NO_UNIT,
            "target": None if value is None else plain(value),
            "direction": t.direction,
            "target_label": target_label(value, t.unit, t.qualifier),
            "example": format_quantity(value, t.unit) if value is not None else "120",
        })
    return out


def _report_summary(report: Report, metrics: list[dict[str, Any]], tz: Any) -> dict[str, Any]:
    """A stored revision as dialog data (to resume a draft or revise a submission)."""
    by_metric = {a.metric: a for a in report.actuals}
    actuals: list[Any] = []
    for m in metrics:
        a = by_metric.get(m["metric"])
        actuals.append(None if a is None else {
            "metric": a.metric, "value": plain(a.value), "unit": a.unit, "typed": a.typed,
        })
    basis = next((a.basis for a in report.actuals if a.basis), None)
    when = reports.aware(report.reported_at or report.created_at, tz)
    local = when.astimezone(tz) if when else None
    saved = say.DATE_TIME.format(month=local.month, day=local.day, time=f"{local:%H:%M}") if local else ""
    fields: dict[str, Any] = {
        "progress": report.progress, "result_text": report.result_text, "rating": report.rating,
        "actuals": actuals if any(actuals) else None, "basis": basis,
    }
    date = say.DATE.format(month=local.month, day=local.day) if local else ""
    return {"revision": report.revision, "saved": saved, "date": date,
            "fields": {k: v for k, v in fields.items() if v is not None}}


def measure_data(turn: Turn, measure: Measure, department: Department | None) -> dict[str, Any]:
    """Everything the prompts and checks need about the measure (and the department, if known)."""
    fy = int(turn.data["fy"])
    metrics = metrics_of(measure, fy)
    data: dict[str, Any] = {
        "measure_no": measure.no,
        "measure_title": measure.title,
        "numeric": measure.numeric_goal,
        "plan_text": reports.plan_of(measure, fy) or say.NO_PLAN_TEXT,
        "metrics": metrics,
        "owners": "・".join(d.name for d in measure.departments),
    }
    if department is not None:
        data.update(department_data(turn, measure, department, metrics))
    return data


def department_data(turn: Turn, measure: Measure, department: Department,
                    metrics: list[dict[str, Any]]) -> dict[str, Any]:
    session, fy, tz = _db(turn), int(turn.data["fy"]), turn.env.settings.tz
    data: dict[str, Any] = {"department_id": department.id, "department": department.name, "review_note": ""}
    draft = reports.pending_draft(session, measure.id, department.id, fy)
    submitted = reports.last_submitted(session, measure.id, department.id, fy)
    if draft is not None:
        data["draft"] = _report_summary(draft, metrics, tz)
    if submitted is not None:
        data["submitted"] = _report_summary(submitted, metrics, tz)
        data["submitted_state"] = review_texts.STATE_SENTENCE.get(submitted.status, "")
        data["review_note"] = return_note(session, submitted, tz)
    return data


def _measure(turn: Turn) -> Measure:
    measure = measure_by_no(_db(turn), int(turn.data["measure_no"]))
    assert measure is not None
    return measure


def check_measure(turn: Turn, no: int) -> tuple[Measure | None, str | None]:
    """The measure if this member may report it, else the reason why not (for the user)."""
    env = turn.env
    measure = measure_by_no(_db(turn), no)
    if measure is None:
        return None, turn.msg("unknown_measure", no=no)
    if not measure.departments:
        return None, turn.msg("no_owner", no=no)
    if not reports.can_report(env.member, measure, env.settings):
        owners = "・".join(d.name for d in measure.departments)
        return None, turn.msg("not_yours", no=no, owners=owners)
    return measure, None


def _drafts_note(turn: Turn) -> str:
    nos = [f"No.{m.no}" for m in _own_status(turn) if m.has_draft]
    return turn.msg("drafts_note", nos="、".join(nos)) if nos else ""


# --- actions ---------------------------------------------------------------------------------------


@register.action("report_start")
def report_start(turn: Turn) -> Outcome:
    """Fix the fiscal year; with a measure named (`報告 34`), check it and load it."""
    env = turn.env
    fy = reports.report_fy(env.settings, _now(turn))
    data: dict[str, Any] = {"fy": fy.year, "fy_label": fy.label, "fy_key": fy.key,
                            "department_home": env.member.department.name}
    turn = Turn(env, turn.dialog, {**turn.data, **data})
    coordinator = is_coordinator(env.member, env.settings.coordinator_department)
    data["coordinator_note"] = turn.msg("coordinator_note") if coordinator else ""
    requested = turn.data.get("requested_no")
    if requested is None:
        data["drafts_note"] = _drafts_note(turn)
        return Outcome(data)
    measure, problem = check_measure(turn, int(requested))
    if measure is None:
        return Outcome(data, [Reply(problem or "")], goto=END)
    departments = reports.reporting_departments(env.member, measure, env.settings)
    department = departments[0] if len(departments) == 1 else None
    data.update(measure_data(turn, measure, department))
    data["measure"] = measure.no
    return Outcome(data)


def _code(table: dict[str, str], value: Any) -> Any:
    """The code of a value: a dialog stored before the codes may still hold the label."""
    return next((code for code, label in table.items() if label == value), value)


def report_input(data: dict[str, Any]) -> reports.ReportInput:
    basis = _code(BASIS, data.get("basis"))
    actuals = [
        reports.ActualInput(a["metric"], Decimal(a["value"]), a.get("unit"), a["typed"], basis)
        for a in (data.get("actuals") or []) if a
    ]
    text = data.get("result_text") or data.get("_overlong:result_text")
    return reports.ReportInput(_code(PROGRESS, data.get("progress")), text, data.get("rating"), actuals)


def _department(turn: Turn) -> Department:
    dept = _db(turn).get(Department, int(turn.data["department_id"]))
    assert dept is not None
    return dept


@register.action("report_submit")
def report_submit(turn: Turn) -> Outcome:
    env, data = turn.env, dict(turn.data)
    measure, department = _measure(turn), _department(turn)
    if not reports.can_report(env.member, measure, env.settings):
        return Outcome(replies=[Reply(turn.msg("not_yours", no=measure.no, owners=data.get("owners", "")))])
    seen = (data.get("submitted") or {}).get("revision")
    try:
        report, changed = reports.submit(_db(turn), measure, department, int(data["fy"]), report_input(data),
                                         env.who, _now(turn), seen=seen)
    except reports.SubmittedMeanwhile as meanwhile:  # theirs stands; this text is kept as a draft
        told = notice(_db(turn), meanwhile, env.who, env.member.department_id, _now(turn), env.settings.tz)
        summary = _report_summary(meanwhile.current, list(data.get("metrics") or []), env.settings.tz)
        return Outcome({"submitted": summary}, [Reply(told)], goto="summary")
    if changed:
        ask_reviewers(_db(turn), env.settings, report, _now(turn))
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
    measure, department = _measure(turn), _department(turn)
    fy = int(data["fy"])
    submitted = reports.last_submitted(_db(turn), measure.id, department.id, fy)
    if submitted is not None and reports.same_content(submitted, typed):
        reports.discard_draft(_db(turn), measure.id, department.id, fy)
        return Outcome(replies=[Reply(turn.msg("cancelled_unchanged"))])
    reports.save_draft(_db(turn), measure, department, fy, typed, env.who, _now(turn))
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


def _own_status(turn: Turn) -> tuple[MeasureState, ...]:
    """The member's department's measures in the round (bot.reporting.round_status)."""
    fy = FiscalYear(int(turn.data["fy"]))
    status = department_status(_db(turn), turn.env.member.department_id, fy)
    return status.measures if status else ()


_MARK = say.STATE_MARK


@register.choice_provider("own_measures")
def own_measures(turn: Turn) -> list[Choice]:
    out = []
    for row in _own_status(turn):
        mark = _MARK["draft"] if row.has_draft else _MARK.get(row.state, "")
        out.append(Choice(f"No.{row.no} {row.title}{mark}", str(row.no)))
    return out


@register.card("own_measures_card")
def own_measures_card(turn: Turn) -> Card:
    fy = int(turn.data["fy"])
    fields = []
    for m in reports.department_measures(_db(turn), turn.env.member.department_id):
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
    measure = _measure(turn)
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
    shown = format_quantity(Decimal(a["value"]), a.get("unit"))
    line = say.ACTUAL_LINE.format(metric=metric["metric"], shown=shown)
    if a.get("typed") and a["typed"] != shown:
        line += say.ACTUAL_TYPED.format(typed=a["typed"])
    line += say.ACTUAL_TARGET.format(target=metric["target_label"])
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
    measure = _measure(turn)
    department = _db(turn).get(Department, int(turn.value))
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


@register.validator("actual")
def validate_actual(turn: Turn) -> Result:
    """One actual, read as people type it and converted into the target's unit."""
    metric: dict[str, Any] = turn.item or {}
    unit = metric.get("unit")
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

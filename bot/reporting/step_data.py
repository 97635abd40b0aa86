"""What the report dialog knows about a measure: its metrics and targets (or why there is none),
its plan, the department's draft and submission as dialog data, and who may report it.

The dialog's data holds only JSON values: numbers as strings, the measure by its number, the
department by id. Used by bot.reporting.steps (the functions conversations/report.yaml names).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.catalog.store import measure_by_no
from bot.dialogs.model import Turn
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_quantity
from bot.reporting import reports
from bot.reporting.review_notices import return_note
from bot.reporting.round_status import MeasureState, department_status
from bot.storage.models import Department, Measure, Report
from bot.texts import reporting as say
from bot.texts import review as review_texts


def db(turn: Turn) -> Session:
    assert turn.env.session is not None, "the report dialog runs with a database session"
    return turn.env.session


def now_of(turn: Turn) -> datetime:
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


def target_gap(measure: Measure, fy: int) -> str:
    """Why a numeric measure has no target for `fy`: "lost" (the document lost the cell),
    "blank" (the year's cell empty on purpose) or "none" (the plan's text sets no figure)."""
    if f"targets.{FiscalYear(fy).key}" in (measure.missing or ()):
        return "lost"
    return "blank" if reports.plan_of(measure, fy) is None else "none"


def _untargeted_metrics(turn: Turn | None, measure: Measure, fy: int) -> list[dict[str, Any]]:
    """A numeric measure without a target this year still reports its figures, in the metrics
    (and units) of the plan's other years; no achievement rate is computed, and the prompt says so."""
    seen: dict[str, Any] = {}
    for t in sorted(measure.targets, key=lambda t: -t.fy):
        seen.setdefault(t.metric, t)
    label = turn.msg(f"no_target_{target_gap(measure, fy)}") if turn is not None else ""
    return [{
        "metric": t.metric, "unit": t.unit, "unit_label": t.unit or say.NO_UNIT, "target": None,
        "direction": t.direction, "target_label": label,
        "example": format_quantity(Decimal(t.value), t.unit) if t.value is not None else "120",
    } for t in seen.values()]


def metrics_of(measure: Measure, fy: int, turn: Turn | None = None) -> list[dict[str, Any]]:
    if measure.numeric_goal and not reports.targets_of(measure, fy):
        return _untargeted_metrics(turn, measure, fy)
    out = []
    for t in reports.targets_of(measure, fy):
        value = None if t.value is None else Decimal(t.value)
        out.append({
            "metric": t.metric,
            "unit": t.unit,
            "unit_label": t.unit or say.NO_UNIT,
            "target": None if value is None else plain(value),
            "direction": t.direction,
            "strict": reports.is_strict(t),
            "target_label": target_label(value, t.unit, t.qualifier),
            "example": format_quantity(value, t.unit) if value is not None else "120",
        })
    return out


def report_summary(report: Report, metrics: list[dict[str, Any]], tz: Any) -> dict[str, Any]:
    """A stored revision as dialog data (to resume a draft or revise a submission)."""
    by_metric = {a.metric: a for a in report.actuals}
    actuals: list[Any] = []
    for m in metrics:
        a = by_metric.get(m["metric"])
        actuals.append(None if a is None else {
            "metric": a.metric, "value": None if a.value is None else plain(a.value), "unit": a.unit,
            "typed": a.typed, **({"skip": a.skip_reason} if a.skip_reason else {}),
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
    metrics = metrics_of(measure, fy, turn)
    plan = reports.plan_of(measure, fy)
    data: dict[str, Any] = {
        "measure_no": measure.no,
        "measure_title": measure.title,
        "numeric": measure.numeric_goal,
        "plan_text": plan or turn.msg("plan_lost" if f"plans.{FiscalYear(fy).key}" in (measure.missing or ())
                                      else "plan_blank"),
        "plan_clause": turn.msg("plan_clause", plan_text=plan) if plan else "",
        "metrics": metrics,
        "owners": "・".join(d.name for d in measure.departments),
    }
    if department is not None:
        data.update(department_data(turn, measure, department, metrics))
    return data


def department_data(turn: Turn, measure: Measure, department: Department,
                    metrics: list[dict[str, Any]]) -> dict[str, Any]:
    session, fy, tz = db(turn), int(turn.data["fy"]), turn.env.settings.tz
    data: dict[str, Any] = {"department_id": department.id, "department": department.name, "review_note": ""}
    draft = reports.pending_draft(session, measure.id, department.id, fy)
    submitted = reports.last_submitted(session, measure.id, department.id, fy)
    if draft is not None:
        data["draft"] = report_summary(draft, metrics, tz)
    if submitted is not None:
        data["submitted"] = report_summary(submitted, metrics, tz)
        data["submitted_state"] = review_texts.STATE_SENTENCE.get(submitted.status, "")
        data["review_note"] = return_note(session, submitted, tz)
    return data


def measure_of(turn: Turn) -> Measure:
    measure = measure_by_no(db(turn), int(turn.data["measure_no"]))
    assert measure is not None
    return measure


def check_measure(turn: Turn, no: int) -> tuple[Measure | None, str | None]:
    """The measure if this member may report it, else the reason why not (for the user)."""
    env = turn.env
    measure = measure_by_no(db(turn), no)
    if measure is None:
        return None, turn.msg("unknown_measure", no=no)
    if not measure.departments:
        return None, turn.msg("no_owner", no=no, coordinator=env.settings.coordinator_department)
    if not reports.can_report(env.member, measure, env.settings):
        owners = "・".join(d.name for d in measure.departments)
        return None, turn.msg("not_yours", no=no, owners=owners, coordinator=env.settings.coordinator_department)
    return measure, None


def drafts_note(turn: Turn) -> str:
    nos = [f"No.{m.no}" for m in own_status(turn) if m.has_draft]
    return turn.msg("drafts_note", nos="、".join(nos)) if nos else ""


def own_status(turn: Turn) -> tuple[MeasureState, ...]:
    """The member's department's measures in the round (bot.reporting.round_status)."""
    fy = FiscalYear(int(turn.data["fy"]))
    status = department_status(db(turn), turn.env.member.department_id, fy)
    return status.measures if status else ()

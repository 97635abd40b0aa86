"""Reported results and numeric actuals, read fresh from the report/actual tables.

Never cached: a report submitted a second ago must show in the next answer. The statements are
built once (composing a statement costs more than SQLite takes to run it) and read plain rows,
not ORM objects: an answer needs a few columns of a few rows, and the catalog snapshot already
knows every measure and department by id. Where the round stands (回答率, 未提出の課) is the
one model of bot.reporting.round_status.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from bot.answers.catalog_view import CatalogView, MeasureView
from bot.core.config import Settings
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.reports import SUBMITTED, aware, report_fy
from bot.storage.models import Actual, Member, Report
from bot.texts import people as people_texts


def round_fiscal_year(settings: Settings, now: datetime) -> FiscalYear:
    """The fiscal year reports made now are about (the same rule the report dialog uses)."""
    return report_fy(settings, now)


@dataclass(frozen=True)
class ActualView:
    metric: str
    value: Decimal | None  # None: not known yet (`skip` says why)
    unit: str | None
    basis: str | None  # a code of bot.texts.labels.BASIS
    rate: Decimal | None  # achievement, 1 = 100%
    met: bool | None
    points: Decimal | None = None  # a percentage target is compared in points (98.9% vs 98.87%)
    skip: str | None = None  # a code of bot.texts.labels.SKIP_REASON


@dataclass(frozen=True)
class ReportView:
    measure_id: int
    department: str
    fy: int
    status: str  # draft / submitted / approved / returned
    progress: str | None
    result_text: str | None
    rating: str | None
    reporter: str | None  # "田中さん", or a neutral stand-in (bot.texts.people): never an account id
    reported_at: datetime | None
    revision: int
    actuals: tuple[ActualView, ...]
    hidden: bool = False  # the asker may see the status only (bot.people.permissions)

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED


# --- one measure, one department -----------------------------------------------------------------


@dataclass(frozen=True)
class MeasureResults:
    reports: list[ReportView]  # the asked year's current reports, in the plan's department order
    reported_years: list[int]  # years with a submitted report, latest first


def measure_results(session: Session, view: CatalogView, measure: MeasureView, fy: int, tz: tzinfo) -> MeasureResults:
    """The current revision of each department's report on the measure for `fy`."""
    rows = _rows(session, _measure_reports(), {"measure_id": measure.id})
    years = sorted({r.fy for r in rows if r.status in SUBMITTED}, reverse=True)
    views = _report_views(session, view, [r for r in rows if r.fy == fy], tz)
    order = {name: i for i, name in enumerate(measure.departments)}
    views.sort(key=lambda v: order.get(v.department, len(order)))
    return MeasureResults(views, years)


def department_reports(
    session: Session, view: CatalogView, department_id: int, fy: int, tz: tzinfo
) -> dict[int, ReportView]:
    """The current report of each measure of a department for `fy`, by measure id."""
    rows = _rows(session, _department_reports(), {"department_id": department_id, "fy": fy})
    return {v.measure_id: v for v in _report_views(session, view, rows, tz)}


# --- the round (its status is bot.reporting.round_status) ---------------------------------------


@dataclass(frozen=True)
class NumericStatus:
    measure: MeasureView
    actuals: tuple[tuple[str, ActualView], ...]  # (department, actual) from submitted reports


def numeric_status(session: Session, view: CatalogView, fy: FiscalYear) -> list[NumericStatus]:
    """The numeric-goal measures with the actuals submitted for `fy` so far."""
    by_measure: dict[int, list[tuple[str, ActualView]]] = {}
    for row in _rows(session, _numeric_actuals(), {"fy": fy.year}):
        name = view.department_names.get(row.department_id, "")
        by_measure.setdefault(row.measure_id, []).append((name, _actual_view(row)))
    numeric = [m for _, m in sorted(view.measures.items()) if m.numeric_goal]
    return [NumericStatus(m, tuple(by_measure.get(m.id, ()))) for m in numeric]


# --- statements, built once ----------------------------------------------------------------------


def _rows(session: Session, statement: Select, params: dict[str, Any]) -> Sequence[Row[Any]]:
    """Core rows through the session's connection (the ORM's result layer is not needed for
    plain columns); what this session changed counts, as session.execute's autoflush would do."""
    session.flush()
    return session.connection().execute(statement, params).all()


_ACTUAL_COLUMNS = (
    Actual.report_id,
    Actual.metric,
    Actual.value,
    Actual.unit,
    Actual.basis,
    Actual.achievement_rate,
    Actual.met,
    Actual.achievement_method,
    Actual.skip_reason,
)


def _report_columns() -> Select:
    return select(
        Report.id,
        Report.measure_id,
        Report.department_id,
        Report.fy,
        Report.status,
        Report.progress,
        Report.result_text,
        Report.rating,
        Report.reported_by,
        Report.reported_at,
        Report.revision,
        Member.name.label("reporter_name"),
        Member.department_id.label("reporter_department_id"),
    ).outerjoin(Member, (Member.platform + ":" + Member.user_id) == Report.reported_by)


@cache
def _measure_reports() -> Select:
    return (
        _report_columns()
        .where(Report.measure_id == bindparam("measure_id"), Report.is_current.is_(True))
        .order_by(Report.fy, Report.id)
    )


@cache
def _department_reports() -> Select:
    return _report_columns().where(
        Report.department_id == bindparam("department_id"),
        Report.fy == bindparam("fy"),
        Report.is_current.is_(True),
    )


@cache
def _actuals_of() -> Select:
    return (
        select(*_ACTUAL_COLUMNS)
        .where(Actual.report_id.in_(bindparam("ids", expanding=True)))
        .order_by(Actual.report_id, Actual.position)
    )


@cache
def _numeric_actuals() -> Select:
    return (
        select(Report.measure_id, Report.department_id, *_ACTUAL_COLUMNS)
        .join(Actual, Actual.report_id == Report.id)
        .where(Report.fy == bindparam("fy"), Report.is_current.is_(True), Report.status.in_(SUBMITTED))
        .order_by(Report.measure_id, Report.department_id, Actual.position)
    )


# --- rows to views -------------------------------------------------------------------------------


def _report_views(session: Session, view: CatalogView, rows: Sequence[Row[Any]], tz: tzinfo) -> list[ReportView]:
    actuals: dict[int, list[ActualView]] = {}
    ids = [r.id for r in rows]
    if ids:
        for a in _rows(session, _actuals_of(), {"ids": ids}):
            actuals.setdefault(a.report_id, []).append(_actual_view(a))
    return [_report_view(r, view, tuple(actuals.get(r.id, ())), tz) for r in rows]


def _report_view(r: Row[Any], view: CatalogView, actuals: tuple[ActualView, ...], tz: tzinfo) -> ReportView:
    return ReportView(
        measure_id=r.measure_id,
        department=view.department_names.get(r.department_id, ""),
        fy=r.fy,
        status=r.status,
        progress=r.progress,
        result_text=r.result_text,
        rating=r.rating,
        reporter=_reporter(r, view),
        reported_at=aware(r.reported_at, tz),
        revision=r.revision,
        actuals=actuals,
    )


def _reporter(r: Row[Any], view: CatalogView) -> str | None:
    """The reporter by display name; a member without one by department; never the account id."""
    if r.reported_by is None:
        return None
    if r.reporter_name:
        return people_texts.NAME_HONORIFIC.format(name=r.reporter_name)
    if r.reporter_department_id is not None:
        return people_texts.NAME_OF_DEPARTMENT.format(department=view.department_names.get(r.reporter_department_id, ""))
    return people_texts.NAME_FORMER


def redacted(report: ReportView) -> ReportView:
    """What someone who may see only the status learns of a report: its status and revision."""
    return replace(report, progress=None, result_text=None, rating=None, reporter=None, actuals=(), hidden=True)


def _actual_view(a: Row[Any]) -> ActualView:
    points = _method(a.achievement_method).get("points")
    return ActualView(
        metric=a.metric,
        value=None if a.value is None else Decimal(a.value),
        unit=a.unit,
        basis=a.basis,
        rate=None if a.achievement_rate is None else Decimal(a.achievement_rate),
        met=a.met,
        points=None if points is None else Decimal(str(points)),
        skip=a.skip_reason,
    )


def _method(text: str | None) -> dict[str, Any]:
    """How the achievement was computed: the JSON `bot.reporting.reports` stores (points for a %)."""
    try:
        method = json.loads(text or "{}")
    except ValueError:
        return {}
    return method if isinstance(method, dict) else {}

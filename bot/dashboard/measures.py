"""The measures table, one measure's page and one department's page (data only, no Flask)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.catalog.store import active_plan, measure_by_no
from bot.dashboard.data import current_of_pair
from bot.japanese.fiscal_year import FiscalYear
from bot.people.members import members_of
from bot.reporting import reports
from bot.reporting.round_status import MeasureState, department_status
from bot.storage.models import Actual, Department, Measure, MeasureDepartment, Member, Report

Scope = frozenset[int] | None


@dataclass
class MeasureRow:
    no: int
    title: str
    numeric: bool
    departments: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, state)

    def matches(self, department_id: int | None, state: str | None, numeric: bool, query: str) -> bool:
        if numeric and not self.numeric:
            return False
        if department_id is not None and all(d != department_id for d, _, _ in self.departments):
            return False
        if state and all(s != state for _, _, s in self.departments):
            return False
        if query:
            haystack = _fold(f"{self.no} No.{self.no} {self.title} " + " ".join(n for _, n, _ in self.departments))
            return all(word in haystack for word in _fold(query).split())
        return True


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def measure_rows(session: Session, fy: int, scope: Scope) -> list[MeasureRow]:
    """Every measure with a responsible department in scope (all of them, unassigned ones too, for
    the coordinating division), its departments in scope and their states."""
    plan = active_plan(session)
    if plan is None:
        return []
    stmt = (
        select(Measure.no, Measure.title, Measure.numeric_goal, Department.id, Department.name, Report.status)
        .select_from(Measure)
        .outerjoin(MeasureDepartment, Measure.id == MeasureDepartment.measure_id)
        .outerjoin(Department, Department.id == MeasureDepartment.department_id)
        .outerjoin(Report, current_of_pair(fy))
        .where(Measure.plan_id == plan.id)
        .order_by(Measure.no, MeasureDepartment.position)
    )
    if scope is not None:  # an unassigned measure (no department) is the coordinating division's to see
        stmt = stmt.where(MeasureDepartment.department_id.in_(sorted(scope)))
    rows: dict[int, MeasureRow] = {}
    for no, title, numeric, dept_id, name, status in session.execute(stmt):
        row = rows.setdefault(no, MeasureRow(no, title, bool(numeric)))
        if dept_id is not None:
            row.departments.append((dept_id, name, status or "missing"))
    return list(rows.values())


@dataclass
class TrendSeries:
    """One metric of a numeric measure over the plan's years: target and actual per year."""

    metric: str
    unit: str | None
    targets: dict[int, Decimal | None]
    actuals: dict[int, Decimal | None]


@dataclass
class DepartmentReport:
    department: Department
    current: Report | None
    revisions: list[Report]


@dataclass
class MeasurePage:
    measure: Measure
    plans: list[tuple[int, str | None]]
    trend: list[TrendSeries]
    reports: list[DepartmentReport]

    @property
    def years(self) -> list[int]:
        """The plan's fiscal years (令和5–8年度), the trend chart's axis."""
        return list(range(self.measure.plan.first_fy, self.measure.plan.last_fy + 1))


def measure_page(session: Session, no: int, fy: int, scope: Scope) -> MeasurePage | None:
    """None when there is no such measure; reports only of the departments in scope."""
    measure = measure_by_no(session, no)
    if measure is None:
        return None
    plans = [(p.fy, p.text) for p in measure.year_plans]
    parts = [DepartmentReport(d, reports.current_report(session, measure.id, d.id, fy),
                              reports.revisions(session, measure.id, d.id, fy))
             for d in measure.departments if scope is None or d.id in scope]
    return MeasurePage(measure, plans, trend(session, measure, scope), parts)


def visible(measure: Measure, scope: Scope) -> bool:
    return scope is None or any(d.id in scope for d in measure.departments)


def trend(session: Session, measure: Measure, scope: Scope) -> list[TrendSeries]:
    """Targets and reported actuals (the current submitted or approved revisions, imported
    earlier years included) by metric and year; with several departments reporting one metric,
    the first department's (as bot/reporting/results_table.measure_trend does)."""
    series: dict[str, TrendSeries] = {}
    for target in measure.targets:
        s = series.setdefault(target.metric, TrendSeries(target.metric, target.unit, {}, {}))
        s.targets[target.fy] = target.value
    stmt = (
        select(Report.fy, Actual.metric, Actual.value, Actual.unit)
        .join(Actual, Actual.report_id == Report.id)
        .where(Report.measure_id == measure.id, Report.is_current.is_(True),
               Report.status.in_(reports.SUBMITTED))
        .order_by(Report.fy, Report.department_id, Actual.position)
    )
    if scope is not None:
        stmt = stmt.where(Report.department_id.in_(sorted(scope)))
    for fy, metric, value, unit in session.execute(stmt):
        s = series.setdefault(metric, TrendSeries(metric, unit, {}, {}))
        s.actuals.setdefault(fy, value)
    return list(series.values())


@dataclass
class DepartmentPage:
    department: Department
    statuses: tuple[MeasureState, ...]
    members: list[Member]

    @property
    def missing(self) -> list[MeasureState]:
        """What the department still has to send (the model's open: missing, draft, returned)."""
        return [s for s in self.statuses if s.open]

    @property
    def has_manager(self) -> bool:
        return any(m.role == "manager" for m in self.members)


def department_page(session: Session, department_id: int, fy: int) -> DepartmentPage | None:
    department = session.get(Department, department_id)
    if department is None:
        return None
    status = department_status(session, department_id, FiscalYear(fy))
    return DepartmentPage(department, status.measures if status else (), members_of(session, department_id))


def departments(session: Session, scope: Scope) -> list[Department]:
    stmt = select(Department).where(Department.id.in_(select(MeasureDepartment.department_id)))
    if scope is not None:
        stmt = stmt.where(Department.id.in_(sorted(scope)))
    return list(session.scalars(stmt.order_by(Department.name).options(selectinload(Department.aliases))))

"""Where a round stands: per department, which measures are submitted, drafted or missing.

Set-based: one query over (measure, department) pairs with their current report, so a plan of
thousands of departments costs one round trip, not one per department.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.catalog.store import active_plan
from bot.reporting.reports import SUBMITTED  # a report counted as answered; draft and returned are not
from bot.storage.models import Department, Measure, MeasureDepartment, Plan, Report


@dataclass(frozen=True)
class OpenMeasure:
    no: int
    title: str
    state: str  # missing / draft (typed, not submitted) / returned (sent back for changes)

    @property
    def draft(self) -> bool:
        return self.state == "draft"


@dataclass
class DepartmentStatus:
    department_id: int
    name: str
    total: int = 0
    submitted: int = 0
    open: list[OpenMeasure] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.submitted / self.total if self.total else 1.0

    @property
    def drafts(self) -> list[int]:
        return [m.no for m in self.open if m.draft]

    @property
    def open_nos(self) -> list[int]:
        return [m.no for m in self.open]


def department_statuses(session: Session, fy: int, plan: Plan | None = None) -> list[DepartmentStatus]:
    """Every responsible department of the plan with its measures' state for fiscal year `fy`
    (Western start year), ordered by department name."""
    plan = plan or active_plan(session)
    if plan is None:
        return []
    current = and_(
        Report.measure_id == MeasureDepartment.measure_id,
        Report.department_id == MeasureDepartment.department_id,
        Report.fy == fy,
        Report.is_current.is_(True),
    )
    stmt = (
        select(Department.id, Department.name, Measure.no, Measure.title, Report.status)
        .select_from(MeasureDepartment)
        .join(Measure, Measure.id == MeasureDepartment.measure_id)
        .join(Department, Department.id == MeasureDepartment.department_id)
        .outerjoin(Report, current)
        .where(Measure.plan_id == plan.id)
        .order_by(Department.name, Measure.no)
    )
    return _aggregate(session.execute(stmt))


def _aggregate(rows: Iterable[tuple[int, str, int, str, str | None]]) -> list[DepartmentStatus]:
    by_dept: dict[int, DepartmentStatus] = {}
    seen: set[tuple[int, int]] = set()
    for dept_id, name, no, title, status in rows:
        st = by_dept.get(dept_id)
        if st is None:
            st = by_dept[dept_id] = DepartmentStatus(dept_id, name)
        if (dept_id, no) in seen:  # two current revisions would be a bug elsewhere: count the pair once
            continue
        seen.add((dept_id, no))
        st.total += 1
        if status in SUBMITTED:
            st.submitted += 1
        else:
            st.open.append(OpenMeasure(no, title, status or "missing"))
    return list(by_dept.values())


def unassigned_measures(session: Session, plan: Plan | None = None) -> list[tuple[int, str]]:
    """(no, title) of the plan's measures with no responsible department: nobody is asked for them."""
    plan = plan or active_plan(session)
    if plan is None:
        return []
    linked = select(MeasureDepartment.measure_id)
    stmt = (
        select(Measure.no, Measure.title)
        .where(Measure.plan_id == plan.id, Measure.id.not_in(linked))
        .order_by(Measure.no)
    )
    return [(no, title) for no, title in session.execute(stmt)]


@dataclass(frozen=True)
class NewReport:
    no: int
    title: str
    department: str
    status: str
    reported_at: datetime | None


def submitted_between(session: Session, fy: int, since: datetime | None, until: datetime,
                      plan: Plan | None = None) -> list[NewReport]:
    """Current submitted/approved reports of `fy` reported in (since, until]."""
    plan = plan or active_plan(session)
    if plan is None:
        return []
    stmt = (
        select(Measure.no, Measure.title, Department.name, Report.status, Report.reported_at)
        .select_from(Report)
        .join(Measure, Measure.id == Report.measure_id)
        .join(Department, Department.id == Report.department_id)
        .where(Measure.plan_id == plan.id, Report.fy == fy, Report.is_current.is_(True),
               Report.status.in_(SUBMITTED), Report.reported_at <= until)
        .order_by(Report.reported_at, Measure.no)
    )
    if since is not None:
        stmt = stmt.where(Report.reported_at > since)
    return [NewReport(*row) for row in session.execute(stmt)]

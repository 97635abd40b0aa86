"""What the dashboard's pages show, read with a few set-based queries (no Flask here).

Every function takes the viewer's scope (bot.dashboard.access: None = every department) and
returns plain dataclasses; the templates only lay them out. The overview is one GROUP BY over
(measure, department) pairs and one over first submissions, so 1,000 departments cost the same
two round trips as 40 (bench/bench_dashboard.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from bot.catalog.store import active_plan
from bot.core.config import Settings
from bot.reporting.reports import SUBMITTED
from bot.reporting.rounds import Round, calendar_of, round_for_digest
from bot.storage.models import Department, Measure, MeasureDepartment, Report

STATES = ("missing", "draft", "returned", "submitted", "approved")  # the grid's order, worst first
Scope = frozenset[int] | None


@dataclass
class DepartmentRow:
    department_id: int
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def answered(self) -> int:
        return self.counts["submitted"] + self.counts["approved"]

    @property
    def open(self) -> int:
        return self.total - self.answered

    @property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 1.0


@dataclass
class Overview:
    round: Round
    today: date
    departments: list[DepartmentRow]
    burndown: list[tuple[date, int]]  # open (unanswered) pairs at the end of each day so far

    @property
    def total(self) -> int:
        return sum(d.total for d in self.departments)

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.departments)

    @property
    def approved(self) -> int:
        return sum(d.counts["approved"] for d in self.departments)

    @property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def approval_rate(self) -> float:
        return self.approved / self.answered if self.answered else 0.0

    @property
    def past_deadline(self) -> bool:
        return self.today > self.round.deadline

    @property
    def pace(self) -> float:
        """The share of the round's calendar gone by: where the response rate should be by now."""
        span = (self.round.deadline - self.round.open_day).days
        gone = (self.today - self.round.open_day).days
        return min(1.0, max(0.0, gone / span)) if span > 0 else 1.0

    @property
    def late(self) -> list[DepartmentRow]:
        """Past the deadline: every department with something open. Before: those behind the pace."""
        if self.past_deadline:
            behind = [d for d in self.departments if d.open]
        else:
            behind = [d for d in self.departments if d.open and d.rate < self.pace]
        return sorted(behind, key=lambda d: (d.rate, -d.open, d.name))


def current_round(settings: Settings, now: datetime) -> Round:
    """The round the dashboard is about: the one in progress, else the last one opened."""
    return round_for_digest(settings, now)


def business_days_left(settings: Settings, rnd: Round, today: date) -> int:
    return calendar_of(settings).business_days_between(today, rnd.deadline)


def _current(fy: int) -> object:
    return and_(Report.measure_id == MeasureDepartment.measure_id,
                Report.department_id == MeasureDepartment.department_id,
                Report.fy == fy, Report.is_current.is_(True))


def _in_scope(stmt: Select, scope: Scope) -> Select:  # type: ignore[type-arg]
    return stmt if scope is None else stmt.where(MeasureDepartment.department_id.in_(sorted(scope)))


def department_rows(session: Session, fy: int, scope: Scope) -> list[DepartmentRow]:
    """Every responsible department in scope with its pairs counted by state, by name."""
    plan = active_plan(session)
    if plan is None:
        return []
    stmt = (
        select(Department.id, Department.name, Report.status, func.count())
        .select_from(MeasureDepartment)
        .join(Measure, Measure.id == MeasureDepartment.measure_id)
        .join(Department, Department.id == MeasureDepartment.department_id)
        .outerjoin(Report, _current(fy))  # type: ignore[arg-type]
        .where(Measure.plan_id == plan.id)
        .group_by(Department.id, Department.name, Report.status)
    )
    rows: dict[int, DepartmentRow] = {}
    for dept_id, name, status, n in session.execute(_in_scope(stmt, scope)):
        row = rows.setdefault(dept_id, DepartmentRow(dept_id, name))
        row.counts[status if status in row.counts else "missing"] += n
    return sorted(rows.values(), key=lambda r: r.name)


def first_answers(session: Session, fy: int, scope: Scope) -> list[datetime]:
    """When each pair answered now was first submitted (a later revision does not move it)."""
    plan = active_plan(session)
    if plan is None:
        return []
    first = aliased(Report)
    stmt = (
        select(func.min(first.reported_at))
        .select_from(MeasureDepartment)
        .join(Measure, Measure.id == MeasureDepartment.measure_id)
        .join(Report, _current(fy))  # type: ignore[arg-type]
        .join(first, and_(first.measure_id == Report.measure_id, first.department_id == Report.department_id,
                          first.fy == fy, first.status.in_(SUBMITTED)))
        .where(Measure.plan_id == plan.id, Report.status.in_(SUBMITTED))
        .group_by(Report.measure_id, Report.department_id)
    )
    return [at for (at,) in session.execute(_in_scope(stmt, scope)) if at is not None]


def burndown(rnd: Round, today: date, total: int, answered_at: list[date]) -> list[tuple[date, int]]:
    """Open pairs at the end of each day from the opening to today (or the last follow-up day)."""
    last = min(today, rnd.last_day)
    if last < rnd.open_day:
        return []
    per_day: dict[date, int] = defaultdict(int)
    before_open = 0
    for day in answered_at:
        if day < rnd.open_day:
            before_open += 1
        else:
            per_day[day] += 1
    points, remaining = [], total - before_open
    day = rnd.open_day
    while day <= last:
        remaining -= per_day.get(day, 0)
        points.append((day, remaining))
        day += timedelta(days=1)
    return points


def overview(session: Session, settings: Settings, now: datetime, scope: Scope) -> Overview:
    rnd = current_round(settings, now)
    today = now.astimezone(settings.tz).date()
    rows = department_rows(session, rnd.fy.year, scope)
    total = sum(r.total for r in rows)
    days = [at.astimezone(settings.tz).date() for at in first_answers(session, rnd.fy.year, scope)]
    return Overview(rnd, today, rows, burndown(rnd, today, total, days))

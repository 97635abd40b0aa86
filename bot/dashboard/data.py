"""What the dashboard's pages show, read with a few set-based queries (no Flask here).

Every function takes the viewer's scope (bot.dashboard.access: None = every department) and
returns plain dataclasses; the templates only lay them out. The overview counts pairs by state
as the round-status model does (bot.reporting.round_status) with one GROUP BY, and first
submissions with another, so 1,000 departments cost the same two round trips as 40
(bench/bench_dashboard.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from bot.catalog.store import active_plan
from bot.core.config import Settings
from bot.reporting.round_status import OPEN, RESPONDED
from bot.reporting.rounds import Round, calendar_of, round_for_digest
from bot.storage.models import Department, Measure, MeasureDepartment, Report

STATES = ("missing", "draft", "returned", "submitted", "approved")  # the grid's order, worst first
Scope = frozenset[int] | None


@dataclass
class DepartmentRow:
    """A department's pairs counted by state; what counts as answered or open is the round-status
    model's (bot.reporting.round_status: a returned report is answered and still open)."""

    department_id: int
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))

    @cached_property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def answered(self) -> int:
        return sum(self.counts[s] for s in RESPONDED)

    @cached_property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN)

    @cached_property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 1.0


@dataclass
class Overview:
    round: Round
    today: date
    departments: list[DepartmentRow]
    burndown: list[tuple[date, int]]  # pairs not yet answered at the end of each day so far

    @cached_property
    def total(self) -> int:
        return sum(d.total for d in self.departments)

    @cached_property
    def answered(self) -> int:
        return sum(d.answered for d in self.departments)

    @cached_property
    def approved(self) -> int:
        return sum(d.counts["approved"] for d in self.departments)

    @cached_property
    def rate(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @cached_property
    def approval_rate(self) -> float:
        """Approved pairs over all pairs (the model's approval rate, as the chat answers it)."""
        return self.approved / self.total if self.total else 0.0

    @property
    def past_deadline(self) -> bool:
        return self.today > self.round.deadline

    @property
    def pace(self) -> float:
        """The share of the round's calendar gone by: where the response rate should be by now."""
        span = (self.round.deadline - self.round.open_day).days
        gone = (self.today - self.round.open_day).days
        return min(1.0, max(0.0, gone / span)) if span > 0 else 1.0

    @cached_property
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


def current_of_pair(fy: int) -> ColumnElement[bool]:
    """Join condition: a (measure, department) pair's current report of fiscal year `fy`."""
    return and_(Report.measure_id == MeasureDepartment.measure_id,
                Report.department_id == MeasureDepartment.department_id,
                Report.fy == fy, Report.is_current.is_(True))


def department_rows(session: Session, fy: int, scope: Scope) -> list[DepartmentRow]:
    """Every responsible department in scope with its pairs counted by state, by name.

    The counts of bot.reporting.round_status (the one model: a pair's state is its current
    report's status, missing without one), read with a GROUP BY instead of one row per pair: for
    1,000 departments and 10,000 measures that is the difference between ~20 ms and ~100 ms, a
    third of the overview's budget. tests/test_dashboard.py checks the two agree.
    """
    plan = active_plan(session)
    if plan is None:
        return []
    stmt = (
        select(Department.id, Department.name, Report.status, func.count())
        .select_from(MeasureDepartment)
        .join(Measure, Measure.id == MeasureDepartment.measure_id)
        .join(Department, Department.id == MeasureDepartment.department_id)
        .outerjoin(Report, current_of_pair(fy))
        .where(Measure.plan_id == plan.id)
        .group_by(Department.id, Department.name, Report.status)
    )
    if scope is not None:
        stmt = stmt.where(MeasureDepartment.department_id.in_(sorted(scope)))
    rows: dict[int, DepartmentRow] = {}
    for dept_id, name, status, n in session.execute(stmt):
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
        .join(Report, current_of_pair(fy))
        .join(first, and_(first.measure_id == Report.measure_id, first.department_id == Report.department_id,
                          first.fy == fy, first.status != "draft", first.reported_at.is_not(None)))
        .where(Measure.plan_id == plan.id, Report.status.in_(sorted(RESPONDED)))
        .group_by(Report.measure_id, Report.department_id)
    )
    if scope is not None:
        stmt = stmt.where(MeasureDepartment.department_id.in_(sorted(scope)))
    return [at for (at,) in session.execute(stmt) if at is not None]


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

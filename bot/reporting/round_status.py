"""Where a round stands: the one model of a fiscal year's (measure, responsible department) pairs.

Every reader of the round asks this module: the answers (回答率は? / 未提出の課は?), `状況`, Slack's
App Home, the report dialog's list of one's measures, the reminders and the digest. Each pair has
one state, a code of `bot.texts.labels.STATUS`:

- missing: no report at all; draft: typed, never submitted;
- submitted / approved / returned: the current revision as the department sent it, accepted by
  a reviewer, or sent back for changes.

Two counts follow from the states, and only from here:

- responded (回答率's numerator): submitted at least once — submitted, approved or returned;
- open: the department still has something to do — missing, draft or returned (a returned
  report is counted as answered, and still reminded until it is sent again).

The approval rate is approved pairs over all pairs. Set-based: one statement (built once) reads
every pair with its current report and whether a draft is pending, whatever the plan's size.
The answers, which hold the plan's pairs already in their catalog snapshot (checked against the
database on every question), use `round_status_of`: the same model from one smaller statement of
the year's reports, never cached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from bot.catalog.store import active_plan
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.reports import SUBMITTED
from bot.storage.models import Department, Measure, MeasureDepartment, Plan, Report
from bot.texts import labels

STATES = tuple(labels.STATUS)  # missing / draft / submitted / approved / returned
RESPONDED = frozenset({"submitted", "approved", "returned"})  # submitted at least once
OPEN = frozenset({"missing", "draft", "returned"})  # the department still has to act


def _ratio(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


@dataclass(frozen=True)
class MeasureState:
    """One measure of one department in the round."""

    measure_id: int
    no: int
    title: str
    state: str  # a code of bot.texts.labels.STATUS
    revision: int | None = None  # of the current report
    reported_at: datetime | None = None  # when the current revision was submitted (stored local time)
    has_draft: bool = False  # a draft not submitted yet: the only report, or an edit after a submission

    @property
    def responded(self) -> bool:
        return self.state in RESPONDED

    @property
    def open(self) -> bool:
        return self.state in OPEN


def _tally(measures: Iterable[MeasureState]) -> dict[str, int]:
    """Pairs by state code, every code present (zero included)."""
    counts = dict.fromkeys(STATES, 0)
    for m in measures:
        counts[m.state] = counts.get(m.state, 0) + 1
    return counts


@dataclass(frozen=True)
class DepartmentStatus:
    """A responsible department and its measures, by number. The counts and the open measures
    are derived once, when it is made (every reader asks for them, most of them several times)."""

    department_id: int
    name: str
    measures: tuple[MeasureState, ...]
    _counts: dict[str, int] = field(init=False, repr=False, compare=False)
    responded: int = field(init=False, repr=False, compare=False)
    open: tuple[MeasureState, ...] = field(init=False, repr=False, compare=False)
    open_nos: tuple[int, ...] = field(init=False, repr=False, compare=False)
    drafts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Open measures with a draft typed (a first draft, or a returned report being fixed)."""

    def __post_init__(self) -> None:
        counts = _tally(self.measures)
        open_ = tuple(m for m in self.measures if m.state in OPEN)
        derived = {
            "_counts": counts,
            "responded": sum(counts[s] for s in RESPONDED),
            "open": open_,
            "open_nos": tuple(m.no for m in open_),
            "drafts": tuple(m.no for m in open_ if m.has_draft),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def total(self) -> int:
        return len(self.measures)

    def count(self, state: str) -> int:
        return self._counts.get(state, 0)

    @property
    def approved(self) -> int:
        return self.count("approved")

    @property
    def rate(self) -> Decimal:
        """Response rate (1 = 100%); a department with no measures has nothing missing."""
        return _ratio(self.responded, self.total) if self.total else Decimal(1)

    @property
    def approval_rate(self) -> Decimal:
        return _ratio(self.approved, self.total)

    @property
    def done(self) -> bool:
        return not self.open


@dataclass(frozen=True)
class RoundStatus:
    """Every responsible department of the plan for one fiscal year, in the plan's order (by
    each department's first measure), and the measures nobody answers for. The totals are
    derived once, when it is made."""

    fy: FiscalYear
    departments: tuple[DepartmentStatus, ...]
    unassigned: tuple[tuple[int, str], ...] = ()  # (no, title) of measures with no department
    _counts: dict[str, int] = field(init=False, repr=False, compare=False)
    total: int = field(init=False, repr=False, compare=False)
    """(measure, department) pairs expected."""
    responded: int = field(init=False, repr=False, compare=False)
    pending_departments: tuple[DepartmentStatus, ...] = field(init=False, repr=False, compare=False)
    done_departments: tuple[DepartmentStatus, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts = dict.fromkeys(STATES, 0)
        for d in self.departments:
            for state, n in d._counts.items():
                counts[state] = counts.get(state, 0) + n
        derived = {
            "_counts": counts,
            "total": sum(d.total for d in self.departments),
            "responded": sum(d.responded for d in self.departments),
            "pending_departments": tuple(d for d in self.departments if d.open),
            "done_departments": tuple(d for d in self.departments if not d.open),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def counts(self) -> Counter[str]:
        """Pairs by state code (every code present, zero included)."""
        return Counter(self._counts)

    @property
    def approved(self) -> int:
        return self._counts.get("approved", 0)

    @property
    def rate(self) -> Decimal:
        """Response rate: pairs submitted at least once over all pairs."""
        return _ratio(self.responded, self.total)

    @property
    def approval_rate(self) -> Decimal:
        return _ratio(self.approved, self.total)

    def department(self, department_id: int) -> DepartmentStatus | None:
        return next((d for d in self.departments if d.department_id == department_id), None)

    def reported_states(self) -> dict[tuple[int, str], str]:
        """(measure id, department name) -> state, for the pairs with a report (not missing)."""
        return {(m.measure_id, d.name): m.state for d in self.departments for m in d.measures
                if m.state != "missing"}


# --- reading -------------------------------------------------------------------------------------


def round_status(session: Session, fy: FiscalYear, plan: Plan | None = None,
                 department_id: int | None = None) -> RoundStatus:
    """The round of `fy` for the plan (the active one if not given), one query; with
    `department_id`, that department only (and no unassigned measures)."""
    params: dict[str, Any] = {"fy": fy.year}
    if plan is not None:
        params["plan_id"] = plan.id
    if department_id is not None:
        params["department_id"] = department_id
    # Core rows (not the ORM's): this is read on every status question and must stay cheap.
    session.flush()  # what this session changed counts, as session.execute's autoflush would do
    rows = session.connection().execute(_pairs(plan is not None, department_id is not None), params).all()
    return _aggregate(fy, rows)


Pair = tuple[int, int, str, int | None, str | None]
"""(measure id, No., title, department id, department name) of one responsible department of a
measure, in the plan's order; a measure nobody answers for has one with no department."""


def round_status_of(session: Session, fy: FiscalYear, pairs: Iterable[Pair]) -> RoundStatus:
    """The same model as `round_status`, for pairs the caller already holds and has checked
    against the database (the answers' catalog snapshot is, on every question): only the year's
    reports are read, never cached. The plan's pairs are the larger, unchanging half of the read."""
    session.flush()
    current: dict[tuple[int, int], tuple[str, int, datetime | None]] = {}
    drafts: set[tuple[int, int]] = set()
    for measure_id, dept_id, status, revision, reported_at, is_current in session.connection().execute(
            _year_reports(), {"fy": fy.year}).all():
        if is_current:
            current.setdefault((measure_id, dept_id), (status, revision, reported_at))
        else:
            drafts.add((measure_id, dept_id))
    rows = []
    for measure_id, no, title, dept_id, dept_name in pairs:
        pair = (measure_id, dept_id or 0)  # no department: nothing reported (_aggregate lists it as unassigned)
        status, revision, reported_at = current.get(pair, (None, None, None))
        rows.append((measure_id, no, title, dept_id, dept_name, status, revision, reported_at, pair in drafts or None))
    return _aggregate(fy, rows)


def department_status(session: Session, department_id: int, fy: FiscalYear) -> DepartmentStatus | None:
    """One department's measures in the round; None when it answers for none."""
    return round_status(session, fy, department_id=department_id).department(department_id)


def _aggregate(fy: FiscalYear, rows: Iterable[Sequence[Any]]) -> RoundStatus:
    names: dict[int, str] = {}
    measures: dict[int, list[MeasureState]] = {}
    seen: set[tuple[int, int]] = set()
    unassigned: list[tuple[int, str]] = []
    for measure_id, no, title, dept_id, dept_name, status, revision, reported_at, draft_id in rows:
        if dept_id is None:
            unassigned.append((no, title))
            continue
        if (dept_id, measure_id) in seen:  # two current revisions would be a bug elsewhere
            continue
        seen.add((dept_id, measure_id))
        names[dept_id] = dept_name
        measures.setdefault(dept_id, []).append(MeasureState(
            measure_id, no, title, status or "missing", revision, reported_at,
            status == "draft" or draft_id is not None))
    departments = [DepartmentStatus(d, names[d], tuple(ms)) for d, ms in measures.items()]
    departments.sort(key=lambda d: (d.measures[0].no, d.name))
    return RoundStatus(fy, tuple(departments), tuple(unassigned))


@cache
def _pairs(by_plan: bool, by_department: bool) -> Select:
    """Every measure of the plan with each responsible department (or none), its current report
    of the year and its pending draft; built once per shape (composing costs more than running)."""
    current, draft = aliased(Report), aliased(Report)

    def of_pair(report: Any) -> Any:
        return and_(report.measure_id == MeasureDepartment.measure_id,
                    report.department_id == MeasureDepartment.department_id,
                    report.fy == bindparam("fy"))

    plan_id: Any = bindparam("plan_id") if by_plan else (
        select(Plan.id).order_by(Plan.first_fy.desc(), Plan.id.desc()).limit(1).scalar_subquery())
    stmt: Select = (
        select(Measure.id.label("measure_id"), Measure.no, Measure.title,
               Department.id.label("department_id"), Department.name.label("department_name"),
               current.status, current.revision, current.reported_at, draft.id.label("draft_id"))
        .select_from(Measure)
        .outerjoin(MeasureDepartment, MeasureDepartment.measure_id == Measure.id)
        .outerjoin(Department, Department.id == MeasureDepartment.department_id)
        .outerjoin(current, and_(of_pair(current), current.is_current.is_(True)))
        .outerjoin(draft, and_(of_pair(draft), draft.is_current.is_(False), draft.status == "draft"))
        .where(Measure.plan_id == plan_id)
        .order_by(Measure.no)  # each department's measures by number (the pairs' order is not needed)
    )
    if by_department:
        stmt = stmt.where(MeasureDepartment.department_id == bindparam("department_id"))
    return stmt


@cache
def _year_reports() -> Select:
    """A year's current reports and pending drafts (`round_status_of`'s half of `_pairs`)."""
    return select(Report.measure_id, Report.department_id, Report.status, Report.revision, Report.reported_at,
                  Report.is_current).where(
        Report.fy == bindparam("fy"),
        or_(Report.is_current.is_(True), and_(Report.is_current.is_(False), Report.status == "draft")))


# --- what came in --------------------------------------------------------------------------------


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


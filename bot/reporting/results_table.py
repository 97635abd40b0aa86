"""The year's results as the plan's table: every measure × responsible department, reported or not,
and one measure's targets against actuals across the plan's years (the trend).

What the workbook, the CSV, the JSON export, the trend answer and the digest's trend print. Stored
codes stay codes here (status, progress); labels come from bot/texts when the rows are written.
People are shown by display name (member.name), never by account id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.catalog.store import active_plan, measure_by_no
from bot.catalog.store import measures as catalog_measures
from bot.japanese.numbers import format_number, format_quantity, format_rate
from bot.reporting.reports import SUBMITTED, aware, method_of
from bot.storage.models import Actual, Department, Measure, Member, Plan, Report, Target
from bot.texts import labels
from bot.texts import results as t

IMPORTED_PREFIX = "import:"  # report.reported_by of a report read from a file: "import:<file name>"


class OutsidePlan(ValueError):
    """A fiscal year the loaded plan does not cover (or no plan loaded)."""

    def __init__(self, fy: int, plan: Plan | None) -> None:
        super().__init__(f"FY{fy} is outside the plan")
        self.fy = fy
        self.plan = plan


def plan_years(session: Session, fy: int) -> Plan:
    """The active plan, when it covers `fy`; else OutsidePlan."""
    plan = active_plan(session)
    if plan is None or not plan.first_fy <= fy <= plan.last_fy:
        raise OutsidePlan(fy, plan)
    return plan


# --- one cell's worth -------------------------------------------------------------------------------


def target_words(target: Target, *, with_metric: bool = True) -> str:
    """A target in words: コミュニティ防災士数 1,700名以上(累計), 実質公債費比率 10%未満,
    経常収支比率 中核市平均以下, 温室効果ガス排出量 40%以上(H25比)."""
    q = (target.qualifier or "").strip()
    metric = f"{target.metric} " if with_metric else ""
    if target.value is None:
        return f"{metric}{q or t.DIRECTION.get(target.direction, '')}".strip()
    number = format_quantity(Decimal(target.value), target.unit)
    if q.startswith(t.COMPARISONS):
        return f"{metric}{number}{q}"
    phrase = f"{metric}{number}{t.DIRECTION.get(target.direction, '')}"
    return f"{phrase}({q})" if q else phrase


def actual_words(actual: Actual) -> str:
    if actual.value is None:  # a figure not known yet (skipped with a reason)
        return f"{actual.metric} {labels.SKIP_REASON.get(actual.skip_reason or '', '')}"
    return f"{actual.metric} {format_quantity(Decimal(actual.value), actual.unit)}"


def points_of(actual: Actual) -> Decimal | None:
    """The difference in points of a percentage actual against its target (stored with the actual)."""
    points = method_of(actual).get("points")
    return None if points is None else Decimal(str(points))


def met_words(actual: Actual) -> str:
    """達成 / 未達成, with the points for a percentage (未達成(△0.2ポイント)); 判定対象外 when not judged."""
    if actual.met is None:
        return t.NOT_JUDGED
    words = labels.MET[actual.met]
    points = points_of(actual)
    if points is not None:
        sign = "+" if points > 0 else ""
        words += f"({sign}{t.POINTS.format(points=format_number(points))})"
    return words


# --- the rows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """One measure × responsible department of a fiscal year, reported or not."""

    no: int
    title: str
    numeric_goal: bool
    department: str | None  # None: the catalog has no department for the measure
    department_id: int | None
    fy: int
    plan: str | None
    targets: tuple[Target, ...]
    report: Report | None
    reporter_name: str | None = None
    approver_name: str | None = None
    tz: tzinfo | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        """The stored code (draft/submitted/approved/returned), or "missing" without a report."""
        return "missing" if self.report is None else self.report.status

    @property
    def actuals(self) -> list[Actual]:
        return list(self.report.actuals) if self.report is not None else []

    @property
    def rate(self) -> Decimal | None:
        """The achievement rate when the row has exactly one judged ratio (a number cell)."""
        rates = [a.achievement_rate for a in self.actuals if a.achievement_rate is not None]
        return Decimal(rates[0]) if len(rates) == 1 and len(self.actuals) == 1 else None

    @property
    def reported_at(self) -> datetime | None:
        return self._local(self.report.reported_at if self.report is not None else None)

    @property
    def approved_at(self) -> datetime | None:
        if self.report is None or self.report.status != "approved":
            return None
        return self._local(self.report.reviewed_at)

    @property
    def return_comment(self) -> str | None:
        if self.report is None or self.report.status != "returned":
            return None
        return self.report.review_comment

    @property
    def imported(self) -> bool:
        return self.report is not None and (self.report.reported_by or "").startswith(IMPORTED_PREFIX)

    def _local(self, moment: datetime | None) -> datetime | None:
        if moment is None or self.tz is None:
            return moment
        local = aware(moment, self.tz)
        return local.astimezone(self.tz) if local is not None else None

    # texts of the cells -------------------------------------------------------------------------

    def target_text(self) -> str:
        return "\n".join(target_words(x) for x in self.targets)

    def actual_text(self) -> str:
        return "\n".join(actual_words(a) for a in self.actuals)

    def rate_text(self) -> str:
        """Every ratio of the row as text (97.06%); for the CSV and rows with several metrics."""
        return "\n".join(format_rate(Decimal(a.achievement_rate)) for a in self.actuals
                         if a.achievement_rate is not None)

    def met_text(self) -> str:
        return "\n".join(met_words(a) for a in self.actuals)


def display_names(session: Session) -> dict[str, str]:
    """Account key ("platform:user_id") → display name, for every member with a name."""
    rows = session.execute(select(Member.platform, Member.user_id, Member.name).where(Member.name.is_not(None)))
    return {f"{p}:{u}": n for p, u, n in rows if n}


def person(account: str | None, names: dict[str, str]) -> str | None:
    """Who an account is, for readers: the display name; an import names its file; never a raw id."""
    if not account:
        return None
    if account.startswith(IMPORTED_PREFIX):
        return t.REPORTER_IMPORTED.format(source=account[len(IMPORTED_PREFIX):])
    return names.get(account, t.REPORTER_UNKNOWN)


def current_reports(session: Session, fy: int) -> dict[tuple[int, int], Report]:
    """(measure_id, department_id) → the current revision of the year's report."""
    stmt = (select(Report).where(Report.fy == fy, Report.is_current.is_(True))
            .options(selectinload(Report.actuals)))
    return {(r.measure_id, r.department_id): r for r in session.scalars(stmt)}


def results_rows(session: Session, fy: int, tz: tzinfo | None = None) -> list[ResultRow]:
    """Every measure × responsible department of the year, in the plan's order (a measure without
    a department is one row); raises OutsidePlan for a year the plan does not cover."""
    plan = plan_years(session, fy)
    reports = current_reports(session, fy)
    names = display_names(session)
    rows: list[ResultRow] = []
    for m in catalog_measures(session, plan):
        plan_text = next((p.text for p in m.year_plans if p.fy == fy), None)
        targets = tuple(x for x in m.targets if x.fy == fy)
        departments: list[Department | None] = list(m.departments) or [None]
        for dept in departments:
            report = reports.get((m.id, dept.id)) if dept is not None else None
            reviewer = report.reviewed_by if report is not None and report.status == "approved" else None
            rows.append(ResultRow(
                no=m.no, title=m.title, numeric_goal=m.numeric_goal,
                department=dept.name if dept is not None else None,
                department_id=dept.id if dept is not None else None,
                fy=fy, plan=plan_text, targets=targets, report=report,
                reporter_name=person(report.reported_by if report else None, names),
                approver_name=person(reviewer, names), tz=tz,
            ))
    return rows


# --- the trend of one measure across the plan's years -----------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One year and metric of a numeric measure: the plan's target and the reported actual."""

    fy: int
    metric: str
    target: Target | None
    actual: Actual | None  # of a submitted or approved report (imported ones included)
    department: str | None = None
    imported: bool = False

    @property
    def unit(self) -> str | None:
        if self.target is not None and self.target.unit:
            return self.target.unit
        return self.actual.unit if self.actual is not None else None


def measure_trend(session: Session, measure_no: int) -> list[TrendPoint]:
    """Targets against actuals for each of the plan's years (R5–R8) and each metric, oldest first.

    Actuals are those of submitted or approved reports: reported in chat this year, imported for
    earlier years (`kaikaku results import`). An unknown measure gives [].
    """
    measure = measure_by_no(session, measure_no)
    if measure is None:
        return []
    plan = measure.plan
    reports = list(session.scalars(
        select(Report)
        .where(Report.measure_id == measure.id, Report.is_current.is_(True), Report.status.in_(SUBMITTED))
        .options(selectinload(Report.actuals), selectinload(Report.department))
        .order_by(Report.fy, Report.department_id)
    ))
    metrics = _metrics(measure, reports)
    points: list[TrendPoint] = []
    for fy in range(plan.first_fy, plan.last_fy + 1):
        for metric in metrics:
            target = next((x for x in measure.targets if x.fy == fy and x.metric == metric), None)
            found = [(r, a) for r in reports if r.fy == fy for a in r.actuals if a.metric == metric]
            report, actual = found[0] if found else (None, None)
            points.append(TrendPoint(
                fy=fy, metric=metric, target=target, actual=actual,
                department=report.department.name if report is not None else None,
                imported=report is not None and (report.reported_by or "").startswith(IMPORTED_PREFIX),
            ))
    return points


def _metrics(measure: Measure, reports: Sequence[Report]) -> list[str]:
    """The measure's metrics in the plan's order, then any only reported."""
    names = [x.metric for x in sorted(measure.targets, key=lambda x: (x.position, x.fy))]
    names += [a.metric for r in reports for a in r.actuals]
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class TrendSeries:
    """One numeric measure's metric: the actuals reported year by year (earlier years imported)."""

    no: int
    title: str
    metric: str
    points: tuple[tuple[int, Decimal, str | None], ...]  # (fy, value, unit), oldest first


def trend_series(session: Session, plan: Plan, up_to_fy: int) -> list[TrendSeries]:
    """Numeric measures with an actual for a year before `up_to_fy`: their actuals up to that
    year (one query, whatever the plan's size). A joint measure's first department's figure."""
    rows = session.execute(
        select(Measure.no, Measure.title, Report.fy, Actual.metric, Actual.value, Actual.unit)
        .join(Report, Report.measure_id == Measure.id)
        .join(Actual, Actual.report_id == Report.id)
        .where(Measure.plan_id == plan.id, Measure.numeric_goal.is_(True), Report.is_current.is_(True),
               Report.status.in_(SUBMITTED), Report.fy >= plan.first_fy, Report.fy <= up_to_fy)
        .order_by(Measure.no, Actual.position, Report.fy, Report.department_id)
    )
    found: dict[tuple[int, str], tuple[str, dict[int, tuple[Decimal, str | None]]]] = {}
    for no, title, fy, metric, value, unit in rows:
        if value is None:  # skipped with a reason: no point on the trend
            continue
        years = found.setdefault((no, metric), (title, {}))[1]
        years.setdefault(fy, (Decimal(value), unit))
    return [
        TrendSeries(no, title, metric, tuple((fy, v, u) for fy, (v, u) in sorted(years.items())))
        for (no, metric), (title, years) in found.items()
        if min(years) < up_to_fy
    ]

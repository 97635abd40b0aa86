"""Reports: who may report what, drafts and revisions, achievement, status and the results export.

A report belongs to (measure, department, fiscal year): each responsible department of a joint
measure reports its own part. Every change is a revision row; the current one is the latest
submitted (or approved) revision, or the draft while nothing has been submitted. A draft typed
after a submission is a pending revision that does not replace the submitted one until it is
submitted itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from types import EllipsisType
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.catalog.store import json_number, key_of_fy
from bot.catalog.store import measures as catalog_measures
from bot.core.config import Settings
from bot.japanese.fiscal_year import FiscalYear, fiscal_year_of
from bot.japanese.numbers import IncompatibleUnitsError, convert, format_quantity, format_rate, unit_family
from bot.people.members import find_member, is_coordinator
from bot.storage import audit
from bot.storage.models import Actual, Department, Measure, Member, Report, Target
from bot.texts import labels
from bot.texts import reporting as say

PROGRESS = tuple(labels.PROGRESS)  # the codes stored in report.progress
BASES = tuple(labels.BASIS)  # the codes stored in actual.basis
SUBMITTED = ("submitted", "approved")  # counted as answered; a returned report waits for its reporter again
SENT = ("submitted", "approved", "returned")  # revisions that were submitted (whatever the review said)


# --- which year, who may report --------------------------------------------------------------------


def report_fy(settings: Settings, now: datetime) -> FiscalYear:
    """The fiscal year a report made at `now` is about.

    The FY just ended from April to `report_previous_until_month` (late reports and 確定
    figures); otherwise the current FY (the round near its end, or a mid-year report).
    """
    fy = fiscal_year_of(now, settings.bot_timezone)
    month = now.astimezone(settings.tz).month
    if 4 <= month <= settings.report_previous_until_month:
        return fy.previous()
    return fy


def is_responsible(measure: Measure, department_id: int) -> bool:
    return any(link.department_id == department_id for link in measure.department_links)


def can_report(member: Member | None, measure: Measure, settings: Settings) -> bool:
    """A registered member of a responsible department, or the coordinating division for any."""
    if member is None:
        return False
    return is_responsible(measure, member.department_id) or is_coordinator(member, settings.coordinator_department)


def reporting_departments(member: Member, measure: Measure, settings: Settings) -> list[Department]:
    """The departments on whose behalf `member` may report this measure (their own first)."""
    if is_responsible(measure, member.department_id):
        return [member.department]
    if is_coordinator(member, settings.coordinator_department):
        return list(measure.departments)
    return []


def department_measures(session: Session, department_id: int) -> list[Measure]:
    """The measures a department is responsible for (joint ones included), by number."""
    return catalog_measures(session, department_id=department_id)


def targets_of(measure: Measure, fy: int) -> list[Target]:
    return [t for t in measure.targets if t.fy == fy]


def plan_of(measure: Measure, fy: int) -> str | None:
    return next((p.text for p in measure.year_plans if p.fy == fy), None)


# --- achievement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Achievement:
    rate: Decimal | None  # actual / target, for at_least counts and amounts
    met: bool | None
    method: dict[str, Any] = field(default_factory=dict)  # how it was computed (rule, text, ...)


_RULE_WORDS = say.RULE_WORDS


def _q(value: Decimal, places: str = "0.000001") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def achievement(value: Decimal, unit: str | None, target: Target | None) -> Achievement:
    """Achievement of an actual against its target, by the target's direction.

    - at_least: rate = actual / target, met when actual >= target;
    - at_most: met when actual <= target, with the margin (target - actual);
    - exactly: met when equal, with the difference;
    - a percentage (a rate such as 電子決裁率) is compared in points (actual - target), never as a
      ratio of ratios.
    """
    if target is None:
        return Achievement(None, None, {"rule": "none", "text": say.NO_TARGET_THIS_YEAR})
    if target.value is None:
        shown = target.qualifier or say.TARGET_WITHOUT_NUMBER
        return Achievement(None, None, {"rule": "none", "text": say.NOT_JUDGED.format(shown=shown)})
    goal = Decimal(target.value)
    direction = target.direction
    actual = Decimal(value)
    if unit and target.unit and unit != target.unit:
        try:
            actual = convert(actual, unit, target.unit)
        except IncompatibleUnitsError:
            text = say.UNIT_MISMATCH.format(unit=unit, target=target.unit)
            return Achievement(None, None, {"rule": "none", "text": text})
    shown_actual, shown_goal = format_quantity(actual, target.unit), format_quantity(goal, target.unit)
    strict = is_strict(target)
    met = meets(actual, goal, direction, strict)
    verdict = labels.MET[met]
    base: dict[str, Any] = {"direction": direction, "actual": _plain(actual), "target": _plain(goal),
                            "unit": target.unit}
    if strict:
        base["strict"] = True
    rule_word = (target.qualifier or "").strip()[:2] if strict else _RULE_WORDS.get(direction, "")
    if unit_family(target.unit) == "percent":
        points = actual - goal
        text = say.BY_POINTS.format(actual=shown_actual, goal=shown_goal, points=_signed(points), verdict=verdict,
                                    rule=rule_word)
        return Achievement(None, met, {**base, "rule": "points", "points": _plain(points), "text": text})
    if direction == "at_least":
        if goal == 0:
            text = say.AGAINST_ZERO.format(actual=shown_actual, verdict=verdict)
            return Achievement(None, met, {**base, "rule": "at_least", "text": text})
        rate = _q(actual / goal)
        text = say.BY_RATIO.format(rate=format_rate(rate), actual=shown_actual, goal=shown_goal, verdict=verdict)
        return Achievement(rate, met, {**base, "rule": "ratio", "text": text})
    margin = goal - actual
    if direction == "at_most":
        if met:
            detail = say.MARGIN_LEFT.format(margin=format_quantity(margin, target.unit))
        elif margin:
            detail = say.MARGIN_OVER.format(margin=format_quantity(-margin, target.unit))
        else:
            detail = say.MARGIN_NONE.format(rule=rule_word)
        text = say.AT_MOST.format(actual=shown_actual, goal=shown_goal, rule=rule_word or _RULE_WORDS["at_most"],
                                  verdict=verdict, detail=detail)
        return Achievement(None, met, {**base, "rule": "at_most", "margin": _plain(margin), "text": text})
    text = say.EXACTLY.format(actual=shown_actual, goal=shown_goal, verdict=verdict, difference=_signed(-margin))
    return Achievement(None, met, {**base, "rule": "exactly", "margin": _plain(margin), "text": text})


_STRICT = ("未満", "超")


def is_strict(target: Target) -> bool:
    """A bound the plan writes as 10%未満 or 100超: the figure itself is not within it."""
    return (target.qualifier or "").strip().startswith(_STRICT)


def meets(actual: Decimal, goal: Decimal, direction: str, strict: bool) -> bool:
    """Whether `actual` is within the target: 以上/以下 include the bound, 未満/超 (`strict`) do not."""
    if direction == "at_least":
        return actual > goal if strict else actual >= goal
    if direction == "at_most":
        return actual < goal if strict else actual <= goal
    return actual == goal


def skipped(reason: str | None) -> Achievement:
    """An actual not known yet (未確定・集計中): stored without a figure, nothing judged."""
    label = labels.SKIP_REASON.get(reason or "pending", reason or "")
    return Achievement(None, None, {"rule": "skipped", "reason": reason, "text": say.SKIPPED.format(label=label)})


def _norm(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def _plain(value: Decimal) -> str:
    """A number as text without exponent or trailing zeros: "1700", "-0.57"."""
    return format(Decimal(value).normalize(), "f")


def _signed(value: Decimal) -> str:
    shown = format(abs(value).normalize(), ",f")
    return f"+{shown}" if value > 0 else (f"△{shown}" if value < 0 else "±0")


# --- drafts, submissions, revisions ----------------------------------------------------------------


@dataclass(frozen=True)
class ActualInput:
    metric: str
    value: Decimal | None  # None: not known yet, `skip` says why
    unit: str | None
    typed: str
    basis: str | None = None
    skip: str | None = None  # a code of texts.labels.SKIP_REASON when `value` is None


@dataclass(frozen=True)
class ReportInput:
    """What a person typed; None where they have not answered yet (a draft)."""

    progress: str | None = None
    result_text: str | None = None
    rating: str | None = None
    actuals: Sequence[ActualInput] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.progress or self.result_text or self.rating or self.actuals)


def revisions(session: Session, measure_id: int, department_id: int, fy: int) -> list[Report]:
    stmt = (
        select(Report)
        .where(Report.measure_id == measure_id, Report.department_id == department_id, Report.fy == fy)
        .order_by(Report.revision)
        .options(selectinload(Report.actuals))
    )
    return list(session.scalars(stmt))


def current_report(session: Session, measure_id: int, department_id: int, fy: int) -> Report | None:
    return session.scalar(
        select(Report)
        .where(Report.measure_id == measure_id, Report.department_id == department_id, Report.fy == fy,
               Report.is_current.is_(True))
        .options(selectinload(Report.actuals))
    )


def pending_draft(session: Session, measure_id: int, department_id: int, fy: int) -> Report | None:
    """The latest revision when it is a draft (typed, cancelled, not submitted yet)."""
    latest = session.scalar(
        select(Report)
        .where(Report.measure_id == measure_id, Report.department_id == department_id, Report.fy == fy)
        .order_by(Report.revision.desc())
        .limit(1)
        .options(selectinload(Report.actuals))
    )
    return latest if latest is not None and latest.status == "draft" else None


def last_submitted(session: Session, measure_id: int, department_id: int, fy: int) -> Report | None:
    """The latest revision that was submitted: waiting for review, approved, or returned."""
    return session.scalar(
        select(Report)
        .where(Report.measure_id == measure_id, Report.department_id == department_id, Report.fy == fy,
               Report.status.in_(SENT))
        .order_by(Report.revision.desc())
        .limit(1)
        .options(selectinload(Report.actuals))
    )


def _next_revision(session: Session, measure_id: int, department_id: int, fy: int) -> int:
    latest = session.scalar(
        select(func.max(Report.revision)).where(
            Report.measure_id == measure_id, Report.department_id == department_id, Report.fy == fy
        )
    )
    return (latest or 0) + 1


def _fill(report: Report, measure: Measure, data: ReportInput) -> None:
    report.progress = data.progress
    report.result_text = data.result_text
    report.rating = data.rating
    targets = {t.metric: t for t in targets_of(measure, report.fy)}
    report.actuals.clear()
    for position, a in enumerate(data.actuals):
        result = achievement(a.value, a.unit, targets.get(a.metric)) if a.value is not None else skipped(a.skip)
        report.actuals.append(
            Actual(
                position=position,
                metric=a.metric,
                value=a.value,
                unit=a.unit,
                typed=a.typed,
                basis=a.basis,
                skip_reason=a.skip if a.value is None else None,
                achievement_rate=result.rate,
                met=result.met,
                achievement_method=json.dumps(result.method, ensure_ascii=False),
            )
        )


def lock_report(session: Session, measure_id: int, department_id: int, fy: int) -> None:
    """Serialise the writers of one (measure, department, fy) until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock on the key. SQLite has one writer at a time:
    a write (of no row) takes the database's write lock, held until commit. Report rows read
    before the lock are expired so that what follows sees what the other writer committed.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_lock_key(measure_id, department_id, fy))))
    elif dialect == "sqlite":
        session.execute(update(Report).where(false()).values(is_current=Report.is_current))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Report) and (obj.measure_id, obj.department_id, obj.fy) == (measure_id, department_id, fy):
            session.expire(obj)


def _lock_key(measure_id: int, department_id: int, fy: int) -> int:
    """A signed 64-bit advisory-lock key for one report (PostgreSQL's bigint)."""
    digest = hashlib.blake2b(f"report:{measure_id}:{department_id}:{fy}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def save_draft(session: Session, measure: Measure, department: Department, fy: int, data: ReportInput,
               who: str, now: datetime) -> Report:
    """Keep what was typed so far: the pending draft is updated, or a new draft revision made.

    The draft is the current revision only while no revision is current (nothing submitted):
    a draft typed after a submission never stands beside it in the export.
    """
    lock_report(session, measure.id, department.id, fy)
    report = pending_draft(session, measure.id, department.id, fy)
    if report is None:
        current = current_report(session, measure.id, department.id, fy)
        report = Report(
            measure_id=measure.id, department_id=department.id, fy=fy,
            revision=_next_revision(session, measure.id, department.id, fy),
            is_current=current is None, status="draft", created_at=now,
        )
        session.add(report)
    report.reported_by = who
    _fill(report, measure, data)
    session.flush()
    return report


def same_content(report: Report, data: ReportInput) -> bool:
    """Whether a stored revision holds exactly this content."""
    typed = [(a.metric, _norm(a.value), a.unit, a.typed, a.basis, a.skip_reason) for a in report.actuals]
    given = [(a.metric, _norm(a.value), a.unit, a.typed, a.basis, a.skip) for a in data.actuals]
    return (report.progress, report.result_text, report.rating, typed) == (
        data.progress, data.result_text, data.rating, given)


class SubmittedMeanwhile(Exception):
    """Someone submitted this report after the person began: that submission stands, and what
    this person typed is kept as a draft (nothing is lost, nothing is doubled)."""

    def __init__(self, current: Report, kept: Report) -> None:
        super().__init__(f"report {current.measure_id}/{current.department_id}/{current.fy}: "
                         f"revision {current.revision} was submitted meanwhile")
        self.current = current  # the submission that came first
        self.kept = kept  # this person's text, as a draft revision


def submit(session: Session, measure: Measure, department: Department, fy: int, data: ReportInput,
           who: str, now: datetime, seen: int | None | EllipsisType = ...) -> tuple[Report, bool]:
    """Submit a report: the pending draft becomes the new submitted revision, or a new revision is
    made; it becomes the current one. Returns (report, changed): submitting exactly the current
    submitted content again makes no new revision.

    Submissions of one (measure, department, fy) are serialised (`lock_report`). `seen` is the
    submitted revision the person saw when they began (None: none); when another has been
    submitted since, nothing is overwritten: their text is kept as a draft and
    `SubmittedMeanwhile` raised (a compare-and-set). Without `seen` the last submission wins.
    """
    lock_report(session, measure.id, department.id, fy)
    draft = pending_draft(session, measure.id, department.id, fy)
    previous = last_submitted(session, measure.id, department.id, fy)
    if previous is not None and previous.status != "returned" and same_content(previous, data):
        if draft is not None:
            session.delete(draft)
            session.flush()
        return previous, False
    if seen is not ... and previous is not None and previous.revision != seen:
        raise SubmittedMeanwhile(previous, save_draft(session, measure, department, fy, data, who, now))
    for other in revisions(session, measure.id, department.id, fy):
        if other is not draft and other.is_current:
            other.is_current = False
    session.flush()
    report = draft
    if report is None:
        report = Report(
            measure_id=measure.id, department_id=department.id, fy=fy, status="submitted",
            revision=_next_revision(session, measure.id, department.id, fy), created_at=now,
        )
        session.add(report)
    first = previous is None
    report.status = "submitted"
    report.is_current = True
    report.reported_by = who
    report.reported_at = now
    _fill(report, measure, data)
    _record_submission(session, report, measure.no, who, "submit" if first else "revise", now)
    session.flush()
    return report, True


def _record_submission(session: Session, report: Report, measure_no: int, who: str, action: str,
                       now: datetime) -> None:
    """The audit entry of a submission ("submit" the first time, "revise" after), in its transaction."""
    platform, _, user = who.partition(":")
    member = find_member(session, platform, user) if user else None
    audit.record(session, audit.Actor(who, member.name if member else None), action, "report",
                 measure_no=measure_no, department_id=report.department_id, fy=report.fy,
                 after={"status": "submitted", "revision": report.revision, "progress": report.progress,
                        "result_text": report.result_text, "rating": report.rating}, at=now)


def discard_draft(session: Session, measure_id: int, department_id: int, fy: int) -> bool:
    lock_report(session, measure_id, department_id, fy)
    draft = pending_draft(session, measure_id, department_id, fy)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


# --- side by side and export -----------------------------------------------------------------------------


def side_by_side(session: Session, measure: Measure, fy: int) -> list[tuple[Department, Report | None]]:
    """A joint measure's parts: each responsible department with its current report, in order."""
    return [(d, current_report(session, measure.id, d.id, fy)) for d in measure.departments]


def aware(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """Times are stored as the bot's local time (as registration does); SQLite hands them back
    without a zone, to be read in the bot's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def method_of(actual: Actual) -> dict[str, Any]:
    try:
        method = json.loads(actual.achievement_method or "{}")
    except ValueError:
        method = {"text": actual.achievement_method}
    return method if isinstance(method, dict) else {"text": str(method)}


def result_row(report: Report, tz: tzinfo) -> dict[str, Any]:
    """One report in the Results JSON shape of INTERFACE.md (plus title, method, points/margin)."""
    achievements = []
    for a in report.actuals:
        method = method_of(a)
        entry: dict[str, Any] = {
            "metric": a.metric,
            "rate": None if a.achievement_rate is None else float(_q(Decimal(a.achievement_rate), "0.0001")),
            "met": a.met,
            "method": method.get("text"),
        }
        for extra in ("points", "margin"):
            if extra in method:
                entry[extra] = json_number(Decimal(method[extra]))
        achievements.append(entry)
    reported_at = aware(report.reported_at, tz)
    return {
        "no": report.measure.no,
        "fy": key_of_fy(report.fy),
        "department": report.department.name,
        "title": report.measure.title,
        "status": report.status,
        "progress": labels.PROGRESS.get(report.progress, report.progress) if report.progress else None,
        "result_text": report.result_text,
        "rating": report.rating,
        "actuals": [
            {"metric": a.metric, "value": json_number(a.value), "unit": a.unit, "typed": a.typed,
             "basis": labels.BASIS.get(a.basis, a.basis) if a.basis else None,
             **({"skipped": labels.SKIP_REASON.get(a.skip_reason, a.skip_reason)} if a.skip_reason else {})}
            for a in report.actuals
        ],
        "achievement": achievements,
        "reported_by": report.reported_by,
        "reported_at": reported_at.astimezone(tz).isoformat(timespec="seconds") if reported_at else None,
        "revision": report.revision,
    }


def export_results(session: Session, fy: int, tz: tzinfo) -> list[dict[str, Any]]:
    """The year's current reports, by measure number and the department order of the plan."""
    stmt = (
        select(Report)
        .where(Report.fy == fy, Report.is_current.is_(True))
        .options(
            selectinload(Report.actuals),
            selectinload(Report.measure).selectinload(Measure.department_links),
            selectinload(Report.department),
        )
    )
    reports = list(session.scalars(stmt))

    def order(r: Report) -> tuple[int, int, str]:
        positions = {link.department_id: link.position for link in r.measure.department_links}
        return (r.measure.no, positions.get(r.department_id, 999), r.department.name)

    return [result_row(r, tz) for r in sorted(reports, key=order)]

"""The weekly digest for the coordinating division: where the round stands, without asking.

Response rate overall and by department, reports submitted since the previous digest, numeric
measures with actual against target and achievement (from the actual table), departments past
the deadline, departments nobody can be told (no registered member), measures with no
department, and problems with LINE's monthly push budget; a chart (response rate by department
and achievement by numeric measure) for platforms that show images; the same as text for the
console.

`build_digest` reads (a few set-based queries, whatever the plan's size); `due_digests` plans the
messages of the digest slot in force (Monday morning by default, on business days; see
bot/rounds.py) for each coordinator's account and `Settings.slack_digest_channel`;
`enqueue_digests` writes them to the outbox under keys like "R8/digest/3/slack:U0123".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog.store import active_plan
from bot.clock.reminders import PlannedMessage
from bot.core import platforms, push_budget
from bot.core.config import Settings
from bot.core.messages import Reply
from bot.core.outbox import enqueue_many, existing_keys
from bot.dashboard.data import first_answers
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_quantity, format_rate
from bot.people.permissions import name_of_account, recipients_of_everything
from bot.people.recipients import members_by_department
from bot.reporting.reports import SUBMITTED
from bot.reporting.results_table import TrendSeries, trend_series
from bot.reporting.round_status import (
    DepartmentStatus,
    NewReport,
    RoundStatus,
    round_status,
    submitted_between,
)
from bot.reporting.rounds import Round, Slot, format_day, is_send_day, round_at, round_for_digest
from bot.storage.models import Actual, Department, Measure, Member, OutboxMessage, Plan, Report, Target
from bot.texts import notices as t
from bot.texts import results as rt
from bot.texts.labels import SKIP_REASON

log = logging.getLogger(__name__)

TEXT_LIMIT = 60  # lines per list in a chat message (LINE takes 5,000 characters)


@dataclass(frozen=True)
class NumericLine:
    no: int
    title: str
    metric: str
    target_value: Decimal | None
    target_unit: str | None
    qualifier: str | None
    department: str | None = None
    actual_value: Decimal | None = None
    actual_unit: str | None = None
    rate: Decimal | None = None
    met: bool | None = None
    skip: str | None = None  # no figure yet: a code of texts.labels.SKIP_REASON


@dataclass(frozen=True)
class LineProblems:
    usage: push_budget.Usage
    rerouted: int = 0
    undelivered: tuple[str, ...] = ()  # "危機管理課 山田さん": by display name, never the account id

    @property
    def low(self) -> bool:
        return self.usage.budget > 0 and self.usage.left <= max(1, self.usage.budget // 10)

    @property
    def any(self) -> bool:
        return bool(self.usage.refused or self.rerouted or self.undelivered or self.low)


@dataclass
class Digest:
    """Everything one digest says; rendered as text, replies (with a chart) or JSON."""

    round: Round
    at: datetime
    since: datetime | None
    slot: Slot | None
    status: RoundStatus  # where the round stands: the one model (bot.reporting.round_status)
    reachable: set[int]
    new_reports: list[NewReport]
    numeric: list[NumericLine]
    line: LineProblems | None
    tz_name: str = "Asia/Tokyo"
    trends: list[TrendSeries] = field(default_factory=list)  # numeric measures with earlier years
    # For the chart's trend (the dashboard's burndown): the local day each answered pair was first
    # submitted.
    answered_days: list[date] = field(default_factory=list)
    _chart: bytes | None = field(default=None, repr=False)

    @property
    def rate(self) -> Decimal:
        """The response rate, as the model counts it (submitted at least once / all pairs)."""
        return self.status.rate

    @property
    def behind(self) -> list[DepartmentStatus]:
        """Departments with measures open, furthest behind first."""
        return sorted(self.status.pending_departments, key=lambda s: (s.rate, s.name))

    @property
    def past_deadline(self) -> bool:
        return self.at.date() > self.round.deadline

    @property
    def overdue(self) -> list[DepartmentStatus]:
        return self.behind if self.past_deadline else []

    @property
    def unreachable(self) -> list[DepartmentStatus]:
        return [s for s in self.behind if s.department_id not in self.reachable]

    # --- text ------------------------------------------------------------------------------------

    def summary_lines(self, limit: int | None) -> list[str]:
        fy = self.round.fy.label
        status = self.status
        lines = [
            t.DIGEST_HEADING.format(fy=fy, day=format_day(self.at.date())),
            t.DIGEST_PERIOD.format(year=self.round.open_day.year, open=format_day(self.round.open_day),
                                   deadline=format_day(self.round.deadline)),
            t.DIGEST_OVERALL.format(rate=format_rate(status.rate), submitted=status.responded, total=status.total,
                                    done=len(status.done_departments), depts=len(status.departments)),
            t.DIGEST_APPROVAL.format(rate=format_rate(status.approval_rate), approved=status.approved,
                                     submitted=status.counts["submitted"], returned=status.counts["returned"]),
            "",
        ]
        if self.new_reports:
            lines.append(t.DIGEST_NEW.format(n=len(self.new_reports)))
            lines += _capped([t.DIGEST_NEW_LINE.format(no=r.no, department=r.department) for r in self.new_reports],
                             limit)
        else:
            lines.append(t.DIGEST_NONE_NEW)
        if self.overdue:
            lines += ["", t.DIGEST_OVERDUE_HEADING.format(n=len(self.overdue))]
            lines += _capped([t.DIGEST_OVERDUE_LINE.format(name=s.name, nos=_nos(s.open_nos)) for s in self.overdue],
                             limit)
        if self.unreachable:
            names = [s.name for s in self.unreachable]
            lines += ["", t.DIGEST_UNREACHABLE_HEADING.format(n=len(names)), "、".join(_capped(names, limit)),
                      t.DIGEST_UNREACHABLE_HINT]
        if status.unassigned:
            lines += ["", t.DIGEST_UNASSIGNED_HEADING.format(n=len(status.unassigned))]
            lines += [t.DIGEST_UNASSIGNED_LINE.format(no=no, title=title) for no, title in status.unassigned]
            lines.append(t.DIGEST_UNASSIGNED_HINT)
        if self.line is not None and self.line.any:
            lines += ["", *self.line_lines()]
        return lines

    def line_lines(self) -> list[str]:
        assert self.line is not None
        u = self.line.usage
        lines = [t.DIGEST_LINE_USAGE.format(month=u.month, sent=u.sent, budget=u.budget, left=u.left)]
        if u.refused:
            lines.append(t.DIGEST_LINE_REFUSED.format(n=u.refused))
        if self.line.rerouted:
            lines.append(t.DIGEST_LINE_REROUTED.format(n=self.line.rerouted))
        if self.line.undelivered:
            lines.append(t.DIGEST_LINE_LOST.format(n=len(self.line.undelivered), who="、".join(self.line.undelivered[:10])))
        if self.line.low:
            lines.append(t.DIGEST_LINE_LOW)
        return lines

    def department_lines(self, limit: int | None) -> list[str]:
        behind = self.behind
        lines = [t.DIGEST_DEPTS_HEADING]
        for i, s in enumerate(behind[:limit] if limit else behind, start=1):
            extra = (t.DIGEST_DEPT_DRAFTS.format(n=len(s.drafts)) if s.drafts else "")
            extra += t.DIGEST_DEPT_RETURNED.format(n=s.count("returned")) if s.count("returned") else ""
            extra += t.DIGEST_DEPT_UNREACHABLE if s.department_id not in self.reachable else ""
            lines.append(t.DIGEST_DEPT_LINE.format(i=i, name=s.name, rate=format_rate(s.rate), submitted=s.responded,
                                                   total=s.total, extra=extra))
        if limit and len(behind) > limit:
            lines.append(t.DIGEST_DEPTS_MORE.format(n=len(behind) - limit))
        lines.append(t.DIGEST_DEPTS_DONE.format(n=len(self.status.departments) - len(behind)))
        return lines

    def numeric_lines(self, limit: int | None) -> list[str]:
        reported = [n for n in self.numeric if n.actual_value is not None or n.skip]
        pending = sorted({n.no for n in self.numeric if n.actual_value is None and not n.skip})
        lines = [t.DIGEST_NUMERIC_HEADING.format(n=len({n.no for n in self.numeric}))]
        rendered = []
        for n in reported:
            values = {"no": n.no, "metric": n.metric + (f"({n.department})" if n.department else ""),
                      "actual": quantity(n.actual_value, n.actual_unit) if n.actual_value is not None
                      else SKIP_REASON.get(n.skip or "", n.skip or ""), "target": target_text(n)}
            if n.rate is None:
                rendered.append(t.DIGEST_NUMERIC_NO_RATE.format(**values, met=t.DIGEST_MET_NO_RATE[n.met]))
            else:
                rendered.append(t.DIGEST_NUMERIC_LINE.format(**values, rate=format_rate(float(n.rate)),
                                                             met=t.DIGEST_MET[n.met]))
        lines += _capped(rendered, limit)
        if pending:
            lines.append(t.DIGEST_NUMERIC_PENDING.format(nos=_nos(pending)))
        if self.trends:
            lines += ["", rt.DIGEST_TREND_HEAD, *_capped([trend_line(s) for s in self.trends], limit)]
        return lines

    def text(self, limit: int | None = None) -> str:
        """The whole digest as one text (the console; `limit` caps each list)."""
        parts = [self.summary_lines(limit), self.department_lines(limit)]
        if self.numeric:
            parts.append(self.numeric_lines(limit))
        return "\n\n".join("\n".join(p) for p in parts)

    def replies(self, with_chart: bool = True) -> list[Reply]:
        """The digest as chat messages: summary (with the chart), departments, numeric measures."""
        chart = self.chart() if with_chart else None
        alt = t.DIGEST_CHART_ALT.format(fy=self.round.fy.label) if chart else None
        out = [Reply("\n".join(self.summary_lines(TEXT_LIMIT)), image_png=chart, image_alt=alt),
               Reply("\n".join(self.department_lines(TEXT_LIMIT)))]
        if self.numeric:
            out.append(Reply("\n".join(self.numeric_lines(TEXT_LIMIT))))
        return out

    def chart(self) -> bytes:
        if self._chart is None:
            from bot.clock.digest_chart import render_chart  # matplotlib is loaded only when drawn

            self._chart = render_chart(self)
        return self._chart

    def to_json(self) -> dict[str, Any]:
        tz = ZoneInfo(self.tz_name)

        def iso(moment: datetime | None) -> str | None:
            return moment.astimezone(tz).isoformat() if moment else None

        return {
            "fy": self.round.key,
            "at": iso(self.at),
            "since": iso(self.since),
            "seq": self.slot.seq if self.slot else None,
            "deadline": self.round.deadline.isoformat(),
            "response_rate": {"submitted": self.status.responded, "total": self.status.total,
                              "rate": _rounded(self.rate)},
            "approval_rate": {"approved": self.status.approved, "total": self.status.total,
                              "rate": _rounded(self.status.approval_rate)},
            "departments": [
                {"department": s.name, "submitted": s.responded, "total": s.total, "rate": _rounded(s.rate),
                 "approved": s.approved, "open": list(s.open_nos), "drafts": list(s.drafts),
                 "reachable": s.department_id in self.reachable}
                for s in sorted(self.status.departments, key=lambda s: (s.rate, s.name))
            ],
            "new_reports": [{"no": r.no, "department": r.department, "status": r.status,
                             "reported_at": iso(r.reported_at)} for r in self.new_reports],
            "numeric": [
                {"no": n.no, "metric": n.metric, "department": n.department,
                 "target": {"value": _num(n.target_value), "unit": n.target_unit, "qualifier": n.qualifier},
                 "actual": None if n.actual_value is None else {"value": _num(n.actual_value), "unit": n.actual_unit},
                 "skipped": n.skip,
                 "rate": _num(n.rate), "met": n.met}
                for n in self.numeric
            ],
            "overdue": [{"department": s.name, "measures": list(s.open_nos)} for s in self.overdue],
            "unreachable": [s.name for s in self.unreachable],
            "unassigned": [{"no": no, "title": title} for no, title in self.status.unassigned],
            "trends": [{"no": s.no, "metric": s.metric,
                        "points": [{"fy": FiscalYear(fy).key, "value": _num(v), "unit": u} for fy, v, u in s.points]}
                       for s in self.trends],
            "line_push": None if self.line is None else {
                **self.line.usage.as_dict(), "rerouted": self.line.rerouted,
                "undelivered": list(self.line.undelivered), "low": self.line.low},
        }


def _capped(lines: list[str], limit: int | None) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [t.DIGEST_MORE.format(n=len(lines) - limit)]


def _nos(nos: Sequence[int]) -> str:
    return "、".join(f"No.{no}" for no in nos)


def _rounded(rate: Decimal) -> float:
    return float(round(rate, 4))


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def quantity(value: Decimal | None, unit: str | None) -> str:
    if value is None:
        return "—"
    return format_quantity(Decimal(value).normalize(), unit)


def trend_line(series: TrendSeries) -> str:
    """No.34 コミュニティ防災士数: 令和5年度 1,420名 → 令和6年度 1,480名 → 令和8年度 1,650名."""
    steps = [rt.DIGEST_TREND_POINT.format(fy=FiscalYear(fy).label, actual=format_quantity(v, u))
             for fy, v, u in series.points]
    return rt.DIGEST_TREND_LINE.format(no=series.no, metric=series.metric, series=" → ".join(steps))


def target_text(n: NumericLine) -> str:
    if n.target_value is None:
        return n.qualifier or "—"
    text = quantity(n.target_value, n.target_unit)
    return f"{text}({n.qualifier})" if n.qualifier else text


# --- reading -------------------------------------------------------------------------------------


def numeric_lines(session: Session, plan: Plan, fy: int) -> list[NumericLine]:
    """Each numeric target of the year with the submitted actuals reported for it (two queries)."""
    targets = session.execute(
        select(Measure.id, Measure.no, Measure.title, Target.metric, Target.value, Target.unit, Target.qualifier)
        .join(Target, Target.measure_id == Measure.id)
        .where(Measure.plan_id == plan.id, Target.fy == fy)
        .order_by(Measure.no, Target.position)
    ).all()
    actuals = session.execute(
        select(Report.measure_id, Department.name, Actual.metric, Actual.value, Actual.unit,
               Actual.achievement_rate, Actual.met, Actual.skip_reason)
        .join(Report, Report.id == Actual.report_id)
        .join(Department, Department.id == Report.department_id)
        .join(Measure, Measure.id == Report.measure_id)
        .where(Measure.plan_id == plan.id, Report.fy == fy, Report.is_current.is_(True),
               Report.status.in_(SUBMITTED))
        .order_by(Department.name)
    ).all()
    by_target: dict[tuple[int, str], list[Any]] = {}
    for row in actuals:
        by_target.setdefault((row.measure_id, row.metric), []).append(row)
    out: list[NumericLine] = []
    for tg in targets:
        base = NumericLine(tg.no, tg.title, tg.metric, tg.value, tg.unit, tg.qualifier)
        reported = by_target.get((tg.id, tg.metric), [])
        if not reported:
            out.append(base)
        for a in reported:
            out.append(NumericLine(tg.no, tg.title, tg.metric, tg.value, tg.unit, tg.qualifier,
                                   a.name if len(reported) > 1 else None, a.value, a.unit,
                                   a.achievement_rate, a.met, a.skip_reason))
    return out


def line_problems(session: Session, settings: Settings, rnd: Round, at: datetime) -> LineProblems | None:
    """This month's LINE pushes against the budget, and the round's messages the budget refused."""
    budgeted = [p for p in platforms.all_platforms() if p.capabilities.push_budget]
    names = [p.name for p in budgeted]
    if not any(p.configured(settings) for p in budgeted) and not _has_members(session, names):
        return None
    usage = push_budget.usage(session, push_budget.month_of(at.astimezone(settings.tz)),
                              settings.line_push_monthly_budget)
    refused = session.execute(
        select(OutboxMessage.platform, OutboxMessage.recipient, OutboxMessage.last_error, Department.name)
        .outerjoin(Department, Department.id == OutboxMessage.department_id)
        .where(OutboxMessage.key.like(f"{rnd.key}/%"), OutboxMessage.platform.in_(names),
               OutboxMessage.last_error.like("PushRefused%"))
    ).all()
    rerouted = sum(1 for r in refused if "→" in (r.last_error or ""))
    lost = tuple(f"{r.name or '—'} {name_of_account(session, f'{r.platform}:{r.recipient}')}"
                 for r in refused if "→" not in (r.last_error or ""))
    return LineProblems(usage, rerouted, lost)


def _has_members(session: Session, platform_names: list[str]) -> bool:
    return session.scalar(select(Member.id).where(Member.platform.in_(platform_names)).limit(1)) is not None


def build_digest(session: Session, settings: Settings, at: datetime, rnd: Round | None = None,
                 slot: Slot | None = None) -> Digest:
    """The digest at `at`. For a digest slot (given, or the one of `at`'s day), "new" means since
    the previous slot; on another day, since the latest slot before `at`."""
    rnd = rnd or round_for_digest(settings, at)
    at = at.astimezone(settings.tz)
    latest = rnd.latest_digest(at)
    if slot is None and latest is not None and latest.day == at.date():
        slot = latest  # asked on a digest day: that day's digest
    previous = rnd.previous_digest(slot) if slot is not None else latest
    since = previous.at if previous else None
    plan = active_plan(session)
    if plan is None:
        return Digest(rnd, at, since, slot, RoundStatus(rnd.fy, ()), set(), [], [], None)
    fy = rnd.fy.year
    reachable = set(members_by_department(session))
    return Digest(
        round=rnd, at=at, since=since, slot=slot, status=round_status(session, rnd.fy, plan), reachable=reachable,
        new_reports=submitted_between(session, fy, since, at, plan),
        numeric=numeric_lines(session, plan, fy),
        line=line_problems(session, settings, rnd, at),
        tz_name=settings.bot_timezone,
        trends=trend_series(session, plan, fy),
        answered_days=[moment.astimezone(settings.tz).date() for moment in first_answers(session, fy, None)],
    )


# --- sending -------------------------------------------------------------------------------------


def digest_key(rnd: Round, slot: Slot, platform: str, recipient: str) -> str:
    return f"{rnd.key}/digest/{slot.seq}/{platform}:{recipient}"


def due_digests(session: Session, settings: Settings, at: datetime) -> list[PlannedMessage]:
    """The digest messages of the slot in force at `at` not yet in the outbox (no writes)."""
    rnd = round_at(settings, at)
    plan = active_plan(session)
    if rnd is None or plan is None or not (plan.first_fy <= rnd.fy.year <= plan.last_fy):
        return []
    slot = rnd.latest_digest(at)
    if slot is None or not is_send_day(settings, at):
        return []
    targets: list[tuple[str, str, int | None]] = [
        (m.platform, m.user_id, m.department_id) for m in recipients_of_everything(session, settings)]
    targets += [(p.name, channel, None) for p in platforms.all_platforms() for channel in p.digest_channels(settings)]
    keys = {digest_key(rnd, slot, p, r): (p, r, d) for p, r, d in targets}
    sent = existing_keys(session, keys)
    todo = {k: v for k, v in keys.items() if k not in sent}
    if not todo:
        return []
    digest = build_digest(session, settings, at, rnd, slot)
    images = platforms.with_capability("images")  # e.g. LINE pushes need a hosted image URL
    with_chart = tuple(digest.replies(with_chart=True)) if any(p in images for p, _, _ in todo.values()) else ()
    text_only = tuple(digest.replies(with_chart=False))
    return [
        PlannedMessage(
            kind="digest", department=settings.coordinator_department, platform=p, recipient=r, measures=(), key=key,
            round=rnd.key, seq=slot.seq, day=slot.day,
            replies=with_chart if p in images else text_only,
            department_id=d,
        )
        for key, (p, r, d) in todo.items()
    ]


def enqueue_digests(session: Session, settings: Settings, at: datetime) -> list[PlannedMessage]:
    planned = due_digests(session, settings, at)
    inserted = enqueue_many(session, [m.outgoing() for m in planned], at)
    return [m for m in planned if m.key in inserted]


__all__ = ["Digest", "build_digest", "due_digests", "enqueue_digests"]

"""Where today stands against the plan's reporting rounds: open, late, before the next, or over.

Pure (but `in_words`, which reads the active plan's years): the dates come from
`bot.reporting.rounds` (Settings and the business calendar) and the plan's years from the caller. Answers (`締切はいつ?`), `状況` and the report dialog all say the
round in words from this one value, so they never disagree; a year outside the plan is never
offered (after the plan's last round the answer is that the plan's last round is over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.japanese.business_days import BusinessCalendar
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.rounds import calendar_of, deadline_date, opening_date
from bot.texts import rounds as say

OPEN = "open"  # between the opening and the deadline
LATE = "late"  # after the deadline, late reports still taken until the round's last day
BEFORE = "before"  # the next round of the plan has not opened yet
OVER = "over"  # the plan's last round has ended: nothing to report any more


@dataclass(frozen=True)
class RoundDates:
    """The dates of a round that people are told (`bot.reporting.rounds.Round` has every slot too;
    computing those for each question would cost more than answering it)."""

    fy: FiscalYear
    open_day: date  # the business day the round opens
    deadline: date
    last_day: date  # late reports are chased until this day


@dataclass(frozen=True)
class RoundPhase:
    phase: str  # OPEN / LATE / BEFORE / OVER
    round: RoundDates  # the round the phase is about: the open one, the next one, or the plan's last
    today: date
    business_days_left: int  # to the deadline, today included when it is a business day (0 when past)
    days_late: int  # calendar days past the deadline (LATE only)

    @property
    def fy(self) -> FiscalYear:
        return self.round.fy

    @property
    def accepts_reports(self) -> bool:
        """A report typed now is stored for `fy` (a draft before the round opens)."""
        return self.phase != OVER


def round_phase(settings: Settings, now: datetime, first_fy: int, last_fy: int) -> RoundPhase:
    """The phase at `now` of the rounds of fiscal years `first_fy`..`last_fy` (the plan's)."""
    today = now.astimezone(settings.tz).date()
    cal = calendar_of(settings)
    rounds = [_dates(settings, cal, FiscalYear(y)) for y in range(first_fy, last_fy + 1)]
    for rnd in rounds:
        if rnd.open_day <= today <= rnd.deadline:
            left = cal.business_days_between(today - timedelta(days=1), rnd.deadline)
            return RoundPhase(OPEN, rnd, today, left, 0)
        if rnd.deadline < today <= rnd.last_day:
            return RoundPhase(LATE, rnd, today, 0, (today - rnd.deadline).days)
    coming = [rnd for rnd in rounds if rnd.open_day > today]
    if coming:
        rnd = coming[0]
        return RoundPhase(BEFORE, rnd, today, cal.business_days_between(today - timedelta(days=1), rnd.deadline), 0)
    return RoundPhase(OVER, rounds[-1], today, 0, 0)


def _dates(settings: Settings, cal: BusinessCalendar, fy: FiscalYear) -> RoundDates:
    """The same dates `rounds.round_of` computes, without the reminder and digest slots."""
    deadline = deadline_date(settings, fy)
    return RoundDates(fy, cal.next_business_day(opening_date(settings, fy)), deadline,
                      deadline + timedelta(days=settings.round_followup_days))


def day_text(day: date) -> str:
    """2027年4月30日(金)"""
    return say.DAY.format(year=day.year, month=day.month, day=day.day, weekday=say.WEEKDAYS[day.weekday()])


def round_words(phase: RoundPhase, first_fy: int, last_fy: int, report_fy: FiscalYear | None = None) -> list[str]:
    """The phase as people want to hear it: the deadline, days left, late, or when the next opens;
    before a round, what a report made now would be (`report_fy`: the year the report dialog uses)."""
    rnd, fy = phase.round, phase.fy.label
    deadline, opens = day_text(rnd.deadline), day_text(rnd.open_day)
    if phase.phase == OPEN:
        if phase.today == rnd.deadline:
            return [say.ROUND_OPEN_LAST_DAY.format(fy=fy, deadline=deadline)]
        return [say.ROUND_OPEN.format(fy=fy, deadline=deadline, left=phase.business_days_left),
                say.ROUND_OPENED.format(opens=opens)]
    if phase.phase == LATE:
        return [say.ROUND_LATE.format(fy=fy, deadline=deadline, days=phase.days_late)]
    if phase.phase == BEFORE:
        draft = [say.ROUND_BEFORE_DRAFT.format(fy=fy)] if report_fy == phase.fy else []
        return [say.ROUND_BEFORE.format(fy=fy, opens=opens, deadline=deadline), *draft]
    first, last = FiscalYear(first_fy).label, FiscalYear(last_fy).label
    return [say.ROUND_OVER.format(first=first, last=last, deadline=deadline)]


def plan_year(fy: FiscalYear, first_fy: int, last_fy: int) -> FiscalYear:
    """`fy` brought inside the plan: after the plan, its last year; before it, its first."""
    return FiscalYear(min(max(fy.year, first_fy), last_fy))


def in_words(session: Session, settings: Settings, now: datetime) -> tuple[FiscalYear, list[str], bool]:
    """For a status view (`状況`, Slack's App Home): the year to show (the report year, never
    outside the plan), the round in words, and whether a report may still be made now."""
    from bot.catalog.store import active_plan
    from bot.reporting.reports import report_fy

    fy = report_fy(settings, now)
    plan = active_plan(session)
    if plan is None:
        return fy, [], True
    phase = round_phase(settings, now, plan.first_fy, plan.last_fy)
    shown = plan_year(fy, plan.first_fy, plan.last_fy)
    return shown, round_words(phase, plan.first_fy, plan.last_fy, fy), shown == fy

"""The reporting round of a fiscal year: when it opens, nudges, warns, closes and escalates.

Pure module: dates come from Settings and the business calendar, no I/O. Every message the
clock sends belongs to a *slot* (kind, sequence number, business day); the slot is part of the
message's idempotency key, so a pass that runs twice, late, or in two processes at once finds the
same slot and the same key.

Defaults for FY N (令和8年度 = FY2026): the round opens on February 1 of N+1 (the opening
reminder), nudges go out weekly (Mondays) until the final notice three business days before the
deadline (April 30 of N+1), and the first business day after the deadline the managers of
departments still missing reports are told. The weekly digest runs from the opening until
`round_followup_days` after the deadline. A slot that falls on a closed day (weekend, holiday,
year-end closure, extra closure) moves to the next business day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.config import Settings
from bot.japanese.business_days import BusinessCalendar
from bot.japanese.fiscal_year import FIRST_MONTH, FiscalYear, fiscal_year_of
from bot.texts import reporting as say

REMINDER_KINDS = ("open", "nudge", "final", "escalation")
_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Slot:
    """One scheduled send: `kind` number `seq` of the round, on business day `day` at `at`."""

    kind: str  # open / nudge / final / escalation / digest
    seq: int
    day: date
    at: datetime


@dataclass(frozen=True)
class Round:
    """The dates of one fiscal year's reporting round."""

    fy: FiscalYear
    opens: date  # the configured opening date (maybe a closed day)
    deadline: date
    open_day: date  # the business day the opening reminder goes out
    final_day: date
    escalation_day: date
    last_day: date  # digests and late escalations stop after this day
    reminder_slots: tuple[Slot, ...]
    digest_slots: tuple[Slot, ...]

    @property
    def key(self) -> str:
        """The round's part of an idempotency key: "R8"."""
        return self.fy.key

    def covers(self, day: date) -> bool:
        return self.open_day <= day <= self.last_day

    def latest_reminder(self, at: datetime) -> Slot | None:
        """The reminder slot in force at `at`: the last one whose time has come."""
        return _latest(self.reminder_slots, at)

    def latest_digest(self, at: datetime) -> Slot | None:
        return _latest(self.digest_slots, at)

    def previous_digest(self, slot: Slot) -> Slot | None:
        earlier = [s for s in self.digest_slots if s.seq < slot.seq]
        return earlier[-1] if earlier else None


def calendar_of(settings: Settings) -> BusinessCalendar:
    return BusinessCalendar(frozenset(settings.extra_closures))


def opening_date(settings: Settings, fy: FiscalYear) -> date:
    """The configured opening (month, day) inside fiscal year `fy`."""
    month, day = settings.round_open_month_day
    return date(fy.year if month >= FIRST_MONTH else fy.year + 1, month, day)


def deadline_date(settings: Settings, fy: FiscalYear) -> date:
    """The first configured deadline (month, day) after the opening: April 30 after a February opening."""
    opens = opening_date(settings, fy)
    month, day = settings.round_deadline_month_day
    deadline = date(opens.year, month, day)
    return deadline if deadline > opens else date(opens.year + 1, month, day)


def round_of(settings: Settings, fy: FiscalYear) -> Round:
    """The round of fiscal year `fy`, with every slot computed."""
    cal = calendar_of(settings)
    opens, deadline = opening_date(settings, fy), deadline_date(settings, fy)
    open_day = cal.next_business_day(opens)
    final_day = cal.business_days_before(deadline, settings.final_notice_business_days)
    escalation_day = cal.next_business_day(deadline, include_self=False)
    last_day = deadline + timedelta(days=settings.round_followup_days)

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=settings.tz)

    rh = settings.reminder_hour
    nudge_days = [d for d in _weekly(cal, opens, deadline, settings.nudge_weekday) if open_day < d < final_day]
    reminders = [Slot("open", 1, open_day, at(open_day, rh))]
    reminders += [Slot("nudge", i, d, at(d, rh)) for i, d in enumerate(nudge_days, start=1)]
    if open_day < final_day:
        reminders.append(Slot("final", 1, final_day, at(final_day, rh)))
    reminders.append(Slot("escalation", 1, escalation_day, at(escalation_day, rh)))
    digest_days = [d for d in _weekly(cal, opens, last_day, settings.digest_weekday) if open_day <= d <= last_day]
    digests = [Slot("digest", i, d, at(d, settings.digest_hour)) for i, d in enumerate(digest_days, start=1)]
    return Round(fy, opens, deadline, open_day, final_day, escalation_day, last_day,
                 tuple(sorted(reminders, key=lambda s: s.at)), tuple(digests))


def _weekly(cal: BusinessCalendar, start: date, end: date, weekday: int) -> list[date]:
    """Each `weekday` from `start` to `end`, moved to the next business day when closed (no repeats)."""
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    out: list[date] = []
    while day <= end:
        moved = cal.next_business_day(day)
        if not out or moved > out[-1]:
            out.append(moved)
        day += _WEEK
    return out


def _latest(slots: tuple[Slot, ...], at: datetime) -> Slot | None:
    due = [s for s in slots if s.at <= at]
    return due[-1] if due else None


def round_at(settings: Settings, at: datetime) -> Round | None:
    """The round in progress at `at` (from its opening day to its last follow-up day), if any."""
    day = at.astimezone(settings.tz).date()
    current = fiscal_year_of(day)
    for fy in (current.previous(), current):
        rnd = round_of(settings, fy)
        if rnd.covers(day):
            return rnd
    return None


def round_for_digest(settings: Settings, at: datetime) -> Round:
    """The round a digest at `at` is about: the one in progress, else the last one opened before."""
    rnd = round_at(settings, at)
    if rnd is not None:
        return rnd
    day = at.astimezone(settings.tz).date()
    current = fiscal_year_of(day)
    for fy in (current, current.previous(), current.previous().previous()):
        rnd = round_of(settings, fy)
        if rnd.open_day <= day:
            return rnd
    return round_of(settings, current)


def is_send_day(settings: Settings, at: datetime) -> bool:
    """Messages go out on business days only; a missed slot is caught up on the next one."""
    return calendar_of(settings).is_business_day(at.astimezone(settings.tz).date())




def format_day(day: date) -> str:
    """4月30日(金)"""
    return say.DAY.format(month=day.month, day=day.day, weekday=say.WEEKDAYS[day.weekday()])

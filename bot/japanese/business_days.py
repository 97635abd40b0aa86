"""Business days (開庁日) of a Japanese city office.

A day is a business day unless it is a Saturday, a Sunday, a public holiday under the 祝日法
(including 振替休日 and 国民の休日, from the jpholiday package), a day of the year-end closure
(December 29 – January 3), or one of the calendar's configured extra closures.

Pure module: no I/O; every function takes the dates it works on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import jpholiday

from bot.texts import japanese as t

__all__ = ["BusinessCalendar", "is_year_end_closure", "public_holiday_name"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_YEAR_END_FIRST = (12, 29)  # 年末年始休暇: December 29 ...
_NEW_YEAR_LAST = (1, 3)  # ... to January 3


@lru_cache(maxsize=256)
def _holidays_of_year(year: int) -> dict[date, str]:
    return dict(jpholiday.year_holidays(year))


def public_holiday_name(day: date) -> str | None:
    """The name of the national holiday on `day` ("成人の日", "春分の日 振替休日"), or None."""
    return _holidays_of_year(_as_date(day).year).get(day)


def is_year_end_closure(day: date) -> bool:
    """Whether `day` falls in the year-end closure, December 29 – January 3."""
    month_day = (_as_date(day).month, day.day)
    return month_day >= _YEAR_END_FIRST or month_day <= _NEW_YEAR_LAST


def _as_date(day: date) -> date:
    """`day` itself; datetimes are refused so that no time zone is guessed silently."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"expected a date, not {type(day).__name__}; convert a moment with .astimezone(tz).date() first"
        )
    return day


@dataclass(frozen=True)
class BusinessCalendar:
    """The business days of the office: weekdays that are no holiday, year-end closure or extra closure.

    `extra_closures` takes any iterable of dates (stored as a frozenset), e.g. a closure day decided
    by the city for an election or a system migration.
    """

    extra_closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        days: Iterable[date] = self.extra_closures
        if isinstance(days, date):
            raise TypeError("extra_closures must be a collection of dates, not a single date")
        object.__setattr__(self, "extra_closures", frozenset(_as_date(day) for day in days))

    def closure_reason(self, day: date) -> str | None:
        """Why the office is closed on `day` ("土曜日", "日曜日", the holiday's name, "年末年始",
        "臨時閉庁日"), or None on a business day."""
        day = _as_date(day)
        if day.weekday() >= _SATURDAY:
            return t.CLOSED_SATURDAY if day.weekday() == _SATURDAY else t.CLOSED_SUNDAY
        holiday = public_holiday_name(day)
        if holiday is not None:
            return holiday
        if is_year_end_closure(day):
            return t.CLOSED_YEAR_END
        if day in self.extra_closures:
            return t.CLOSED_EXTRA
        return None

    def is_business_day(self, day: date) -> bool:
        """Whether the office is open on `day`."""
        return self.closure_reason(day) is None

    def next_business_day(self, day: date, include_self: bool = True) -> date:
        """The first business day on or after `day` (strictly after it if not `include_self`)."""
        current = _as_date(day) if include_self else _as_date(day) + _ONE_DAY
        while not self.is_business_day(current):
            current += _ONE_DAY
        return current

    def previous_business_day(self, day: date, include_self: bool = True) -> date:
        """The last business day on or before `day` (strictly before it if not `include_self`)."""
        current = _as_date(day) if include_self else _as_date(day) - _ONE_DAY
        while not self.is_business_day(current):
            current -= _ONE_DAY
        return current

    def add_business_days(self, day: date, n: int) -> date:
        """The date `n` business days after `day` (before it if `n` is negative); `day` itself is not
        counted, so it need not be a business day. `n == 0` returns `day` unchanged."""
        current = _as_date(day)
        for _ in range(abs(n)):
            if n > 0:
                current = self.next_business_day(current, include_self=False)
            else:
                current = self.previous_business_day(current, include_self=False)
        return current

    def business_days_before(self, deadline: date, n: int) -> date:
        """The business day `n` business days before `deadline` (the deadline itself not counted).

        E.g. the final notice three business days before a deadline of 2027-04-30 (a Friday after
        昭和の日) goes out on 2027-04-26. With `n == 0` it is the deadline itself, or the last
        business day before it when the deadline falls on a closed day.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, not {n}")
        if n == 0:
            return self.previous_business_day(deadline)
        return self.add_business_days(deadline, -n)

    def business_days_between(self, start: date, end: date) -> int:
        """The number of business days after `start` up to and including `end`; negative when `end`
        is before `start`. Thus `business_days_between(d, add_business_days(d, n)) == n` for a
        business day `d`."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.business_days_between(end, start)
        return sum(
            self.is_business_day(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

"""Tests of bot.japanese.business_days: the business days of a Japanese city office."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.japanese.business_days import BusinessCalendar, is_year_end_closure, public_holiday_name

CAL = BusinessCalendar()

some_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
steps = st.integers(min_value=-80, max_value=80)
closure_sets = st.frozensets(st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), max_size=30)


# --- closed days of 2026–2027 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 29), "年末年始"),
        (date(2026, 12, 30), "年末年始"),
        (date(2026, 12, 31), "年末年始"),
        (date(2027, 1, 1), "元日"),
        (date(2027, 1, 2), "土曜日"),
        (date(2027, 1, 3), "日曜日"),
        (date(2027, 1, 11), "成人の日"),
        (date(2027, 2, 11), "建国記念の日"),
        (date(2027, 2, 23), "天皇誕生日"),
        (date(2027, 3, 21), "日曜日"),  # 春分の日 on a Sunday
        (date(2027, 3, 22), "春分の日 振替休日"),
        (date(2027, 4, 29), "昭和の日"),
        (date(2027, 5, 3), "憲法記念日"),
        (date(2027, 5, 4), "みどりの日"),
        (date(2027, 5, 5), "こどもの日"),
        (date(2027, 7, 19), "海の日"),
        (date(2027, 12, 29), "年末年始"),
        (date(2028, 1, 3), "年末年始"),
        (date(2028, 1, 2), "日曜日"),
        (date(2026, 5, 6), "憲法記念日 振替休日"),  # 2026-05-03 is a Sunday
        (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 and 秋分の日
        (date(2027, 4, 24), "土曜日"),
        (date(2027, 4, 25), "日曜日"),
    ],
)
def test_closed_days(day: date, reason: str) -> None:
    assert not CAL.is_business_day(day)
    assert CAL.closure_reason(day) == reason


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 28),  # last business day of 2026
        date(2027, 1, 4),  # first business day of 2027
        date(2027, 1, 12),
        date(2027, 2, 10),
        date(2027, 2, 12),
        date(2027, 2, 22),
        date(2027, 2, 24),
        date(2027, 3, 19),
        date(2027, 3, 23),
        date(2027, 3, 31),
        date(2027, 4, 1),
        date(2027, 4, 28),
        date(2027, 4, 30),
        date(2027, 5, 6),
        date(2027, 12, 28),
    ],
)
def test_business_days(day: date) -> None:
    assert CAL.is_business_day(day)
    assert CAL.closure_reason(day) is None


def test_every_day_of_year_end_closure_is_closed() -> None:
    for year in range(2020, 2031):
        first = date(year, 12, 29)
        for offset in range(6):  # December 29 .. January 3
            day = first + timedelta(days=offset)
            assert is_year_end_closure(day)
            assert not CAL.is_business_day(day)
        assert not is_year_end_closure(date(year, 12, 28))
        assert not is_year_end_closure(date(year + 1, 1, 4))


def test_public_holiday_name() -> None:
    assert public_holiday_name(date(2027, 3, 22)) == "春分の日 振替休日"
    assert public_holiday_name(date(2027, 2, 23)) == "天皇誕生日"
    assert public_holiday_name(date(2027, 3, 23)) is None
    assert public_holiday_name(date(2026, 12, 29)) is None  # closed, but no national holiday


def test_business_days_of_2027_count() -> None:
    # 365 days - 104 weekend days - 16 holidays on weekdays (3/21 春分の日 is a Sunday)
    # - 3 weekdays of the year-end closure (12/29–12/31; 1/2–1/3 are a weekend) = 242
    year_days = [date(2027, 1, 1) + timedelta(days=i) for i in range(365)]
    counted = sum(CAL.is_business_day(day) for day in year_days)
    assert CAL.business_days_between(date(2026, 12, 31), date(2027, 12, 31)) == counted
    assert counted == 242


# --- extra closures ------------------------------------------------------------------------------


def test_extra_closures() -> None:
    election_day_off = date(2027, 4, 26)
    cal = BusinessCalendar(extra_closures=frozenset({election_day_off}))
    assert CAL.is_business_day(election_day_off)
    assert not cal.is_business_day(election_day_off)
    assert cal.closure_reason(election_day_off) == "臨時閉庁日"
    assert cal.next_business_day(election_day_off) == date(2027, 4, 27)
    assert cal.previous_business_day(election_day_off) == date(2027, 4, 23)


def test_extra_closures_accept_any_iterable() -> None:
    cal = BusinessCalendar(extra_closures=[date(2027, 4, 26), date(2027, 4, 26)])  # type: ignore[arg-type]
    assert cal.extra_closures == frozenset({date(2027, 4, 26)})
    assert cal == BusinessCalendar(frozenset({date(2027, 4, 26)}))
    assert hash(cal) == hash(BusinessCalendar(frozenset({date(2027, 4, 26)})))


def test_extra_closure_on_a_holiday_keeps_the_holiday_reason() -> None:
    cal = BusinessCalendar(extra_closures=frozenset({date(2027, 1, 11)}))
    assert cal.closure_reason(date(2027, 1, 11)) == "成人の日"


def test_calendar_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CAL.extra_closures = frozenset()  # type: ignore[misc]


@pytest.mark.parametrize(
    "closures",
    [date(2027, 4, 26), [datetime(2027, 4, 26, 9, 0)], ["2027-04-26"]],
)
def test_extra_closures_must_be_dates(closures: object) -> None:
    with pytest.raises(TypeError):
        BusinessCalendar(extra_closures=closures)  # type: ignore[arg-type]


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        CAL.is_business_day(datetime(2027, 4, 26, 9, 0))  # type: ignore[arg-type]


# --- moving between business days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (date(2026, 12, 29), True, date(2027, 1, 4)),
        (date(2026, 12, 28), True, date(2026, 12, 28)),
        (date(2026, 12, 28), False, date(2027, 1, 4)),
        (date(2027, 3, 20), True, date(2027, 3, 23)),  # Sat, Sun 春分の日, Mon 振替休日
        (date(2027, 4, 29), True, date(2027, 4, 30)),
        (date(2027, 5, 1), True, date(2027, 5, 6)),  # Golden Week
        (date(2027, 1, 8), False, date(2027, 1, 12)),  # over 成人の日
    ],
)
def test_next_business_day(day: date, include_self: bool, expected: date) -> None:
    assert CAL.next_business_day(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (date(2027, 1, 3), True, date(2026, 12, 28)),
        (date(2027, 1, 4), True, date(2027, 1, 4)),
        (date(2027, 1, 4), False, date(2026, 12, 28)),
        (date(2027, 3, 22), True, date(2027, 3, 19)),
        (date(2027, 5, 5), True, date(2027, 4, 30)),
        (date(2027, 2, 24), False, date(2027, 2, 22)),  # over 天皇誕生日
    ],
)
def test_previous_business_day(day: date, include_self: bool, expected: date) -> None:
    assert CAL.previous_business_day(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2027, 4, 26), 0, date(2027, 4, 26)),
        (date(2027, 5, 1), 0, date(2027, 5, 1)),  # 0 leaves even a closed day as it is
        (date(2027, 4, 28), 1, date(2027, 4, 30)),  # over 昭和の日
        (date(2027, 4, 30), 1, date(2027, 5, 6)),  # over Golden Week
        (date(2027, 5, 6), -1, date(2027, 4, 30)),
        (date(2026, 12, 25), 1, date(2026, 12, 28)),
        (date(2026, 12, 28), 1, date(2027, 1, 4)),
        (date(2027, 1, 4), -1, date(2026, 12, 28)),
        (date(2027, 3, 19), 2, date(2027, 3, 24)),
        (date(2027, 1, 2), 1, date(2027, 1, 4)),  # from a closed day: the first business day after it
        (date(2027, 1, 2), -1, date(2026, 12, 28)),
        (date(2027, 3, 31), 5, date(2027, 4, 7)),
    ],
)
def test_add_business_days(day: date, n: int, expected: date) -> None:
    assert CAL.add_business_days(day, n) == expected


@pytest.mark.parametrize(
    ("deadline", "n", "expected"),
    [
        (date(2027, 4, 30), 3, date(2027, 4, 26)),  # Fri deadline: 4/28, 4/27, 4/26 (4/29 昭和の日)
        (date(2026, 4, 30), 3, date(2026, 4, 24)),  # Thu deadline: 4/28, 4/27, 4/24 (4/29 a Wed holiday)
        (date(2028, 4, 30), 3, date(2028, 4, 26)),  # Sun deadline
        (date(2027, 4, 30), 1, date(2027, 4, 28)),
        (date(2027, 4, 30), 0, date(2027, 4, 30)),
        (date(2028, 4, 30), 0, date(2028, 4, 28)),  # closed deadline: the last business day before it
        (date(2027, 1, 6), 3, date(2026, 12, 28)),  # across the year-end closure
    ],
)
def test_business_days_before(deadline: date, n: int, expected: date) -> None:
    assert CAL.business_days_before(deadline, n) == expected


def test_business_days_before_refuses_negative_n() -> None:
    with pytest.raises(ValueError):
        CAL.business_days_before(date(2027, 4, 30), -1)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2027, 4, 26), date(2027, 4, 26), 0),
        (date(2027, 4, 26), date(2027, 4, 30), 3),  # 4/27, 4/28, 4/30
        (date(2027, 4, 30), date(2027, 4, 26), -3),
        (date(2027, 4, 30), date(2027, 5, 6), 1),
        (date(2026, 12, 28), date(2027, 1, 4), 1),
        (date(2026, 12, 26), date(2027, 1, 5), 3),  # 12/28, 1/4, 1/5
        (date(2027, 3, 1), date(2027, 3, 31), 21),  # March 2027: 23 weekdays - 3/22 - 3/1 (not counted)
    ],
)
def test_business_days_between(start: date, end: date, count: int) -> None:
    assert CAL.business_days_between(start, end) == count


# --- properties ----------------------------------------------------------------------------------


@given(some_dates, steps.filter(lambda n: n != 0), closure_sets)
def test_add_business_days_lands_on_a_business_day(day: date, n: int, closures: frozenset[date]) -> None:
    cal = BusinessCalendar(closures)
    result = cal.add_business_days(day, n)
    assert cal.is_business_day(result)
    assert (result > day) if n > 0 else (result < day)


@given(some_dates, steps, closure_sets)
def test_add_business_days_round_trip(day: date, n: int, closures: frozenset[date]) -> None:
    cal = BusinessCalendar(closures)
    start = cal.next_business_day(day)
    there = cal.add_business_days(start, n)
    assert cal.add_business_days(there, -n) == start
    assert cal.business_days_between(start, there) == n


@given(some_dates, st.integers(min_value=0, max_value=40))
def test_business_days_before_is_a_business_day_before_the_deadline(deadline: date, n: int) -> None:
    notice = CAL.business_days_before(deadline, n)
    assert CAL.is_business_day(notice)
    assert notice <= deadline
    if n == 0:
        assert notice == CAL.previous_business_day(deadline)
    else:  # exactly n business days in [notice, deadline)
        assert CAL.business_days_between(notice, deadline - timedelta(days=1)) == n - 1


@given(some_dates, some_dates)
def test_business_days_between_is_antisymmetric_and_additive(a: date, b: date) -> None:
    if abs((b - a).days) > 800:
        b = a + timedelta(days=(b - a).days % 800)
    middle = a + (b - a) / 2
    middle = date.fromordinal(middle.toordinal())
    assert CAL.business_days_between(a, b) == -CAL.business_days_between(b, a)
    assert CAL.business_days_between(a, b) == CAL.business_days_between(
        a, middle
    ) + CAL.business_days_between(middle, b)


@given(some_dates)
def test_next_and_previous_business_day(day: date) -> None:
    following = CAL.next_business_day(day, include_self=False)
    preceding = CAL.previous_business_day(day, include_self=False)
    assert preceding < day < following
    assert CAL.is_business_day(following) and CAL.is_business_day(preceding)
    assert CAL.business_days_between(day, following) == 1
    if CAL.is_business_day(day):
        assert CAL.next_business_day(day) == day == CAL.previous_business_day(day)

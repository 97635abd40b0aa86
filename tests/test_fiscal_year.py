"""Tests of bot.japanese.fiscal_year: Japanese fiscal years (April – March, Asia/Tokyo)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.japanese.fiscal_year import (
    MAX_YEAR,
    MIN_YEAR,
    FiscalYear,
    FiscalYearError,
    find_fiscal_year,
    fiscal_year_of,
    parse_fiscal_year,
    reiwa_label,
)

JST = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 6, 15)  # in FY2026 = 令和8年度

fiscal_years = st.integers(min_value=MIN_YEAR + 1, max_value=MAX_YEAR - 1).map(FiscalYear)
any_fiscal_year = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR).map(FiscalYear)
dates_with_fy = st.dates(min_value=date(MIN_YEAR, 4, 1), max_value=date(MAX_YEAR + 1, 3, 31))


# --- FiscalYear ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "reiwa", "key", "label"),
    [
        (2019, 1, "R1", "令和元年度"),
        (2023, 5, "R5", "令和5年度"),
        (2024, 6, "R6", "令和6年度"),
        (2025, 7, "R7", "令和7年度"),
        (2026, 8, "R8", "令和8年度"),
        (2030, 12, "R12", "令和12年度"),
    ],
)
def test_reiwa_names(year: int, reiwa: int, key: str, label: str) -> None:
    fy = FiscalYear(year)
    assert fy.reiwa == reiwa
    assert fy.key == key
    assert fy.label == label
    assert str(fy) == label
    assert reiwa_label(year) == label
    assert FiscalYear.from_key(key) == fy


@pytest.mark.parametrize(
    ("year", "key", "label"),
    [(2018, "H30", "平成30年度"), (1989, "H1", "平成元年度"), (1988, "FY1988", "1988年度")],
)
def test_names_before_reiwa(year: int, key: str, label: str) -> None:
    fy = FiscalYear(year)
    assert (fy.key, fy.label) == (key, label)
    assert FiscalYear.from_key(key) == fy
    with pytest.raises(FiscalYearError):
        _ = fy.reiwa
    with pytest.raises(FiscalYearError):
        reiwa_label(year)


def test_start_end_next_previous() -> None:
    fy = FiscalYear(2026)
    assert fy.start == date(2026, 4, 1)
    assert fy.end == date(2027, 3, 31)
    assert fy.next() == FiscalYear(2027)
    assert fy.previous() == FiscalYear(2025)
    assert FiscalYear(2023) < FiscalYear(2026)
    assert sorted([FiscalYear(2026), FiscalYear(2023)]) == [FiscalYear(2023), FiscalYear(2026)]
    assert {FiscalYear(2026), FiscalYear(2026)} == {FiscalYear(2026)}


def test_leap_year_end() -> None:
    assert FiscalYear(2027).end == date(2028, 3, 31)
    assert FiscalYear(2027).contains(date(2028, 2, 29))


def test_is_frozen() -> None:
    fy = FiscalYear(2026)
    with pytest.raises(AttributeError):
        fy.year = 2027  # type: ignore[misc]


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1, 0, -5])
def test_year_out_of_range(year: int) -> None:
    with pytest.raises(FiscalYearError):
        FiscalYear(year)


@pytest.mark.parametrize("year", ["2026", 2026.0, True])
def test_year_must_be_int(year: object) -> None:
    with pytest.raises(TypeError):
        FiscalYear(year)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["r8", "R0", "R08", "8", "令和8年度", "FY26", "H32", "", " R8"])
def test_from_key_is_strict(key: str) -> None:
    with pytest.raises(FiscalYearError):
        FiscalYear.from_key(key)


# --- fiscal_year_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2026, 4, 1), 2026),
        (date(2026, 3, 31), 2025),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2023, 4, 1), 2023),
        (date(2019, 5, 1), 2019),
        (datetime(2026, 3, 31, 16, 0, tzinfo=UTC), 2026),  # 2026-04-01 01:00 JST
        (datetime(2026, 3, 31, 14, 59, tzinfo=UTC), 2025),  # 2026-03-31 23:59 JST
        (datetime(2027, 3, 31, 23, 59, tzinfo=JST), 2026),
        (datetime(2027, 3, 31, 23, 59, tzinfo=JST).astimezone(UTC), 2026),
        (datetime(2027, 4, 1, 0, 0, tzinfo=JST), 2027),
        (datetime(2026, 4, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5))), 2026),
        (datetime(2026, 3, 31, 23, 59), 2025),  # naive: taken as Tokyo wall-clock time
    ],
)
def test_fiscal_year_of(moment: date, year: int) -> None:
    assert fiscal_year_of(moment) == FiscalYear(year)


def test_fiscal_year_of_other_time_zone() -> None:
    moment = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert fiscal_year_of(moment, tz="UTC") == FiscalYear(2025)
    assert fiscal_year_of(moment, tz="Asia/Tokyo") == FiscalYear(2026)


def test_contains() -> None:
    fy = FiscalYear(2026)
    assert fy.contains(date(2026, 4, 1))
    assert fy.contains(date(2027, 3, 31))
    assert not fy.contains(date(2026, 3, 31))
    assert not fy.contains(date(2027, 4, 1))
    assert fy.contains(datetime(2026, 3, 31, 16, 0, tzinfo=UTC))


def test_fiscal_year_of_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        fiscal_year_of("2026-04-01")  # type: ignore[arg-type]


# --- parse_fiscal_year ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("R8", 2026),
        ("r8", 2026),
        ("Ｒ８", 2026),
        ("ｒ８", 2026),
        ("R8年度", 2026),
        ("R 8", 2026),
        ("令和8年度", 2026),
        ("令和８年度", 2026),
        ("令和 8 年度", 2026),
        ("令和8", 2026),
        ("令和元年度", 2019),
        ("令和元", 2019),
        ("令和1年度", 2019),
        ("R5", 2023),
        ("2026年度", 2026),
        ("２０２６年度", 2026),
        ("FY2026", 2026),
        ("fy2026", 2026),
        ("FY 2026", 2026),
        ("ＦＹ２０２６", 2026),
        ("2026", 2026),
        ("２０２６", 2026),
        ("H30", 2018),
        ("h30", 2018),
        ("平成30年度", 2018),
        ("平成元年度", 1989),
        ("H31", 2019),
        ("㋿8年度", 2026),
        ("  R8  ", 2026),
        ("\u3000令和8年度\u3000", 2026),
        ("\tFY2026\n", 2026),
    ],
)
def test_parse_absolute_forms(text: str, year: int) -> None:
    assert parse_fiscal_year(text) == FiscalYear(year)
    assert parse_fiscal_year(text, today=TODAY) == FiscalYear(year)


@pytest.mark.parametrize(
    ("text", "today", "year"),
    [
        ("今年度", TODAY, 2026),
        ("本年度", TODAY, 2026),
        ("当年度", TODAY, 2026),
        ("昨年度", TODAY, 2025),
        ("前年度", TODAY, 2025),
        ("来年度", TODAY, 2027),
        ("次年度", TODAY, 2027),
        ("翌年度", TODAY, 2027),
        ("一昨年度", TODAY, 2024),
        ("再来年度", TODAY, 2028),
        (" 今年度 ", TODAY, 2026),
        ("今年度", date(2027, 3, 31), 2026),  # still FY2026 in March
        ("今年度", date(2027, 4, 1), 2027),
        ("昨年度", date(2026, 1, 10), 2024),  # January 2026 is in FY2025
        ("今年度", datetime(2026, 3, 31, 16, 0, tzinfo=UTC), 2026),
    ],
)
def test_parse_relative_forms(text: str, today: date, year: int) -> None:
    assert parse_fiscal_year(text, today=today) == FiscalYear(year)


@pytest.mark.parametrize("text", ["今年度", "昨年度", "来年度", "本年度", "前年度", "次年度"])
def test_relative_form_needs_today(text: str) -> None:
    with pytest.raises(FiscalYearError, match="今日の日付が必要です"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "令和",
        "R",
        "FY",
        "年度",
        "今年",
        "昨年",
        "令和8年",  # a calendar year, not a fiscal year
        "2026年",
        "26",
        "FY26",
        "0226",
        "20260",
        "2026-04-01",
        "No.34",
        "34番",
        "1,700名",
        "R8の目標",
        "令和8年度の目標",
        "X8",
        "昭和60年度",
        "あした",
    ],
)
def test_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(FiscalYearError) as error:
        parse_fiscal_year(text, today=TODAY)
    message = str(error.value)
    assert "ください" in message
    for form in ("R8", "令和8年度", "2026年度", "FY2026", "今年度"):
        assert form in message


@pytest.mark.parametrize("text", ["R0", "令和0年度", "H0", "H32", "平成32年度", "FY0999", "9999年度"])
def test_parse_rejects_impossible_years(text: str) -> None:
    with pytest.raises(FiscalYearError):
        parse_fiscal_year(text, today=TODAY)


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_fiscal_year("だめ")
    assert issubclass(FiscalYearError, ValueError)


def test_error_message_is_polite_japanese() -> None:
    with pytest.raises(FiscalYearError) as error:
        parse_fiscal_year("よくわからない")
    message = str(error.value)
    assert "「よくわからない」" in message
    assert "でした" in message and "ください" in message


# --- find_fiscal_year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "year"),
    [
        ("No.34の令和7年度の目標は?", 2025),
        ("No.34の令和7年度の目標は？", 2025),
        ("R7の進捗", 2025),
        ("r7の進捗を教えて", 2025),
        ("Ｒ７の実績", 2025),
        ("2025年度の実績", 2025),
        ("２０２５年度の実績", 2025),
        ("昨年度の結果", 2025),
        ("来年度は?", 2027),
        ("今年度の目標を見せて", 2026),
        ("一昨年度の結果は", 2024),
        ("令和元年度の実績", 2019),
        ("34番の令和 6 年度", 2024),
        ("FY2025 results of No.12", 2025),
        ("No.5 FY2024の値", 2024),
        ("R8年度の計画", 2026),
        ("令和8の目標", 2026),
        ("H30比で1,700名増", 2018),
        ("令和6年度までに累計1,700名", 2024),
        ("令和7年度から令和8年度にかけて", 2025),  # the first one
        ("令和8年3月31日までに令和7年度の報告を", 2025),  # the date is skipped
        ("R7.4.1開始、R8の目標", 2026),
        ("目標はR6です", 2024),
    ],
)
def test_find_in_sentence(sentence: str, year: int) -> None:
    assert find_fiscal_year(sentence, today=TODAY) == FiscalYear(year)


@pytest.mark.parametrize(
    "sentence",
    [
        "No.34の目標は?",
        "34番の進捗",
        "1,700名を目標にします",
        "１，７００名",
        "2025の実績",  # a bare number is not a year inside a sentence
        "目標値は2026件",
        "2026年4月1日から",
        "令和8年3月31日まで",
        "H27年に策定",
        "R7.4.1開始",
        "R7/4/1",
        "H2Oの削減",
        "CO2削減30%",
        "昨年の結果",
        "今年の目標",
        "HR12の会議",
        "No.2025年度",
        "R100の件",
        "H45の件",  # no such Heisei year
        "",
    ],
)
def test_find_nothing(sentence: str) -> None:
    assert find_fiscal_year(sentence, today=TODAY) is None


def test_find_relative_depends_on_today() -> None:
    assert find_fiscal_year("昨年度の結果", today=date(2027, 4, 1)) == FiscalYear(2026)
    assert find_fiscal_year("昨年度の結果", today=date(2027, 3, 31)) == FiscalYear(2025)


# --- properties ----------------------------------------------------------------------------------


@given(dates_with_fy)
def test_fiscal_year_of_any_date_contains_it(day: date) -> None:
    fy = fiscal_year_of(day)
    assert fy.contains(day)
    assert fy.start <= day <= fy.end


@given(fiscal_years)
def test_next_previous_are_inverse(fy: FiscalYear) -> None:
    assert fy.next().previous() == fy
    assert fy.previous().next() == fy
    assert fy.previous() < fy < fy.next()
    assert fy.next().start == fy.end + timedelta(days=1)


@given(any_fiscal_year)
def test_key_and_label_parse_back(fy: FiscalYear) -> None:
    assert parse_fiscal_year(fy.key) == fy
    assert parse_fiscal_year(fy.label) == fy
    assert parse_fiscal_year(str(fy)) == fy
    assert FiscalYear.from_key(fy.key) == fy
    assert fiscal_year_of(fy.start) == fy == fiscal_year_of(fy.end)


@given(st.integers(min_value=2019, max_value=2117).map(FiscalYear), dates_with_fy)
def test_key_and_label_are_found_in_sentences(fy: FiscalYear, today: date) -> None:
    assert find_fiscal_year(f"No.34の{fy.label}の目標は?", today=today) == fy
    assert find_fiscal_year(f"{fy.key}の進捗", today=today) == fy
    assert find_fiscal_year(f"{fy.year}年度の実績", today=today) == fy


@given(st.dates(min_value=date(MIN_YEAR + 1, 4, 1), max_value=date(MAX_YEAR, 3, 31)))
def test_relative_words(today: date) -> None:
    this_year = fiscal_year_of(today)
    assert parse_fiscal_year("今年度", today=today) == this_year
    assert parse_fiscal_year("昨年度", today=today) == this_year.previous()
    assert parse_fiscal_year("来年度", today=today) == this_year.next()

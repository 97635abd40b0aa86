"""Tests of bot.japanese.numbers: reading what staff type, converting, formatting, plausibility."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.japanese.numbers import (
    IncompatibleUnitsError,
    NumberParseError,
    Quantity,
    canonical_unit,
    convert,
    format_number,
    format_quantity,
    parse_for_target,
    parse_quantity,
    unit_family,
)
from bot.japanese.plausibility import implausible

D = Decimal

# (typed, value, unit, approx)
PARSE_CASES: list[tuple[str, str, str | None, bool]] = [
    ("1650", "1650", None, False),
    ("1,650名", "1650", "名", False),
    ("１，６５０名", "1650", "名", False),
    ("1，650名", "1650", "名", False),
    ("１、６５０名", "1650", "名", False),
    ("1,650,000", "1650000", None, False),
    ("千六百五十", "1650", None, False),
    ("千六百五十名", "1650", "名", False),
    ("一千六百五十", "1650", None, False),
    ("二十", "20", None, False),
    ("三百五", "305", None, False),
    ("一万", "10000", None, False),
    ("一万二千", "12000", None, False),
    ("二千二十三", "2023", None, False),
    ("二〇二三", "2023", None, False),
    ("〇", "0", None, False),
    ("零", "0", None, False),
    ("壱万弐千参百", "12300", None, False),
    ("1万2千", "12000", None, False),
    ("1.5万", "15000", None, False),
    ("1.5万人", "15000", "人", False),
    ("12万3456", "123456", None, False),
    ("8億", "800000000", None, False),
    ("8億円", "8", "億円", False),
    ("８億円", "8", "億円", False),
    ("3億5000万円", "35000", "万円", False),
    ("3億 5000万円", "35000", "万円", False),
    ("800,000千円", "800000", "千円", False),
    ("800,000 千円", "800000", "千円", False),
    ("5百万円", "5", "百万円", False),
    ("1,200円", "1200", "円", False),
    ("約1,650人", "1650", "人", True),
    ("およそ1650名", "1650", "名", True),
    ("1650名程度", "1650", "名", True),
    ("1650名くらい", "1650", "名", True),
    ("約 1,650 名", "1650", "名", True),
    ("実績は1,650名です", "1650", "名", False),
    ("実績は1,650名です。", "1650", "名", False),
    ("令和6年度は1,650名でした", "1650", "名", False),
    ("R6 1650件", "1650", "件", False),
    ("一般の参加者は1,650名", "1650", "名", False),
    ("予約120件", "120", "件", False),
    ("98.87％", "98.87", "%", False),
    ("９８．５％", "98.5", "%", False),
    ("98.47%", "98.47", "%", False),
    ("98.50%", "98.50", "%", False),
    ("98.5パーセント", "98.5", "%", False),
    ("△5%", "-5", "%", False),
    ("▲1.2億円", "-1.2", "億円", False),
    ("−3件", "-3", "件", False),
    ("-3", "-3", None, False),
    ("ー5件", "-5", "件", False),
    ("マイナス2.5%", "-2.5", "%", False),
    ("約 △ 2.5 %", "-2.5", "%", True),
    ("センター5件", "5", "件", False),
    ("144,000t", "144000", "t", False),
    ("１４４，０００ｔ", "144000", "t", False),
    ("10 トン", "10", "t", False),
    ("500kg", "500", "kg", False),
    ("12件", "12", "件", False),
    ("3地区", "3", "地区", False),
    ("5団体", "5", "団体", False),
    ("40世帯", "40", "世帯", False),
    ("4回", "4", "回", False),
    ("2校", "2", "校", False),
    ("5箇所", "5", "箇所", False),
    ("5か所", "5", "箇所", False),
    ("5ヶ所", "5", "箇所", False),
    ("5カ所", "5", "箇所", False),
    ("10本", "10", "本", False),
    ("3台", "3", "台", False),
    ("2棟", "2", "棟", False),
    ("0.5", "0.5", None, False),
    (" 1650 ", "1650", None, False),
]


@pytest.mark.parametrize(("typed", "value", "unit", "approx"), PARSE_CASES)
def test_parse_quantity(typed: str, value: str, unit: str | None, approx: bool) -> None:
    quantity = parse_quantity(typed)
    assert quantity == Quantity(value=D(value), unit=unit, approx=approx, typed=typed)


def test_parse_keeps_typed_decimals() -> None:
    assert str(parse_quantity("98.50%").value) == "98.50"
    assert str(parse_quantity("1.5万").value) == "15000"
    assert str(parse_quantity("▲1.2億円").value) == "-1.2"


ERROR_CASES = [
    "",
    "   ",
    "なし",
    "未集計です",
    "100か200",
    "100名か200名",
    "１，６５０、９８．５％",
    "1,5",
    "1 650",
    "1.2.3",
    "1万12345",
    "一般",
    "十分です",
    "目標2,000名に対して1,650名",
]


@pytest.mark.parametrize("typed", ERROR_CASES)
def test_parse_errors(typed: str) -> None:
    with pytest.raises(NumberParseError) as caught:
        parse_quantity(typed)
    message = str(caught.value)
    assert "例: 1,650名 / 98.5% / 8億円" in message
    assert message.endswith("。")
    assert "ください" in message


def test_ambiguous_message_names_the_numbers() -> None:
    with pytest.raises(NumberParseError, match="「100」「200」"):
        parse_quantity("100か200")


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(NumberParseError, ValueError)
    assert issubclass(IncompatibleUnitsError, NumberParseError)


# (typed, target unit, value, unit)
TARGET_CASES: list[tuple[str, str | None, str, str | None]] = [
    ("８億円", "千円", "800000", "千円"),
    ("8億円", "千円", "800000", "千円"),
    ("3億5000万円", "千円", "350000", "千円"),
    ("▲1.2億円", "千円", "-120000", "千円"),
    ("1,200円", "千円", "1.2", "千円"),
    ("800,000千円", "億円", "8", "億円"),
    ("1650", "名", "1650", "名"),
    ("約1,650人", "名", "1650", "名"),
    ("1650名", "人", "1650", "人"),
    ("144,000t", "t", "144000", "t"),
    ("500kg", "t", "0.5", "t"),
    ("1.5トン", "kg", "1500", "kg"),
    ("98.87", "％", "98.87", "%"),
    ("98.87％", "%", "98.87", "%"),
    ("5か所", "箇所", "5", "箇所"),
    ("12", "ha", "12", "ha"),
    ("12件", None, "12", "件"),
]


@pytest.mark.parametrize(("typed", "target_unit", "value", "unit"), TARGET_CASES)
def test_parse_for_target(typed: str, target_unit: str | None, value: str, unit: str | None) -> None:
    quantity = parse_for_target(typed, target_unit)
    assert (quantity.value, quantity.unit) == (D(value), unit)
    assert quantity.typed == typed


def test_parse_for_target_keeps_approx() -> None:
    assert parse_for_target("約8億円", "千円").approx is True


@pytest.mark.parametrize(
    ("typed", "target_unit", "expected"),
    [
        ("5件", "%", "「%」"),
        ("98%", "名", "「名」"),
        ("8億円", "t", "「t」"),
        ("5件", "回", "「回」"),
        ("3名", "ha", "「ha」"),
    ],
)
def test_parse_for_target_rejects_other_units(typed: str, target_unit: str, expected: str) -> None:
    with pytest.raises(NumberParseError, match=expected) as caught:
        parse_for_target(typed, target_unit)
    assert "例:" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("8", "億円", "千円", "800000"),
        ("1", "百万円", "万円", "100"),
        ("150000", "千円", "億円", "1.5"),
        ("1", "円", "千円", "0.001"),
        ("144", "t", "kg", "144000"),
        ("1650", "人", "名", "1650"),
        ("98.5", "％", "%", "98.5"),
        ("5", "ヶ所", "箇所", "5"),
    ],
)
def test_convert(value: str, source: str, target: str, expected: str) -> None:
    assert convert(D(value), source, target) == D(expected)


@pytest.mark.parametrize(
    ("source", "target"), [("件", "%"), ("件", "個"), ("t", "千円"), ("名", "世帯"), ("ha", "a")]
)
def test_convert_rejects_other_families(source: str, target: str) -> None:
    with pytest.raises(IncompatibleUnitsError):
        convert(D(1), source, target)


def test_convert_result_has_no_exponent() -> None:
    assert str(convert(D(8), "億円", "千円")) == "800000"


def test_units() -> None:
    assert canonical_unit("％") == "%"
    assert canonical_unit(" か所 ") == "箇所"
    assert canonical_unit("ha") == "ha"
    assert unit_family("人") == unit_family("名") == "people"
    assert unit_family("億円") == "yen"
    assert unit_family("ha") is None
    assert unit_family(None) is None


FORMAT_CASES: list[tuple[Decimal | int | float, str | None, str]] = [
    (1700, "名", "1,700名"),
    (D("98.87"), "%", "98.87%"),
    (98.87, "%", "98.87%"),
    (98.47, "％", "98.47%"),
    (D(800000), "千円", "800,000千円"),
    (D(144000), "t", "144,000t"),
    (D("1650.0"), "人", "1,650人"),
    (1650.0, None, "1,650"),
    (D("8E+3"), "件", "8,000件"),
    (-1200, None, "△1,200"),
    (D("-5"), "%", "△5%"),
    (D("-1234.5"), "千円", "△1,234.5千円"),
    (D("-0"), None, "0"),
    (0, "件", "0件"),
    (D("1E-7"), None, "0.0000001"),
    (1e20, "t", "100,000,000,000,000,000,000t"),
    (D("12"), "か所", "12箇所"),
]


@pytest.mark.parametrize(("value", "unit", "expected"), FORMAT_CASES)
def test_format_quantity(value: Decimal | int | float, unit: str | None, expected: str) -> None:
    assert format_quantity(value, unit) == expected


def test_format_number() -> None:
    assert format_number(D("1234567.89")) == "1,234,567.89"
    assert format_number(-3) == "△3"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), D("NaN"), D("-Infinity")])
def test_format_rejects_non_finite(value: Decimal | float) -> None:
    with pytest.raises(ValueError):
        format_number(value)


@pytest.mark.parametrize(
    ("value", "unit", "target", "flagged"),
    [
        ("100", "%", None, False),
        ("100.1", "%", None, True),
        ("-0.5", "%", None, True),
        ("0", "%", None, False),
        ("1700", "名", "2000", False),
        ("20000", "名", "2000", True),
        ("19999", "名", "2000", False),
        ("200", "名", "2000", True),
        ("201", "名", "2000", False),
        ("0", "件", "10", True),
        ("5", "件", "0", False),
        ("5", "件", None, False),
        ("800000", "千円", "80000", True),
        ("-150", "千円", "-100", False),
    ],
)
def test_implausible(value: str, unit: str | None, target: str | None, flagged: bool) -> None:
    reason = implausible(D(value), unit, None if target is None else D(target))
    assert (reason is not None) == flagged
    if reason is not None:
        assert reason.endswith("ご確認ください。")


def test_implausible_message_shows_the_numbers() -> None:
    reason = implausible(D(20000), "名", D(2000))
    assert reason is not None and "20,000名" in reason and "2,000名" in reason
    assert implausible(D("105"), "％", None) == "105%は100%を超えています。入力に誤りがないかご確認ください。"


# -- properties ------------------------------------------------------------------------------

_KANJI_DIGITS = "〇一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def to_kanji(n: int) -> str:
    """Write a non-negative integer below 10^16 in kanji numerals: 12345 → 一万二千三百四十五."""
    if n == 0:
        return "〇"
    text = ""
    for big, power in (("兆", 12), ("億", 8), ("万", 4), ("", 0)):
        group = n // 10**power % 10**4
        if group:
            text += _kanji_below_10000(group) + big
    return text


def _kanji_below_10000(n: int) -> str:
    text = ""
    for small, power in (("千", 3), ("百", 2), ("十", 1)):
        digit = n // 10**power % 10
        if digit:
            text += ("" if digit == 1 else _KANJI_DIGITS[digit]) + small
    return text + (_KANJI_DIGITS[n % 10] if n % 10 else "")


def test_to_kanji_helper() -> None:
    assert to_kanji(1650) == "千六百五十"
    assert to_kanji(2023) == "二千二十三"
    assert to_kanji(10000) == "一万"
    assert to_kanji(350_000_000) == "三億五千万"


_integers = st.integers(min_value=0, max_value=10**12 - 1)


@given(_integers)
def test_formatted_number_round_trips(n: int) -> None:
    assert parse_quantity(format_number(n)).value == n


@given(_integers)
def test_full_width_number_round_trips(n: int) -> None:
    assert parse_quantity(format_number(n).translate(_FULL_WIDTH)).value == n


@given(_integers)
def test_kanji_number_round_trips(n: int) -> None:
    assert parse_quantity(to_kanji(n)).value == n


@given(_integers, st.sampled_from(["名", "件", "%", "千円", "t"]))
def test_formatted_quantity_round_trips(n: int, unit: str) -> None:
    quantity = parse_quantity(format_quantity(-n, unit))
    assert (quantity.value, quantity.unit) == (-n, unit)


_units = st.sampled_from([None, "名", "人", "%", "円", "千円", "億円", "t", "kg", "件"])


@given(
    st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30),
        st.decimals(allow_nan=False, allow_infinity=False, min_value=D("-1e-20"), max_value=D("1e-20")),
    ),
    _units,
)
def test_format_quantity_has_no_exponent(value: Decimal | int | float, unit: str | None) -> None:
    text = format_quantity(value, unit)
    assert "e" not in text and "E" not in text


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=2))
def test_formatted_decimal_round_trips(value: Decimal) -> None:
    assert parse_quantity(format_number(value)).value == value


_FAMILIES = [["円", "千円", "万円", "百万円", "億円"], ["t", "kg"], ["名", "人"], ["%"], ["件"]]


@given(
    st.sampled_from(_FAMILIES).flatmap(
        lambda family: st.tuples(st.sampled_from(family), st.sampled_from(family))
    ),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=4),
)
def test_convert_round_trips_within_a_family(units: tuple[str, str], value: Decimal) -> None:
    source, target = units
    assert convert(convert(value, source, target), target, source) == value


@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789０１２,，.．、 約△▲-ー万億千百十一二五〇名人円%件tか")),
        max_size=20,
    )
)
def test_parse_never_fails_otherwise(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except NumberParseError:
        return
    assert quantity.typed == text
    assert "e" not in format_quantity(quantity.value, quantity.unit).lower()


@given(st.text(max_size=30))
def test_parse_any_text(text: str) -> None:
    try:
        parse_quantity(text)
    except NumberParseError:
        pass


@pytest.mark.parametrize(
    ("stored", "unit", "shown"),
    [("98.8700", "%", "98.87%"), ("1700.0000", "名", "1,700名"), ("800000.0000", "千円", "800,000千円")],
)
def test_values_read_back_from_a_numeric_column_show_no_padding(stored: str, unit: str, shown: str) -> None:
    assert format_quantity(Decimal(stored), unit) == shown


@pytest.mark.parametrize("typed", ["No.34の進捗は?", "R6", "4月", "第3期", "#12"])
def test_a_number_that_names_a_measure_year_or_date_alone_is_not_a_quantity(typed: str) -> None:
    with pytest.raises(NumberParseError):
        parse_quantity(typed)

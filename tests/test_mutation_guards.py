"""What people read, to the character: tests written to kill the mutants that survived the first
mutation run (docs/testing.md). Each expected text was read and checked by hand against the plan's
wording (以上 / 以下 / 維持, ポイント for rates, △ for a shortfall)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.reporting import reports
from bot.reporting.reports import Achievement
from bot.storage.models import Target


def target(value: str | None, unit: str | None, direction: str, qualifier: str | None = None) -> Target:
    return Target(fy=2026, metric="m", value=None if value is None else Decimal(value), unit=unit,
                  direction=direction, qualifier=qualifier)


def base(direction: str, actual: str, goal: str, unit: str) -> dict[str, str]:
    return {"direction": direction, "actual": actual, "target": goal, "unit": unit}


CASES = [
    pytest.param("1", "名", None, Achievement(None, None, {
        "rule": "none", "text": "目標に数値がないため自動判定していません(目標なし)。"}), id="no-target"),
    pytest.param("1", "名", target(None, "名", "at_least", "増加"), Achievement(None, None, {
        "rule": "none", "text": "目標に数値がないため自動判定していません(増加)。"}), id="qualifier-only"),
    pytest.param("1", "名", target(None, "名", "at_least"), Achievement(None, None, {
        "rule": "none", "text": "目標に数値がないため自動判定していません(数値のない目標)。"}), id="no-value"),
    pytest.param("5", "回", target("1700", "名", "at_least"), Achievement(None, None, {
        "rule": "none", "text": "単位「回」が目標の「名」と異なるため判定していません。"}), id="other-unit"),
    pytest.param("1650", "名", target("1700", "名", "at_least"), Achievement(Decimal("0.970588"), False, {
        **base("at_least", "1650", "1700", "名"), "rule": "ratio",
        "text": "達成率 97.06%(実績 1,650名 ÷ 目標 1,700名)→ 未達成"}), id="ratio-short"),
    pytest.param("1700", None, target("1700", "名", "at_least"), Achievement(Decimal("1.000000"), True, {
        **base("at_least", "1700", "1700", "名"), "rule": "ratio",
        "text": "達成率 100%(実績 1,700名 ÷ 目標 1,700名)→ 達成"}), id="ratio-met-unit-implied"),
    pytest.param("2", "件", target("3", "件", "at_least"), Achievement(Decimal("0.666667"), False, {
        **base("at_least", "2", "3", "件"), "rule": "ratio",
        "text": "達成率 66.67%(実績 2件 ÷ 目標 3件)→ 未達成"}), id="ratio-rounded-half-up"),
    pytest.param("3", "件", target("0", "件", "at_least"), Achievement(None, True, {
        **base("at_least", "3", "0", "件"), "rule": "at_least", "text": "実績 3件(目標 0)→ 達成"}), id="goal-zero"),
    pytest.param("143000", "t", target("144000", "t", "at_most"), Achievement(None, True, {
        **base("at_most", "143000", "144000", "t"), "rule": "at_most", "margin": "1000",
        "text": "実績 143,000t(目標 144,000t 以下)→ 達成(目標まで1,000tの余裕)"}), id="at-most-met"),
    pytest.param("145000", "t", target("144000", "t", "at_most"), Achievement(None, False, {
        **base("at_most", "145000", "144000", "t"), "rule": "at_most", "margin": "-1000",
        "text": "実績 145,000t(目標 144,000t 以下)→ 未達成(目標を1,000t上回る)"}), id="at-most-over"),
    pytest.param("5", "回", target("5", "回", "exactly"), Achievement(None, True, {
        **base("exactly", "5", "5", "回"), "rule": "exactly", "margin": "0",
        "text": "実績 5回(目標 5回 を維持)→ 達成(差 ±0)"}), id="exactly-met"),
    pytest.param("4", "回", target("5", "回", "exactly"), Achievement(None, False, {
        **base("exactly", "4", "5", "回"), "rule": "exactly", "margin": "1",
        "text": "実績 4回(目標 5回 を維持)→ 未達成(差 △1)"}), id="exactly-under"),
    pytest.param("6", "回", target("5", "回", "exactly"), Achievement(None, False, {
        **base("exactly", "6", "5", "回"), "rule": "exactly", "margin": "-1",
        "text": "実績 6回(目標 5回 を維持)→ 未達成(差 +1)"}), id="exactly-over"),
    pytest.param("98.87", "%", target("100", "%", "at_least"), Achievement(None, False, {
        **base("at_least", "98.87", "100", "%"), "rule": "points", "points": "-1.13",
        "text": "実績 98.87% − 目標 100% = △1.13ポイント → 未達成(率はポイント差で比較、目標以上で達成)"}),
        id="points-at-least"),
    pytest.param("9.5", "%", target("10", "%", "at_most"), Achievement(None, True, {
        **base("at_most", "9.5", "10", "%"), "rule": "points", "points": "-0.5",
        "text": "実績 9.5% − 目標 10% = △0.5ポイント → 達成(率はポイント差で比較、目標以下で達成)"}),
        id="points-at-most"),
    pytest.param("10", "%", target("10", "%", "exactly"), Achievement(None, True, {
        **base("exactly", "10", "10", "%"), "rule": "points", "points": "0",
        "text": "実績 10% − 目標 10% = ±0ポイント → 達成(率はポイント差で比較、目標ちょうどで達成)"}),
        id="points-exactly"),
    pytest.param("10", "%", target("10", "%", "unheard-of"), Achievement(None, True, {
        **base("unheard-of", "10", "10", "%"), "rule": "points", "points": "0",
        "text": "実績 10% − 目標 10% = ±0ポイント → 達成(率はポイント差で比較、目標で達成)"}),
        id="points-unknown-direction-says-no-rule-word"),
]


@pytest.mark.parametrize(("value", "unit", "goal", "expected"), CASES)
def test_achievement_reads_exactly_as_shown_to_people(value: str, unit: str | None, goal: Target | None,
                                                      expected: Achievement) -> None:
    assert reports.achievement(Decimal(value), unit, goal) == expected


def test_signed_differences_and_plain_numbers() -> None:
    assert [reports._signed(Decimal(v)) for v in ("1234.5", "-1234.5", "0", "0.50")] == \
        ["+1,234.5", "△1,234.5", "±0", "+0.5"]
    assert [reports._plain(Decimal(v)) for v in ("1.7E+3", "-0.570", "12")] == ["1700", "-0.57", "12"]
    assert reports._q(Decimal(2) / Decimal(3)) == Decimal("0.666667")
    assert reports._q(Decimal("0.0000005")) == Decimal("0.000001")  # half up, six places
    assert reports._q(Decimal("1.23456"), "0.01") == Decimal("1.23")

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
        "rule": "none", "text": "この年度の数値目標がないため、達成率は出していません。"}), id="no-target"),
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


# --- the export row's achievement and the stored method -------------------------------------------


def test_a_stored_method_is_read_back_whatever_its_age() -> None:
    from bot.storage.models import Actual

    def method(stored: str | None) -> dict[str, object]:
        return reports.method_of(Actual(metric="m", value=Decimal(1), typed="1", achievement_method=stored))

    assert method(None) == {}  # nothing stored: no method
    assert method('{"rule": "ratio", "text": "達成率 97.06%"}') == {"rule": "ratio", "text": "達成率 97.06%"}
    assert method("達成率 97%(旧形式)") == {"text": "達成率 97%(旧形式)"}  # plain text from before JSON
    assert method("[1, 2]") == {"text": "[1, 2]"}  # JSON, but not an object


def test_an_actual_without_a_rate_is_exported_without_one(catalog_engine: object) -> None:
    from zoneinfo import ZoneInfo

    from bot.catalog.store import find_department, measure_by_no
    from bot.storage.db import session_scope

    jst = ZoneInfo("Asia/Tokyo")
    from datetime import datetime
    now = datetime(2027, 2, 3, 10, 15, tzinfo=jst)
    with session_scope(catalog_engine) as s:  # type: ignore[arg-type]
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        typed = reports.ReportInput("実施中", "講座を開催した。", "B",
                                    [reports.ActualInput("未知の指標", Decimal("12"), "回", "12回", "見込み")])
        reports.submit(s, m34, dept, 2026, typed, "console:tanaka", now)
        [row] = [r for r in reports.export_results(s, 2026, jst) if r["no"] == 34]
    assert row["achievement"] == [{"metric": "未知の指標", "rate": None, "met": None,
                                   "method": "この年度の数値目標がないため、達成率は出していません。"}]


# --- the inbox: dedupe and the lease -----------------------------------------------------------------


def test_stale_lists_exactly_the_processing_events_past_their_lease(engine: object) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from bot.core import inbox
    from bot.storage.db import session_scope
    from bot.storage.models import InboundEvent

    t = datetime(2027, 2, 3, 1, 0, tzinfo=UTC)
    rows = {name: inbox.record(engine, platform, name, {}, t, claimed=True)  # type: ignore[arg-type]
            for name, platform in [("due", "line"), ("edge", "line"), ("young", "line"), ("slack", "slack"),
                                   ("spent", "line"), ("done", "line"), ("no-lease", "line")]}
    leases = {"due": t - timedelta(seconds=1), "edge": t, "young": t + timedelta(seconds=1),
              "slack": t - timedelta(seconds=1), "spent": t - timedelta(seconds=1), "done": t - timedelta(seconds=1),
              "no-lease": None}
    with session_scope(engine) as s:  # type: ignore[arg-type]
        for name, lease in leases.items():
            s.execute(update(InboundEvent).where(InboundEvent.id == rows[name]).values(lease_until=lease))
        s.execute(update(InboundEvent).where(InboundEvent.id == rows["spent"]).values(attempts=inbox.MAX_ATTEMPTS))
        s.execute(update(InboundEvent).where(InboundEvent.id == rows["done"]).values(status="processed"))
    assert inbox.stale(engine, "line", t) == [rows["due"], rows["edge"]]  # type: ignore[arg-type]
    assert inbox.stale(engine, "slack", t) == [rows["slack"]]  # type: ignore[arg-type]


def test_finish_records_the_outcome_only_while_the_claim_holds(engine: object) -> None:
    from datetime import UTC, datetime

    from bot.core import inbox
    from bot.storage.db import session_scope
    from bot.storage.models import InboundEvent

    t = datetime(2027, 2, 3, 1, 0, tzinfo=UTC)
    row = inbox.record(engine, "line", "ev", {"text": "x"}, t, claimed=True)  # type: ignore[arg-type]
    assert row is not None
    assert inbox.finish(engine, row, t, attempt=2) is False  # not our claim: attempt 1 holds it  # type: ignore[arg-type]
    assert inbox.finish(engine, row, t, attempt=1) is True  # type: ignore[arg-type]
    assert inbox.finish(engine, row, t, error="late", attempt=1) is False  # no longer processing  # type: ignore[arg-type]
    with session_scope(engine) as s:  # type: ignore[arg-type]
        event = s.get(InboundEvent, row)
        assert event is not None and (event.status, event.error, event.lease_until) == ("processed", None, None)
    assert inbox.record(engine, "line", "ev", {"text": "again"}, t) is None  # the dedupe  # type: ignore[arg-type]


def test_the_export_row_reads_as_submitted(catalog_engine: object) -> None:
    """Every field of a row: labels for codes (raw values of older rows as they are), the
    achievement with its points or margin, the time in the bot's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.catalog.store import find_department, measure_by_no
    from bot.storage.db import session_scope

    jst = ZoneInfo("Asia/Tokyo")
    now = datetime(2027, 2, 3, 10, 15, tzinfo=jst)
    with session_scope(catalog_engine) as s:  # type: ignore[arg-type]
        m86, zaisei = measure_by_no(s, 86), find_department(s, "財政課")
        s.add(Target(measure_id=m86.id, fy=2026, metric="起債件数", value=Decimal(10), unit="件", direction="at_most"))
        s.flush()
        reports.submit(s, m86, zaisei, 2026, reports.ReportInput("in_progress", "健全化判断比率を公表した。", "A", [
            reports.ActualInput("実質公債費比率", Decimal("9.5"), "%", "9.5%", "final"),
            reports.ActualInput("起債件数", Decimal(12), "件", "12件", None)]), "console:zaisei", now)
        m34, kiki = measure_by_no(s, 34), find_department(s, "危機管理課")
        reports.submit(s, m34, kiki, 2026, reports.ReportInput("実施中(旧)", "講座を開催した。", "B", [
            reports.ActualInput("コミュニティ防災士数", Decimal(1650), "名", "約1,650人", "見込(旧)")]), "line:U1", now)
        rows = {r["no"]: r for r in reports.export_results(s, 2026, jst)}
    assert rows[86] == {
        "no": 86, "fy": "R8", "department": "財政課", "title": "各種財政指標", "status": "submitted",
        "progress": "実施中", "result_text": "健全化判断比率を公表した。", "rating": "A",
        "actuals": [{"metric": "実質公債費比率", "value": 9.5, "unit": "%", "typed": "9.5%", "basis": "確定"},
                    {"metric": "起債件数", "value": 12, "unit": "件", "typed": "12件", "basis": None}],
        "achievement": [
            {"metric": "実質公債費比率", "rate": None, "met": True, "points": -0.5,
             "method": "実績 9.5% − 目標 10% = △0.5ポイント → 達成(率はポイント差で比較、目標未満で達成)"},
            {"metric": "起債件数", "rate": None, "met": False, "margin": -2,
             "method": "実績 12件(目標 10件 以下)→ 未達成(目標を2件上回る)"}],
        "reported_by": "console:zaisei", "reported_at": "2027-02-03T10:15:00+09:00", "revision": 1,
    }
    assert rows[34]["progress"] == "実施中(旧)" and rows[34]["actuals"][0]["basis"] == "見込(旧)"  # not codes: as typed
    assert rows[34]["achievement"][0]["rate"] == 0.9706 and "margin" not in rows[34]["achievement"][0]


def test_record_and_take_set_the_claim_and_its_lease(engine: object) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from bot.core import inbox
    from bot.storage.db import session_scope
    from bot.storage.models import InboundEvent

    t = datetime(2027, 2, 3, 1, 0, tzinfo=UTC)
    before = datetime.now(UTC)
    waiting = inbox.record(engine, "line", "waiting", {"n": 1}, t)  # type: ignore[arg-type]
    taken_now = inbox.record(engine, "line", "taken", {"n": 2}, t, claimed=True)  # type: ignore[arg-type]
    after = datetime.now(UTC)
    with session_scope(engine) as s:  # type: ignore[arg-type]
        w, c = s.get(InboundEvent, waiting), s.get(InboundEvent, taken_now)
        assert w is not None and (w.status, w.attempts, w.lease_until) == ("received", 0, None)
        assert c is not None and (c.status, c.attempts) == ("processing", 1) and c.lease_until is not None
        lease = timedelta(seconds=inbox.LEASE_SECONDS)
        assert before + lease <= c.lease_until <= after + lease

    assert inbox.take(engine, waiting, t) == inbox.Taken({"n": 1}, 1)  # type: ignore[arg-type]
    assert inbox.take(engine, taken_now, datetime.now(UTC)) is None  # type: ignore[arg-type]  # its lease holds
    with session_scope(engine) as s:  # type: ignore[arg-type]
        s.execute(update(InboundEvent).where(InboundEvent.id == taken_now).values(lease_until=t))
    assert inbox.take(engine, taken_now, t - timedelta(seconds=1)) is None  # type: ignore[arg-type]
    assert inbox.take(engine, taken_now, t) == inbox.Taken({"n": 2}, 2)  # type: ignore[arg-type]  # run out at t
    with session_scope(engine) as s:  # type: ignore[arg-type]
        event = s.get(InboundEvent, taken_now)
        assert event is not None and event.lease_until == t + timedelta(seconds=inbox.LEASE_SECONDS)
        s.execute(update(InboundEvent).where(InboundEvent.id == taken_now)
                  .values(lease_until=None, attempts=inbox.MAX_ATTEMPTS - 1))
    assert inbox.take(engine, taken_now, t) == inbox.Taken({"n": 2}, inbox.MAX_ATTEMPTS)  # type: ignore[arg-type]
    with session_scope(engine) as s:  # type: ignore[arg-type]
        s.execute(update(InboundEvent).where(InboundEvent.id == taken_now).values(status="failed"))
    assert inbox.take(engine, taken_now, t + timedelta(days=1)) is None  # type: ignore[arg-type]  # attempts spent
    inbox.finish(engine, waiting, t)  # type: ignore[arg-type]
    assert inbox.take(engine, waiting, t + timedelta(days=1)) is None  # type: ignore[arg-type]  # processed: never again

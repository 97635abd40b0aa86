"""Report storage on SQLite and PostgreSQL: drafts, revisions, joint measures, achievement, export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.catalog.store import find_department, measure_by_no
from bot.core.config import Settings
from bot.japanese.fiscal_year import FiscalYear
from bot.people.members import add_member
from bot.reporting.handler import reports
from bot.reporting.reports import ActualInput, ReportInput
from bot.reporting.round_status import department_status
from bot.storage.db import session_scope
from bot.storage.models import Report, Target

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 2, 3, 10, 15, tzinfo=JST)
R8 = 2026


def typed(value: str, text: str, basis: str = "estimate") -> ReportInput:
    return ReportInput("in_progress", "講座を3回開催した。", "B",
                       [ActualInput("コミュニティ防災士数", Decimal(value), "名", text, basis)])


def test_a_draft_becomes_revision_1_when_submitted(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        draft = reports.save_draft(s, m34, dept, R8, ReportInput("in_progress"), "console:tanaka", NOW)
        assert (draft.revision, draft.status, draft.is_current) == (1, "draft", True)
        again = reports.save_draft(s, m34, dept, R8, ReportInput("in_progress", "途中まで"), "console:tanaka", NOW)
        assert again.id == draft.id and again.result_text == "途中まで"
        report, changed = reports.submit(s, m34, dept, R8, typed("1650", "１，６５０名"), "console:tanaka",
                                         NOW + timedelta(minutes=5))
        assert changed and report.id == draft.id and report.revision == 1 and report.status == "submitted"
    with session_scope(catalog_engine) as s:
        rows = reports.revisions(s, measure_by_no(s, 34).id, find_department(s, "危機管理課").id, R8)
        assert [(r.revision, r.status, r.is_current) for r in rows] == [(1, "submitted", True)]
        assert reports.aware(rows[0].reported_at, JST) == NOW + timedelta(minutes=5)
        assert rows[0].actuals[0].typed == "１，６５０名" and rows[0].actuals[0].value == Decimal("1650")


def test_editing_a_submitted_report_makes_a_new_current_revision_and_keeps_the_old(catalog_engine: Engine) -> None:
    later = NOW + timedelta(days=20)
    with session_scope(catalog_engine) as s:
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        reports.submit(s, m34, dept, R8, typed("1650", "1650"), "console:tanaka", NOW)
        # a draft of the edit does not replace what was submitted
        reports.save_draft(s, m34, dept, R8, typed("1702", "1,702名", "final"), "slack:U2", later)
        current = reports.current_report(s, m34.id, dept.id, R8)
        assert current is not None and current.revision == 1
        status = department_status(s, dept.id, FiscalYear(R8))
        assert status is not None and (status.measures[0].no, status.measures[0].state) == (34, "submitted")
        assert status.measures[0].has_draft and status.measures[0].revision == 1
        report, changed = reports.submit(s, m34, dept, R8, typed("1702", "1,702名", "final"), "slack:U2", later)
        assert changed and report.revision == 2
        same, changed = reports.submit(s, m34, dept, R8, typed("1702", "1,702名", "final"), "slack:U2", later)
        assert not changed and same.revision == 2  # nothing new: no revision 3
    with session_scope(catalog_engine) as s:
        rows = reports.revisions(s, measure_by_no(s, 34).id, find_department(s, "危機管理課").id, R8)
        got = [(r.revision, r.status, r.is_current, r.reported_by, r.actuals[0].value, r.actuals[0].basis)
               for r in rows]
        assert got == [
            (1, "submitted", False, "console:tanaka", Decimal("1650"), "estimate"),
            (2, "submitted", True, "slack:U2", Decimal("1702"), "final"),
        ]
        assert reports.aware(rows[0].reported_at, JST) == NOW
        assert reports.aware(rows[1].reported_at, JST) == later
        assert rows[1].actuals[0].met is True and rows[1].actuals[0].achievement_rate == Decimal("1.001176")


def test_a_joint_measure_is_reported_by_each_department_side_by_side(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        m7 = measure_by_no(s, 7)
        jinji, digital = find_department(s, "人事課"), find_department(s, "デジタル行政戦略課")
        assert [d.name for d in m7.departments] == ["人事課", "デジタル行政戦略課"]
        reports.submit(s, m7, digital, R8, ReportInput("done", "システムを改修した。", "A"), "console:d1", NOW)
        reports.submit(s, m7, jinji, R8, ReportInput("in_progress", "運用ルールを整えた。", "B"), "console:j1", NOW)
        parts = reports.side_by_side(s, m7, R8)
        assert [(d.name, r.result_text) for d, r in parts] == [
            ("人事課", "運用ルールを整えた。"), ("デジタル行政戦略課", "システムを改修した。")]
        rows = reports.export_results(s, R8, JST)
    assert [(r["no"], r["department"], r["progress"]) for r in rows] == [
        (7, "人事課", "実施中"), (7, "デジタル行政戦略課", "完了")]


def test_export_has_the_interface_shape(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        reports.submit(s, measure_by_no(s, 34), find_department(s, "危機管理課"), R8,
                       typed("1650", "１，６５０名"), "console:tanaka", NOW)
        reports.save_draft(s, measure_by_no(s, 35), find_department(s, "危機管理課"), R8,
                           ReportInput("not_started"), "console:tanaka", NOW)
        rows = reports.export_results(s, R8, JST)
        assert reports.export_results(s, 2025, JST) == []
    row = rows[0]
    assert {k: row[k] for k in ("no", "fy", "department", "status", "progress", "result_text", "rating",
                                "actuals", "reported_by", "reported_at", "revision")} == {
        "no": 34, "fy": "R8", "department": "危機管理課", "status": "submitted", "progress": "実施中",
        "result_text": "講座を3回開催した。", "rating": "B",
        "actuals": [{"metric": "コミュニティ防災士数", "value": 1650, "unit": "名", "typed": "１，６５０名",
                     "basis": "見込み"}],
        "reported_by": "console:tanaka", "reported_at": "2027-02-03T10:15:00+09:00", "revision": 1,
    }
    assert row["achievement"][0] | {"method": None} == {
        "metric": "コミュニティ防災士数", "rate": 0.9706, "met": False, "method": None}
    assert "1,650名 ÷ 目標 1,700名" in row["achievement"][0]["method"]
    assert (rows[1]["no"], rows[1]["status"], rows[1]["reported_at"]) == (35, "draft", None)
    json.dumps(rows, ensure_ascii=False)


def test_achievement_method_is_stored_beside_the_actual(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        report, _ = reports.submit(s, measure_by_no(s, 34), find_department(s, "危機管理課"), R8,
                                   typed("1650", "1650"), "console:tanaka", NOW)
        actual_id = report.actuals[0].id
    with session_scope(catalog_engine) as s:
        stored = s.scalar(select(Report).where(Report.id == report.id))
        actual = next(a for a in stored.actuals if a.id == actual_id)
        method = json.loads(actual.achievement_method)
    assert method["rule"] == "ratio" and method["target"] == "1700" and method["unit"] == "名"
    assert "97.06%" in method["text"]


# --- achievement by direction (pure) -------------------------------------------------------------


def target(value: str | None, unit: str | None, direction: str, qualifier: str | None = None) -> Target:
    return Target(fy=R8, metric="m", value=None if value is None else Decimal(value), unit=unit,
                  direction=direction, qualifier=qualifier)


@pytest.mark.parametrize(
    ("value", "unit", "goal", "rate", "met", "extra"),
    [
        # at_least: actual / target
        ("1650", "名", target("1700", "名", "at_least"), Decimal("0.970588"), False, {}),
        ("1700", "名", target("1700", "名", "at_least"), Decimal("1"), True, {}),
        ("8", "億円", target("800000", "千円", "at_least"), Decimal("1"), True, {}),  # units converted
        # at_most: met or not, with the margin
        ("140000", "t", target("144000", "t", "at_most"), None, True, {"margin": "4000"}),
        ("150", "t", target("144", "t", "at_most"), None, False, {"margin": "-6"}),
        # rates in points
        ("98.5", "%", target("99.07", "%", "at_least"), None, False, {"points": "-0.57"}),
        ("9.2", "%", target("10", "%", "at_most"), None, True, {"points": "-0.8"}),
        ("0", "%", target("0", "%", "exactly"), None, True, {"points": "0"}),
        # no number in the target: not judged
        ("92.5", "%", target(None, None, "at_most", "中核市平均以下"), None, None, {"rule": "none"}),
    ],
)
def test_achievement_by_direction(value, unit, goal, rate, met, extra) -> None:
    result = reports.achievement(Decimal(value), unit, goal)
    assert result.rate == rate and result.met is met
    for key, expected in extra.items():
        assert result.method[key] == expected, result.method
    assert result.method["text"]


def test_a_rate_is_never_a_ratio_of_ratios() -> None:
    result = reports.achievement(Decimal("98.5"), "%", target("99.07", "%", "at_least"))
    assert result.rate is None and result.method["rule"] == "points"
    assert "△0.57ポイント" in result.method["text"]


# --- which year, who ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "fy"),
    [
        ("2027-02-03T10:00", 2026),  # February: the current FY (令和8年度)
        ("2027-03-31T23:59", 2026),
        ("2027-04-01T00:00", 2026),  # April to June: the FY just ended
        ("2027-06-30T12:00", 2026),
        ("2027-07-01T09:00", 2027),  # otherwise the current FY
        ("2026-11-10T09:00", 2026),
    ],
)
def test_the_fiscal_year_being_reported(moment: str, fy: int) -> None:
    settings = Settings(bot_now=datetime.fromisoformat(moment).replace(tzinfo=JST))
    assert reports.report_fy(settings, settings.now()).year == fy


def test_who_may_report(catalog_engine: Engine) -> None:
    settings = Settings()
    with session_scope(catalog_engine) as s:
        kiki = add_member(s, "console", "k", find_department(s, "危機管理課"), now=NOW)
        jinji = add_member(s, "console", "j", find_department(s, "人事課"), now=NOW)
        coord = add_member(s, "console", "c", find_department(s, "デジタル行政戦略課"), now=NOW)
        boss = add_member(s, "slack", "U9", find_department(s, "人事課"), role="coordinator", now=NOW)
        m34, m7 = measure_by_no(s, 34), measure_by_no(s, 7)
        assert reports.can_report(kiki, m34, settings) and not reports.can_report(jinji, m34, settings)
        assert reports.can_report(jinji, m7, settings)  # a joint measure: each department its part
        assert reports.can_report(coord, m34, settings) and reports.can_report(boss, m34, settings)
        assert not reports.can_report(None, m34, settings)
        assert [d.name for d in reports.reporting_departments(jinji, m7, settings)] == ["人事課"]
        assert [d.name for d in reports.reporting_departments(boss, m34, settings)] == ["危機管理課"]
        assert [m.no for m in reports.department_measures(s, kiki.department_id)][:1] == [34]

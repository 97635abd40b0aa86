"""Tests that do not look away: each real bug here once slipped past the suite.

Each test was checked against the mutation it names (put in by hand, seen failing, reverted).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot import answers
from bot.catalog.store import (
    BUNDLED_PLAN,
    export_catalog,
    find_department,
    load_catalog,
    measure_by_no,
    read_catalog,
)
from bot.core.config import Settings
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting import reports
from bot.reporting.reports import ActualInput, ReportInput
from bot.reporting.round_status import department_status
from bot.storage.db import session_scope
from bot.storage.models import Report, Target

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 2, 3, 10, 15, tzinfo=JST)
R8 = 2026


# (a) an upper bound (以下) met exactly is 達成 — mutation: `actual <= goal` → `actual < goal`


@pytest.mark.parametrize(("value", "unit", "goal"), [
    ("144000", "t", "144000"),  # No.71-like: ごみ排出量 144,000t 以下
    ("144000000", "kg", "144000"),  # the same amount in another unit
    ("10", "%", "10"),  # a rate: compared in points
])
def test_an_upper_bound_met_exactly_is_achieved(value: str, unit: str, goal: str) -> None:
    target = Target(fy=R8, metric="m", value=Decimal(goal), unit="%" if unit == "%" else "t", direction="at_most")
    result = reports.achievement(Decimal(value), unit, target)
    assert result.met is True, result.method
    assert "→ 達成" in result.method["text"] and "未達成" not in result.method["text"]


def test_a_lower_bound_met_exactly_is_achieved_and_one_short_is_not() -> None:
    target = Target(fy=R8, metric="m", value=Decimal("1700"), unit="名", direction="at_least")
    assert reports.achievement(Decimal("1700"), "名", target).met is True
    assert reports.achievement(Decimal("1699"), "名", target).met is False
    upper = Target(fy=R8, metric="m", value=Decimal("144000"), unit="t", direction="at_most")
    assert reports.achievement(Decimal("144001"), "t", upper).met is False


# (b) a draft typed after a submission never stands beside it — mutation: save_draft makes every
# new draft current (`is_current=True`)


def _typed(value: str) -> ReportInput:
    return ReportInput("実施中", "講座を開催した。", "B",
                       [ActualInput("コミュニティ防災士数", Decimal(value), "名", value, "見込み")])


def test_a_draft_after_a_submission_is_not_exported_nor_current(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        reports.submit(s, m34, dept, R8, _typed("1650"), "console:tanaka", NOW)
    with session_scope(catalog_engine) as s:  # another day, another session
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        reports.save_draft(s, m34, dept, R8, _typed("9999"), "slack:U2", NOW)
    with session_scope(catalog_engine) as s:
        current = s.scalars(select(Report).where(Report.measure_id == m34.id, Report.is_current.is_(True))).all()
        assert [(r.status, r.actuals[0].value) for r in current] == [("submitted", Decimal("1650"))]
        rows = [r for r in reports.export_results(s, R8, JST) if r["no"] == 34]
        assert [(r["status"], r["actuals"][0]["value"]) for r in rows] == [("submitted", 1650)]
        status = department_status(s, dept.id, FiscalYear(R8))
        assert status is not None and (status.measures[0].no, status.measures[0].state) == (34, "submitted")
        assert status.measures[0].has_draft and status.responded == 1 and status.open_nos == (35, 44)


def test_a_draft_while_nothing_is_submitted_is_the_one_current_row(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        m34, dept = measure_by_no(s, 34), find_department(s, "危機管理課")
        reports.save_draft(s, m34, dept, R8, ReportInput("実施中"), "console:a", NOW)
        reports.discard_draft(s, m34.id, dept.id, R8)
        reports.save_draft(s, m34, dept, R8, ReportInput("完了"), "console:b", NOW)
        current = s.scalars(select(Report).where(Report.measure_id == m34.id, Report.is_current.is_(True))).all()
        assert [(r.status, r.progress) for r in current] == [("draft", "完了")]
        assert [r["status"] for r in reports.export_results(s, R8, JST) if r["no"] == 34] == ["draft"]


# (c) 教育総務課 is not 総務課 — mutation: department names tried shortest first in
# bot/answers/parse.py (`key=len` without `reverse=True`)


def _ask(engine: Engine, text: str) -> str:
    settings = Settings(bot_now=NOW)
    with session_scope(engine) as s:
        return "\n".join(r.text for r in answers.answer(s, text, member=None, now=NOW, settings=settings))


def test_a_department_whose_name_holds_another_is_matched_whole(sqlite_catalog_engine: Engine) -> None:
    said = _ask(sqlite_catalog_engine, "教育総務課の取組は?")
    assert "教育総務課の取組は2件" in said and "No.60" in said and "No.68" in said
    assert "No.58" not in said and "No.81" not in said  # 総務課's
    said = _ask(sqlite_catalog_engine, "総務課の取組は?")
    assert "No.58" in said and "No.81" in said and "No.60" not in said
    said = _ask(sqlite_catalog_engine, "教育総務課の未提出は?")
    assert "教育総務課" in said and "No.81" not in said
    with session_scope(sqlite_catalog_engine) as s:
        assert find_department(s, "教育総務課").name == "教育総務課"
        assert find_department(s, " 総務課 ").name == "総務課"


# (d) a catalog reload that changes a joint measure's department order is seen everywhere —
# the bug: the reload changed the rows but not `plan.loaded_at` (autoflush had emptied
# session.new/dirty), and the answers' cache fingerprint cannot see a swap of positions


def test_reloading_a_new_department_order_is_not_ignored(catalog_engine: Engine) -> None:
    entries = read_catalog()
    assert "人事課、デジタル行政戦略課" in _ask(catalog_engine, "No.7の担当は")  # cached now
    with session_scope(catalog_engine) as s:
        before = s.scalar(select(measure_by_no(s, 7).plan.__class__.loaded_at))
    swapped = [e.model_copy(update={"departments": list(reversed(e.departments))}) if e.no == 7 else e
               for e in entries]
    with session_scope(catalog_engine) as s:
        load_catalog(s, swapped, BUNDLED_PLAN)
    with session_scope(catalog_engine) as s:
        m7 = measure_by_no(s, 7)
        assert [d.name for d in m7.departments] == ["デジタル行政戦略課", "人事課"]
        assert next(m for m in export_catalog(s) if m["no"] == 7)["departments"] == ["デジタル行政戦略課", "人事課"]
        assert m7.plan.loaded_at is not None and m7.plan.loaded_at != before
    assert "デジタル行政戦略課、人事課" in _ask(catalog_engine, "No.7の担当は")
    with session_scope(catalog_engine) as s:  # the same entries again: nothing changes, not even the stamp
        stamp = measure_by_no(s, 7).plan.loaded_at
        load_catalog(s, swapped, BUNDLED_PLAN)
    with session_scope(catalog_engine) as s:
        assert measure_by_no(s, 7).plan.loaded_at == stamp

"""Approved and returned reports as every reader shows them: 状況, App Home, the answers, the
digest and the reminders (labels 未着手 / 下書き / 提出済 / 承認済 / 差戻し; a returned report
needs its reporter again)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine

from bot import answers
from bot.catalog.store import find_department, measure_by_no, measures
from bot.clock.digest import build_digest
from bot.clock.reminders import plan_reminders
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.japanese.numbers import format_rate
from bot.people.members import add_member
from bot.reporting import approval, reports
from bot.storage.db import session_scope
from bot.storage.models import Member
from tests.conftest import jst

AT = jst(2027, 2, 3, 10, 15)
R8 = 2026


def _reviewed(engine: Engine) -> Settings:
    """危機管理課: No.34 approved, No.35 returned with a comment, No.44 not started."""
    settings = Settings(bot_now=AT)
    with session_scope(engine) as s:
        kiki = find_department(s, "危機管理課")
        add_member(s, "console", "tanaka", kiki, "staff", "田中 一郎", now=AT)
        kacho = add_member(s, "console", "kacho", kiki, "manager", "山田 課長", now=AT)
        add_member(s, "console", "coord", find_department(s, "デジタル行政戦略課"), "coordinator", "企画", now=AT)
        for no in (34, 35):
            reports.submit(s, measure_by_no(s, no), kiki, R8, reports.ReportInput("in_progress", f"No.{no}の結果", "B"),
                           "console:tanaka", AT)
        approval.approve(s, settings, kacho, 34, kiki.id, R8, now=AT)
        approval.return_report(s, settings, kacho, 35, kiki.id, R8, "数字の根拠を添えてください", now=AT)
    return settings


def _say(engine: Engine, settings: Settings, user: str, text: str | None = None, event: str | None = None) -> list:
    return route(settings, engine, Incoming("console", user, "console", text, event=event))


def test_jokyo_and_the_home_view_show_approved_and_returned(sqlite_catalog_engine: Engine) -> None:
    settings = _reviewed(sqlite_catalog_engine)
    jokyo = _say(sqlite_catalog_engine, settings, "tanaka", "状況")[0].text
    assert "承認済 1件・提出済 0件・差戻し 1件・下書き 0件・未着手 1件" in jokyo
    assert "No.34 コミュニティ防災士の育成人数(累計): 承認済(第1版)" in jokyo
    assert "No.35 女性防災士の育成人数: 差戻し(第1版): 修正のうえ再提出をお願いします" in jokyo
    assert "No.44 地区防災計画の作成地区数(累計): 未着手" in jokyo
    assert "「報告 35」" in jokyo  # the first thing left to do is the returned one

    home = _say(sqlite_catalog_engine, settings, "tanaka", event="status")
    assert "承認済 1件・提出済 0件・差戻し 1件・下書き 0件・未着手 1件" in home[0].text
    items = {r.text.split()[1]: (r.text.split()[0], r.text.splitlines()[-1], r.choices[0].label) for r in home[1:]}
    assert items == {"No.34": ("✅", "承認済", "修正"), "No.35": ("⬜", "差戻し", "修正"), "No.44": ("⬜", "未着手", "報告")}


def test_the_answers_count_approved_and_returned(sqlite_catalog_engine: Engine) -> None:
    settings = _reviewed(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        coord = s.query(Member).filter_by(user_id="coord").one()
        status = "\n".join(r.text for r in answers.answer(s, "未提出の課は?", member=coord, now=AT, settings=settings))
        progress = "\n".join(r.text for r in answers.answer(s, "No.35の進捗は?", member=coord, now=AT,
                                                            settings=settings))
        total = sum(len(m.departments) for m in measures(s))
    assert f"承認率 {format_rate(Decimal(1) / Decimal(total))}(承認済 1件・提出済 0件・差戻し 1件)" in status
    assert "・危機管理課 2件(No.35、No.44、うち差戻し 1件)" in status
    assert "■危機管理課: 差戻し。" in progress and "No.35の結果" not in progress  # not a result until resent


def test_the_digest_shows_the_approval_rate_and_the_returned(sqlite_catalog_engine: Engine) -> None:
    settings = _reviewed(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        digest = build_digest(s, settings, jst(2027, 2, 8, 9, 0))
    text = digest.text()
    total = digest.status.total
    assert f"承認率: {format_rate(Decimal(1) / Decimal(total))}(承認済 1件・提出済(承認待ち) 0件・差戻し(修正待ち) 1件)" in text
    assert "危機管理課 66.67%(2/3件) 差戻し1件" in text
    assert digest.to_json()["approval_rate"]["approved"] == 1


def test_the_reminders_nudge_the_returned_report(sqlite_catalog_engine: Engine) -> None:
    settings = _reviewed(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        plan = plan_reminders(s, settings, jst(2027, 2, 8, 9, 30))
    [kiki] = [m for m in plan.messages if m.department == "危機管理課" and m.recipient == "tanaka"]
    assert kiki.measures == (35, 44)
    assert "No.35 女性防災士の育成人数(差戻し: 修正のうえ再提出をお願いします)" in kiki.replies[0].text


def test_jokyo_tells_a_reviewer_what_waits_for_them(sqlite_catalog_engine: Engine) -> None:
    settings = _reviewed(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        kiki, zaisei = find_department(s, "危機管理課"), find_department(s, "財政課")
        reports.submit(s, measure_by_no(s, 44), kiki, R8, reports.ReportInput("in_progress", "策定中", "B"),
                       "console:tanaka", AT)
        add_member(s, "console", "zaisei", zaisei, "staff", "財政 太郎", now=AT)
        no = reports.department_measures(s, zaisei.id)[0].no
        reports.submit(s, measure_by_no(s, no), zaisei, R8, reports.ReportInput("in_progress", "見直した", "B"),
                       "console:zaisei", AT)
    kacho = _say(sqlite_catalog_engine, settings, "kacho", "状況")
    assert len(kacho) == 2 and kacho[1].text.startswith("承認待ちの報告(1件):")
    assert "・No.44 地区防災計画の作成地区数(累計)(危機管理課 第1版、田中 一郎さん)" in kacho[1].text
    assert [(c.label, c.value) for c in kacho[1].choices] == [("No.44の内容", "No.44の進捗は?")]
    coord = _say(sqlite_catalog_engine, settings, "coord", "状況")[-1].text
    assert f"No.{no} " in coord and "財政 太郎さん" in coord and "No.44" not in coord  # 危機管理課 has a manager
    assert len(_say(sqlite_catalog_engine, settings, "tanaka", "状況")) == 1  # staff review nothing
    with session_scope(sqlite_catalog_engine) as s:  # the coordinating division's manager: own and unmanaged
        dx = find_department(s, "デジタル行政戦略課")
        add_member(s, "console", "dx_kacho", dx, "manager", "情報 課長", now=AT)
        reports.submit(s, measure_by_no(s, 1), dx, R8, reports.ReportInput("in_progress", "研修を行った", "B"),
                       "console:coord", AT)
    dx_kacho = _say(sqlite_catalog_engine, settings, "dx_kacho", "状況")[-1].text
    assert "承認待ちの報告(2件)" in dx_kacho and "・No.1 " in dx_kacho and f"・No.{no} " in dx_kacho

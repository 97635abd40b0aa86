"""The reporting round's dates and the reminders: who is told what, when, and only once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from bot.clock.reminders import due_reminders, enqueue_reminders, plan_reminders
from bot.core.config import Settings
from bot.japanese.business_days import BusinessCalendar
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.rounds import round_at, round_of
from bot.storage.db import session_scope
from tests.conftest import answer, jst, member, outbox_rows

R8 = FiscalYear(2026)
NUDGE_DAYS_2027 = [date(2027, 2, 8), date(2027, 2, 15), date(2027, 2, 22), date(2027, 3, 1), date(2027, 3, 8),
                   date(2027, 3, 15), date(2027, 3, 23), date(2027, 3, 29), date(2027, 4, 5), date(2027, 4, 12),
                   date(2027, 4, 19)]


def plan_at(engine: Engine, settings: Settings, *when: int) -> list:  # type: ignore[type-arg]
    with session_scope(engine) as s:
        return due_reminders(s, settings, jst(*when))


# --- the round's dates -----------------------------------------------------------------------------


def test_the_r8_round_runs_on_business_days_from_february_1_to_april_30() -> None:
    rnd = round_of(Settings(), R8)
    cal = BusinessCalendar()
    assert (rnd.open_day, rnd.deadline) == (date(2027, 2, 1), date(2027, 4, 30))  # 2/1 is a Monday
    assert rnd.final_day == date(2027, 4, 26) == cal.business_days_before(date(2027, 4, 30), 3)  # 4/29 昭和の日
    assert rnd.escalation_day == date(2027, 5, 6)  # 5/1–5/5: weekend and Golden Week
    nudges = [s.day for s in rnd.reminder_slots if s.kind == "nudge"]
    assert nudges == NUDGE_DAYS_2027  # Monday 3/22 is 春分の日's 振替休日: that nudge goes on Tuesday
    assert [s.seq for s in rnd.reminder_slots if s.kind == "nudge"] == list(range(1, 12))
    assert all(cal.is_business_day(s.day) for s in rnd.reminder_slots + rnd.digest_slots)
    digests = [s.day for s in rnd.digest_slots]
    assert digests[0] == date(2027, 2, 1) and digests[-1] == date(2027, 5, 31)
    assert date(2027, 3, 23) in digests and date(2027, 5, 6) in digests and date(2027, 5, 3) not in digests
    assert all(s.at.hour == 9 for s in rnd.reminder_slots)


def test_a_closed_opening_day_and_configured_dates_move_the_round() -> None:
    settings = Settings(extra_closures=[date(2027, 2, 1)], round_open_month_day=(2, 1),
                        round_deadline_month_day=(5, 14), nudge_weekday=2, reminder_hour=10)
    rnd = round_of(settings, R8)
    assert rnd.open_day == date(2027, 2, 2)  # the extra closure moves the opening to the next business day
    assert rnd.deadline == date(2027, 5, 14)
    assert rnd.final_day == date(2027, 5, 11)
    nudges = [s.day for s in rnd.reminder_slots if s.kind == "nudge"]
    assert nudges[0] == date(2027, 2, 3) and nudges[-1] == date(2027, 5, 6)  # Wednesday 5/5 is こどもの日
    assert all(d.weekday() == 2 for d in nudges[:-1])
    assert rnd.reminder_slots[0].at == jst(2027, 2, 2, 10, 0)


def test_round_at_knows_the_round_in_progress_and_none_outside() -> None:
    settings = Settings()
    assert round_at(settings, jst(2027, 3, 10)).fy == R8  # type: ignore[union-attr]
    assert round_at(settings, jst(2027, 5, 31)).fy == R8  # type: ignore[union-attr]
    assert round_at(settings, jst(2027, 1, 29)) is None
    assert round_at(settings, jst(2027, 7, 1)) is None


# --- what a reminder says --------------------------------------------------------------------------


def test_the_opening_reminder_names_the_open_measures_with_a_choice_each(catalog_engine: Engine) -> None:
    settings = Settings()
    member(catalog_engine, "console", "tanaka", "危機管理課")
    member(catalog_engine, "slack", "U0JINJI", "人事課")
    answer(catalog_engine, 44, "危機管理課", jst(2027, 1, 20))  # answered before the round opened
    answer(catalog_engine, 35, "危機管理課", jst(2027, 1, 28), status="draft")
    planned = plan_at(catalog_engine, settings, 2027, 2, 1)
    by_dept = {m.department: m for m in planned}
    assert set(by_dept) == {"危機管理課", "人事課"}
    kiki = by_dept["危機管理課"]
    assert kiki.to_json() == {
        "kind": "open", "department": "危機管理課", "platform": "console", "recipient": "tanaka",
        "measures": [34, 35], "key": "R8/危機管理課/open/1/console:tanaka", "drafts": [35], "round": "R8",
        "seq": 1, "day": "2027-02-01"}
    reply = kiki.replies[0]
    assert [(c.label, c.value) for c in reply.choices] == [("No.34を報告", "報告 34"), ("No.35を報告", "報告 35")]
    assert "No.34 コミュニティ防災士の育成人数" in reply.text and "No.44" not in reply.text
    assert "下書きのまま提出されていない取組があります(No.35)" in reply.text
    assert "締切は4月30日(金)" in reply.text
    assert by_dept["人事課"].platform == "slack" and len(by_dept["人事課"].measures) == 6


def test_nothing_before_the_hour_on_closed_days_or_outside_the_round(sqlite_catalog_engine: Engine) -> None:
    settings = Settings()
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    assert plan_at(sqlite_catalog_engine, settings, 2027, 2, 1, 8, 59) == []
    assert plan_at(sqlite_catalog_engine, settings, 2027, 1, 29) == []
    assert plan_at(sqlite_catalog_engine, settings, 2027, 2, 6) == []  # a Saturday: caught up on Monday
    assert [m.kind for m in plan_at(sqlite_catalog_engine, settings, 2027, 2, 8)] == ["nudge"]
    assert plan_at(sqlite_catalog_engine, settings, 2027, 7, 1) == []


def test_a_department_that_answered_everything_is_not_nudged(sqlite_catalog_engine: Engine) -> None:
    settings = Settings()
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    for no in (34, 35):
        answer(sqlite_catalog_engine, no, "危機管理課", jst(2027, 2, 3))
    nudge = plan_at(sqlite_catalog_engine, settings, 2027, 2, 8)
    assert [(m.kind, m.seq, m.measures) for m in nudge] == [("nudge", 1, (44,))]
    answer(sqlite_catalog_engine, 44, "危機管理課", jst(2027, 2, 9), status="approved")
    assert plan_at(sqlite_catalog_engine, settings, 2027, 2, 15) == []


def test_a_returned_report_is_open_again(sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    for no in (34, 35, 44):
        answer(sqlite_catalog_engine, no, "危機管理課", jst(2027, 2, 3))
    answer(sqlite_catalog_engine, 34, "危機管理課", jst(2027, 2, 4), status="returned")
    [nudge] = plan_at(sqlite_catalog_engine, Settings(), 2027, 2, 8)
    assert nudge.measures == (34,) and "差戻し" in nudge.replies[0].text


def test_the_final_notice_and_the_escalation_to_managers(sqlite_catalog_engine: Engine) -> None:
    settings = Settings()
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    member(sqlite_catalog_engine, "console", "kacho", "危機管理課", role="manager")
    member(sqlite_catalog_engine, "console", "jinji", "人事課")  # no manager registered: everybody
    final = plan_at(sqlite_catalog_engine, settings, 2027, 4, 26)
    assert {(m.kind, m.recipient) for m in final} == {("final", "tanaka"), ("final", "kacho"), ("final", "jinji")}
    assert "あと3営業日" in final[0].replies[0].text
    assert plan_at(sqlite_catalog_engine, settings, 2027, 5, 2) == []  # a Sunday
    escalation = plan_at(sqlite_catalog_engine, settings, 2027, 5, 6)
    assert {(m.kind, m.department, m.recipient) for m in escalation} == {
        ("escalation", "危機管理課", "kacho"), ("escalation", "人事課", "jinji")}
    kacho = next(m for m in escalation if m.recipient == "kacho")
    assert kacho.key == "R8/危機管理課/escalation/1/console:kacho"
    assert "管理職の皆さま" in kacho.replies[0].text and "締切(4月30日(金))を過ぎました" in kacho.replies[0].text


def test_one_person_with_two_accounts_is_told_once(sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "line", "Uline-tanaka", "危機管理課", person="tanaka")
    member(sqlite_catalog_engine, "slack", "U0TANAKA", "危機管理課", person="tanaka")
    member(sqlite_catalog_engine, "line", "Uline-sato", "危機管理課", person="sato")
    planned = plan_at(sqlite_catalog_engine, Settings(), 2027, 2, 1)
    assert sorted((m.platform, m.recipient) for m in planned) == [("line", "Uline-sato"), ("slack", "U0TANAKA")]
    line_first = plan_at(sqlite_catalog_engine, Settings(delivery_platform_order=["line", "slack"]), 2027, 2, 1)
    assert sorted(m.recipient for m in line_first) == ["Uline-sato", "Uline-tanaka"]


def test_departments_without_members_are_reported_unreachable(sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    with session_scope(sqlite_catalog_engine) as s:
        plan = plan_reminders(s, Settings(), jst(2027, 2, 1))
    assert [m.department for m in plan.messages] == ["危機管理課"]
    unreachable = {d.name for d in plan.unreachable}
    assert "税務課" in unreachable and "危機管理課" not in unreachable
    # every other department with measures (40 in the catalog since No.69 has 建設課, issue 13)
    assert len(unreachable) == 39


def test_enqueueing_twice_queues_each_reminder_once(catalog_engine: Engine) -> None:
    member(catalog_engine, "console", "tanaka", "危機管理課")
    member(catalog_engine, "console", "kacho", "危機管理課", role="manager")
    settings = Settings()
    with session_scope(catalog_engine) as s:
        first = enqueue_reminders(s, settings, jst(2027, 2, 1))
    with session_scope(catalog_engine) as s:
        again = enqueue_reminders(s, settings, jst(2027, 2, 1, 15))
    assert len(first) == 2 and again == []
    rows = outbox_rows(catalog_engine)
    assert sorted(r.key for r in rows) == ["R8/危機管理課/open/1/console:kacho", "R8/危機管理課/open/1/console:tanaka"]
    assert rows[0].payload["measures"] == [34, 35, 44] and rows[0].status == "queued"
    assert rows[0].payload["replies"][0]["choices"][0] == {"label": "No.34を報告", "value": "報告 34"}


# --- the command ---------------------------------------------------------------------------------


def test_remind_dry_run_json_is_the_interface_shape_and_sends_nothing(cli_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    runner.invoke(app, ["members", "add", "--platform", "console", "--user", "tanaka", "--department", "危機管理課"])
    result = runner.invoke(app, ["remind", "--at", "2027-02-08T09:30:00+09:00", "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == [{"kind": "nudge", "department": "危機管理課", "platform": "console", "recipient": "tanaka",
                     "measures": [34, 35, 44], "key": "R8/危機管理課/nudge/1/console:tanaka", "drafts": [],
                     "round": "R8", "seq": 1, "day": "2027-02-08"}]
    assert json.loads(runner.invoke(app, ["outbox", "--format", "json"]).stdout) == []
    sent = runner.invoke(app, ["remind", "--at", "2027-02-08T09:30:00+09:00"])
    assert sent.exit_code == 0 and "nudge#1 危機管理課 → console:tanaka" in sent.stdout and "送信: 1件" in sent.stdout
    again = runner.invoke(app, ["remind", "--at", "2027-02-08T09:30:00+09:00", "--dry-run", "--format", "json"])
    assert json.loads(again.stdout) == []
    listed = runner.invoke(app, ["outbox", "--recipient", "tanaka", "--text"])
    assert "sent" in listed.stdout and "No.34 コミュニティ防災士の育成人数" in listed.stdout


@pytest.mark.parametrize("at", ["tomorrow", "2027-13-01"])
def test_remind_refuses_a_bad_time_politely(cli_env: Path, at: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["init"])
    result = runner.invoke(app, ["remind", "--at", at])
    assert result.exit_code == 2 and "読み取れませんでした" in result.stderr

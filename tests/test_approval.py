"""Approval on both databases: who reviews, approve / return, races, stale reviews, audit, history."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.catalog.store import find_department, measure_by_no
from bot.core.config import Settings
from bot.japanese.fiscal_year import FiscalYear
from bot.people.members import add_member, find_member
from bot.reporting import approval, reports
from bot.reporting.approval import ReviewRefused
from bot.reporting.reports import ReportInput
from bot.reporting.round_status import department_status
from bot.storage import audit
from bot.storage.db import session_scope
from bot.storage.models import Member

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 2, 3, 10, 15, tzinfo=JST)
R8 = 2026
SETTINGS = Settings(database_url="sqlite://", bot_now=NOW)


def _people(engine: Engine, no: int = 34) -> dict[str, int]:
    """A reporter and a manager of the measure's first department, a manager elsewhere, a coordinator."""
    with session_scope(engine) as s:
        dept = measure_by_no(s, no).departments[0]
        other = find_department(s, "人事課") if dept.name != "人事課" else find_department(s, "財政課")
        desk = find_department(s, SETTINGS.coordinator_department)
        made = {
            "reporter": add_member(s, "console", "tanaka", dept, "staff", "田中 一郎", now=NOW),
            "manager": add_member(s, "slack", "UKACHO", dept, "manager", "山田 課長", now=NOW),
            "manager2": add_member(s, "line", "U" + "b" * 32, dept, "manager", "佐藤 課長補佐", now=NOW),
            "outsider": add_member(s, "console", "other", other, "manager", "他課 課長", now=NOW),
            "desk": add_member(s, "console", "desk", desk, "coordinator", "企画 担当", now=NOW),
        }
        return {k: m.id for k, m in made.items()} | {"dept": dept.id}


def _submit(engine: Engine, text: str, who: str = "console:tanaka", no: int = 34, at: datetime = NOW) -> int:
    with session_scope(engine) as s:
        measure = measure_by_no(s, no)
        report, _ = reports.submit(s, measure, measure.departments[0], R8, ReportInput("in_progress", text, "B"),
                                   who, at)
        return report.revision


def _member(s, people: dict[str, int], who: str) -> Member:
    member = s.get(Member, people[who])
    assert member is not None
    return member


def test_reviewers_are_the_managers_else_the_coordinating_division(catalog_engine: Engine) -> None:
    people = _people(catalog_engine)
    with session_scope(catalog_engine) as s:
        names = [m.name for m in approval.reviewers(s, SETTINGS, people["dept"])]
        assert names == ["山田 課長", "佐藤 課長補佐"]
        lonely = find_department(s, "財政課")
        assert [m.name for m in approval.reviewers(s, SETTINGS, lonely.id)] == ["企画 担当"]
        assert approval.can_review(s, SETTINGS, _member(s, people, "manager"), people["dept"])
        assert approval.can_review(s, SETTINGS, _member(s, people, "desk"), people["dept"])
        assert not approval.can_review(s, SETTINGS, _member(s, people, "reporter"), people["dept"])
        assert not approval.can_review(s, SETTINGS, _member(s, people, "outsider"), people["dept"])
        assert not approval.can_review(s, SETTINGS, None, people["dept"])


def test_approve_records_the_reviewer_and_an_audit_entry(catalog_engine: Engine) -> None:
    people = _people(catalog_engine)
    revision = _submit(catalog_engine, "第1版")
    later = NOW + timedelta(hours=1)
    with session_scope(catalog_engine) as s:
        report = approval.approve(s, SETTINGS, _member(s, people, "manager"), 34, people["dept"], R8,
                                  now=later, revision=revision)
        assert report.status == "approved"
    with session_scope(catalog_engine) as s:
        current = reports.current_report(s, measure_by_no(s, 34).id, people["dept"], R8)
        assert (current.status, current.reviewed_by, current.review_comment) == ("approved", "slack:UKACHO", None)
        assert reports.aware(current.reviewed_at, JST) == later
        entries = audit.entries(s, measure_no=34)
        assert [(e.action, e.actor_name) for e in entries] == [("submit", "田中 一郎"), ("approve", "山田 課長")]
        assert entries[1].before == {"status": "submitted", "revision": 1}
        assert entries[1].after == {"status": "approved", "revision": 1}


def test_refusals_change_nothing(catalog_engine: Engine) -> None:
    people = _people(catalog_engine)
    with session_scope(catalog_engine) as s:
        manager = _member(s, people, "manager")
        with pytest.raises(ReviewRefused) as nothing:
            approval.approve(s, SETTINGS, manager, 34, people["dept"], R8, now=NOW)
        assert nothing.value.code == "not_submitted" and nothing.value.report is None
        with pytest.raises(ReviewRefused) as unknown:
            approval.approve(s, SETTINGS, manager, 999, people["dept"], R8, now=NOW)
        assert unknown.value.code == "not_found"
    _submit(catalog_engine, "第1版")
    with session_scope(catalog_engine) as s:
        with pytest.raises(ReviewRefused) as outsider:
            approval.approve(s, SETTINGS, _member(s, people, "outsider"), 34, people["dept"], R8, now=NOW)
        assert outsider.value.code == "not_allowed"
        with pytest.raises(ReviewRefused) as reporter:
            approval.approve(s, SETTINGS, _member(s, people, "reporter"), 34, people["dept"], R8, now=NOW)
        assert reporter.value.code == "not_allowed"
        with pytest.raises(ReviewRefused) as silent:
            approval.return_report(s, SETTINGS, _member(s, people, "manager"), 34, people["dept"], R8, "  ",
                                   now=NOW)
        assert silent.value.code == "no_comment"
    with session_scope(catalog_engine) as s:
        current = reports.current_report(s, measure_by_no(s, 34).id, people["dept"], R8)
        assert current.status == "submitted" and current.reviewed_by is None
        assert [e.action for e in audit.entries(s, measure_no=34)] == ["submit"]


def test_a_revision_submitted_since_the_reviewer_looked_is_not_approved(catalog_engine: Engine) -> None:
    people = _people(catalog_engine)
    seen = _submit(catalog_engine, "第1版")
    newer = _submit(catalog_engine, "第2版: 数字を直しました")
    with session_scope(catalog_engine) as s:
        with pytest.raises(ReviewRefused) as stale:
            approval.approve(s, SETTINGS, _member(s, people, "manager"), 34, people["dept"], R8,
                             now=NOW, revision=seen)
        assert stale.value.code == "stale" and stale.value.report.revision == newer
    with session_scope(catalog_engine) as s:
        current = reports.current_report(s, measure_by_no(s, 34).id, people["dept"], R8)
        assert (current.revision, current.status) == (newer, "submitted")
        assert [e.action for e in audit.entries(s, measure_no=34)] == ["submit", "revise"]


def _review_race(engine: Engine, people: dict[str, int], revision: int, second_returns: bool) -> dict[str, str]:
    """Both managers review revision `revision` at the same moment: what each was told."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def review(who: str, returning: bool) -> None:
        barrier.wait()
        with session_scope(engine) as s:
            member = _member(s, people, who)
            try:
                if returning:
                    approval.return_report(s, SETTINGS, member, 34, people["dept"], R8, "数字を確認してください",
                                           now=NOW, revision=revision)
                else:
                    approval.approve(s, SETTINGS, member, 34, people["dept"], R8, now=NOW, revision=revision)
                outcomes[who] = "done"
            except ReviewRefused as refused:  # told what the other reviewer did
                shown = refused.report.status if refused.report is not None else None
                outcomes[who] = f"{refused.code}:{shown in ('approved', 'returned')}"

    threads = [threading.Thread(target=review, args=("manager", False)),
               threading.Thread(target=review, args=("manager2", second_returns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_reviewers_at_once_one_wins_the_other_is_refused(catalog_engine: Engine) -> None:
    """Both managers press 承認 (or one 承認, one 差戻し) at the same moment, 10 rounds."""
    people = _people(catalog_engine)
    for round_no in range(10):
        revision = _submit(catalog_engine, f"第{round_no + 1}版")
        outcomes = _review_race(catalog_engine, people, revision, second_returns=round_no % 2 == 1)
        assert sorted(outcomes.values()) == ["done", "not_submitted:True"], outcomes
        winner = next(who for who, outcome in outcomes.items() if outcome == "done")
        with session_scope(catalog_engine) as s:
            current = reports.current_report(s, measure_by_no(s, 34).id, people["dept"], R8)
            assert current.reviewed_by == approval.account_key(_member(s, people, winner))
            reviews = [e for e in audit.entries(s, measure_no=34) if e.action in ("approve", "return")]
            assert len(reviews) == round_no + 1  # one review per round, never two


def test_return_then_revise_then_approve_is_the_history(catalog_engine: Engine) -> None:
    people = _people(catalog_engine)
    _submit(catalog_engine, "第1版")
    with session_scope(catalog_engine) as s:
        returned = approval.return_report(s, SETTINGS, _member(s, people, "manager"), 34, people["dept"], R8,
                                          "実績値の単位を確認してください", now=NOW + timedelta(hours=1))
        assert (returned.status, returned.review_comment) == ("returned", "実績値の単位を確認してください")
    with session_scope(catalog_engine) as s:
        status = department_status(s, people["dept"], FiscalYear(R8))
        assert status is not None
        states = {m.no: m.state for m in status.measures}
        assert states[34] == "returned"
    with session_scope(catalog_engine) as s:
        with pytest.raises(ReviewRefused) as again:  # a returned report waits for its reporter
            approval.approve(s, SETTINGS, _member(s, people, "manager"), 34, people["dept"], R8, now=NOW)
        assert again.value.code == "not_submitted"
    second = _submit(catalog_engine, "第2版: 単位を直しました", at=NOW + timedelta(hours=2))
    with session_scope(catalog_engine) as s:
        approval.approve(s, SETTINGS, _member(s, people, "desk"), 34, people["dept"], R8,
                         now=NOW + timedelta(hours=3), revision=second)
    with session_scope(catalog_engine) as s:
        steps = approval.history(s, 34, people["dept"], R8)
        assert [(h.action, h.revision, h.who, h.comment) for h in steps] == [
            ("submit", 1, "田中 一郎", None),
            ("return", 1, "山田 課長", "実績値の単位を確認してください"),
            ("revise", 2, "田中 一郎", None),
            ("approve", 2, "企画 担当", None),
        ]
        assert [e.action for e in audit.entries(s, measure_no=34)] == ["submit", "return", "revise", "approve"]


def test_nobody_reviews_their_own_report(catalog_engine: Engine) -> None:
    """Not from the account that submitted, nor from another account of the same person."""
    people = _people(catalog_engine)
    with session_scope(catalog_engine) as s:
        _member(s, people, "manager").person = "yamada"
        own_line = add_member(s, "line", "U" + "c" * 32, s.get(Member, people["manager"]).department, "manager",
                              "山田 課長", now=NOW)
        own_line.person = "yamada"
    _submit(catalog_engine, "課長が自分で報告", who="slack:UKACHO")
    with session_scope(catalog_engine) as s:
        for account in (_member(s, people, "manager"), find_member(s, "line", "U" + "c" * 32)):
            assert account is not None
            with pytest.raises(ReviewRefused) as own:
                approval.approve(s, SETTINGS, account, 34, people["dept"], R8, now=NOW)
            assert own.value.code == "own_report"
        approval.approve(s, SETTINGS, _member(s, people, "manager2"), 34, people["dept"], R8, now=NOW)

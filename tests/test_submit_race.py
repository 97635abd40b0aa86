"""Two members of one department pressing 確定 on the same report at the same moment.

Nothing lost, nothing doubled: exactly one current revision; the current row's reporter and text
belong together; the other submission is kept (as a draft, or as an older revision) and its
author is told who submitted and what. Threads and processes, SQLite and PostgreSQL, 50 rounds.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from bot.catalog.store import measure_by_no, measures
from bot.core.config import Settings
from bot.reporting import reports
from bot.reporting.reports import ReportInput, SubmittedMeanwhile
from bot.storage.db import make_engine, session_scope
from bot.storage.models import Department, Report

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 2, 3, 10, 15, tzinfo=JST)
R8 = 2026
ROUNDS = 50
PEOPLE = ("console:yamada", "console:suzuki")


def text_of(who: str, round_no: int) -> str:
    return f"{who} の実施結果(第{round_no}回)"


def pairs(engine: Engine, n: int) -> list[tuple[int, int]]:
    """n (measure no, department id) keys, one per round, so rounds do not interfere."""
    with session_scope(engine) as s:
        keys = [(m.no, m.department_links[0].department_id) for m in measures(s) if m.department_links]
    assert len(keys) >= n
    return keys[:n]


def submit_as(url_or_engine: str | Engine, who: str, no: int, department_id: int) -> str:
    """One person's 確定 (as the dialog does it: `seen` = no submission when they began)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    round_no = no
    try:
        with session_scope(engine) as s:
            measure = measure_by_no(s, no)
            department = s.get(Department, department_id)
            assert measure is not None and department is not None
            try:
                reports.submit(s, measure, department, R8, ReportInput("実施中", text_of(who, round_no), "B"),
                               who, NOW, seen=None)
                return "submitted"
            except SubmittedMeanwhile as meanwhile:
                assert meanwhile.kept.result_text == text_of(who, round_no)
                return "kept"
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def make_shared_draft(engine: Engine, no: int, department_id: int) -> None:
    with session_scope(engine) as s:
        measure = measure_by_no(s, no)
        department = s.get(Department, department_id)
        reports.save_draft(s, measure, department, R8, ReportInput("実施中", "共有の下書き"), PEOPLE[0], NOW)


@dataclass
class Check:
    lost: int = 0  # a submission neither current nor kept
    doubled: int = 0  # not exactly one current row, or the export lists the report twice
    mixed: int = 0  # the current row's text is not its reporter's
    misinformed: int = 0  # not exactly one person told "submitted" and the other "kept"


def check_round(engine: Engine, no: int, department_id: int, outcomes: list[str], check: Check) -> None:
    """Every submission is the current revision or kept; one current row; reporter and text agree."""
    if sorted(outcomes) != ["kept", "submitted"]:
        check.misinformed += 1
    with session_scope(engine) as s:
        measure = measure_by_no(s, no)
        rows = reports.revisions(s, measure.id, department_id, R8)
        current = [r for r in rows if r.is_current]
        if len(current) != 1:
            check.doubled += 1
            return
        [row] = current
        if row.status != "submitted" or row.result_text != text_of(row.reported_by or "", no):
            check.mixed += 1
        texts = {r.result_text for r in rows}
        check.lost += sum(1 for who in PEOPLE if text_of(who, no) not in texts)
        exported = [r for r in reports.export_results(s, R8, JST)
                    if r["no"] == no and r["department"] == row.department.name]
        if len(exported) != 1:
            check.doubled += 1


def race_with_threads(engine: Engine, no: int, department_id: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def person(who: str) -> None:
        barrier.wait()
        try:
            outcomes.append(submit_as(engine, who, no, department_id))
        except Exception as exc:  # counted (misinformed: told of an error), not swallowed
            outcomes.append(f"error: {exc.__class__.__name__}")

    threads = [threading.Thread(target=person, args=(who,)) for who in PEOPLE]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _process_person(url: str, who: str, keys: list[tuple[int, int]], barrier: object, results: object) -> None:
    engine = make_engine(url)
    for no, department_id in keys:
        barrier.wait()  # type: ignore[attr-defined]
        try:
            outcome = submit_as(engine, who, no, department_id)
        except Exception as exc:  # counted (misinformed: told of an error), not swallowed
            outcome = f"error: {exc.__class__.__name__}"
        results.put((no, outcome))  # type: ignore[attr-defined]
    engine.dispose()


def run_rounds(engine: Engine, race: Callable[[list[tuple[int, int]]], dict[int, list[str]]]) -> Check:
    keys = pairs(engine, ROUNDS)
    for i, (no, department_id) in enumerate(keys):
        if i % 2 == 0:  # half the rounds over a draft both people resumed
            make_shared_draft(engine, no, department_id)
    outcomes = race(keys)
    check = Check()
    for no, department_id in keys:
        check_round(engine, no, department_id, outcomes[no], check)
    return check


def test_two_threads_race_50_rounds(catalog_engine: Engine) -> None:
    def race(keys: list[tuple[int, int]]) -> dict[int, list[str]]:
        return {no: race_with_threads(catalog_engine, no, d) for no, d in keys}

    assert run_rounds(catalog_engine, race) == Check()


def test_two_processes_race_50_rounds(catalog_engine: Engine, catalog_url: str) -> None:
    def race(keys: list[tuple[int, int]]) -> dict[int, list[str]]:
        ctx = multiprocessing.get_context("spawn")
        barrier, results = ctx.Barrier(2, timeout=120), ctx.Queue()
        procs = [ctx.Process(target=_process_person, args=(catalog_url, who, keys, barrier, results))
                 for who in PEOPLE]
        for p in procs:
            p.start()
        out: dict[int, list[str]] = {}
        for _ in range(2 * len(keys)):
            no, outcome = results.get(timeout=180)
            out.setdefault(no, []).append(outcome)
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
        return out

    assert run_rounds(catalog_engine, race) == Check()


def test_the_database_allows_one_current_revision(catalog_engine: Engine) -> None:
    """The last line of defence, whatever the code above it does: a partial unique index."""
    with session_scope(catalog_engine) as s:
        m34 = measure_by_no(s, 34)
        dept = m34.departments[0]
        reports.submit(s, m34, dept, R8, ReportInput("実施中", "一人目"), PEOPLE[0], NOW)
    with pytest.raises(IntegrityError), session_scope(catalog_engine) as s:
        s.add(Report(measure_id=m34.id, department_id=dept.id, fy=R8, revision=2, is_current=True,
                     status="submitted", reported_by=PEOPLE[1], created_at=NOW))
        s.flush()
    with session_scope(catalog_engine) as s:  # not current: an older revision or a draft is fine
        s.add(Report(measure_id=m34.id, department_id=dept.id, fy=R8, revision=2, is_current=False,
                     status="draft", reported_by=PEOPLE[1], created_at=NOW))
    with pytest.raises(IntegrityError), session_scope(catalog_engine) as s:
        s.execute(update(Report).where(Report.revision == 2).values(is_current=True))
    with session_scope(catalog_engine) as s:
        assert len(s.scalars(select(Report).where(Report.is_current.is_(True))).all()) == 1


def test_a_revision_submitted_meanwhile_is_not_overwritten(catalog_engine: Engine) -> None:
    """Compare-and-set: Suzuki began revising 第1版; Yamada's 第2版 came first. Suzuki's text is kept."""
    with session_scope(catalog_engine) as s:
        m34 = measure_by_no(s, 34)
        dept = m34.departments[0]
        first, _ = reports.submit(s, m34, dept, R8, ReportInput("実施中", "第1版"), PEOPLE[0], NOW)
        reports.submit(s, m34, dept, R8, ReportInput("完了", "山田の第2版"), PEOPLE[0], NOW, seen=first.revision)
        with pytest.raises(SubmittedMeanwhile) as caught:
            reports.submit(s, m34, dept, R8, ReportInput("完了", "鈴木の修正"), PEOPLE[1], NOW, seen=first.revision)
        assert caught.value.current.result_text == "山田の第2版"
        assert (caught.value.kept.status, caught.value.kept.is_current) == ("draft", False)
        # told, Suzuki submits over 第2版 knowingly
        third, changed = reports.submit(s, m34, dept, R8, ReportInput("完了", "鈴木の修正"), PEOPLE[1], NOW, seen=2)
        assert changed and third.revision == 3
        rows = reports.revisions(s, m34.id, dept.id, R8)
        assert [(r.revision, r.result_text, r.is_current) for r in rows] == [
            (1, "第1版", False), (2, "山田の第2版", False), (3, "鈴木の修正", True)]


def test_the_one_who_lost_the_race_is_told_who_and_what_and_keeps_their_text(
        settings: Settings, sqlite_catalog_engine: Engine) -> None:
    from tests.conftest import Bot

    bot = Bot(settings, sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        from bot.catalog.store import find_department
        from bot.people.members import add_member
        dept = find_department(s, "危機管理課")
        add_member(s, "console", "yamada", dept, name="山田 花子", now=NOW)
        add_member(s, "console", "suzuki", dept, name="鈴木 一郎", now=NOW)
    for who in ("yamada", "suzuki"):
        for said in ("報告 34", "実施中", f"{who}が書いた実施結果。", "1,650名", "見込み", "B"):
            bot.say(who, said)
    assert "提出しました(第1版)" in bot.say("yamada", "確定")
    reply = bot.say("suzuki", "確定")
    for part in ("同じ課の山田 花子さんがたった今、No.34(危機管理課)の令和8年度の報告を提出しました(第1版)",
                 "提出された内容はこちらです", "yamadaが書いた実施結果。", "コミュニティ防災士数 1,650名(見込み)",
                 "下書きとして保存しました", "修正しますか", "第2版として提出します", "この内容で提出しますか",
                 "suzukiが書いた実施結果。", "提出すると第2版になります"):
        assert part in reply, reply
    assert "提出しました(第1版)。ありがとうございました" not in reply
    [row] = bot.export()
    assert (row["reported_by"], row["result_text"]) == ("console:yamada", "yamadaが書いた実施結果。")
    with session_scope(sqlite_catalog_engine) as s:
        m34 = measure_by_no(s, 34)
        kept = reports.pending_draft(s, m34.id, m34.departments[0].id, R8)
        assert kept is not None and kept.result_text == "suzukiが書いた実施結果。"
    # Suzuki decides to submit their own text: 第2版, Yamada's 第1版 stays on record.
    assert "提出しました(第2版)" in bot.say("suzuki", "確定")
    [row] = bot.export()
    assert (row["reported_by"], row["result_text"], row["revision"]) == ("console:suzuki", "suzukiが書いた実施結果。", 2)

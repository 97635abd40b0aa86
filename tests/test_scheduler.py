"""The clock: a whole round rehearsed day by day, catch-up after downtime, two clocks, a killed clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, func, select

from bot.clock.scheduler import JOB_TABLE, build_scheduler, tick
from bot.core.config import Settings, get_settings
from bot.core.outbox import ConsoleSender, from_db
from bot.handlers.line.api import LineApi, LineSender
from bot.japanese.business_days import BusinessCalendar
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.rounds import round_of
from bot.storage.db import make_engine, session_scope
from bot.storage.models import Department, MeasureDepartment, OutboxMessage
from tests.conftest import JST, answer, jst, member, outbox_rows
from tests.fakes.line_api import FakeLineApi

CALENDAR = BusinessCalendar()
ROUND = round_of(Settings(), FiscalYear(2026))
NUDGES = [s.day for s in ROUND.reminder_slots if s.kind == "nudge"]
DIGESTS = [s.day for s in ROUND.digest_slots]
OPEN, FINAL, ESCALATION = date(2027, 2, 1), date(2027, 4, 26), date(2027, 5, 6)
HR = (7, 10, 11, 23, 25, 26)  # 人事課's six measures


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def sent_log(engine: Engine) -> Counter[tuple[str, int, str, str, date]]:
    """(kind, seq, department, recipient, the local day it was queued) of every outbox row."""
    rows = outbox_rows(engine)
    assert {(r.status, r.attempts) for r in rows} <= {("sent", 1)}, [(r.key, r.status, r.attempts) for r in rows]
    return Counter(
        (r.kind, int(r.payload["seq"]), r.payload["department"], r.recipient,
         from_db(r.created_at).astimezone(JST).date())  # type: ignore[union-attr]
        for r in rows
    )


def rehearsal_cast(engine: Engine) -> None:
    member(engine, "console", "tanaka", "危機管理課")
    member(engine, "console", "kacho", "危機管理課", role="manager")
    member(engine, "console", "jinji", "人事課")
    member(engine, "console", "coord", "デジタル行政戦略課")
    # 税務課 and the others register nobody: they count, and the digest names them unreachable.


ANSWERS: dict[date, list[tuple[int, str, str]]] = {
    date(2027, 2, 10): [(34, "危機管理課", "submitted")],
    date(2027, 2, 17): [(35, "危機管理課", "draft")],
    date(2027, 2, 19): [(no, "人事課", "submitted") for no in HR[:3]],
    date(2027, 3, 3): [(35, "危機管理課", "submitted")],
    date(2027, 3, 19): [(no, "人事課", "submitted") for no in HR[3:]],
}


def digital_measures(engine: Engine) -> list[int]:
    with session_scope(engine) as s:
        from bot.storage.models import Measure

        return list(s.scalars(
            select(Measure.no).join(MeasureDepartment).join(Department)
            .where(Department.name == "デジタル行政戦略課").order_by(Measure.no)))


def test_a_whole_round_rehearsed_day_by_day(catalog_engine: Engine) -> None:
    """BOT_NOW stepped through 2027-01-25 … 2027-06-04 at 09:30, departments answering on the way."""
    rehearsal_cast(catalog_engine)
    digital = digital_measures(catalog_engine)
    answers = dict(ANSWERS)
    answers[date(2027, 4, 27)] = [(no, "デジタル行政戦略課", "submitted") for no in digital]  # after the final notice

    for day in days(date(2027, 1, 25), date(2027, 6, 4)):
        moment = datetime(day.year, day.month, day.day, 9, 30, tzinfo=JST)
        for no, dept, status in answers.get(day, []):
            answer(catalog_engine, no, dept, moment - timedelta(hours=20), status=status)
        settings = Settings(bot_now=moment)
        tick(catalog_engine, settings, senders={"console": ConsoleSender()})
        if day == date(2027, 2, 22):  # the nudge names what is open and the unfinished draft
            [nudge] = [r for r in outbox_rows(catalog_engine) if r.key == "R8/危機管理課/nudge/3/console:tanaka"]
            assert (nudge.payload["measures"], nudge.payload["drafts"]) == ([35, 44], [35])

    expected: Counter[tuple[str, int, str, str, date]] = Counter()
    for who in ("tanaka", "kacho"):
        expected[("open", 1, "危機管理課", who, OPEN)] += 1
        expected.update(("nudge", i, "危機管理課", who, d) for i, d in enumerate(NUDGES, start=1))
        expected[("final", 1, "危機管理課", who, FINAL)] += 1
    expected[("escalation", 1, "危機管理課", "kacho", ESCALATION)] += 1  # managers only
    expected[("open", 1, "人事課", "jinji", OPEN)] += 1
    expected.update(("nudge", i, "人事課", "jinji", d) for i, d in enumerate(NUDGES, start=1) if d < date(2027, 3, 19))
    expected[("open", 1, "デジタル行政戦略課", "coord", OPEN)] += 1
    expected.update(("nudge", i, "デジタル行政戦略課", "coord", d) for i, d in enumerate(NUDGES, start=1))
    expected[("final", 1, "デジタル行政戦略課", "coord", FINAL)] += 1
    expected.update(("digest", i, "デジタル行政戦略課", "coord", d) for i, d in enumerate(DIGESTS, start=1))

    got = sent_log(catalog_engine)
    assert got == expected
    assert all(CALENDAR.is_business_day(day) for *_, day in got)
    assert len(DIGESTS) == 18 and date(2027, 3, 23) in NUDGES  # 3/22 was 振替休日

    rows = {r.key: r for r in outbox_rows(catalog_engine)}
    assert rows["R8/危機管理課/nudge/5/console:tanaka"].payload["measures"] == [44]
    last_hr = rows["R8/人事課/nudge/6/console:jinji"].payload["measures"]
    assert last_hr == list(HR[3:])
    escalation = rows["R8/危機管理課/escalation/1/console:kacho"].payload
    assert escalation["measures"] == [44]
    after_deadline = rows["R8/digest/14/console:coord"].payload["replies"][0]["text"]
    assert "締切を過ぎても未提出の課" in after_deadline and "・危機管理課: No.44" in after_deadline
    assert "・デジタル行政戦略課" not in after_deadline and "税務課" in after_deadline
    assert "前回のダイジェスト以降に提出された報告: 1件\n・No.34 危機管理課" in rows[
        "R8/digest/3/console:coord"].payload["replies"][0]["text"]


def test_a_clock_that_was_down_catches_up_with_the_latest_slot_only(sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    member(sqlite_catalog_engine, "console", "coord", "デジタル行政戦略課")
    senders = {"console": ConsoleSender()}
    tick(sqlite_catalog_engine, Settings(), jst(2027, 2, 1), senders)
    # down from Monday 2/8 to Thursday 2/11 (建国記念の日): Friday's run sends the missed nudge and digest
    for day in (11, 12, 13):
        tick(sqlite_catalog_engine, Settings(), jst(2027, 2, day), senders)
    # down for more than a week: only the latest nudge (2/22), not the one it replaced (2/15)
    tick(sqlite_catalog_engine, Settings(), jst(2027, 2, 24), senders)
    got = {(k, s, d, who, day) for (k, s, d, who, day) in sent_log(sqlite_catalog_engine) if who == "tanaka"}
    assert got == {("open", 1, "危機管理課", "tanaka", date(2027, 2, 1)),
                   ("nudge", 1, "危機管理課", "tanaka", date(2027, 2, 12)),
                   ("nudge", 3, "危機管理課", "tanaka", date(2027, 2, 24))}
    digests = sorted((s, day) for (k, s, _, _, day) in sent_log(sqlite_catalog_engine) if k == "digest")
    assert digests == [(1, date(2027, 2, 1)), (2, date(2027, 2, 12)), (4, date(2027, 2, 24))]


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi(token="test-access-token").start()
    yield api
    api.stop()
    assert api.errors == []


def test_two_clocks_at_once_send_each_message_once(catalog_url: str, catalog_engine: Engine,
                                                   line_api: FakeLineApi) -> None:
    """Two clock processes (own connection pools) run the same passes at the same moments."""
    departments = ["危機管理課", "人事課", "企画調整課", "環境政策課", "財政課", "デジタル行政戦略課"]
    for i, dept in enumerate(departments):
        member(catalog_engine, "line", f"U{i:032x}", dept)
        member(catalog_engine, "line", f"U{i + 100:032x}", dept, role="manager")
    moments = [jst(2027, 2, 1, 9, 0), jst(2027, 2, 1, 9, 1), jst(2027, 2, 8, 9, 0), jst(2027, 4, 26, 9, 0),
               jst(2027, 5, 6, 9, 0)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def clock() -> None:
        eng = make_engine(catalog_url)
        try:
            for moment in moments:
                settings = Settings(bot_now=moment, line_channel_access_token="test-access-token",
                                    line_api_url=line_api.url, line_push_monthly_budget=1000)
                sender = LineSender(settings, eng, LineApi(settings, eng, backoff=()))
                barrier.wait()
                tick(eng, settings, senders={"line": sender})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            barrier.abort()
        finally:
            eng.dispose()

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []

    rows = outbox_rows(catalog_engine)
    per_slot = len(departments) * 2  # every department still has measures open: both members, every slot
    coordinators = 2  # デジタル行政戦略課's two members get the digest too
    assert Counter(r.kind for r in rows) == {"open": per_slot, "nudge": per_slot, "final": per_slot,
                                             "escalation": len(departments), "digest": coordinators * 4}
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    delivered = Counter(c.retry_key for c in line_api.deliveries)
    assert len(delivered) == len(rows) and set(delivered.values()) == {1}


# --- the APScheduler job store -------------------------------------------------------------------


@pytest.fixture
def clock_env(sqlite_catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The process environment a clock reads its settings from (run_job takes plain arguments)."""
    monkeypatch.setenv("DATABASE_URL", sqlite_catalog_url)
    monkeypatch.setenv("BOT_NOW", "2027-02-01T09:30:00+09:00")
    monkeypatch.setenv("SCHEDULER_MISFIRE_GRACE_SECONDS", "60")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def stored_jobs(engine: Engine) -> dict[str, float]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return dict(conn.execute(text(f"select id, next_run_time from {JOB_TABLE}")).all())  # type: ignore[arg-type]


def wait_until(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def stop_with_a_missed_run(settings: Settings, engine: Engine, late: timedelta) -> None:
    """A clock stored its jobs and stopped; then, while no clock ran, the remind job fell due `late` ago."""
    clock = build_scheduler(settings, engine, BackgroundScheduler)
    clock.start(paused=True)
    clock.shutdown()
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)  # the store as the stopped clock left it
    owner = BackgroundScheduler(timezone=settings.tz)
    store.start(owner, "default")
    stored = store.lookup_job("remind")
    assert stored is not None
    store.update_job(Job(owner, id=stored.id, func=stored.func_ref, trigger=stored.trigger, args=stored.args,
                         kwargs={}, executor=stored.executor, name=stored.name, coalesce=stored.coalesce,
                         misfire_grace_time=stored.misfire_grace_time, max_instances=stored.max_instances,
                         next_run_time=datetime.now(JST) - late))


def test_a_run_missed_while_the_clock_was_down_is_caught_up_on_start(clock_env: Settings,
                                                                      sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    stop_with_a_missed_run(clock_env, sqlite_catalog_engine, late=timedelta(seconds=20))
    assert set(stored_jobs(sqlite_catalog_engine)) == {"remind", "digest", "deliver"}
    assert outbox_rows(sqlite_catalog_engine) == []

    clock = build_scheduler(clock_env, sqlite_catalog_engine, BackgroundScheduler)  # keeps the stored jobs
    assert stored_jobs(sqlite_catalog_engine)["remind"] < time.time()
    clock.start()
    try:
        assert wait_until(lambda: [r.status for r in outbox_rows(sqlite_catalog_engine)] == ["sent"])
    finally:
        clock.shutdown()
    [row] = outbox_rows(sqlite_catalog_engine)
    assert row.key == "R8/危機管理課/open/1/console:tanaka"
    assert stored_jobs(sqlite_catalog_engine)["remind"] > time.time()  # next: tomorrow 09:00


def test_a_run_missed_by_more_than_the_grace_is_skipped(clock_env: Settings, sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    stop_with_a_missed_run(clock_env, sqlite_catalog_engine, late=timedelta(minutes=5))
    clock = build_scheduler(clock_env, sqlite_catalog_engine, BackgroundScheduler)
    clock.start()
    try:
        time.sleep(1.0)
    finally:
        clock.shutdown()
    assert outbox_rows(sqlite_catalog_engine) == []  # (the process's start-up pass catches it up instead)


# --- a real clock process, killed --------------------------------------------------------------


def kaikaku() -> str:
    return str(Path(sys.executable).with_name("kaikaku"))


def start_clock(url: str, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "BOT_NOW": "2027-02-01T09:30:00+09:00",
           "OUTBOX_POLL_SECONDS": "1", "OUTBOX_LEASE_SECONDS": "1", "OUTBOX_BACKOFF_SECONDS": "1"}
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen([kaikaku(), "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)


def count(engine: Engine, status: str | None = None) -> int:
    with session_scope(engine) as s:
        stmt = select(func.count(OutboxMessage.id))
        if status:
            stmt = stmt.where(OutboxMessage.status == status)
        return int(s.scalar(stmt) or 0)


def test_killing_the_clock_mid_round_loses_and_doubles_nothing(sqlite_catalog_url: str,
                                                                sqlite_catalog_engine: Engine,
                                                                tmp_path: Path) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        names = list(s.scalars(select(Department.name).join(MeasureDepartment).distinct()))
    for i, name in enumerate(names):
        for j in range(6):
            member(sqlite_catalog_engine, "console", f"user{i}-{j}", name)
    expected = len(names) * 6 + 6  # every member's opening reminder, and the digest to the coordinators' six

    first = start_clock(sqlite_catalog_url, tmp_path, "first")
    try:
        assert wait_until(lambda: count(sqlite_catalog_engine) > 0, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    second = start_clock(sqlite_catalog_url, tmp_path, "second")
    try:
        assert wait_until(lambda: count(sqlite_catalog_engine, "sent") == expected, timeout=30), \
            (tmp_path / "second.log").read_text()
        time.sleep(1.5)  # a poll or two more: nothing new may appear
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0
    rows = outbox_rows(sqlite_catalog_engine)
    assert len(rows) == expected == len({r.key for r in rows})
    assert {r.status for r in rows} == {"sent"}
    assert {r.attempts for r in rows} <= {1, 2}  # 2: taken by the killed clock, retried after its lease

"""One dialog step end to end (router + engine + database), on SQLite and on PostgreSQL.

Each timed call is what a web process does for one message of a user in the report dialog:
find the member, load the dialog state (row lock on PostgreSQL), run the step (choices, validator,
number parsing), store the state with its version check, commit. Steps alternate between an
answer and 戻る so the dialog can be stepped through as long as needed.

    .venv/bin/python bench/bench_dialog.py [--steps 400] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Goal: p99 under 20 ms on SQLite. The PostgreSQL half makes (and drops) its own temporary database;
it is skipped with a note when the server cannot be reached.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, find_department, load_catalog, read_catalog
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.people.members import add_member
from bot.storage.db import make_engine, migrate, session_scope

NOW = datetime(2027, 2, 3, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))
# (what is said, a word the reply must hold): answers and 戻る, at a choice step and a number step
CHOICE_STEP = [("実施中", "実施結果"), ("戻る", "取組状況")]
NUMBER_STEP = [("１，６５０名", "見込み"), ("戻る", "実績値")]


def prepare(url: str) -> tuple[Settings, object]:
    settings = Settings(database_url=url, bot_now=NOW)
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
        department = find_department(s, "危機管理課")
        assert department is not None, "the catalog names 危機管理課"
        add_member(s, "slack", "U1", department, now=NOW)
    return settings, engine


def say(settings: Settings, engine: object, said: str) -> str:
    incoming = Incoming("slack", "U1", "D1", text=said, event_id=uuid.uuid4().hex)
    return "\n".join(r.text for r in route(settings, engine, incoming))  # type: ignore[arg-type]


def measure(settings: Settings, engine: object, lead_in: list[str], cycle: list[tuple[str, str]],
            steps: int) -> list[float]:
    for said in lead_in:
        say(settings, engine, said)
    for said, expect in cycle * 5:  # warm up
        assert expect in say(settings, engine, said)
    times = []
    for i in range(steps):
        said, expect = cycle[i % len(cycle)]
        start = time.perf_counter()
        reply = say(settings, engine, said)
        times.append((time.perf_counter() - start) * 1000)
        assert expect in reply, reply
    say(settings, engine, "キャンセル")
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def run(name: str, url: str, steps: int) -> None:
    settings, engine = prepare(url)
    for label, lead_in, cycle in [
        ("choice step (取組状況)", ["報告 34"], CHOICE_STEP),
        ("number step (実績値)", ["報告 34", "実施中", "講座を開催した。"], NUMBER_STEP),
    ]:
        times = measure(settings, engine, lead_in, cycle, steps)
        print(f"{name:<10} {label:<22} n={len(times):<5} median {statistics.median(times):6.2f} ms"
              f"   p99 {p99(times):6.2f} ms   max {max(times):6.2f} ms")
    engine.dispose()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.steps)
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    name = f"kk_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - report and go on: the SQLite figures stand
        print(f"PostgreSQL skipped: {exc.__class__.__name__}: {exc}".splitlines()[0])
        return
    try:
        run("PostgreSQL", args.pg.rsplit("/", 1)[0] + "/" + name, args.steps)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print("goal: p99 under 20 ms on SQLite")


if __name__ == "__main__":
    main()

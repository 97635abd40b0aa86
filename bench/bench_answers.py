"""Time question answering over the whole catalog on SQLite: median and p99 per question.

    .venv/bin/python bench/bench_answers.py [--rounds 300] [--url sqlite:///path.db] [--route]

Without --url a fresh SQLite database is made in a temporary directory: migrated, the bundled
catalog loaded, and reports inserted for about half of the (measure, department) pairs, so that
results and status questions read real rows. Each timed call is what the router does for one
message: open a session, answer, commit. With --route the whole `bot.core.router.route` is timed
instead (member lookup and the handlers before the answer included). Goal: p99 under 5 ms.

Like a serving process, the bench calls `bot.core.runtime.loaded()` once its start-up is over (here:
the database made), so a full garbage collection walks what answering made, not every module
and mapper (50–70 ms each time otherwise; see bot/core/runtime.py). The GC itself stays on.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from bot.answers import answer
from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog
from bot.core import runtime
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.people.members import find_member
from bot.storage.db import make_engine, migrate, session_scope
from bot.storage.models import Actual, Department, Measure, Member, Report

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 2, 3, 10, 15, tzinfo=JST)
GOAL_MS = 5.0

QUESTIONS = [
    "No.34の目標は?",
    "Ｎｏ．３４の令和7年度の目標",
    "No.83の令和7年度の目標は?",
    "No.86の目標",
    "No.34について",
    "No.7の担当課は?",
    "No.5の令和7年度の計画",
    "No.1の計画は?",
    "No.34の進捗は?",
    "No.7の実績",
    "No.81の結果は?",
    "危機管理課の取組は?",
    "危機管理の取組",
    "デジタル行政戦略課の取組",
    "危機管理課の進捗",
    "ドローン",
    "ふるさと納税",
    "MaaS",
    "防災",
    "収納",
    "収納率の目標は?",
    "未提出の課は?",
    "回答率は?",
    "数値目標の達成状況",
    "数値目標の一覧",
    "No.99の目標",
    "34",
    "企画の取組",
    "こんにちは",
    # issue 14: the round, declines, qualifiers, achievement lists, who reported
    "締切はいつ?",
    "金沢市長は誰?",
    "No.33の目標は?",
    "達成した取組は?",
    "誰がNo.34を報告した?",
    "危機管里課の取組は?",
]


def prepare(url: str | None, catalog: Path) -> tuple[Engine, Settings]:
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench_answers_"))
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        with session_scope(engine) as session:
            load_catalog(session, read_catalog(catalog), BUNDLED_PLAN)
            insert_reports(session)
    else:
        engine = make_engine(url)
    return engine, Settings(database_url=url, bot_now=NOW)


def insert_reports(session) -> None:  # type: ignore[no-untyped-def]
    """Submitted reports for every other (measure, department) pair, with actuals on numeric ones."""
    dept = session.scalar(select(Department).where(Department.name == "危機管理課"))
    session.add(Member(platform="console", user_id="bench", department=dept, role="manager", name="試験",
                       created_at=NOW))
    measures = session.scalars(select(Measure).order_by(Measure.no)).all()
    for i, m in enumerate(measures):
        for link in m.department_links:
            if (i + link.position) % 2:
                continue
            at = NOW - timedelta(hours=i)
            report = Report(measure=m, department_id=link.department_id, fy=2026, revision=1, is_current=True,
                            status="submitted", progress="in_progress", result_text=f"No.{m.no}を計画どおり実施しました。",
                            rating="B", reported_by="console:bench", reported_at=at, created_at=at)
            for position, t in enumerate(x for x in m.targets if x.fy == 2026 and x.value is not None):
                value = Decimal(t.value) * Decimal("0.97")
                report.actuals.append(Actual(position=position, metric=t.metric, value=value, unit=t.unit,
                                             typed=str(value), basis="estimate",
                                             achievement_rate=Decimal("0.97"), met=False))
            session.add(report)


def time_question(engine: Engine, settings: Settings, text: str, rounds: int, via_route: bool) -> list[float]:
    incoming = Incoming("console", "bench", "console", text=text)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        if via_route:
            route(settings, engine, incoming)
        else:
            with session_scope(engine) as session:  # as the manager `bench`: results are read, not withheld
                answer(session, text, member=find_member(session, "console", "bench"), now=NOW, settings=settings)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--url", default=None, help="an existing database (default: a fresh SQLite one)")
    parser.add_argument("--catalog", type=Path, default=BUNDLED_CATALOG)
    parser.add_argument("--route", action="store_true", help="time bot.core.router.route end to end")
    args = parser.parse_args(argv)
    engine, settings = prepare(args.url, args.catalog)
    runtime.loaded()  # what a serving process does once loaded: its start-up objects frozen out of the GC's walks
    for text in QUESTIONS:  # warm up: the catalog snapshot, statement caches
        time_question(engine, settings, text, 3, args.route)
    everything: list[float] = []
    width = max(len(q) for q in QUESTIONS) + 2
    print(f"{'question':<{width}} {'median ms':>10} {'p99 ms':>8}")
    worst = 0.0
    for text in QUESTIONS:
        samples = time_question(engine, settings, text, args.rounds, args.route)
        everything.extend(samples)
        worst = max(worst, p99(samples))
        print(f"{text:<{width}} {statistics.median(samples):>10.3f} {p99(samples):>8.3f}")
    print(f"{'all questions':<{width}} {statistics.median(everything):>10.3f} {p99(everything):>8.3f}")
    verdict = "OK" if worst < GOAL_MS else "OVER"
    print(f"worst per-question p99: {worst:.3f} ms (goal < {GOAL_MS} ms): {verdict}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

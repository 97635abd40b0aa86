"""Time a reminder pass and a digest for a generated plan of 1,000 departments and 10,000 measures.

    .venv/bin/python bench/bench_reminders.py [--departments 1000] [--measures 10000]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-pg]

On SQLite (a temporary file) and on PostgreSQL (a temporary database created next to the one in
--pg and dropped afterwards) it generates the plan: every measure with one department (every
tenth with a second one), a numeric target for every fifth, one console member per department
(none for every twentieth: unreachable), 40% of the pairs submitted (with actuals), 10% drafts.
Then it times, each on its own:

- plan:     `due_reminders` at the opening (no writes) — who is told what;
- enqueue:  the opening pass writing every message to the outbox;
- again:    the same pass again (every key already there: nothing written);
- deliver:  the sender loop delivering them (console: claim and mark sent);
- nudge:    the next week's pass after more answers (plan + enqueue);
- digest:   building the digest (its queries), rendering its text and JSON, and its chart
            (the first chart of a process includes importing matplotlib).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, insert, text

from bot.clock.digest import Digest, build_digest
from bot.clock.reminders import due_reminders, enqueue_reminders
from bot.core.config import Settings
from bot.core.outbox import ConsoleSender, deliver_due
from bot.storage.db import make_engine, migrate, session_scope
from bot.storage.models import Actual, Department, Measure, MeasureDepartment, Member, Plan, Report, Target

JST = ZoneInfo("Asia/Tokyo")
OPEN = datetime(2027, 2, 1, 9, 30, tzinfo=JST)
NUDGE = datetime(2027, 2, 8, 9, 30, tzinfo=JST)
FY = 2026
T = TypeVar("T")


def generate(engine: Engine, departments: int, measures: int) -> dict[str, int]:
    """Insert the generated plan with set-based inserts; counts of what was made."""
    now = datetime(2027, 1, 5, tzinfo=JST)
    with session_scope(engine) as s:
        plan_id = s.execute(insert(Plan).values(code="bench", title="ベンチマーク用の計画", first_fy=2023, last_fy=2026)
                            .returning(Plan.id)).scalar_one()
        s.execute(insert(Department), [{"id": d + 1, "name": f"課{d + 1:04d}"} for d in range(departments)])
        s.execute(insert(Measure), [{"id": m + 1, "plan_id": plan_id, "no": m + 1, "title": f"取組{m + 1}",
                                     "numeric_goal": m % 5 == 0, "related_plans": [], "missing": [],
                                     "corrections": []} for m in range(measures)])
        links = [{"measure_id": m + 1, "department_id": m % departments + 1, "position": 0} for m in range(measures)]
        links += [{"measure_id": m + 1, "department_id": (m + 7) % departments + 1, "position": 1}
                  for m in range(0, measures, 10)]
        s.execute(insert(MeasureDepartment), links)
        s.execute(insert(Target), [{"measure_id": m + 1, "fy": FY, "position": 0, "metric": "件数",
                                    "value": Decimal(100), "unit": "件", "direction": "at_least"}
                                   for m in range(0, measures, 5)])
        members = [{"platform": "console", "user_id": f"user{d + 1}", "department_id": d + 1, "role": "staff",
                    "created_at": now} for d in range(departments) if d % 20 != 19]
        members += [{"platform": "console", "user_id": f"coord{i}", "department_id": 1, "role": "coordinator",
                     "created_at": now} for i in range(3)]
        s.execute(insert(Member), members)
        reports, actuals = _reports(links)
        s.execute(insert(Report), reports)
        s.execute(insert(Actual), actuals)
    return {"departments": departments, "measures": measures, "pairs": len(links), "members": len(members),
            "reports": len(reports)}


def _reports(links: list[dict[str, int]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    reports, actuals = [], []
    departments = max(link["department_id"] for link in links)
    for i, link in enumerate(links):
        kind = (i // departments) % 10  # a department's measures in every state
        if kind >= 5:  # half the pairs: nothing yet
            continue
        status = "draft" if kind == 4 else "submitted"
        rid = len(reports) + 1
        reports.append({"id": rid, "measure_id": link["measure_id"], "department_id": link["department_id"],
                        "fy": FY, "revision": 1, "is_current": True, "status": status, "result_text": "実施",
                        "reported_by": "console:bench", "reported_at": datetime(2027, 1, 20 + kind, tzinfo=JST),
                        "created_at": datetime(2027, 1, 20, tzinfo=JST)})
        if status == "submitted" and (link["measure_id"] - 1) % 5 == 0:
            value = Decimal(80 + kind * 10)
            actuals.append({"report_id": rid, "position": 0, "metric": "件数", "value": value, "unit": "件",
                            "typed": f"{value}件", "achievement_rate": value / 100, "met": value >= 100})
    return reports, actuals


def answer_more(engine: Engine) -> None:
    """Before the nudge: the drafts are submitted."""
    with session_scope(engine) as s:
        s.execute(text("update report set status = 'submitted', reported_at = created_at where status = 'draft'"))


def timed(label: str, fn: Callable[[], T], figures: dict[str, float]) -> T:
    start = time.perf_counter()
    result = fn()
    figures[label] = time.perf_counter() - start
    return result


def run(url: str, departments: int, measures: int) -> tuple[dict[str, float], dict[str, int]]:
    engine = make_engine(url)
    migrate(engine)
    counts = generate(engine, departments, measures)
    settings = Settings(database_url=url)
    figures: dict[str, float] = {}

    def plan() -> int:
        with session_scope(engine) as s:
            return len(due_reminders(s, settings, OPEN))

    def enqueue(at: datetime) -> Callable[[], int]:
        def go() -> int:
            with session_scope(engine) as s:
                return len(enqueue_reminders(s, settings, at))
        return go

    def digest() -> Digest:
        with session_scope(engine) as s:
            return build_digest(s, settings, NUDGE)

    senders = {"console": ConsoleSender()}
    counts["planned"] = timed("plan", plan, figures)
    counts["queued"] = timed("enqueue", enqueue(OPEN), figures)
    counts["queued again"] = timed("again", enqueue(OPEN), figures)
    counts["delivered"] = len(timed("deliver", lambda: deliver_due(engine, settings, senders=senders), figures).sent)
    answer_more(engine)
    counts["nudged"] = timed("nudge", enqueue(NUDGE), figures)
    built = timed("digest", digest, figures)
    counts["digest departments"] = len(built.status.departments)
    counts["digest text"] = timed("render", lambda: len(built.text()) + len(
        json.dumps(built.to_json(), ensure_ascii=False, default=str)), figures)
    counts["chart bytes"] = timed("chart", lambda: len(built.chart()), figures)
    engine.dispose()
    return figures, counts


def with_pg_database(admin_url: str, body: Callable[[str], T]) -> T:
    """Run `body(url)` on a temporary database created next to `admin_url`, dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"kk_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return body(admin_url.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(kind: str, figures: dict[str, float], counts: dict[str, int]) -> None:
    print(f"\n{kind}: {counts['departments']:,} departments, {counts['measures']:,} measures, "
          f"{counts['pairs']:,} (measure, department) pairs, {counts['members']:,} members, "
          f"{counts['reports']:,} reports")
    rows = [("plan", "due_reminders at the opening (no writes)", "planned"),
            ("enqueue", "opening pass: plan + write to the outbox", "queued"),
            ("again", "the same pass again (all keys there)", "queued again"),
            ("deliver", "sender loop, console", "delivered"),
            ("nudge", "next week's nudge pass", "nudged"),
            ("digest", "digest: its queries", "digest departments"),
            ("render", "digest: text and JSON", "digest text"),
            ("chart", "digest: chart PNG (matplotlib)", "chart bytes")]
    for key, what, count in rows:
        print(f"  {what:<44} {figures[key] * 1000:9.1f} ms   ({count}: {counts[count]:,})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--measures", type=int, default=10000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_reminders_") as folder:
        figures, counts = run(f"sqlite:///{Path(folder) / 'bench.db'}", args.departments, args.measures)
    report("SQLite", figures, counts)
    if not args.no_pg:
        figures, counts = with_pg_database(args.pg, lambda url: run(url, args.departments, args.measures))
        report("PostgreSQL", figures, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time the dashboard's overview, server-side, for 1,000 departments and 10,000 measures, beside
the real plan (about 40 departments, 90 measures) as the baseline, in one run.

    .venv/bin/python bench/bench_dashboard.py [--departments 1000] [--measures 10000]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-pg]

The large plan is bench_reminders' generated one (40% of the pairs submitted, 10% drafts),
its reports spread over the round's first weeks; the baseline is the bundled catalog with the
test suite's mid-round answers. Each case signs a coordinator in (who sees everything: the
largest page) and times a GET of /dashboard/ through Flask's test client: the queries, the
burndown, the SVG and the HTML of every department's tile. Target: under 300 ms. The first
request of a process (template compilation) is reported apart; the figure is the median of
the next five.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_reminders import generate, with_pg_database  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.web import create_app  # noqa: E402
from bot.storage.db import make_engine, migrate, session_scope  # noqa: E402
from bot.storage.models import Member  # noqa: E402

TARGET_MS = 300.0


def spread_reports(engine: Engine) -> None:
    """bench_reminders answers in January; move them into the round (Feb 1 on) for a burndown."""
    with session_scope(engine) as s:
        s.execute(text("update report set reported_at = created_at + (id % 40) * interval '1 day' + interval '13 day'"
                       if engine.dialect.name == "postgresql" else
                       "update report set reported_at = datetime(created_at, '+' || (13 + id % 40) || ' days')"))


def time_overview(engine: Engine, settings: Settings, who: tuple[str, str]) -> tuple[float, list[float], int]:
    from bot.dashboard.links import issue_link

    client = create_app(settings, engine).test_client()
    with session_scope(engine) as s:
        url = issue_link(s, settings, who[0], who[1], settings.now()).url.removeprefix(settings.public_url or "")
    form = client.get(url, follow_redirects=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post(form.request.path, data={"csrf_token": token}).status_code == 303

    def once() -> tuple[float, int]:
        start = time.perf_counter()
        response = client.get("/dashboard/")
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200
        return elapsed, len(response.data)

    first, size = once()
    runs = [once()[0] for _ in range(5)]
    return first, runs, size


def bench_settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key="bench-secret", public_url="http://bench",
                    bot_now="2027-03-24T10:00:00+09:00")


def large(url: str, departments: int, measures: int) -> tuple[float, list[float], int]:
    engine = make_engine(url)
    migrate(engine)
    generate(engine, departments, measures)
    spread_reports(engine)
    with session_scope(engine) as s:  # bench_reminders' coordinators sit in 課0001: make it the division
        name = s.get(Member, s.query(Member.id).filter(Member.role == "coordinator").limit(1).scalar()).department.name
    settings = replace(bench_settings(url), coordinator_department=name)
    try:
        return time_overview(engine, settings, ("console", "coord0"))
    finally:
        engine.dispose()


def baseline(url: str) -> tuple[float, list[float], int]:
    from tests.conftest import load_bundled_catalog
    from tests.dashboard_support import COORDINATOR, seed_round

    engine = make_engine(url)
    load_bundled_catalog(engine)
    seed_round(engine)
    try:
        return time_overview(engine, bench_settings(url), (COORDINATOR[0], COORDINATOR[1]))
    finally:
        engine.dispose()


def line(label: str, figures: tuple[float, list[float], int]) -> str:
    first, runs, size = figures
    median = statistics.median(runs)
    verdict = "ok" if median < TARGET_MS else "OVER"
    return (f"  {label:<38} median {median:7.1f} ms  (min {min(runs):6.1f}, max {max(runs):6.1f}; "
            f"first {first:6.1f} ms; {size / 1024:,.0f} KiB)  {verdict}")


def in_sqlite(body: Callable[[str], tuple[float, list[float], int]]) -> tuple[float, list[float], int]:
    with tempfile.TemporaryDirectory(prefix="bench_dashboard_") as folder:
        return body(f"sqlite:///{Path(folder) / 'bench.db'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--measures", type=int, default=10000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args(argv)
    size = f"{args.departments:,} departments, {args.measures:,} measures"
    print(f"GET /dashboard/ as the coordinating division (target: under {TARGET_MS:.0f} ms)")
    print("SQLite")
    print(line("baseline: the bundled plan (90 measures)", in_sqlite(baseline)))
    print(line(size, in_sqlite(lambda url: large(url, args.departments, args.measures))))
    if not args.no_pg:
        print("PostgreSQL")
        print(line("baseline: the bundled plan (90 measures)", with_pg_database(args.pg, baseline)))
        print(line(size, with_pg_database(args.pg, lambda url: large(url, args.departments, args.measures))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

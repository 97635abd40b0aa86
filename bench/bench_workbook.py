"""Times the results export (xlsx with and without per-department sheets, CSV) on SQLite.

    .venv/bin/python bench/bench_workbook.py [--runs 5]

The bundled catalog, reports (with actuals where the measure has targets) for every other
measure × department, a reporter with a display name. Measured in-process: what
`kaikaku results export --fy R8 --format xlsx|csv` does after Python has started. Goal: an
xlsx in well under a second for the 100 rows of the plan (a coordinator waits for it).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, measures, read_catalog
from bot.people.members import add_member
from bot.reporting import reports
from bot.reporting.workbook import build_csv, build_workbook
from bot.storage.db import make_engine, migrate, session_scope

JST = ZoneInfo("Asia/Tokyo")
R8 = 2026


def prepare(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    with session_scope(engine) as s:
        n = 0
        for m in measures(s):
            for dept in m.departments:
                n += 1
                if n % 2:
                    continue
                user = f"u{dept.id}"
                add_member(s, "console", user, dept, name=f"担当 {dept.name}")
                actuals = [reports.ActualInput(t.metric, Decimal(t.value) * Decimal("0.95"), t.unit, "x", "final")
                           for t in m.targets if t.fy == R8 and t.value is not None]
                reports.submit(s, m, dept, R8, reports.ReportInput(
                    "in_progress", "計画どおり実施しました。" * 4, "B", actuals),
                    f"console:{user}", datetime(2027, 2, 3, 10, tzinfo=JST))
    engine.dispose()


def timed(fn: Callable[[], bytes]) -> tuple[float, int]:
    start = time.perf_counter()
    size = len(fn())
    return (time.perf_counter() - start) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{Path(d) / 'bench.db'}"
        prepare(url)
        engine = make_engine(url)
        cases: dict[str, Callable[[], bytes]] = {}
        with session_scope(engine) as s:
            cases = {
                "xlsx (実施結果 + 集計)": lambda: build_workbook(s, R8, tz=JST),
                "xlsx --by-department": lambda: build_workbook(s, R8, by_department=True, tz=JST),
                "csv": lambda: build_csv(s, R8, tz=JST),
            }
            print(f"SQLite, the bundled plan (100 rows), {args.runs} runs")
            for name, fn in cases.items():
                times, size = zip(*(timed(fn) for _ in range(args.runs)), strict=True)
                print(f"  {name:26s} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms"
                      f"   {size[0]:,} bytes")
        engine.dispose()


if __name__ == "__main__":
    main()

"""Times `kaikaku init` (migrate + load the catalog) and a catalog export, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_catalog.py [--runs 10] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Measured in-process (the command's work, not Python's start-up): a first init on an empty
database, an init again on a loaded one (nothing changes), and an export to JSON. The
PostgreSQL half makes and drops its own temporary databases; it is skipped with a note when the
server cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, export_catalog, load_catalog, read_catalog
from bot.storage.db import make_engine, migrate, session_scope


def init(url: str) -> None:
    """What `kaikaku init` does."""
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    engine.dispose()


def export(url: str) -> int:
    """What `kaikaku catalog export --format json` does; the size of the JSON."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        out = json.dumps(export_catalog(s), ensure_ascii=False, indent=2, default=str)
    engine.dispose()
    return len(out)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as d:
        yield f"sqlite:///{Path(d) / 'bench.db'}"


@contextmanager
def pg_url(base: str) -> Iterator[str]:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"kk_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(label: str, make: Callable[[], AbstractContextManager[str]], runs: int) -> None:
    first, again, exports = [], [], []
    size = 0
    for _ in range(runs):
        with make() as url:
            first.append(timed(lambda u=url: init(u)))
            again.append(timed(lambda u=url: init(u)))
            start = time.perf_counter()
            size = export(url)
            exports.append((time.perf_counter() - start) * 1000)
    print(f"{label}: {runs} runs, export {size:,} characters")
    for name, xs in (("init on an empty database", first), ("init again (no change)", again),
                     ("catalog export --format json", exports)):
        print(f"  {name:32s} median {statistics.median(xs):7.1f} ms   max {max(xs):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    run("SQLite", sqlite_url, args.runs)
    try:
        with pg_url(args.pg):
            pass
    except Exception as exc:  # no server: say so, do not fail the SQLite figures
        print(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})")
        return
    run("PostgreSQL", lambda: pg_url(args.pg), args.runs)


if __name__ == "__main__":
    main()

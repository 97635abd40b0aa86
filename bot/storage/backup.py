"""Backups: SQLite through its online backup API (consistent while the bot runs and writes), and
PostgreSQL through `pg_dump` (custom format, restored with `pg_restore`). docs/operations.md has
the restore drill."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from bot.storage.db import make_engine, normalize_url, session_scope
from bot.storage.models import Report


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    reports: int | None  # counted in the copy itself (SQLite); None for a pg_dump archive


class BackupError(Exception):
    """pg_dump failed or is missing; the message says what to do."""


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def backup_sqlite(url: URL, out: Path) -> Backup:
    """Copy the live database page by page (sqlite3's backup API), then count the copy's reports."""
    source = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        with target:
            source.backup(target, pages=1024)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()
    os.replace(partial, out)
    return Backup(out, out.stat().st_size, count_reports(f"sqlite:///{out}"))


def count_reports(url: str) -> int:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.count(Report.id))) or 0)
    finally:
        engine.dispose()


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A URL pg_dump understands, and the environment carrying the password (never on the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=url.query)  # (URL.set(password=None) would keep it)
    return plain.render_as_string(hide_password=False), env


def pg_dump_command(url: URL, out: Path) -> list[str]:
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={out}", libpq(url)[0]]


def pg_restore_command(url: URL, archive: Path) -> list[str]:
    return ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
            f"--dbname={libpq(url)[0]}", str(archive)]


def backup_postgres(url: URL, out: Path) -> Backup:
    if shutil.which("pg_dump") is None:
        raise FileNotFoundError("pg_dump")
    target, env = libpq(url)
    partial = out.with_name(out.name + ".partial")
    done = subprocess.run([*pg_dump_command(url, partial)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError((done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1])
    os.replace(partial, out)
    return Backup(out, out.stat().st_size, None)


def backup(database_url: str, out: Path) -> Backup:
    """Back up the database at `database_url` into `out` (SQLite: a database file; PostgreSQL: a
    pg_dump custom archive). FileNotFoundError when pg_dump is not installed."""
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() == "sqlite":
        return backup_sqlite(url, out)
    if url.get_backend_name() == "postgresql":
        return backup_postgres(url, out)
    raise BackupError(f"no backup recipe for {url.get_backend_name()}")

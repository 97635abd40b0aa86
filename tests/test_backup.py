"""`kaikaku backup`, and the restore drill of docs/operations.md: every report is found again."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.catalog.store import find_department, measure_by_no
from bot.cli import app
from bot.core.config import get_settings
from bot.reporting import reports
from bot.reporting.reports import ActualInput, ReportInput
from bot.storage import backup as b
from bot.storage.db import make_engine, normalize_url, session_scope
from bot.storage.models import Actual, Report
from tests.conftest import _create_pg_db, _drop_pg_db, _pg_url

R8 = 2026


def fill(engine: Engine, now: datetime) -> int:
    """Reports of several departments: submitted, revised, a draft; how many rows."""
    with session_scope(engine) as s:
        for i, (no, department) in enumerate([(34, "危機管理課"), (1, "デジタル行政戦略課"), (81, "総務課")]):
            measure, dept = measure_by_no(s, no), find_department(s, department)
            assert measure is not None and dept is not None
            actual = ActualInput("実績", Decimal(1650 + i), None, f"{1650 + i}", "estimate")
            reports.submit(s, measure, dept, R8, ReportInput("in_progress", f"第{i}の実施結果。\n二行目", "B",
                                                             [actual]), f"console:u{i}", now)
            reports.submit(s, measure, dept, R8, ReportInput("done", f"修正した実施結果 {i}", "A", [actual]),
                           f"console:u{i}", now + timedelta(hours=1))
        m, d = measure_by_no(s, 2), find_department(s, "危機管理課")
        assert m is not None and d is not None
        reports.save_draft(s, m, d, R8, ReportInput("in_progress", "下書き"), "console:u9", now)
    with session_scope(engine) as s:
        return len(s.scalars(select(Report)).all())


def rows(engine: Engine) -> list[dict[str, Any]]:
    """Every report and actual, column by column."""
    out = []
    with session_scope(engine) as s:
        for model in (Report, Actual):
            for row in s.scalars(select(model).order_by(model.id)):
                out.append({c.name: getattr(row, c.key) for c in model.__mapper__.columns})
    return out


def run(url: str, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("KAIKAKU_ENV_FILE", "")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def test_a_sqlite_backup_restores_every_report(sqlite_catalog_url: str, sqlite_catalog_engine: Engine, now: datetime,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    count = fill(sqlite_catalog_engine, now)
    before = rows(sqlite_catalog_engine)
    out = tmp_path / "kaikaku-backup.db"
    code, said, _ = run(sqlite_catalog_url, "backup", "--out", str(out), monkeypatch=monkeypatch)
    assert code == 0 and f"報告 {count}件" in said and count == 7
    assert not out.with_name(out.name + "-wal").exists()  # one self-contained file

    # The drill: the database is lost; the backup is copied in its place; init is a no-op.
    live = Path(make_url(sqlite_catalog_url).database or "")
    sqlite_catalog_engine.dispose()
    for leftover in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(out, live)
    code, _, _ = run(sqlite_catalog_url, "init", monkeypatch=monkeypatch)
    assert code == 0
    restored = make_engine(sqlite_catalog_url)
    try:
        assert rows(restored) == before
    finally:
        restored.dispose()


def test_backup_never_overwrites_without_force(sqlite_catalog_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "there.db"
    out.write_bytes(b"keep me")
    code, _, err = run(sqlite_catalog_url, "backup", "--out", str(out), monkeypatch=monkeypatch)
    assert code == 2 and "--force" in err and out.read_bytes() == b"keep me"
    assert run(sqlite_catalog_url, "backup", "--out", str(out), "--force", monkeypatch=monkeypatch)[0] == 0


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_postgres_backup_restores_every_report(catalog_url: str, catalog_engine: Engine, now: datetime,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not catalog_url.startswith("postgres"):
        pytest.skip("the SQLite half is the test above")
    fill(catalog_engine, now)
    before = rows(catalog_engine)
    out = tmp_path / "kaikaku.dump"
    code, said, _ = run(catalog_url, "backup", "--out", str(out), monkeypatch=monkeypatch)
    assert code == 0 and "pg_restore" in said and out.stat().st_size > 0

    name = _create_pg_db()  # the drill: an empty database, pg_restore as the command printed says
    try:
        target = make_url(normalize_url(_pg_url(name)))
        done = subprocess.run(b.pg_restore_command(target, out), capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        restored = make_engine(_pg_url(name))
        try:
            assert rows(restored) == before
        finally:
            restored.dispose()
    finally:
        _drop_pg_db(name)


def test_the_password_goes_by_the_environment_never_on_the_command_line() -> None:
    url = make_url("postgresql+psycopg://kaikaku:s3cret-pw@db.example:5433/kaikaku?sslmode=require")
    target, env = b.libpq(url)
    assert target == "postgresql://kaikaku@db.example:5433/kaikaku?sslmode=require" and env["PGPASSWORD"] == "s3cret-pw"
    for command in (b.pg_dump_command(url, Path("x.dump")), b.pg_restore_command(url, Path("x.dump"))):
        assert not any("s3cret-pw" in part for part in command)

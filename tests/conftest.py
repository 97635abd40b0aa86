"""Shared fixtures: databases (SQLite and PostgreSQL), the loaded catalog, settings, a bot.

`engine` and `catalog_engine` run a test once on SQLite and once on PostgreSQL (a fresh
database per test, cloned from a template that holds the migrated schema and the catalog).
`sqlite_catalog_engine` is the quick one for core tests that do not test storage itself.
PostgreSQL is at TEST_POSTGRES_URL (default: 127.0.0.1:5432, trust auth); when it cannot be
reached the PostgreSQL half is skipped, unless KAIKAKU_REQUIRE_POSTGRES=1 (CI), then it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog
from bot.core.config import Settings, get_settings
from bot.storage.db import make_engine, migrate, session_scope

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
JST = ZoneInfo("Asia/Tokyo")

# Property tests check behaviour, not speed: no per-example deadline on a loaded 2-core machine.
hypothesis_settings.register_profile("kaikaku", deadline=None)
hypothesis_settings.load_profile("kaikaku")


@cache
def _pg_admin() -> Engine | None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:
        if os.environ.get("KAIKAKU_REQUIRE_POSTGRES") == "1":
            raise
        return None
    return engine


def _pg_url(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _create_pg_db(template: str | None = None) -> str:
    admin = _pg_admin()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    name = f"kk_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return name


def _drop_pg_db(name: str) -> None:
    admin = _pg_admin()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def load_bundled_catalog(engine: Engine) -> None:
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    name = _create_pg_db()
    yield _pg_url(name)
    _drop_pg_db(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "catalog.db"
    eng = make_engine(f"sqlite:///{path}")
    load_bundled_catalog(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = _create_pg_db()
    eng = make_engine(_pg_url(name))
    load_bundled_catalog(eng)
    eng.dispose()
    yield name
    _drop_pg_db(name)


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bot.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with the schema and the bundled catalog loaded."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    name = _create_pg_db(template=request.getfixturevalue("pg_template"))
    yield _pg_url(name)
    _drop_pg_db(name)


@pytest.fixture
def catalog_engine(catalog_url: str) -> Iterator[Engine]:
    eng = make_engine(catalog_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_catalog_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def sqlite_catalog_engine(sqlite_catalog_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_catalog_url)
    yield eng
    eng.dispose()


@pytest.fixture
def now() -> datetime:
    """A moment inside the 令和8年度 reporting round: 2027-02-03 10:15 JST."""
    return datetime(2027, 2, 3, 10, 15, tzinfo=JST)


@pytest.fixture
def settings(sqlite_catalog_url: str, now: datetime) -> Settings:
    return Settings(database_url=sqlite_catalog_url, bot_now=now)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Environment for in-process CLI runs: a fresh SQLite file in tmp_path."""
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KAIKAKU_ENV_FILE", "")  # a developer's .env must not reach the tests
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-for-the-cli")  # `members invite` requires one
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()

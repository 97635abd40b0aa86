"""Engines, sessions and migrations. The store is handed its URL; nothing here is global state
except a small cache of engines, one per URL, as a process needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # Alembic is imported where the schema is migrated, not by every command
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}


def normalize_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """A new engine; SQLite gets foreign keys on and a busy timeout for a second process."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a crash of the process (what "recorded before the
            # ack" needs); only a power loss may drop the last commits. SQLite's advice for WAL.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str) -> Engine:
    """The process's engine for this URL."""
    url = normalize_url(url)
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (Alembic), from empty or from any earlier revision."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())

"""Migrations and storage guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from bot.core import inbox
from bot.storage.db import downgrade, make_engine, migrate, session_scope, table_names
from bot.storage.models import Base, Department, OutboxMessage

EXPECTED = {t.name for t in Base.metadata.sorted_tables}


def test_migrations_build_the_whole_schema_from_empty(db_url: str) -> None:
    eng = make_engine(db_url)
    assert table_names(eng) == set()
    migrate(eng)
    assert EXPECTED <= table_names(eng)
    migrate(eng)  # at head already: nothing to do, nothing breaks
    downgrade(eng, "base")
    assert table_names(eng) - {"alembic_version"} == set()
    migrate(eng)
    assert EXPECTED <= table_names(eng)
    eng.dispose()


def test_models_match_the_migrations(engine: Engine) -> None:
    """Alembic's autogenerate finds nothing to add: models.py and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_inbound_event_is_recorded_once(engine: Engine, now: datetime) -> None:
    first = inbox.record(engine, "slack", "Ev123", {"text": "報告"}, now)
    again = inbox.record(engine, "slack", "Ev123", {"text": "報告"}, now)
    other_platform = inbox.record(engine, "line", "Ev123", {"text": "報告"}, now)
    assert first is not None and other_platform is not None
    assert again is None
    assert inbox.pending(engine, "slack") == [first]
    assert inbox.claim(engine, first) == {"text": "報告"}
    assert inbox.claim(engine, first) is None  # a second worker gets nothing
    inbox.finish(engine, first, now)
    assert inbox.pending(engine, "slack") == []


def test_a_claimed_event_left_by_a_dead_process_is_finished_after_restart(engine: Engine, now: datetime) -> None:
    row = inbox.record(engine, "line", "we-1", {"x": 1}, now)
    assert row is not None and inbox.claim(engine, row) is not None
    # the process dies here; on start:
    inbox.reset_stale(engine, "line")
    assert inbox.pending(engine, "line") == [row]
    assert inbox.claim(engine, row) == {"x": 1}


def test_outbox_key_is_unique(engine: Engine, now: datetime) -> None:
    def add() -> None:
        with session_scope(engine) as s:
            s.add(OutboxMessage(key="R8/危機管理課/open/1", platform="console", recipient="tanaka",
                                kind="open", payload={}, created_at=now))

    add()
    with pytest.raises(IntegrityError):
        add()
    with session_scope(engine) as s:
        assert len(s.scalars(select(OutboxMessage)).all()) == 1


def test_department_names_are_unique(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add_all([Department(name="人事課"), Department(name="人事課")])
        s.flush()

"""Retention: `kaikaku purge --older-than DAYS` deletes what the bot no longer needs, and Slack's
legacy verification token is never stored with an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from bot.cli import app
from bot.core import inbox
from bot.core.config import Settings, get_settings
from bot.core.web import create_app
from bot.storage.db import get_engine, session_scope
from bot.storage.models import InboundEvent, OutboxMessage, RegistrationAttempt
from bot.storage.retention import Purged, purge
from tests.conftest import SlackWorkspace, flask_transport
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import SlackApiStub
from tests.test_slack import register_member, slack_settings


def fill(engine: Engine, now: datetime) -> None:
    """Old and new rows of every kind, finished and not."""
    old, new = now - timedelta(days=100), now - timedelta(days=1)
    with session_scope(engine) as s:
        for i, (at, status) in enumerate([(old, "processed"), (old, "failed"), (old, "received"), (new, "processed")]):
            s.add(InboundEvent(platform="slack", event_id=f"Ev{i}", payload={}, status=status, attempts=1,
                               received_at=at, processed_at=at if status != "received" else None))
        rows = [("R7/危機管理課/open/1/slack:U1", "sent", old), ("R7/危機管理課/open/1/slack:U2", "failed", old),
                ("R7/危機管理課/open/1/slack:U3", "queued", old), ("R7/digest/1/slack:U1", "sent", new),
                ("R8/危機管理課/open/1/slack:U1", "sent", old)]  # R8: the round in progress
        for key, status, at in rows:
            s.add(OutboxMessage(key=key, platform="slack", recipient="U1", kind="open", payload={}, status=status,
                                created_at=at, sent_at=at if status == "sent" else None))
        for at in (old, old, new):
            s.add(RegistrationAttempt(platform="line", user_id="Uxx", at=at))


def counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (InboundEvent, OutboxMessage, RegistrationAttempt))


def test_purge_deletes_only_finished_old_rows(engine: Engine, now: datetime) -> None:
    fill(engine, now)
    cutoff = now - timedelta(days=30)
    with session_scope(engine) as s:
        assert purge(s, cutoff, ["R8/"], dry_run=True) == Purged(events=1, outbox=1, attempts=2)
    assert counts(engine) == (4, 5, 3)  # a dry run deletes nothing
    with session_scope(engine) as s:
        assert purge(s, cutoff, ["R8/"]) == Purged(events=1, outbox=1, attempts=2)
    with session_scope(engine) as s:
        events = {(e.event_id, e.status) for e in s.scalars(select(InboundEvent))}
        assert events == {("Ev1", "failed"), ("Ev2", "received"), ("Ev3", "processed")}
        keys = set(s.scalars(select(OutboxMessage.key)))
        assert "R7/危機管理課/open/1/slack:U1" not in keys
        assert "R8/危機管理課/open/1/slack:U1" in keys  # its key keeps the clock from sending it again
        assert len(keys) == 4
        assert len(s.scalars(select(RegistrationAttempt)).all()) == 1
    with session_scope(engine) as s:
        assert purge(s, cutoff, ["R8/"]) == Purged(0, 0, 0)


def test_purge_command_prints_counts_and_honours_dry_run(cli_env: Path, now: datetime,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    monkeypatch.setenv("BOT_NOW", now.isoformat())
    get_settings.cache_clear()
    engine = get_engine(get_settings().database_url)
    fill(engine, now)
    dry = runner.invoke(app, ["purge", "--older-than", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "削除していません" in dry.output and "受信イベント 1件" in dry.output and "送信メッセージ 1件" in dry.output
    assert counts(engine) == (4, 5, 3)
    done = runner.invoke(app, ["purge", "--older-than", "30"])
    assert done.exit_code == 0, done.output
    assert "2027-01-04 10:15より前の記録を削除しました" in done.output and "登録コードの失敗記録 2件" in done.output
    assert counts(engine) == (3, 4, 1)
    bad = runner.invoke(app, ["purge", "--older-than", "0"])
    assert bad.exit_code == 2 and "1以上" in bad.output


@pytest.fixture
def workspace(settings: Settings, sqlite_catalog_engine: Engine) -> Iterator[SlackWorkspace]:
    with SlackApiStub() as stub:
        register_member(sqlite_catalog_engine)
        web = create_app(slack_settings(settings, stub), sqlite_catalog_engine)
        yield SlackWorkspace(flask_transport(web), stub, sqlite_catalog_engine)
        web.extensions["kaikaku_slack"].worker.shutdown()


def test_slacks_legacy_token_is_not_stored(workspace: SlackWorkspace) -> None:
    ws = workspace
    event = sr.message_im("ヘルプ") | {"token": "LEGACYVERIFICATIONTOKEN"}
    assert ws.send(sr.as_event(event)).status_code == 200
    assert ws.send(sr.slash("ヘルプ")).status_code == 200
    ws.settle()
    with session_scope(ws.engine) as s:
        stored = [json.dumps(e.payload, ensure_ascii=False) for e in s.scalars(select(InboundEvent))]
    assert len(stored) == 2
    assert all('"token"' not in p and "LEGACYVERIFICATIONTOKEN" not in p for p in stored), stored
    assert any("ヘルプ" in p for p in stored)  # the rest of the body is kept


def test_inbox_is_unchanged_for_other_payloads(engine: Engine, now: datetime) -> None:
    row = inbox.record(engine, "line", "we-9", {"type": "message"}, now)
    assert row is not None and inbox.claim(engine, row) == {"type": "message"}

"""Start-up: `serve` and `scheduler` refuse a schema behind or a half-configured platform, read
`.env`, and log one JSON object per line with event ids and never a secret."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.core import inbox, logs
from bot.core.config import SecretStr, Settings
from bot.core.startup import problems
from bot.core.worker import EventWorker
from bot.storage.db import make_engine, migrate
from bot.texts import ops as t

KEY = "startup-secret-key-0123456789"
SLACK_TOKEN = "xoxb-1111-2222-secret-token-abcdef"
LINE_SECRET = "line-secret-abcdef0123456789"


def kaikaku() -> str:
    return str(Path(sys.executable).with_name("kaikaku"))


def start(command: str, cwd: Path, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `kaikaku <command>` with only the given settings; a process that starts instead of
    refusing runs into the timeout, which fails the test."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LINE_", "DATABASE_", "SECRET_"))}
    return subprocess.run([kaikaku(), command], cwd=cwd, env={**base, "PORT": "0", **env}, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def behind(tmp_path: Path) -> Iterator[str]:
    """A database migrated only to the first revision (a release behind this code)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    eng = make_engine(url)
    migrate(eng, "0001")
    eng.dispose()
    yield url


@pytest.mark.parametrize("command", ["serve", "scheduler"])
def test_a_schema_behind_is_refused_saying_to_run_init(command: str, behind: str, tmp_path: Path) -> None:
    done = start(command, tmp_path, DATABASE_URL=behind, SECRET_KEY=KEY)
    assert done.returncode == 2
    assert "`kaikaku init`" in done.stderr and "0001" in done.stderr and t.REFUSED_TO_START in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["serve", "scheduler"])
def test_an_empty_database_is_refused(command: str, tmp_path: Path) -> None:
    done = start(command, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}", SECRET_KEY=KEY)
    assert done.returncode == 2 and t.SCHEMA_MISSING in done.stderr


@pytest.mark.parametrize(("env", "expected"), [
    ({"SLACK_BOT_TOKEN": SLACK_TOKEN}, t.SLACK_SECRET_MISSING),
    ({"SLACK_SIGNING_SECRET": "abcdef123456"}, t.SLACK_TOKEN_MISSING),
    ({"LINE_CHANNEL_ACCESS_TOKEN": "line-token-abcdef"}, t.LINE_SECRET_MISSING),
    ({"LINE_CHANNEL_SECRET": LINE_SECRET}, t.LINE_TOKEN_MISSING),
], ids=["slack-token-only", "slack-secret-only", "line-token-only", "line-secret-only"])
def test_a_half_configured_platform_is_refused(env: dict[str, str], expected: str, sqlite_catalog_url: str,
                                               tmp_path: Path) -> None:
    done = start("scheduler", tmp_path, DATABASE_URL=sqlite_catalog_url, **env)
    assert done.returncode == 2 and expected in done.stderr
    assert all(value not in done.stderr + done.stdout for value in env.values())  # the refusal names, never shows


def test_a_coordinating_division_not_in_the_catalog_is_refused(sqlite_catalog_url: str, tmp_path: Path,
                                                               sqlite_catalog_engine: Engine) -> None:
    done = start("scheduler", tmp_path, DATABASE_URL=sqlite_catalog_url, COORDINATOR_DEPARTMENT="デジタル行政戦略科")
    near = t.COORDINATOR_NEAR.format(names="デジタル行政戦略課")
    assert done.returncode == 2
    assert t.COORDINATOR_UNKNOWN.format(name="デジタル行政戦略科", hint=near) in done.stderr
    assert problems(Settings(database_url=sqlite_catalog_url), sqlite_catalog_engine, "scheduler") == []
    assert problems(Settings(database_url=sqlite_catalog_url, coordinator_department="企画調整課"),
                    sqlite_catalog_engine, "scheduler") == []


def test_socket_mode_needs_no_signing_secret() -> None:
    from bot.core.config import check_secrets

    settings = Settings(slack_bot_token=SecretStr(SLACK_TOKEN), slack_app_token=SecretStr("xapp-1-abcdef"),
                        secret_key=SecretStr(KEY))
    assert check_secrets(settings) == []


def test_dot_env_is_read_and_the_environment_wins(sqlite_catalog_url: str, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL={sqlite_catalog_url}\nSLACK_BOT_TOKEN={SLACK_TOKEN}\n"
                                   f"SECRET_KEY={KEY}\n", encoding="utf-8")
    done = start("serve", tmp_path)
    assert done.returncode == 2 and t.SLACK_SECRET_MISSING in done.stderr  # the token came from .env
    other = tmp_path / "other.env"
    other.write_text(f"DATABASE_URL={sqlite_catalog_url}\n", encoding="utf-8")
    done = start("scheduler", tmp_path, KAIKAKU_ENV_FILE=str(other), DATABASE_URL="sqlite:///nowhere/x.db")
    assert done.returncode == 1 and "nowhere" in done.stderr  # the environment's URL, not the file's


def configured(**secrets: str) -> tuple[io.StringIO, Settings]:
    stream = io.StringIO()
    settings = Settings(log_format="json", log_level="INFO", **{k: SecretStr(v) for k, v in secrets.items()})
    logs.configure(settings, stream)
    return stream, settings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]  # each line one whole JSON object


def test_json_logs_carry_the_event_id_and_never_a_secret(restore_logging: None, sqlite_catalog_engine: Engine,
                                                        now: datetime) -> None:
    stream, _ = configured(slack_bot_token=SLACK_TOKEN, line_channel_secret=LINE_SECRET, secret_key=KEY)

    def process(payload: dict[str, object]) -> None:
        logging.getLogger("bot.test").info("routing 「報告」 for %s", payload["user"])
        raise RuntimeError(f"Slack said invalid_auth for token {SLACK_TOKEN}")  # a library quoting a secret

    worker = EventWorker(sqlite_catalog_engine, "slack", process, lambda: now, threads=1)
    payload = {"id": "Ev0123ABC", "user": "U1", "note": f"multi\nline {LINE_SECRET}"}
    row = inbox.record(sqlite_catalog_engine, "slack", "Ev0123ABC", payload, now, claimed=True)
    assert row is not None
    worker.run(row, payload)
    worker.shutdown()
    logging.getLogger("bot.test").warning("outside any event: %s / %s", KEY, LINE_SECRET)

    records = lines(stream)
    assert [r["level"] for r in records] == ["INFO", "ERROR", "WARNING"]
    assert records[0]["message"] == "routing 「報告」 for U1" and records[0]["event_id"] == "slack:Ev0123ABC"
    assert records[1]["event_id"] == "slack:Ev0123ABC" and "exc_info" in records[1]
    assert records[2]["event_id"] is None
    raw = stream.getvalue()
    assert SLACK_TOKEN not in raw and KEY not in raw and LINE_SECRET not in raw
    assert "invalid_auth for token [redacted]" in str(records[1]["exc_info"])
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)


def test_log_level_and_the_text_format(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure(Settings(log_format="text", log_level="WARNING"), stream)
    log = logging.getLogger("bot.test")
    log.info("not shown")
    with logs.event_context("line:abc"):
        log.warning("shown")
    assert stream.getvalue().count("\n") == 1 and "[line:abc]: shown" in stream.getvalue()


def test_an_unknown_log_format_is_refused(tmp_path: Path, sqlite_catalog_url: str) -> None:
    done = start("scheduler", tmp_path, DATABASE_URL=sqlite_catalog_url, LOG_FORMAT="xml")
    assert done.returncode != 0 and "log_format" in done.stderr.lower()

"""Secrets: registration codes a database reader cannot recover, no empty secret at start-up, and
a one-line error for an unusable database on every command."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from bot.catalog.store import find_department
from bot.cli import app
from bot.core.config import SecretStr, Settings, check_secrets, get_settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.people.registration import issue_code, legacy_hash, normalize_code
from bot.storage.db import session_scope
from bot.storage.models import RegistrationCode
from bot.texts import safety as t

KEY = "k3y-for-tests-0123456789abcdef"


def say(engine: Engine, now: datetime, text: str, secret: str, user: str = "tanaka") -> str:
    settings = Settings(database_url=str(engine.url), bot_now=now, secret_key=SecretStr(secret))
    return "\n".join(r.text for r in route(settings, engine, Incoming("console", user, "console", text=text)))


def test_a_stored_code_is_keyed_and_useless_without_the_key(catalog_engine: Engine, now: datetime) -> None:
    with session_scope(catalog_engine) as s:
        code = issue_code(s, find_department(s, "危機管理課"), now, 72, secret=KEY).code
    with session_scope(catalog_engine) as s:
        stored = s.scalar(select(RegistrationCode.code_hash))
    plain = normalize_code(code).encode()
    assert stored == hmac.new(KEY.encode(), plain, hashlib.sha256).hexdigest()
    assert stored != hashlib.sha256(plain).hexdigest()  # not the unkeyed hash a reader could search
    assert "見つかりませんでした" in say(catalog_engine, now, f"登録 {code}", secret="another-key")
    assert "危機管理課(担当者)として登録しました" in say(catalog_engine, now, f"登録 {code}", secret=KEY)


def test_a_code_issued_before_the_key_still_works_until_it_expires(catalog_engine: Engine, now: datetime) -> None:
    with session_scope(catalog_engine) as s:
        dept = find_department(s, "危機管理課")
        s.add(RegistrationCode(code_hash=legacy_hash("ABCD2345"), department_id=dept.id, role="staff",
                               created_at=now, expires_at=now + timedelta(hours=72)))
    assert "登録しました" in say(catalog_engine, now, "登録 ABCD-2345", secret=KEY)


@pytest.mark.parametrize(("env", "expected"), [
    ({"SECRET_KEY": KEY}, []),
    ({}, [t.EMPTY_SECRET_KEY]),
    ({"SECRET_KEY": "   "}, [t.EMPTY_SECRET_KEY]),
    ({"SECRET_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": ""}, [t.EMPTY_SIGNING_SECRET]),
    ({"SECRET_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}, []),
    # Socket Mode: Slack's requests come over the app's own connection, unsigned
    ({"SECRET_KEY": KEY, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-1"}, []),
    ({"SECRET_KEY": KEY, "LINE_CHANNEL_ACCESS_TOKEN": "tok", "LINE_CHANNEL_SECRET": ""}, [t.EMPTY_LINE_SECRET]),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": ""}, [t.EMPTY_SIGNING_SECRET, t.EMPTY_SECRET_KEY]),
])
def test_check_secrets(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: list[str]) -> None:
    for name in ("SECRET_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                 "LINE_CHANNEL_ACCESS_TOKEN", "LINE_CHANNEL_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert check_secrets(Settings()) == expected


def test_serve_refuses_empty_secrets_with_a_clear_message(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["serve"])
    assert out.exit_code == 2
    assert "SLACK_SIGNING_SECRET が空です" in out.output and "SECRET_KEY が空です" in out.output


def test_invite_refuses_an_empty_secret_key(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    monkeypatch.setenv("SECRET_KEY", "")
    get_settings.cache_clear()
    out = runner.invoke(app, ["members", "invite", "--department", "危機管理課"])
    assert out.exit_code == 2 and "SECRET_KEY が空です" in out.output and "登録コード:" not in out.output


BAD_URLS = [
    ("postgresql://kaikaku:pa55word@127.0.0.1:1/kaikaku", "データベースを利用できません"),
    ("sqlite:////nonexistent-dir/kaikaku.db", "データベースを利用できません"),
    ("postgresql://kaikaku@127.0.0.1:notaport/x", "DATABASE_URL を読み取れません"),
    ("nosuchdb://x", "DATABASE_URL を読み取れません"),
    ("not a url", "DATABASE_URL を読み取れません"),
]


CASES = [(command, *BAD_URLS[0]) for command in (["init"], ["members", "list"], ["results", "export", "--fy", "R8"],
                                                 ["purge", "--older-than", "30"], ["remind", "--dry-run"])]
CASES += [(["members", "list"], url, expected) for url, expected in BAD_URLS[1:]]


@pytest.mark.parametrize(("command", "url", "expected"), CASES)
def test_an_unusable_database_is_one_line_on_every_command(tmp_path: Path, command: list[str], url: str,
                                                           expected: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([sys.executable, "-m", "bot", *command], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "pa55word" not in done.stderr

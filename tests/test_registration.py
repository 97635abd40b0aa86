"""`登録 CODE`: one-time codes that link a chat account to a department (any platform, both DBs)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from bot.catalog.store import find_department
from bot.core.config import Settings, get_settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.people.registration import ALPHABET, MAX_FAILURES, hash_code, issue_code, normalize_code
from bot.storage.db import get_engine, session_scope
from bot.storage.models import Member, RegistrationCode


def say(engine: Engine, now: datetime, text: str, user: str = "tanaka", direct: bool = True) -> str:
    settings = Settings(database_url=str(engine.url), bot_now=now)
    replies = route(settings, engine, Incoming("console", user, "console", text=text, direct=direct))
    return "\n".join(r.text for r in replies)


def invite(engine: Engine, now: datetime, department: str = "危機管理課", role: str = "staff",
           name: str | None = None) -> str:
    with session_scope(engine) as s:
        dept = find_department(s, department)
        assert dept is not None
        return issue_code(s, dept, now, 72, role, name).code


def member(engine: Engine, user: str = "tanaka") -> tuple[str, str, str | None] | None:
    with session_scope(engine) as s:
        m = s.scalar(select(Member).where(Member.platform == "console", Member.user_id == user))
        return (m.department.name, m.role, m.name) if m else None


def test_a_code_is_readable_and_only_its_hash_is_stored(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now)
    assert re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code)
    assert not set("01ILO") & set(code)
    with session_scope(catalog_engine) as s:
        row = s.scalar(select(RegistrationCode))
        assert row is not None and row.code_hash == hash_code(code)
        assert code.replace("-", "") not in {row.code_hash, row.used_by}
    assert normalize_code("ａｂｃｄ－ｅｆｇｈ") == normalize_code("abcd efgh") == "ABCDEFGH"


def test_a_code_links_the_account_with_its_role_and_name(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now, "デジタル行政戦略課", role="coordinator", name="金沢 花子")
    typed = code.lower().translate(str.maketrans("abcdefghjkmnpqrstuvwxyz23456789-",
                                                 "ａｂｃｄｅｆｇｈｊｋｍｎｐｑｒｓｔｕｖｗｘｙｚ２３４５６７８９－"))
    answer = say(catalog_engine, now, f"登録：{typed}")
    assert "デジタル行政戦略課(取りまとめ担当)として登録しました" in answer
    assert member(catalog_engine) == ("デジタル行政戦略課", "coordinator", "金沢 花子")
    assert "すでにデジタル行政戦略課に登録されています" in say(catalog_engine, now, f"登録 {code}")


def test_a_code_is_single_use(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now)
    say(catalog_engine, now, f"登録 {code}")
    assert "すでに使われています" in say(catalog_engine, now, f"登録 {code}", user="suzuki")
    assert member(catalog_engine, "suzuki") is None


def test_an_expired_code_is_refused_with_its_expiry(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now)
    later = now + timedelta(hours=72, minutes=1)
    answer = say(catalog_engine, later, f"登録 {code}")
    assert "有効期限(2月6日 10:15)が切れています" in answer and "新しいコード" in answer
    assert member(catalog_engine) is None


def test_guessing_is_rate_limited_per_account_for_an_hour(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now)
    for i in range(MAX_FAILURES):
        assert "見つかりませんでした" in say(catalog_engine, now + timedelta(minutes=i), "登録 ZZZZ-ZZZZ")
    blocked = say(catalog_engine, now + timedelta(minutes=10), f"登録 {code}")
    assert "2月3日 11:15以降" in blocked
    assert member(catalog_engine) is None
    assert "登録しました" in say(catalog_engine, now + timedelta(minutes=61), f"登録 {code}")


def test_in_a_group_the_code_is_not_used(catalog_engine: Engine, now: datetime) -> None:
    code = invite(catalog_engine, now)
    assert "1対1" in say(catalog_engine, now, f"登録 {code}", direct=False)
    assert "登録しました" in say(catalog_engine, now, f"登録 {code}")


def test_only_the_registration_command_is_taken(catalog_engine: Engine, now: datetime) -> None:
    assert "「登録 ABCD-EFGH」の形で" in say(catalog_engine, now, "登録")
    assert "登録コード「" not in say(catalog_engine, now, "登録方法は?")  # a question, not a code


def test_cli_invite_prints_a_code_that_works(cli_env: Path, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    monkeypatch.setenv("BOT_NOW", now.isoformat())
    get_settings.cache_clear()
    out = runner.invoke(app, ["members", "invite", "--department", "危機管理課", "--role", "manager"])
    assert out.exit_code == 0, out.output
    code = re.search(r"登録コード: (\S+)", out.stdout).group(1)  # type: ignore[union-attr]
    assert "2027-02-06 10:15 まで有効" in out.stdout
    engine = get_engine(get_settings().database_url)
    assert "危機管理課(管理職)" in say(engine, now, f"登録 {code}")
    bad = runner.invoke(app, ["members", "invite", "--department", "存在しない課"])
    assert bad.exit_code == 2 and "カタログにありません" in bad.output
    assert runner.invoke(app, ["members", "invite", "--department", "危機管理課", "--role", "boss"]).exit_code == 2

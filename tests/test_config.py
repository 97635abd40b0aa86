"""Settings: argument over environment over the dotenv file, names in any case, lists as JSON,
closures as commas, a wrong shape refused by name (never by value), secrets never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.core.config import SecretStr, SettingError, Settings, check_secrets
from bot.texts import ops as t
from bot.texts import safety


def test_argument_wins_over_environment_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=7001\nDIGEST_HOUR=7\nslack_digest_channel=C0FILE\n", encoding="utf-8")
    monkeypatch.setenv("PORT", "7002")
    settings = Settings(_env_file=str(dotenv))
    assert (settings.port, settings.digest_hour, settings.slack_digest_channel) == (7002, 7, "C0FILE")
    assert Settings(_env_file=str(dotenv), port=7003).port == 7003
    assert Settings().digest_hour == 9  # no file: the default


def test_names_are_case_insensitive_and_text_is_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("bot_now", "2027-02-03T10:15:00+09:00")
    monkeypatch.setenv("RATING_SCALE", '["S", "A", "B"]')
    monkeypatch.setenv("ROUND_OPEN_MONTH_DAY", "[3, 1]")
    monkeypatch.setenv("EXTRA_CLOSURES", "2027-02-12, 2027-02-15")
    settings = Settings()
    assert settings.bot_now == datetime.fromisoformat("2027-02-03T10:15:00+09:00")
    assert settings.rating_scale == ["S", "A", "B"]
    assert settings.round_open_month_day == (3, 1)
    assert settings.extra_closures == [date(2027, 2, 12), date(2027, 2, 15)]
    monkeypatch.setenv("EXTRA_CLOSURES", '["2027-03-01"]')
    assert Settings().extra_closures == [date(2027, 3, 1)]


def test_values_given_in_code_are_typed_too() -> None:
    settings = Settings(line_channel_access_token="token-text", port="8080", bot_now="2027-02-03T10:15")
    assert isinstance(settings.line_channel_access_token, SecretStr)
    assert settings.port == 8080
    assert settings.now().tzinfo is not None and settings.now().hour == 10  # naive: the bot's time zone
    with pytest.raises(TypeError):
        Settings(prot=8080)  # a misspelt setting in code is a bug, not silence


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("PORT", "eighty", t.SETTING_NOT_INT),
    ("BOT_NOW", "next tuesday", t.SETTING_NOT_DATETIME),
    ("EXTRA_CLOSURES", "2027-02-30", t.SETTING_NOT_DATE),
    ("RATING_SCALE", "S,A,B", t.SETTING_NOT_LIST),
    ("ROUND_OPEN_MONTH_DAY", "[2]", t.SETTING_NOT_PAIR.format(count=2)),
])
def test_a_wrong_shape_is_refused_by_name(name: str, value: str, reason: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as refused:
        Settings()
    assert (refused.value.name.upper(), refused.value.reason) == (name, reason)
    assert value not in str(refused.value)


def test_the_command_line_names_the_setting_and_never_echoes_it(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "KAIKAKU_ENV_FILE": "",
           "OUTBOX_POLL_SECONDS": "secret-looking-value"}
    done = subprocess.run([str(Path(sys.executable).with_name("kaikaku")), "ask", "No.34の目標は?"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == t.SETTING_INVALID.format(name="OUTBOX_POLL_SECONDS", reason=t.SETTING_NOT_INT)
    assert "secret-looking-value" not in done.stderr + done.stdout


def test_secrets_are_never_shown_and_blank_is_not_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    settings = Settings(secret_key="k" * 32)
    assert "xoxb-real-token" not in repr(settings) and "k" * 32 not in repr(settings)
    assert settings.slack_signing_secret == SecretStr("")  # set, but to nothing: refused as such
    assert check_secrets(settings) == [safety.EMPTY_SIGNING_SECRET]
    changed = replace(settings, port=9000)
    assert (changed.port, changed.slack_bot_token) == (9000, settings.slack_bot_token)

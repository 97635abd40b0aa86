"""Settings from the environment, read once per process. Secrets are read here and never logged.

Why not pydantic-settings (which round 1 used): importing pydantic and building the model cost
about 0.11 s on every start, a quarter of `kaikaku ask`'s budget, for some thirty flat settings.
The rules are pydantic-settings' own, kept: an argument wins over the environment, the
environment over the dotenv file (python-dotenv reads it), names are case-insensitive, lists and
pairs are JSON (`RATING_SCALE='["S","A","B","C"]'`), and a value of the wrong shape is refused
with the setting's name (`SettingError`), never its value.
"""

from __future__ import annotations

import json
import os
import types
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

from bot.texts import core as texts
from bot.texts import ops as ops_texts


class SecretStr:
    """A secret value: `repr`, `str` and logs show asterisks; the value only through
    `get_secret_value()` (the same interface as pydantic's SecretStr)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SettingError(ValueError):
    """A setting of the wrong shape: its name and why, never its value."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name.upper()}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(init=False)
class Settings:
    """Everything a deployment sets; see INTERFACE.md's environment table.

    `Settings(**values)` takes the given values and reads the rest from the environment (and
    `_env_file`, a dotenv file); `dataclasses.replace(settings, …)` is a changed copy."""

    database_url: str = "sqlite:///kaikaku.db"
    bot_timezone: str = "Asia/Tokyo"
    bot_now: datetime | None = None
    coordinator_department: str = texts.DEFAULT_COORDINATOR_DEPARTMENT

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_digest_channel: str | None = None

    line_channel_secret: SecretStr | None = None
    line_channel_access_token: SecretStr | None = None
    line_api_url: str = "https://api.line.me"
    line_push_monthly_budget: int = 200

    port: int = 8000
    # The largest request body the web process takes (bytes); a larger one is refused with 413
    # before it is read, so an unsigned giant POST costs no memory. Slack and LINE send a few KB.
    max_body_bytes: int = 1024 * 1024
    line_data_api_url: str = "https://api-data.line.me"  # rich menu images (the Messaging API's blob host)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = "INFO"
    # /healthz answers 503 when the clock's last heartbeat is older than this (it beats every
    # OUTBOX_POLL_SECONDS); a deployment whose clock never ran is reported, not failed.
    clock_stale_seconds: int = 300
    # Keys the registration-code hashes (HMAC-SHA256), so a copy of the database does not give
    # the codes away; also signs the dashboard's links and sessions. Required to serve.
    secret_key: SecretStr = field(default_factory=lambda: SecretStr(""))
    # The dashboard's address as people open it (https://kaikaku.example.jp): sign-in links are
    # built on it, and its scheme decides whether the session cookie is Secure.
    public_url: str | None = None
    dashboard_link_minutes: int = 15  # a sign-in link works once, within this many minutes
    dashboard_session_hours: int = 8

    # Which fiscal year a report is for: the FY just ended from April to this month (late
    # reports, 確定 figures), the current FY otherwise (the round itself runs February–March).
    report_previous_until_month: int = 6
    result_text_max_chars: int = 2000
    rating_scale: list[str] = field(default_factory=lambda: list(texts.RATING_SCALE))

    # Reporting round (month, day) relative to the FY; closure days "YYYY-MM-DD,YYYY-MM-DD".
    round_open_month_day: tuple[int, int] = (2, 1)
    round_deadline_month_day: tuple[int, int] = (4, 30)
    nudge_weekday: int = 0  # Monday
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    reminder_hour: int = 9
    extra_closures: list[date] = field(default_factory=list)  # "2027-02-12,2027-02-15" or a JSON list
    final_notice_business_days: int = 3  # the final notice: this many business days before the deadline
    round_followup_days: int = 31  # after the deadline: escalations and digests go on this long
    # One person with several accounts (Member.person) is reached on the first of these platforms
    # (by default the registry's order, bot.core.platforms).
    delivery_platform_order: list[str] = field(default_factory=lambda: _platform_names())
    outbox_max_attempts: int = 5
    outbox_backoff_seconds: int = 60  # first retry after this; doubled per attempt, at most an hour
    outbox_lease_seconds: int = 300  # a message "sending" longer than this was left by a dead process
    outbox_poll_seconds: int = 30
    scheduler_misfire_grace_seconds: int = 6 * 3600  # a run missed by less is caught up on start
    registration_code_ttl_hours: int = 72

    def __init__(self, _env_file: str | None = None, **values: Any) -> None:
        unknown = sorted(set(values) - {f.name for f in fields(Settings)})
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        found = _environment(_env_file)
        hints = _hints()
        for spec in fields(Settings):
            if spec.name in values:
                value = _coerce(spec.name, hints[spec.name], values[spec.name])
            elif spec.name in found:
                value = _coerce(spec.name, hints[spec.name], found[spec.name])
            elif spec.default is not MISSING:
                value = spec.default
            else:
                value = spec.default_factory()  # type: ignore[misc,operator]
            setattr(self, spec.name, value)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def now(self) -> datetime:
        """The current moment in the bot's time zone (BOT_NOW wins, for rehearsals and tests)."""
        if self.bot_now is not None:
            moment = self.bot_now
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=self.tz)
            return moment.astimezone(self.tz)
        return datetime.now(self.tz)


def _environment(env_file: str | None) -> dict[str, str]:
    """Setting names (lower case) to their text: the dotenv file first, the environment over it."""
    found: dict[str, str] = {}
    if env_file and os.path.isfile(env_file):
        from dotenv import dotenv_values

        found.update({k.lower(): v for k, v in dotenv_values(env_file).items() if v is not None})
    found.update({k.lower(): v for k, v in os.environ.items()})
    return found


@cache
def _hints() -> dict[str, Any]:
    return get_type_hints(Settings)


def _coerce(name: str, hint: Any, value: Any) -> Any:
    """`value` (text from the environment, or a value given in code) as the setting's type."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):  # `X | None`
        inner = next(a for a in args if a is not type(None))
        blank = isinstance(value, str) and not value.strip()
        if value is None or (blank and inner not in (str, SecretStr)):  # a blank secret stays: check_secrets names it
            return None
        return _coerce(name, inner, value)
    if hint is SecretStr:
        return value if isinstance(value, SecretStr) else SecretStr(str(value))
    if hint is str:
        return str(value)
    if hint is int:
        return _parsed(name, ops_texts.SETTING_NOT_INT, lambda: _integer(value))
    if hint is datetime:
        return _parsed(name, ops_texts.SETTING_NOT_DATETIME,
                       lambda: value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip()))
    if origin is Literal:
        if value not in args:
            raise SettingError(name, ops_texts.SETTING_NOT_CHOICE.format(choices=", ".join(map(str, args))))
        return value
    if origin is tuple:
        items = _items(name, value)
        if len(items) != len(args):
            raise SettingError(name, ops_texts.SETTING_NOT_PAIR.format(count=len(args)))
        return tuple(_coerce(name, a, item) for a, item in zip(args, items, strict=True))
    if origin is list and args[0] is date:
        return [_parsed(name, ops_texts.SETTING_NOT_DATE, lambda item=item: _day(item))
                for item in _items(name, value, commas=True)]
    if origin is list:
        return [_coerce(name, args[0], item) for item in _items(name, value)]
    raise TypeError(f"{name}: unsupported setting type {hint!r}")  # a new field's type needs a rule here


def _parsed(name: str, reason: str, parse: Any) -> Any:
    try:
        return parse()
    except (TypeError, ValueError):
        raise SettingError(name, reason) from None


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(value)
    return int(value)


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value).strip())


def _items(name: str, value: Any, commas: bool = False) -> list[Any]:
    """A list given in code, or its text: JSON (`["S","A"]`, `[2, 1]`), or comma-separated."""
    if not isinstance(value, str):
        return list(value)
    text = value.strip()
    if commas and not text.startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        items = json.loads(text)
    except ValueError:
        raise SettingError(name, ops_texts.SETTING_NOT_LIST) from None
    if not isinstance(items, list):
        raise SettingError(name, ops_texts.SETTING_NOT_LIST)
    return items


def _platform_names() -> list[str]:
    from bot.core import platforms  # imported late: the registry loads the adapters' packages

    return list(platforms.names())


def _blank(secret: SecretStr | None) -> bool:
    """Set (possibly to nothing) but holding no usable value."""
    return secret is not None and not secret.get_secret_value().strip()


def _missing(secret: SecretStr | None) -> bool:
    return secret is None or _blank(secret)


def check_secrets(settings: Settings, need_secret_key: bool = True) -> list[str]:
    """What is wrong with the secrets for serving, one sentence each (empty: all is well).

    An empty signing secret would accept any forged request; an empty SECRET_KEY would leave
    registration codes recoverable from the database. A platform half configured (a token without
    the secret that verifies its requests, or the reverse) would be silently off: refused too.
    """
    from bot.texts import ops
    from bot.texts import safety as t

    problems = []
    slack_on = settings.slack_bot_token is not None and not _blank(settings.slack_bot_token)
    socket_mode = settings.slack_app_token is not None and not _blank(settings.slack_app_token)
    if slack_on and not socket_mode and _blank(settings.slack_signing_secret):
        problems.append(t.EMPTY_SIGNING_SECRET)
    elif slack_on and not socket_mode and settings.slack_signing_secret is None:
        problems.append(ops.SLACK_SECRET_MISSING)
    if not slack_on and not (_missing(settings.slack_signing_secret) and _missing(settings.slack_app_token)):
        problems.append(ops.SLACK_TOKEN_MISSING)
    if settings.line_channel_access_token is not None and _blank(settings.line_channel_secret):
        problems.append(t.EMPTY_LINE_SECRET)
    elif settings.line_channel_access_token is not None and settings.line_channel_secret is None:
        problems.append(ops.LINE_SECRET_MISSING)
    if _missing(settings.line_channel_access_token) and not _missing(settings.line_channel_secret):
        problems.append(ops.LINE_TOKEN_MISSING)
    if need_secret_key and not settings.secret_key.get_secret_value().strip():
        problems.append(t.EMPTY_SECRET_KEY)
    return problems


ENV_FILE = ".env"


def env_file() -> str | None:
    """The dotenv file read under the environment: `KAIKAKU_ENV_FILE`, else `.env` in the working
    directory (a missing file is fine; `KAIKAKU_ENV_FILE=` reads none). The environment wins."""
    name = os.environ.get("KAIKAKU_ENV_FILE", ENV_FILE)
    return name or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings(_env_file=env_file())

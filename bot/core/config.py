"""Settings from the environment (pydantic-settings). Secrets are read here and never logged."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.texts import core as texts


class Settings(BaseSettings):
    """Everything a deployment sets; see INTERFACE.md's environment table."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

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
    secret_key: SecretStr = SecretStr("")
    # The dashboard's address as people open it (https://kaikaku.example.jp): sign-in links are
    # built on it, and its scheme decides whether the session cookie is Secure.
    public_url: str | None = None
    dashboard_link_minutes: int = 15  # a sign-in link works once, within this many minutes
    dashboard_session_hours: int = 8

    # Which fiscal year a report is for: the FY just ended from April to this month (late
    # reports, 確定 figures), the current FY otherwise (the round itself runs February–March).
    report_previous_until_month: int = 6
    result_text_max_chars: int = 2000
    rating_scale: list[str] = Field(default_factory=lambda: list(texts.RATING_SCALE))

    # Reporting round (month, day) relative to the FY; closure days "YYYY-MM-DD,YYYY-MM-DD".
    round_open_month_day: tuple[int, int] = (2, 1)
    round_deadline_month_day: tuple[int, int] = (4, 30)
    nudge_weekday: int = 0  # Monday
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    reminder_hour: int = 9
    extra_closures: Annotated[list[date], NoDecode] = Field(default_factory=list)
    final_notice_business_days: int = 3  # the final notice: this many business days before the deadline
    round_followup_days: int = 31  # after the deadline: escalations and digests go on this long
    # One person with several accounts (Member.person) is reached on the first of these platforms
    # (by default the registry's order, bot.core.platforms).
    delivery_platform_order: list[str] = Field(default_factory=lambda: _platform_names())
    outbox_max_attempts: int = 5
    outbox_backoff_seconds: int = 60  # first retry after this; doubled per attempt, at most an hour
    outbox_lease_seconds: int = 300  # a message "sending" longer than this was left by a dead process
    outbox_poll_seconds: int = 30
    scheduler_misfire_grace_seconds: int = 6 * 3600  # a run missed by less is caught up on start
    registration_code_ttl_hours: int = 72

    @field_validator("extra_closures", mode="before")
    @classmethod
    def _closure_list(cls, value: Any) -> Any:
        """EXTRA_CLOSURES as "2027-02-12,2027-02-15" (or a JSON list)."""
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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
    return Settings(_env_file=env_file())  # type: ignore[call-arg]

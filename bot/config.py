"""Settings from the environment (pydantic-settings). Secrets are read here and never logged."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment sets; see INTERFACE.md's environment table."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    database_url: str = "sqlite:///kaikaku.db"
    bot_timezone: str = "Asia/Tokyo"
    bot_now: datetime | None = None
    coordinator_department: str = "デジタル行政戦略課"

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

    # Which fiscal year a report is for: the current FY from `report_current_from_month` to
    # March, the FY just ended from April to `report_previous_until_month`.
    report_current_from_month: int = 2
    report_previous_until_month: int = 6
    result_text_max_chars: int = 2000
    rating_scale: list[str] = Field(
        default_factory=lambda: ["A 達成", "B 概ね達成", "C 一部未達成", "D 未達成"]
    )

    # Reporting round (month, day) relative to the FY; closure days "YYYY-MM-DD,YYYY-MM-DD".
    round_open_month_day: tuple[int, int] = (2, 1)
    round_deadline_month_day: tuple[int, int] = (4, 30)
    nudge_weekday: int = 0  # Monday
    digest_weekday: int = 0  # Monday
    digest_hour: int = 9
    reminder_hour: int = 9
    extra_closures: list[date] = Field(default_factory=list)
    registration_code_ttl_hours: int = 72

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()

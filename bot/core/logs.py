"""Logging for the processes: `LOG_FORMAT` (text | json), `LOG_LEVEL`, the event being worked on.

With `LOG_FORMAT=json` every record is one JSON object on one line (python-json-logger), with the
time, level, logger, message and, while an inbound event or an outbox message is handled, its id
(`event_id`), so one event's lines can be found among many. Secrets never reach a line: the values
of the configured secrets are replaced by `[redacted]` in every message and traceback, whatever
the format (a token pasted into an exception by a library included).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from bot.core.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(event_suffix)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter values would blank ordinary words; no real secret is that short

current_event: ContextVar[str | None] = ContextVar("kaikaku_event", default=None)


@contextmanager
def event_context(event_id: str) -> Iterator[None]:
    """Tag every line logged inside with this event id (thread- and context-local)."""
    token = current_event.set(event_id)
    try:
        yield
    finally:
        current_event.reset(token)


class EventFilter(logging.Filter):
    """Adds `event_id` (and the text format's ` [id]` suffix) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        event = getattr(record, "event_id", None) or current_event.get()
        record.event_id = event
        record.event_suffix = f" [{event}]" if event else ""
        return True


class RedactingFilter(logging.Filter):
    """Replaces every configured secret's value in the message, its arguments and the traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.scrub(message), None
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
            record.exc_info = None  # formatters would format the raw exception again, secrets and all
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def secret_values(settings: Settings) -> list[str]:
    """The values that must never be logged: every SecretStr setting, and a database password."""
    from sqlalchemy.engine import make_url

    from bot.storage.db import normalize_url

    values = [v.get_secret_value() for v in settings.__dict__.values() if hasattr(v, "get_secret_value")]
    try:
        password = make_url(normalize_url(settings.database_url)).password
    except Exception:  # a malformed URL is reported elsewhere; nothing to hide in it here
        password = None
    return [v for v in [*values, password] if v]


def configure(settings: Settings, stream: object = None) -> logging.Handler:
    """Set up the root logger for a process (serve, scheduler) from LOG_FORMAT and LOG_LEVEL."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                                       "name": "logger"},
                                           reserved_attrs=[*RESERVED_ATTRS, "event_suffix", "taskName"],
                                           json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(EventFilter())
    handler.addFilter(RedactingFilter(secret_values(settings)))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    return handler

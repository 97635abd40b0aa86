"""LINE: the webhook in (WebhookParser), Messaging API messages out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Mount LINE on the web app when it is configured (line-bot-sdk is imported only then)."""
    from bot.handlers.line.webhook import register as register_line

    return register_line(app, settings, engine)

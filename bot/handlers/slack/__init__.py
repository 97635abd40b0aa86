"""Slack: bolt over HTTP or Socket Mode in, Block Kit out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Mount Slack on the web app when it is configured (bolt is imported only then)."""
    from bot.handlers.slack.app import register as register_slack

    return register_slack(app, settings, engine)

"""Slack: bolt over HTTP or Socket Mode in, Block Kit out (one package: app = verify and record,
events = translate/render/deliver for the shared pipeline, blocks = rendering, api = sending)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.platforms import Capabilities, Platform

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings
    from bot.core.messages import Sender


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Mount Slack on the web app when it is configured (bolt is imported only then)."""
    from bot.handlers.slack.app import register as register_slack

    return register_slack(app, settings, engine)


def sender(settings: Settings, engine: Engine) -> Sender:
    from bot.handlers.slack.api import SlackSender

    return SlackSender(settings)


def display_name(settings: Settings, user: str) -> str | None:
    from bot.handlers.slack.api import display_name as lookup

    return lookup(settings, user)


PLATFORM = Platform(
    name="slack",
    capabilities=Capabilities(buttons=True, forms=True, images=True, max_text=3000),
    configured=lambda s: s.slack_bot_token is not None,
    register_web=register,
    make_sender=sender,
    digest_channels=lambda s: [s.slack_digest_channel] if s.slack_digest_channel else [],
    display_name=display_name,
)

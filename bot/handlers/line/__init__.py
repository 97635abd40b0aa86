"""LINE: the webhook in (WebhookParser), Messaging API messages out (one package: webhook = verify
and LINE's part of the shared pipeline, render = message objects, api = reply, push and budget)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.platforms import Capabilities, Platform

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings
    from bot.core.messages import Sender


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Mount LINE on the web app when it is configured (line-bot-sdk is imported only then)."""
    from bot.handlers.line.webhook import register as register_line

    return register_line(app, settings, engine)


def sender(settings: Settings, engine: Engine) -> Sender:
    from bot.handlers.line.api import LineSender

    return LineSender(settings, engine)


def display_name(settings: Settings, user: str) -> str | None:
    from bot.handlers.line.api import display_name as lookup

    return lookup(settings, user)


PLATFORM = Platform(
    name="line",
    # Quick replies are buttons; a Form is typed in the chat; pushes need a hosted image URL.
    capabilities=Capabilities(buttons=True, push_budget=True, max_text=5000),
    configured=lambda s: s.line_channel_access_token is not None,
    register_web=register,
    make_sender=sender,
    display_name=display_name,
)

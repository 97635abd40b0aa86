"""The dashboard: where the round stands, in a browser (issue 15).

`register(app, settings, engine)` mounts it in the web app built by bot.core.web; the modules
without "web" in their role (links, access, data, charts, chat) import no Flask, so the chat
handler and the CLI can issue sign-in links from the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Mount the dashboard under /dashboard when SECRET_KEY is set (it signs links and sessions)."""
    if not settings.secret_key.get_secret_value().strip():
        return False
    from bot.dashboard.web import mount

    mount(app, settings, engine)
    return True

"""The web process: one Flask app with a route per platform, served by waitress.

Each platform adapter in bot/handlers/ offers `register(app, settings, engine) -> bool`, which
adds its routes when the platform is configured (its secrets set) and says whether it did.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from flask import Flask, jsonify
from sqlalchemy import Engine, text

from bot.core.config import Settings

log = logging.getLogger(__name__)
Registrar = Callable[[Flask, Settings, Engine], bool]
ADAPTERS = ("slack", "line")


def registrars() -> list[Registrar]:
    """The platform adapters; adding a platform means one new module and one name here."""
    registered: list[Registrar] = []
    for name in ADAPTERS:
        try:
            module = importlib.import_module(f"bot.handlers.{name}")
        except ImportError:  # a broken adapter must not pass unnoticed, nor stop the others
            log.exception("the %s adapter could not be loaded; %s is off", name, name)
            continue
        registered.append(module.register)
    return registered


def create_app(settings: Settings, engine: Engine) -> Flask:
    app = Flask("kaikaku")
    app.config["KAIKAKU_PLATFORMS"] = []

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return jsonify(status="ok", platforms=app.config["KAIKAKU_PLATFORMS"])

    for register in registrars():
        if register(app, settings, engine):
            app.config["KAIKAKU_PLATFORMS"].append(register.__module__.rsplit(".", 1)[-1])
    return app


def serve(settings: Settings, engine: Engine) -> None:
    """Run the web process until stopped."""
    from waitress import serve as waitress_serve

    app = create_app(settings, engine)
    log.info("serving on port %s: %s", settings.port, ", ".join(app.config["KAIKAKU_PLATFORMS"]) or "no platform")
    waitress_serve(app, host="0.0.0.0", port=settings.port, threads=8)

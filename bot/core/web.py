"""The web process: one Flask app with a route per platform, served by waitress.

Each platform in the registry (bot.core.platforms) with a web side offers
`register_web(app, settings, engine) -> bool`, which adds its routes when the platform is configured
(its secrets set) and says whether it did.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import Engine, text

from bot.core import platforms
from bot.core.config import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, engine: Engine) -> Flask:
    app = Flask("kaikaku")
    app.config["KAIKAKU_PLATFORMS"] = []

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return jsonify(status="ok", platforms=app.config["KAIKAKU_PLATFORMS"])

    from bot import dashboard

    if dashboard.register(app, settings, engine):
        app.config["KAIKAKU_DASHBOARD"] = True
    for platform in platforms.all_platforms():
        if platform.register_web is None or not platform.configured(settings):
            continue  # an unconfigured platform's SDK is not even imported: the process starts faster
        try:
            mounted = platform.register_web(app, settings, engine)
        except ImportError:  # a broken adapter must not pass unnoticed, nor stop the others
            log.exception("the %s adapter could not be loaded; %s is off", platform.name, platform.name)
            continue
        if mounted:
            app.config["KAIKAKU_PLATFORMS"].append(platform.name)
    return app


def serve(settings: Settings, engine: Engine) -> None:
    """Run the web process until stopped."""
    from waitress import serve as waitress_serve

    app = create_app(settings, engine)
    log.info("serving on port %s: %s", settings.port, ", ".join(app.config["KAIKAKU_PLATFORMS"]) or "no platform")
    waitress_serve(app, host="0.0.0.0", port=settings.port, threads=8)

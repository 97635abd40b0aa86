"""The web process: one Flask app with a route per platform, served by waitress.

Each platform in the registry (bot.core.platforms) with a web side offers
`register_web(app, settings, engine) -> bool`, which adds its routes when the platform is configured
(its secrets set) and says whether it did.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy import Engine, text

from bot.core import metrics, platforms
from bot.core.config import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, engine: Engine) -> Flask:
    app = Flask("kaikaku")
    app.config["KAIKAKU_PLATFORMS"] = []
    store = metrics.store_registry(engine, settings)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        body, ok = health(settings, engine)
        body["platforms"] = app.config["KAIKAKU_PLATFORMS"]
        return jsonify(body), 200 if ok else 503

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.exposition(store), content_type=metrics.CONTENT_TYPE)

    @app.before_request
    def started() -> None:
        g.kaikaku_started = time.perf_counter()

    @app.after_request
    def timed(response: Response) -> Response:
        started = g.get("kaikaku_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.request_done(route, response.status_code, time.perf_counter() - started)
        return response

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


def health(settings: Settings, engine: Engine) -> tuple[dict[str, Any], bool]:
    """The database answers and the clock is not stale (a clock never seen is reported, not failed:
    a web process may run alone, e.g. in development)."""
    from bot.clock.heartbeat import health as clock_health
    from bot.texts import ops as t

    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        clock = clock_health(engine, settings.clock_stale_seconds)
    except Exception as exc:  # the database away: say so, do not raise a 500 with a traceback
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return {"status": "unavailable", "reasons": [t.DATABASE_DOWN.format(reason=reason)]}, False
    reasons = []
    if clock.state == "stale":
        reasons.append(t.CLOCK_STALE.format(age=clock.age_seconds, limit=settings.clock_stale_seconds))
    body: dict[str, Any] = {"status": "unavailable" if reasons else "ok", "clock": clock.as_dict()}
    if reasons:
        body["reasons"] = reasons
    return body, not reasons


def serve(settings: Settings, engine: Engine) -> None:
    """Run the web process until stopped."""
    from waitress import serve as waitress_serve

    app = create_app(settings, engine)
    log.info("serving on port %s: %s", settings.port, ", ".join(app.config["KAIKAKU_PLATFORMS"]) or "no platform")
    waitress_serve(app, host="0.0.0.0", port=settings.port, threads=8)

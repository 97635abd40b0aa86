"""The web process: one Flask app with a route per platform, served by waitress.

Each platform in the registry (bot.core.platforms) with a web side offers
`register_web(app, settings, engine) -> bool`, which adds its routes when the platform is configured
(its secrets set) and says whether it did.

Every request passes `BodyLimit` first: a body larger than `MAX_BODY_BYTES` is refused with 413
before the application reads it (waitress itself refuses it too, before buffering it), so an
unsigned giant POST costs neither memory nor a signature check.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy import Engine, text

from bot.core import metrics, platforms
from bot.core.config import Settings

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
READ_CHUNK = 64 * 1024


class BodyLimit:
    """WSGI middleware: at most `limit` bytes of request body reach the application.

    A declared Content-Length over the limit is refused without reading a byte; a body of unknown
    length (chunked) is read at most `limit + 1` bytes, and refused if there is more. Whatever
    passes is handed on with an exact Content-Length.
    """

    def __init__(self, app: WsgiApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        declared = (environ.get("CONTENT_LENGTH") or "").strip()
        if declared:
            if not declared.isdigit():
                return _plain(start_response, "400 Bad Request", "malformed Content-Length")
            if int(declared) > self.limit:
                log.warning("refused a request body of %s bytes (limit %d)", declared, self.limit)
                return _plain(start_response, "413 Request Entity Too Large", "request body too large")
        elif _has_body(environ):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                log.warning("refused a chunked request body over %d bytes", self.limit)
                return _plain(start_response, "413 Request Entity Too Large", "request body too large")
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _has_body(environ: dict[str, Any]) -> bool:
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    return chunked or bool(environ.get("wsgi.input_terminated"))


def _read_at_most(stream: Any, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(READ_CHUNK, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _plain(start_response: Callable[..., Any], status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data))),
                            ("Connection", "close")])
    return [data]


def create_app(settings: Settings, engine: Engine) -> Flask:
    app = Flask("kaikaku")
    app.config["KAIKAKU_PLATFORMS"] = []
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes  # Flask's own check, behind BodyLimit
    app.wsgi_app = BodyLimit(app.wsgi_app, settings.max_body_bytes)  # type: ignore[method-assign]
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


def server_options(settings: Settings) -> dict[str, Any]:
    """waitress's own limits: it refuses a body over MAX_BODY_BYTES before buffering it (its check
    is `>=`, hence the +1)."""
    return {"threads": 8, "max_request_body_size": settings.max_body_bytes + 1}


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

    from bot.core import runtime

    app = create_app(settings, engine)
    runtime.loaded()  # start-up's objects out of the GC's later walks (a 50–70 ms pause otherwise)
    log.info("serving on port %s: %s", settings.port, ", ".join(app.config["KAIKAKU_PLATFORMS"]) or "no platform")
    waitress_serve(app, host="0.0.0.0", port=settings.port, **server_options(settings))

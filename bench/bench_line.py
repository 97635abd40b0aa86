"""Webhook-to-reply time of the LINE adapter, next to a bare line-bot-sdk echo handler.

Both run the same way on this machine: a Flask app served by waitress (as `kaikaku serve`), a
signed webhook posted to it, and the time until the reply reaches a local stub of the Messaging
API. The bare handler is line-bot-sdk's own minimum (WebhookParser + MessagingApi.reply_message
inside the request); ours records the event, answers 200, and replies from the worker after the
core router. Goal: less than 50% added.

    .venv/bin/python bench/bench_line.py [--n 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from flask import Flask, request
from linebot.v3 import WebhookParser
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent
from pydantic import SecretStr
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage.db import make_engine, migrate, session_scope  # noqa: E402
from bot.web import create_app  # noqa: E402

SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
USER = "U4af4980629b1c2d3e4f5a6b7c8d9e0f1"


class Stub:
    """The Messaging API's reply endpoint: notes when each reply token arrives."""

    def __init__(self) -> None:
        self.latency = 0.0  # seconds each way, like the trip to api.line.me and back
        self.arrived: dict[str, float] = {}
        self.cond = threading.Condition()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body meet delayed ACKs: +40 ms

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(stub.latency)  # the request's way there
                now = time.perf_counter()
                answer = b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
                time.sleep(stub.latency)  # the answer's way back
                self.send_response(200 if self.path != "/v2/bot/chat/loading/start" else 202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                if "replyToken" in body:
                    with stub.cond:
                        stub.arrived[body["replyToken"]] = now
                        stub.cond.notify_all()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, token: str, timeout: float = 10.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: token in self.arrived, timeout):
                raise RuntimeError("no reply arrived")
            return self.arrived[token]


def echo_app(api_url: str) -> Flask:
    """The bare line-bot-sdk echo bot (its README's example, v3 API)."""
    app = Flask("echo")
    parser = WebhookParser(SECRET)
    api = MessagingApi(ApiClient(Configuration(host=api_url, access_token=TOKEN)))

    @app.post("/line/webhook")
    def callback() -> str:
        events = parser.parse(request.get_data(as_text=True), request.headers["X-Line-Signature"])
        for event in events:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                api.reply_message(ReplyMessageRequest(reply_token=event.reply_token,
                                                      messages=[TextMessage(text=event.message.text)]))
        return "OK"

    return app


def serve(app: Flask) -> str:
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}/line/webhook"  # type: ignore[union-attr]


def signed_body(text: str) -> tuple[bytes, str, str]:
    token = uuid.uuid4().hex
    event = {
        "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
        "webhookEventId": uuid.uuid4().hex.upper()[:26], "deliveryContext": {"isRedelivery": False},
        "source": {"type": "user", "userId": USER}, "replyToken": token,
        "message": {"type": "text", "id": "1", "quoteToken": "q", "text": text},
    }
    body = json.dumps({"destination": "U" + "0" * 32, "events": [event]}, ensure_ascii=False).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return body, signature, token


def one(session: requests.Session, url: str, stub: Stub, text: str) -> float:
    """Seconds from posting one signed webhook to its reply reaching the stub."""
    body, signature, token = signed_body(text)
    start = time.perf_counter()
    response = session.post(url, data=body, headers={"X-Line-Signature": signature,
                                                      "Content-Type": "application/json"})
    response.raise_for_status()
    return stub.wait(token) - start


def measure(cases: dict[str, tuple[str, str]], stub: Stub, n: int, warmup: int = 20,
            pause: float = 0.005) -> dict[str, list[float]]:
    """Each case (url, text) in turn, event by event, so a busy moment of the machine hits all alike."""
    sessions = {name: requests.Session() for name in cases}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(warmup + n):
        for name, (url, text) in cases.items():
            took = one(sessions[name], url, stub, text)
            if i >= warmup:
                times[name].append(took)
            time.sleep(pause)  # what one event leaves to do after its reply is not the next one's wait
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def our_app(database_url: str | None, api_url: str) -> Callable[[], str]:
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-line-')}/bot.db"
    engine = make_engine(database_url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    settings = Settings(database_url=database_url, line_channel_secret=SecretStr(SECRET),
                        line_channel_access_token=SecretStr(TOKEN), line_api_url=api_url)
    url = serve(create_app(settings, engine))
    return lambda: url


def report(runs: dict[str, list[float]], n: int, latency_ms: float) -> None:
    base = statistics.median(runs["bare line-bot-sdk echo"])
    where = "a local stub answering at once" if not latency_ms else f"a stub {latency_ms:g} ms away each way"
    print(f"\nwebhook → reply at {where}: {n} events each, one at a time, interleaved, 5 ms apart (ms)")
    print(f"{'':28} {'median':>8} {'p99':>8} {'vs bare':>9}")
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name:28} {med * 1000:8.2f} {p99(times) * 1000:8.2f} {med / base:8.2f}x")
    ours = statistics.median(runs["kaikaku: ヘルプ"])
    print(f"added by the adapter and core (ヘルプ, median): {(ours - base) * 1000:.2f} ms = "
          f"{ours / base - 1:.0%} (goal < 50%)")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--n", type=int, default=300)
    args.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args.add_argument("--api-latency-ms", default="0,15",
                      help="one-way delay(s) of the stub, comma-separated (0: local, no network)")
    opts = args.parse_args()

    stub = Stub()
    bare_url = serve(echo_app(stub.url))
    ours_url = our_app(opts.database_url, stub.url)()
    for latency_ms in (float(x) for x in opts.api_latency_ms.split(",")):
        stub.latency = latency_ms / 1000
        runs = measure({
            "bare line-bot-sdk echo": (bare_url, "ヘルプ"),
            "kaikaku: ヘルプ": (ours_url, "ヘルプ"),
            "kaikaku: No.34の目標は?": (ours_url, "No.34の目標は?"),
        }, stub, opts.n)
        report(runs, opts.n, latency_ms)


if __name__ == "__main__":
    main()

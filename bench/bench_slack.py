"""Slack: time from a signed event request to the ack, and to the reply, next to a bare bolt app.

    .venv/bin/python bench/bench_slack.py [--rounds 300] [--text ヘルプ] [--url sqlite:///path.db]

Both apps run in this process behind the same setup: Flask + bolt's SlackRequestHandler, served by
waitress on a local port, talking to the same local stand-in for the Slack Web API
(tests/fakes/slack_api.py). The bot is the real `bot.web.create_app` (record in the database
before the ack, route through the core after it, post once); the bare bolt app answers the same
`message.im` with `say()` straight away. Requests alternate between the two. "ack" is the HTTP
round trip of the signed request; "reply" is until the stand-in has the chat.postMessage.
Goal: the bot adds less than 50% to bolt's own time.

What the bot adds is the commits bolt does not make: one before the ack (the event is recorded,
never lost) and one after (the dialog's state with the replies to deliver), and the core's routing.
With --sqlite-synchronous FULL each commit is also an fsync (the default, NORMAL under WAL, is
safe against a crash of the process, not of the machine). Figures move by ±20% between runs on a
shared machine: compare the two apps within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flask import Flask, request
from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import event
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage.db import make_engine, migrate, session_scope  # noqa: E402
from bot.web import create_app  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.slack_api import Call, SlackApiStub  # noqa: E402

GOAL = 0.5
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def bare_bolt(stub: SlackApiStub) -> Flask:
    """bolt as its README shows it: a listener that says something back."""
    bolt = App(signing_secret=sr.SECRET, client=WebClient(token="xoxb-bare", base_url=stub.url),
               token_verification_enabled=False)

    @bolt.event("message")
    def answer(event: dict, say: Callable[..., object]) -> None:  # type: ignore[type-arg]
        say("kaikaku-bot でできること")

    handler = SlackRequestHandler(bolt)
    app = Flask("bare-bolt")
    app.add_url_rule("/slack/events", "slack_events", lambda: handler.handle(request), methods=["POST"])
    return app


def serve(app: Flask) -> str:
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}/slack/events"  # type: ignore[union-attr]


class Replies:
    """When the stand-in saw the first chat.postMessage for each channel."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.event = threading.Condition()

    def __call__(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            with self.event:
                self.at.setdefault(str(call.body.get("channel")), time.perf_counter())
                self.event.notify_all()

    def wait(self, channel: str, timeout: float = 10.0) -> float:
        with self.event:
            if not self.event.wait_for(lambda: channel in self.at, timeout):
                raise RuntimeError(f"no reply in {channel}")
            return self.at[channel]


def one(url: str, replies: Replies, user: str, text: str) -> tuple[float, float]:
    body = sr.message_im(text, user=user)
    req = sr.as_event(body)
    http = urllib.request.Request(url, data=req.body.encode(), headers=req.headers())
    start = time.perf_counter()
    with urllib.request.urlopen(http, timeout=10) as response:
        response.read()
        acked = time.perf_counter()
    replied = replies.wait(body["event"]["channel"])
    return (acked - start) * 1000, (replied - start) * 1000


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def database(url: str | None, folder: Path) -> str:
    url = url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--text", default="ヘルプ")
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--sqlite-synchronous", choices=["NORMAL", "FULL"],
                        help="override SQLite's PRAGMA synchronous (bot.storage.db sets NORMAL under WAL; "
                             "FULL adds an fsync to every commit)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, SlackApiStub() as stub:
        replies = Replies()
        stub.on_call = replies
        url = database(args.url, Path(tmp))
        settings = Settings(database_url=url, slack_bot_token=SecretStr("xoxb-bot"),
                            slack_signing_secret=SecretStr(sr.SECRET), slack_api_url=stub.url)
        engine = make_engine(url)
        if args.sqlite_synchronous:
            @event.listens_for(engine, "connect")
            def _synchronous(conn, _record):  # type: ignore[no-untyped-def]
                conn.execute(f"PRAGMA synchronous={args.sqlite_synchronous}")
        bot_url = serve(create_app(settings, engine))
        bolt_url = serve(bare_bolt(stub))
        timings: dict[str, list[tuple[float, float]]] = {"bolt": [], "bot": []}
        for i in range(args.warmup + args.rounds):
            for name, target in (("bolt", bolt_url), ("bot", bot_url)):
                result = one(target, replies, f"U{name.upper()}{i:06d}", args.text)
                if i >= args.warmup:
                    timings[name].append(result)
        backend = engine.url.get_backend_name()
        if backend == "sqlite":
            with engine.connect() as conn:
                backend += f", synchronous={SYNCHRONOUS[conn.exec_driver_sql('PRAGMA synchronous').scalar()]}"
        report(timings, backend, args.rounds)


def report(timings: dict[str, list[tuple[float, float]]], backend: str, rounds: int) -> None:
    print(f"Slack event → ack / reply, {rounds} requests each, database: {backend}")
    print(f"{'':18}{'median ms':>10}{'p99 ms':>10}")
    figures: dict[tuple[str, str], tuple[float, float]] = {}
    for name in ("bolt", "bot"):
        for index, what in enumerate(("ack", "reply")):
            values = [t[index] for t in timings[name]]
            figures[(name, what)] = (statistics.median(values), p99(values))
            label = "bare bolt" if name == "bolt" else "kaikaku-bot"
            print(f"{label + ' ' + what:18}{figures[(name, what)][0]:10.2f}{figures[(name, what)][1]:10.2f}")
    for what in ("ack", "reply"):
        bolt_median, bolt_p99 = figures[("bolt", what)]
        bot_median, bot_p99 = figures[("bot", what)]
        ratio = bot_median / bolt_median
        verdict = "ok" if ratio - 1 < GOAL else "over the goal"
        print(f"{what}: bot/bolt median ×{ratio:.2f} (adds {100 * (ratio - 1):+.0f}%), "
              f"p99 ×{bot_p99 / bolt_p99:.2f} — goal: adds < {GOAL:.0%}: {verdict}")


if __name__ == "__main__":
    main()

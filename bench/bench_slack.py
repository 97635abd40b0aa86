"""Slack: time from a signed event request to the ack, and to the reply, next to a bare bolt app.

    .venv/bin/python bench/bench_slack.py [--rounds 300] [--text ヘルプ] [--url sqlite:///path.db]
                                          [--sqlite-synchronous FULL] [--in-process] [--api-latency-ms 15]

Both apps get the same setup: Flask + bolt's SlackRequestHandler, served by waitress (8 threads,
as `kaikaku serve`) on a local port, talking to the same local stand-in for the Slack Web API
(tests/fakes/slack_api.py). The bot is the real `bot.core.web.create_app` (record in the database
before the ack, route through the core after it, post once); the bare bolt app answers the same
`message.im` with `say()` straight away. Requests alternate between the two. "ack" is the HTTP
round trip of the signed request; "reply" is until the stand-in has the chat.postMessage.
Goal: the bot adds less than 50% to bolt's own time.

By default each server runs in its own process, as in production, where `kaikaku serve` is a web
process of its own: the stand-in, the bare bolt app and the bot one process each (started with
'spawn', the database prepared before), the client (the timing loop) in this one. The client and
the stand-in are not part of the bot, so they must not take the GIL from it, nor from bolt: in one
process every server thread (the bot's worker routing and posting after the ack, bolt's listener)
waits for the GIL behind the client, the stand-in and the other app, a cost production does not
have and one that does not fall equally on both apps. The stand-in stamps each
chat.postMessage with time.perf_counter() (CLOCK_MONOTONIC on Linux, the same clock in every
process) and sends it back over a multiprocessing queue. --in-process keeps the old layout:
everything in this process, threads sharing one GIL (it runs on any OS).

What the bot adds is the commits bolt does not make: one before the ack (the event is recorded,
never lost) and one after (the dialog's state with the replies to deliver), and the core's routing.
With --sqlite-synchronous FULL each commit is also an fsync (the default, NORMAL under WAL, is
safe against a crash of the process, not of the machine). Figures move by ±20% between runs on a
shared machine: compare the two apps within one run. --api-latency-ms puts the stand-in that far
away each way (slack.com is tens of milliseconds from a city's server, not zero).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from typing import Any

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Engine, event
from waitress.server import create_server

from bot.core.config import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from processes import STOP_TIMEOUT  # noqa: E402  (bench/processes.py)
from processes import stop as stop_processes  # noqa: E402

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.web import create_app  # noqa: E402
from bot.storage.db import make_engine, migrate, session_scope  # noqa: E402
from tests.fakes import slack_requests as sr  # noqa: E402
from tests.fakes.slack_api import Call, SlackApiStub  # noqa: E402

GOAL = 0.5
SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
START_TIMEOUT = 60.0  # a spawned server imports everything before it serves
REPLY_TIMEOUT = 10.0
MODES = {
    "processes": "processes: the stand-in, bare bolt, kaikaku-bot and this client, one process each",
    "in-process": "--in-process: the stand-in, both apps and this client in one process (one GIL)",
}


# ---- the servers -------------------------------------------------------------------------------
def bare_bolt(api_url: str) -> Flask:
    """bolt as its README shows it: a listener that says something back."""
    bolt = App(signing_secret=sr.SECRET, client=WebClient(token="xoxb-bare", base_url=api_url),
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


def bot_settings(url: str, api_url: str) -> Settings:
    return Settings(database_url=url, slack_bot_token=SecretStr("xoxb-bot"),
                    slack_signing_secret=SecretStr(sr.SECRET), slack_api_url=api_url)


def bot_engine(url: str, synchronous: str | None) -> Engine:
    engine = make_engine(url)
    if synchronous:
        @event.listens_for(engine, "connect")
        def _synchronous(conn, _record):  # type: ignore[no-untyped-def]
            conn.execute(f"PRAGMA synchronous={synchronous}")
    return engine


def describe(engine: Engine) -> str:
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        with engine.connect() as conn:
            backend += f", synchronous={SYNCHRONOUS[int(conn.exec_driver_sql('PRAGMA synchronous').scalar_one())]}"
    return backend


def database(url: str | None, folder: Path) -> str:
    url = url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    engine.dispose()
    return url


# ---- the client --------------------------------------------------------------------------------
class Replies:
    """When the stand-in saw the first chat.postMessage for each channel (perf_counter seconds)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.event = threading.Condition()

    def arrived(self, channel: str, at: float) -> None:
        with self.event:
            self.at.setdefault(channel, at)
            self.event.notify_all()

    def __call__(self, call: Call) -> None:
        """The stand-in's on_call, in this process."""
        if call.method == "chat.postMessage":
            self.arrived(str(call.body.get("channel")), time.perf_counter())

    def wait(self, channel: str, timeout: float = REPLY_TIMEOUT) -> float:
        with self.event:
            if not self.event.wait_for(lambda: channel in self.at, timeout):
                raise RuntimeError(f"no reply in {channel} within {timeout:.0f} s")
            return self.at[channel]


def one(url: str, replies: Replies, user: str, text: str) -> tuple[float, float]:
    body = sr.message_im(text, user=user)
    req = sr.as_event(body)
    http = urllib.request.Request(url, data=req.body.encode(), headers=req.headers())
    start = time.perf_counter()
    with urllib.request.urlopen(http, timeout=REPLY_TIMEOUT) as response:
        response.read()
        acked = time.perf_counter()
    replied = replies.wait(body["event"]["channel"])
    return (acked - start) * 1000, (replied - start) * 1000


def run_rounds(bolt_url: str, bot_url: str, replies: Replies, args: argparse.Namespace
               ) -> dict[str, list[tuple[float, float]]]:
    timings: dict[str, list[tuple[float, float]]] = {"bolt": [], "bot": []}
    for i in range(args.warmup + args.rounds):
        for name, target in (("bolt", bolt_url), ("bot", bot_url)):
            result = one(target, replies, f"U{name.upper()}{i:06d}", args.text)
            if i >= args.warmup:
                timings[name].append(result)
    return timings


# ---- one process ---------------------------------------------------------------------------------
def in_process(url: str, args: argparse.Namespace) -> tuple[dict[str, list[tuple[float, float]]], str]:
    with SlackApiStub() as stub:
        stub.latency = args.api_latency_ms / 1000
        replies = Replies()
        stub.on_call = replies
        engine = bot_engine(url, args.sqlite_synchronous)
        bot_url = serve(create_app(bot_settings(url, stub.url), engine))
        bolt_url = serve(bare_bolt(stub.url))
        return run_rounds(bolt_url, bot_url, replies, args), describe(engine)


# ---- one process per server ----------------------------------------------------------------------
Started = tuple[str, str | None]  # the server's URL, and something to report (the bot's database)


def _stand_in(arrivals: multiprocessing.Queue[tuple[str, float]], latency: float) -> Started:
    stub = SlackApiStub()
    stub.latency = latency

    def forward(call: Call) -> None:
        at = time.perf_counter()
        if call.method == "chat.postMessage":
            arrivals.put((str(call.body.get("channel")), at))

    stub.on_call = forward
    stub.__enter__()  # serves from a daemon thread for the life of the process
    return stub.url, None


def _bare_bolt(api_url: str) -> Started:
    return serve(bare_bolt(api_url)), None


def _kaikaku(url: str, api_url: str, synchronous: str | None) -> Started:
    engine = bot_engine(url, synchronous)
    return serve(create_app(bot_settings(url, api_url), engine)), describe(engine)


def _child(start: Callable[..., Started], ready: multiprocessing.Queue[tuple[str, Any, Any]],
           *args: Any) -> None:
    """A server process: start, say where it serves, then serve until stopped or orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the client stops us
    try:
        url, extra = start(*args)
    except BaseException:
        ready.put(("error", traceback.format_exc(), None))
        return
    ready.put(("ready", url, extra))
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()  # normally SIGTERM comes first; this ends a server the client left behind
    os._exit(0)


class Servers:
    """The server processes, started with 'spawn'; stop() ends every one of them."""

    def __init__(self, ctx: SpawnContext) -> None:
        self.ctx = ctx
        self.started: list[tuple[str, SpawnProcess, multiprocessing.Queue[tuple[str, Any, Any]]]] = []

    def launch(self, name: str, start: Callable[..., Started], *args: Any) -> int:
        ready: multiprocessing.Queue[tuple[str, Any, Any]] = self.ctx.Queue()
        process = self.ctx.Process(target=_child, args=(start, ready, *args), name=f"bench {name}", daemon=True)
        process.start()
        self.started.append((name, process, ready))
        return len(self.started) - 1

    def ready(self, index: int, timeout: float = START_TIMEOUT) -> Started:
        name, process, ready = self.started[index]
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, payload, extra = ready.get(timeout=0.2)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError(f"the {name} process ended before serving "
                                       f"(exit code {process.exitcode})") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the {name} process did not serve within {timeout:.0f} s") from None
                continue
            if status == "error":
                raise RuntimeError(f"the {name} process failed to start:\n{payload}")
            return payload, extra

    def stop(self) -> None:
        stop_processes(process for _, process, _ in self.started)
        for _, _, ready in self.started:
            ready.close()


def collect(arrivals: multiprocessing.Queue[tuple[str, float]], replies: Replies, done: threading.Event) -> None:
    """The client's reader: the stand-in's arrival times into `replies`."""
    while not done.is_set():
        try:
            channel, at = arrivals.get(timeout=0.2)
        except queue.Empty:
            continue
        except (EOFError, OSError):
            return
        replies.arrived(channel, at)


def in_processes(url: str, args: argparse.Namespace) -> tuple[dict[str, list[tuple[float, float]]], str]:
    ctx = multiprocessing.get_context("spawn")
    arrivals: multiprocessing.Queue[tuple[str, float]] = ctx.Queue()
    replies, done = Replies(), threading.Event()
    reader = threading.Thread(target=collect, args=(arrivals, replies, done), name="arrivals", daemon=True)
    servers = Servers(ctx)
    try:
        reader.start()
        api_url, _ = servers.ready(servers.launch("Web API stand-in", _stand_in, arrivals, args.api_latency_ms / 1000))
        bolt = servers.launch("bare bolt", _bare_bolt, api_url)
        bot = servers.launch("kaikaku-bot", _kaikaku, url, api_url, args.sqlite_synchronous)
        bolt_url, _ = servers.ready(bolt)
        bot_url, backend = servers.ready(bot)
        return run_rounds(bolt_url, bot_url, replies, args), backend or "?"
    finally:
        done.set()
        reader.join(STOP_TIMEOUT)
        servers.stop()
        arrivals.close()


# ---- the report ----------------------------------------------------------------------------------
def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def report(timings: dict[str, list[tuple[float, float]]], backend: str, rounds: int, mode: str,
           latency_ms: float) -> None:
    where = "a stand-in answering at once" if not latency_ms else f"a stand-in {latency_ms:g} ms away each way"
    print(f"Slack event → ack / reply at {where}, {rounds} requests each, database: {backend}")
    print(f"mode: {MODES[mode]}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--text", default="ヘルプ")
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--sqlite-synchronous", choices=["NORMAL", "FULL"],
                        help="override SQLite's PRAGMA synchronous (bot.storage.db sets NORMAL under WAL; "
                             "FULL adds an fsync to every commit)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the stand-in, both apps and the client in this one process "
                             "(the old layout; default: one process each)")
    parser.add_argument("--api-latency-ms", type=float, default=0.0,
                        help="one-way delay of the Web API stand-in (default 0: no network at all)")
    args = parser.parse_args()
    mode = "in-process" if args.in_process else "processes"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # so the servers are stopped
    if mode == "processes" and "CLOCK_MONOTONIC" not in time.get_clock_info("perf_counter").implementation:
        parser.error("the reply times come from another process and need perf_counter on CLOCK_MONOTONIC "
                     "(Linux); use --in-process here")

    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.url, Path(tmp))  # prepared here, its engine disposed, before any server starts
        timings, backend = (in_process if mode == "in-process" else in_processes)(url, args)
    report(timings, backend, args.rounds, mode, args.api_latency_ms)


if __name__ == "__main__":
    main()

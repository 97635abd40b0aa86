"""Webhook-to-reply time of the LINE adapter, next to a bare line-bot-sdk echo handler.

Both run the same way on this machine: a Flask app served by waitress (as `kaikaku serve`), a
signed webhook posted to it, and the time until the reply reaches a local stub of the Messaging
API. The bare handler is line-bot-sdk's own minimum (WebhookParser + MessagingApi.reply_message
inside the request); ours records the event, answers 200, and replies from the worker after the
core router. Goal: less than 50% added.

By default each server runs in a process of its own, as in production, where `kaikaku serve` is
the web process alone: the stub of the Messaging API in one, the bare echo app in one, our app in
one, and the client (the timing loop) in this one. The client and the stub are not part of the
bot, and in one shared interpreter they would contend for its GIL with the app under test, most
of all with ours, whose worker thread replies while the client and the stub are busy; the bare
app replies inside the request and is spared that. Both apps thus get equal terms. The stub takes
the arrival time of each reply with time.perf_counter() (CLOCK_MONOTONIC on Linux, one clock for
every process) and sends it to the client through a pipe, read by the client only after its
webhook is answered, so the report adds no thread and no work to the timed path. Elsewhere, or
with --in-process, everything runs in one process as before.

    .venv/bin/python bench/bench_line.py [--n 300] [--database-url URL] [--api-latency-ms 0,15]
                                         [--in-process] [--start-method spawn|forkserver|fork]
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import multiprocessing
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

import requests
from flask import Flask, request
from linebot.v3 import WebhookParser
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent
from waitress.server import create_server

from bot.core.config import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from processes import STOP_TIMEOUT, stop  # noqa: E402  (bench/processes.py)

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.web import create_app  # noqa: E402
from bot.storage.db import make_engine, migrate, session_scope  # noqa: E402

SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
USER = "U4af4980629b1c2d3e4f5a6b7c8d9e0f1"
READY_TIMEOUT = 60.0  # seconds for a server process to import, build its app and listen
REPLY_TIMEOUT = 10.0  # seconds for one reply to reach the stub


class Replies(Protocol):
    """What the client sees of the stub, in its process or in another."""

    url: str

    def set_latency(self, seconds: float) -> None: ...

    def wait(self, token: str, timeout: float = REPLY_TIMEOUT) -> float: ...


def stub_server(latency: Callable[[], float], arrived: Callable[[str, float], None]) -> ThreadingHTTPServer:
    """The Messaging API's endpoints on a free port; `arrived(token, perf_counter)` for each reply."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body meet delayed ACKs: +40 ms

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            delay = latency()  # seconds each way, like the trip to api.line.me and back
            time.sleep(delay)  # the request's way there
            now = time.perf_counter()
            answer = b'{"sentMessages":[{"id":"1","quoteToken":"q"}]}'
            time.sleep(delay)  # the answer's way back
            self.send_response(200 if self.path != "/v2/bot/chat/loading/start" else 202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            if "replyToken" in body:
                arrived(body["replyToken"], now)

        def log_message(self, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


class Stub:
    """The stub in the client's process (--in-process): notes when each reply token arrives."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.arrived: dict[str, float] = {}
        self.cond = threading.Condition()
        self.server = stub_server(lambda: self.latency, self.note)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def note(self, token: str, at: float) -> None:
        with self.cond:
            self.arrived[token] = at
            self.cond.notify_all()

    def set_latency(self, seconds: float) -> None:
        self.latency = seconds

    def wait(self, token: str, timeout: float = REPLY_TIMEOUT) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: token in self.arrived, timeout):
                raise RuntimeError("no reply arrived")
            return self.arrived.pop(token)


class RemoteStub:
    """The stub in its own process: its latency in shared memory, its arrival times from a pipe."""

    def __init__(self, url: str, arrivals: Connection, latency: Any) -> None:
        self.url = url
        self.arrivals = arrivals
        self.latency = latency  # a multiprocessing RawValue("d")
        self.arrived: dict[str, float] = {}  # read from the pipe, not yet asked for

    def set_latency(self, seconds: float) -> None:
        self.latency.value = seconds

    def wait(self, token: str, timeout: float = REPLY_TIMEOUT) -> float:
        deadline = time.perf_counter() + timeout
        while token not in self.arrived:
            left = deadline - time.perf_counter()
            if left <= 0 or not self.arrivals.poll(left):
                raise RuntimeError("no reply arrived")
            got, at = self.arrivals.recv()
            self.arrived[got] = at
        return self.arrived.pop(token)


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


def settings(database_url: str, api_url: str) -> Settings:
    return Settings(database_url=database_url, line_channel_secret=SecretStr(SECRET),
                    line_channel_access_token=SecretStr(TOKEN), line_api_url=api_url)


def prepare_database(database_url: str | None) -> str:
    """Migrate and load the catalog, then close every connection: no server inherits one."""
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-line-')}/bot.db"
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with session_scope(engine) as s:
            load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)
    finally:
        engine.dispose()
    return database_url


def serve(app: Flask) -> str:
    """--in-process: waitress in a thread of this process."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}/line/webhook"  # type: ignore[union-attr]


# What each server process runs: build the server, say where it listens, serve until terminated.

Served = tuple[str, Callable[[], object]]


def stub_process(arrivals: Connection, latency: Any) -> Served:
    lock = threading.Lock()  # the handler threads share one pipe

    def arrived(token: str, at: float) -> None:
        with lock:
            arrivals.send((token, at))

    server = stub_server(lambda: latency.value, arrived)
    return f"http://127.0.0.1:{server.server_port}", server.serve_forever


def waitress_process(app: Flask) -> Served:
    """As `kaikaku serve`: waitress with 8 threads in the process's main thread."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    return f"http://127.0.0.1:{server.effective_port}/line/webhook", server.run  # type: ignore[union-attr]


def echo_process(api_url: str) -> Served:
    return waitress_process(echo_app(api_url))


def our_process(database_url: str, api_url: str) -> Served:
    """Our web process: its own engine, its own worker threads, built here in the child."""
    return waitress_process(create_app(settings(database_url, api_url), make_engine(database_url)))


def die_with(parent: int) -> None:
    """Have Linux send SIGTERM to this process when the parent ends, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: stop() in the parent's finally must do
        return
    try:  # whether the parent ended before prctl (with forkserver, the fork server is what we watch)
        os.kill(parent, 0)
    except ProcessLookupError:
        os._exit(1)


def child(build: Callable[..., Served], ready: Connection, parent: int, *args: object) -> None:
    """A server process's entry: Ctrl-C is the parent's to handle; it terminates us."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent)
    try:
        url, run = build(*args)
    except BaseException:
        ready.send(("error", traceback.format_exc()))
        raise
    ready.send(("ok", url))
    ready.close()
    run()


def start(ctx: BaseContext, children: list[BaseProcess], name: str, build: Callable[..., Served],
          *args: object) -> str:
    """Start one server process and wait (bounded) until it listens; its URL."""
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=child, args=(build, send, os.getpid(), *args),  # type: ignore[attr-defined]
                          name=f"bench-line-{name}", daemon=True)
    children.append(process)
    process.start()
    send.close()  # ours closed: the pipe reports EOF if the child dies before it is ready
    try:
        if not receive.poll(READY_TIMEOUT):
            raise RuntimeError(f"{name}: not ready within {READY_TIMEOUT:g} s")
        status, value = receive.recv()
    except EOFError:
        process.join(STOP_TIMEOUT)
        raise RuntimeError(f"{name}: exited before it was ready (exit code {process.exitcode})") from None
    finally:
        receive.close()
    if status != "ok":
        raise RuntimeError(f"{name}: failed to start\n{value}")
    return value


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


def one(session: requests.Session, url: str, stub: Replies, text: str) -> float:
    """Seconds from posting one signed webhook to its reply reaching the stub."""
    body, signature, token = signed_body(text)
    start = time.perf_counter()
    response = session.post(url, data=body, headers={"X-Line-Signature": signature,
                                                      "Content-Type": "application/json"},
                            timeout=REPLY_TIMEOUT)
    response.raise_for_status()
    return stub.wait(token) - start


def measure(cases: dict[str, tuple[str, str]], stub: Replies, n: int, warmup: int = 20,
            pause: float = 0.005) -> dict[str, list[float]]:
    """Each case (url, text) in turn, event by event, so a busy moment of the machine hits all alike."""
    sessions = {name: requests.Session() for name in cases}
    times: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for i in range(warmup + n):
            for name, (url, text) in cases.items():
                took = one(sessions[name], url, stub, text)
                if i >= warmup:
                    times[name].append(took)
                time.sleep(pause)  # what one event leaves to do after its reply is not the next one's wait
    finally:
        for session in sessions.values():
            session.close()
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


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


def one_clock() -> bool:
    """Whether perf_counter() is CLOCK_MONOTONIC, so times taken in two processes compare."""
    return sys.platform == "linux" and \
        time.get_clock_info("perf_counter").implementation == "clock_gettime(CLOCK_MONOTONIC)"


def run(stub: Replies, bare_url: str, ours_url: str, n: int, latencies_ms: list[float]) -> None:
    for latency_ms in latencies_ms:
        stub.set_latency(latency_ms / 1000)
        runs = measure({
            "bare line-bot-sdk echo": (bare_url, "ヘルプ"),
            "kaikaku: ヘルプ": (ours_url, "ヘルプ"),
            "kaikaku: No.34の目標は?": (ours_url, "No.34の目標は?"),
        }, stub, n)
        report(runs, n, latency_ms)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--n", type=int, default=300)
    args.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args.add_argument("--api-latency-ms", default="0,15",
                      help="one-way delay(s) of the stub, comma-separated (0: local, no network)")
    args.add_argument("--in-process", action="store_true",
                      help="client, stub and both apps in this one process (the former way; they share its GIL)")
    args.add_argument("--start-method", choices=("spawn", "forkserver", "fork"), default="spawn",
                      help="how the server processes start (default spawn: a fresh interpreter, as `kaikaku serve`)")
    opts = args.parse_args()
    latencies_ms = [float(x) for x in opts.api_latency_ms.split(",")]

    in_process = opts.in_process
    if not in_process and not one_clock():
        print(f"perf_counter() is not CLOCK_MONOTONIC here ({sys.platform}): times from two processes "
              "would not compare; running in one process", file=sys.stderr)
        in_process = True
    database_url = prepare_database(opts.database_url)  # before any server starts

    if in_process:
        print("mode: one process (--in-process): client, Messaging API stub, bare echo app and kaikaku app "
              "share one interpreter and its GIL")
        stub = Stub()
        bare_url = serve(echo_app(stub.url))
        ours_url = serve(create_app(settings(database_url, stub.url), make_engine(database_url)))
        run(stub, bare_url, ours_url, opts.n, latencies_ms)
        return

    print(f"mode: separate processes ({opts.start_method}): Messaging API stub, bare echo app and kaikaku app "
          "in one process each, client in this one")
    ctx = multiprocessing.get_context(opts.start_method)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill runs the finally below too
    children: list[BaseProcess] = []
    arrivals, report_end = ctx.Pipe(duplex=False)
    latency = ctx.RawValue("d", 0.0)
    try:
        api_url = start(ctx, children, "stub", stub_process, report_end, latency)
        report_end.close()  # the stub holds it now
        bare_url = start(ctx, children, "bare echo", echo_process, api_url)
        ours_url = start(ctx, children, "kaikaku", our_process, database_url, api_url)
        run(RemoteStub(api_url, arrivals, latency), bare_url, ours_url, opts.n, latencies_ms)
    finally:
        stop(children)
        arrivals.close()


if __name__ == "__main__":
    main()

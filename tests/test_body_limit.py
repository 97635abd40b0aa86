"""The web process under hostile requests: a body over MAX_BODY_BYTES is refused with 413 before it
is read (flat memory), and malformed or unsigned requests get 400/401, never a 500 or a traceback.

Both run against `kaikaku serve` as its own process (waitress, Slack and LINE configured), over
raw sockets, so what is measured is the server's own resident memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, request

from bot.core.web import BodyLimit
from bot.handlers.slack import verify
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import SlackApiStub

KAIKAKU = [sys.executable, "-m", "bot"]
LINE_SECRET = "line-secret-for-the-body-limit"
MB = 1024 * 1024
BIG = 10 * MB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def slack_api() -> Iterator[SlackApiStub]:
    with SlackApiStub() as stub:
        yield stub


@pytest.fixture
def env(sqlite_catalog_url: str, slack_api: SlackApiStub) -> dict[str, str]:
    values = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "BOT_NOW": "2027-02-03T10:15:00+09:00",
              "SLACK_BOT_TOKEN": "xoxb-kaikaku-limits", "SLACK_SIGNING_SECRET": sr.SECRET,
              "SLACK_API_URL": slack_api.url, "LINE_CHANNEL_SECRET": LINE_SECRET,
              "LINE_CHANNEL_ACCESS_TOKEN": "line-token", "LINE_API_URL": "http://127.0.0.1:9",
              "PORT": str(free_port()), "SECRET_KEY": "test-secret-key-for-limits"}
    values.pop("SLACK_APP_TOKEN", None)
    values.pop("MAX_BODY_BYTES", None)
    return values


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`kaikaku serve`, its stderr (the log) written to `log`."""
    with log.open("wb") as err:
        proc = subprocess.Popen([*KAIKAKU, "serve"], env=env, cwd=log.parent, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=1) as response:
                    assert json.loads(response.read())["platforms"] == ["slack", "line"]
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError("kaikaku serve did not start: " + log.read_text()[-2000:]) from None
                time.sleep(0.05)
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def peak_rss_kb(pid: int) -> int:
    """The process's high-water mark of resident memory (VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def status_of(sock: socket.socket) -> int:
    sock.settimeout(20)
    head = b""
    while b"\r\n" not in head:
        part = sock.recv(4096)
        if not part:
            raise AssertionError(f"connection closed without an answer: {head!r}")
        head += part
    return int(head.split(b" ", 2)[1])


def _keep_sending(sock: socket.socket, chunks: Iterator[bytes]) -> None:
    try:
        for chunk in chunks:
            sock.sendall(chunk)
    except OSError:  # the server answered and closed: what we wanted
        pass


def post_big(port: int, path: str, size: int, chunked: bool) -> int:
    """POST `size` bytes, unsigned, as a client that keeps sending while it waits for the answer."""
    block = b"x" * (64 * 1024)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        if chunked:
            head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            chunks = (b"%x\r\n%s\r\n" % (len(block), block) for _ in range(size // len(block)))
        else:
            head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
            chunks = (block for _ in range(size // len(block)))
        sock.sendall(head.encode())
        sender = threading.Thread(target=_keep_sending, args=(sock, iter(chunks)), daemon=True)
        sender.start()
        status = status_of(sock)
        sender.join(timeout=20)
        return status


def test_a_10_mb_unsigned_post_is_refused_with_413_and_the_memory_stays_flat(env: dict[str, str],
                                                                              tmp_path: Path) -> None:
    port = int(env["PORT"])
    with serving(env, tmp_path / "serve.log") as proc:
        post_big(port, "/slack/events", 64 * 1024, chunked=False)  # warm the request path up
        before = peak_rss_kb(proc.pid)
        statuses: list[int] = []
        cases = [(path, chunked) for path in ("/slack/events", "/line/webhook") for chunked in (False, True)]
        workers = [threading.Thread(target=lambda c=c: statuses.append(post_big(port, c[0], BIG, c[1])))
                   for c in cases * 2]  # eight 10 MB bodies at once
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        grown_kb = peak_rss_kb(proc.pid) - before
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200  # still serving
    assert statuses == [413] * 8
    assert grown_kb < 8 * 1024, f"peak memory grew by {grown_kb} kB for 80 MB of refused bodies"
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


def raw_post(port: int, path: str, body: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def slack_headers(body: bytes, timestamp: str | None = None, content_type: str = "application/json",
                  secret: str = sr.SECRET) -> dict[str, str]:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verify.signature(secret, ts, body)}


def line_signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()


FORM = "application/x-www-form-urlencoded"
EVENT = json.dumps(sr.message_im("ヘルプ")).encode()
SLACK_CASES = {
    "no headers at all": (EVENT, {"Content-Type": "application/json"}, 401),
    "signature without timestamp": (EVENT, {k: v for k, v in slack_headers(EVENT).items()
                                            if k != "X-Slack-Request-Timestamp"}, 401),
    "non-numeric timestamp": (EVENT, slack_headers(EVENT, timestamp="yesterday"), 401),
    "stale timestamp": (EVENT, slack_headers(EVENT, timestamp=str(int(time.time()) - 3600)), 401),
    "wrong secret": (EVENT, slack_headers(EVENT, secret="not-the-secret"), 401),
    "signed broken JSON": (b'{"type": "event_callback", ', slack_headers(b'{"type": "event_callback", '), 400),
    "signed JSON list": (b"[1, 2]", slack_headers(b"[1, 2]"), 400),
    "signed form, broken payload": (b"payload=%7Bnope", slack_headers(b"payload=%7Bnope", content_type=FORM), 400),
    "signed non-UTF-8 body": (b"\xff\xfe{}", slack_headers(b"\xff\xfe{}"), 400),
}
LINE_BROKEN = b'{"destination": "U1", "events": [{"type"'
LINE_CASES = {
    "no signature": (b'{"events": []}', {}, 400),
    "wrong signature": (b'{"events": []}', {"X-Line-Signature": line_signature(b'{"events": [1]}')}, 400),
    "signature not base64": (b'{"events": []}', {"X-Line-Signature": "**not base64**"}, 400),
    "signed broken JSON": (LINE_BROKEN, {"X-Line-Signature": line_signature(LINE_BROKEN)}, 400),
    "signed events not a list": (b'{"events": "x"}', {"X-Line-Signature": line_signature(b'{"events": "x"}')}, 400),
    "signed event not an object": (b'{"events": [7]}', {"X-Line-Signature": line_signature(b'{"events": [7]}')}, 400),
    "signed non-UTF-8 body": (b"\xff{}", {"X-Line-Signature": line_signature(b"\xff{}")}, 400),
}


def test_malformed_and_unsigned_requests_get_400_or_401_and_no_traceback(env: dict[str, str],
                                                                          tmp_path: Path) -> None:
    port = int(env["PORT"])
    log = tmp_path / "serve.log"
    with serving(env, log):
        got = {f"slack: {name}": raw_post(port, "/slack/events", body, headers)
               for name, (body, headers, _) in SLACK_CASES.items()}
        got |= {f"line: {name}": raw_post(port, "/line/webhook", body, {"Content-Type": "application/json", **headers})
                for name, (body, headers, _) in LINE_CASES.items()}
        got["bad Content-Length"] = bad_content_length(port)
        # …and a well-formed signed request still goes through
        good = json.dumps(sr.message_im("ヘルプ")).encode()
        got["slack: signed event"] = raw_post(port, "/slack/events", good, slack_headers(good))
    expected = {f"slack: {n}": c[2] for n, c in SLACK_CASES.items()} | {f"line: {n}": c[2] for n, c in LINE_CASES.items()}
    assert got == expected | {"bad Content-Length": 400, "slack: signed event": 200}
    text = log.read_text()
    assert "Traceback" not in text and " 500 " not in text


def bad_content_length(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}")
        return status_of(sock)


def test_the_limit_is_enforced_in_the_app_for_any_server() -> None:
    """BodyLimit without waitress in front: exactly the limit passes, one byte more is 413, and a
    body of unknown length is read no further than the limit + 1."""
    app = Flask("t")

    @app.post("/echo")
    def echo() -> str:
        return str(len(request.get_data()))

    app.wsgi_app = BodyLimit(app.wsgi_app, 1000)  # type: ignore[method-assign]
    client = app.test_client()
    assert client.post("/echo", data=b"x" * 1000).get_data() == b"1000"
    assert client.post("/echo", data=b"x" * 1001).status_code == 413

    class Endless:
        read_bytes = 0

        def read(self, size: int = -1) -> bytes:
            self.read_bytes += size
            return b"x" * size

    stream = Endless()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/echo", "HTTP_TRANSFER_ENCODING": "chunked",
               "wsgi.input": stream}
    assert client.open("/echo", method="POST", environ_overrides=environ).status_code == 413
    assert stream.read_bytes == 1001
    small = {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    import io
    response = client.open("/echo", method="POST", environ_overrides=small | {"wsgi.input": io.BytesIO(b"y" * 999)})
    assert response.get_data() == b"999"

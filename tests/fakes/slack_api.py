"""A local HTTP server standing in for the Slack Web API (and its file upload URLs).

It answers the methods the bot calls the way Slack documents them (`ok`, `ts`, `channel`, …),
records every call (method, parsed body, token) and keeps the posted messages per channel so
`conversations.history` / `conversations.replies` show them, with their metadata. It can be told
to fail the next calls: 429 with Retry-After, or 500, either before the call takes effect
(`accept=False`, Slack did not take the message) or after (`accept=True`, the answer was lost).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

BOT_USER = "UKAIKAKU"
BOT_ID = "BKAIKAKU"
TEAM = "T0KANAZAWA"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    status: int
    count: int
    retry_after: int | None = None
    accept: bool = False  # the call takes effect, only the answer is an error
    methods: tuple[str, ...] | None = None
    hang: float = 0.0  # seconds to sit on the call before answering (a caller may die meanwhile)
    channels: tuple[str, ...] | None = None  # only calls to these channels (None: any)


class SlackApiStub:
    """Start with `with SlackApiStub() as slack:`; point SLACK_API_URL at `slack.url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.uploads: dict[str, bytes] = {}
        self.faults: list[Fault] = []
        self.socket_url: str | None = None
        self.profiles: dict[str, dict[str, str]] = {}  # user id -> users.info `profile` (display_name …)
        self.on_call: Callable[[Call], None] | None = None
        self.latency = 0.0  # seconds each way, like the trip to slack.com and back (benchmarks)
        self._ts = itertools.count(1)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def __enter__(self) -> SlackApiStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- test controls -----------------------------------------------------------------------
    def fail_next(self, count: int, status: int, *, retry_after: int | None = None, accept: bool = False,
                  methods: tuple[str, ...] | None = ("chat.postMessage",), hang: float = 0.0,
                  channels: tuple[str, ...] | None = None) -> None:
        """Answer the next `count` calls (of `methods`, None: any; to `channels`, None: any) with
        `status`, after `hang` seconds."""
        with self._lock:
            self.faults.append(Fault(status, count, retry_after, accept, methods, hang, channels))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages that took effect, oldest first (all channels unless one is named)."""
        with self._lock:
            chans = [channel] if channel else list(self.messages)
            return [m for c in chans for m in self.messages.get(c, [])]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` holds after some call; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the stub did not see the expected calls; saw: "
                                         + ", ".join(c.method for c in self.calls))
                self._changed.wait(min(left, 0.05))

    # ---- the API -----------------------------------------------------------------------------
    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": True}
        return handler(body)

    def _m_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://kanazawa.slack.com/", "team": "金沢市", "user": "kaikaku",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body["channel"])
        if channel.startswith(("U", "W")):  # a user id posts to the app's DM with that user
            channel = "D" + channel
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts, "text": body.get("text", ""),
                   "blocks": body.get("blocks", []), "thread_ts": body.get("thread_ts"),
                   "metadata": _json_field(body.get("metadata")), "channel": channel}
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages.get(str(body["channel"]), []):
            if message["ts"] == body["ts"]:
                message.update(text=body.get("text", ""), blocks=body.get("blocks", []))
        return {"ok": True, "channel": body["channel"], "ts": body["ts"]}

    def _m_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        user = str(body.get("user", ""))
        profile = self.profiles.get(user)
        if profile is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": user.lower(),
                                     "real_name": profile.get("real_name", ""), "profile": profile}}

    def _m_conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(body["users"]).split(",")[0]}}

    def _m_conversations_history(self, body: dict[str, Any]) -> dict[str, Any]:
        oldest = float(body.get("oldest") or 0)
        found = [m for m in self.messages.get(str(body["channel"]), [])
                 if not m.get("thread_ts") and float(m["ts"]) >= oldest]
        return {"ok": True, "messages": [_shown(m, body) for m in reversed(found)], "has_more": False}

    def _m_conversations_replies(self, body: dict[str, Any]) -> dict[str, Any]:
        found = [m for m in self.messages.get(str(body["channel"]), [])
                 if m["ts"] == body["ts"] or m.get("thread_ts") == body["ts"]]
        return {"ok": True, "messages": [_shown(m, body) for m in found], "has_more": False}

    def _m_views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **_json_field(body.get("view"))}}

    _m_views_publish = _m_views_open
    _m_views_update = _m_views_open

    def _m_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "not_allowed"}

    def _m_files_getUploadURLExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts):08d}"
        port = self.server.server_address[1]
        return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{port}/upload/{file_id}"}

    def _m_files_completeUploadExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        files = _json_field(body.get("files")) or []
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title"), "channels": [body.get("channel_id")]}
                                      for f in files]}

    # ---- HTTP --------------------------------------------------------------------------------
    def _take_fault(self, method: str, body: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.channels is not None and str(body.get("channel")) not in fault.channels:
                continue
            if fault.count > 0 and (fault.methods is None or method in fault.methods):
                fault.count -= 1
                return fault
        return None

    def _handle(self, method: str, body: dict[str, Any], token: str | None) -> tuple[int, dict[str, str], bytes]:
        if self.latency:
            time.sleep(self.latency)  # the request's way there
        with self._changed:
            fault = self._take_fault(method, body)
            call = Call(method, body, token, status=fault.status if fault else 200)
            self.calls.append(call)
            answer = self._answer(method, body) if fault is None or fault.accept else None
            self._changed.notify_all()
        if self.on_call:
            self.on_call(call)
        if fault is not None and fault.hang:
            time.sleep(fault.hang)
        if self.latency:
            time.sleep(self.latency)  # the answer's way back
        if fault is None or fault.status == 200:  # (a slow but good answer)
            return 200, {}, json.dumps(answer).encode()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        error = "ratelimited" if fault.status == 429 else "fatal_error"
        return fault.status, headers, json.dumps({"ok": False, "error": error}).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlparse(self.path)
                if path.path.startswith("/upload/"):
                    stub.uploads[path.path.rsplit("/", 1)[-1]] = raw
                    self._send(200, {}, b"OK - " + str(len(raw)).encode(), "text/plain")
                    return
                method = path.path.rsplit("/", 1)[-1]
                body = _parse_body(raw, self.headers.get("Content-Type", ""), path.query)
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ") if auth else body.get("token")
                status, headers, payload = stub._handle(method, body, token)
                self._send(status, headers, payload, "application/json; charset=utf-8")

            do_GET = do_POST  # noqa: N815

            def _send(self, status: int, headers: dict[str, str], payload: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


def _parse_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = dict(parse_qsl(query))
    if "json" in content_type and raw:
        body.update(json.loads(raw))
    elif raw:
        body.update(parse_qsl(raw.decode("utf-8")))
    return body


def _json_field(value: Any) -> Any:
    """Form-encoded calls carry nested values as JSON strings; JSON calls as objects."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _shown(message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """As Slack lists it: metadata only when include_all_metadata is asked for."""
    shown = {k: v for k, v in message.items() if k != "metadata" and v is not None}
    if str(body.get("include_all_metadata")).lower() in ("1", "true") and message.get("metadata"):
        shown["metadata"] = message["metadata"]
    return shown

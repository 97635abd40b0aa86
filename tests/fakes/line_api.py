"""A local HTTP server standing in for LINE's Messaging API (reply, push, loading animation).

Every request is checked against LINE's published OpenAPI definition (messaging-api.yml): the
operation and its bearer token and parameters by openapi-core, the body by JSON Schema with the
definition's discriminators applied (tests/fakes/line_schemas.py), plus the documented limits the
YAML does not encode (text ≤ 5,000 characters, quick reply label ≤ 20, ...). An invalid request
is answered 400 like LINE does and kept in `errors`; tests assert that list stays empty.

Like LINE, it accepts a reply token once, answers 409 to a push whose X-Line-Retry-Key was
accepted before, and can be told to answer 500 / 429 / anything on the next calls of a path
(`fail_next`), optionally after accepting the request (a 5xx whose message went out anyway).
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fakes.line_schemas import errors as schema_errors
from tests.fakes.line_schemas import published

REPLY = "/v2/bot/message/reply"
PUSH = "/v2/bot/message/push"
LOADING = "/v2/bot/chat/loading/start"
PROFILE = "/v2/bot/profile/"  # + user id (GET)
RICHMENU = "/v2/bot/richmenu"
DEFAULT_RICHMENU = "/v2/bot/user/all/richmenu"
BODY_SCHEMAS = {REPLY: "ReplyMessageRequest", PUSH: "PushMessageRequest", LOADING: "ShowLoadingAnimationRequest",
                RICHMENU: "RichMenuRequest"}
MONTHLY_LIMIT = {"message": "You have reached your monthly limit."}


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 0
    delivered: bool = False
    method: str = "POST"
    raw: bytes = b""

    @property
    def retry_key(self) -> str | None:
        return self.headers.get("X-Line-Retry-Key")

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or m.get("altText", "") for m in self.body.get("messages", [])]


@dataclass
class Scripted:
    status: int
    body: dict[str, Any] = field(default_factory=lambda: {"message": "An error occurred"})
    deliver: bool = False  # accept the request (send the message) before answering `status`
    headers: dict[str, str] = field(default_factory=dict)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def richmenu_limits(body: dict[str, Any]) -> list[str]:
    """The rich menu object's documented limits (Messaging API reference, "Rich menu object")."""
    problems = []
    size = body.get("size", {})
    width, height = size.get("width", 0), size.get("height", 0)
    if not (800 <= width <= 2500 and height >= 250 and width / max(height, 1) >= 1.45):
        problems.append(f"size: {width}x{height} is not a rich menu size")
    if not 0 < _utf16(body.get("chatBarText", "")) <= 14:
        problems.append("chatBarText: must be 1 to 14 characters")
    if not 0 < _utf16(body.get("name", "")) <= 300:
        problems.append("name: must be 1 to 300 characters")
    areas = body.get("areas", [])
    if not 0 < len(areas) <= 20:
        problems.append("areas: 1 to 20")
    for i, area in enumerate(areas):
        b = area.get("bounds", {})
        if b.get("x", 0) + b.get("width", 0) > width or b.get("y", 0) + b.get("height", 0) > height:
            problems.append(f"areas/{i}/bounds: outside the menu")
        action = area.get("action", {})
        if _utf16(action.get("label", "")) > 20:
            problems.append(f"areas/{i}/action/label: over 20 characters")
        if action.get("type") == "message" and not 0 < _utf16(action.get("text", "")) <= 300:
            problems.append(f"areas/{i}/action/text: must be 1 to 300 characters")
    return problems


def image_limits(menu: dict[str, Any] | None, content_type: str | None, raw: bytes) -> list[str]:
    """An uploaded rich menu image: JPEG or PNG, at most 1 MB, exactly the menu's size."""
    import io

    from PIL import Image

    if menu is None:
        return []
    problems = []
    if content_type not in ("image/png", "image/jpeg"):
        problems.append(f"Content-Type: {content_type} (image/png or image/jpeg)")
    if len(raw) > 1024 * 1024:
        problems.append(f"image: {len(raw):,} bytes, over 1 MB")
    try:
        with Image.open(io.BytesIO(raw)) as image:
            fmt, size = image.format, image.size
    except Exception as exc:
        return [*problems, f"image: not readable ({exc})"]
    if fmt not in ("PNG", "JPEG") or (content_type == "image/png") != (fmt == "PNG"):
        problems.append(f"image: {fmt} sent as {content_type}")
    if size != (menu["size"]["width"], menu["size"]["height"]):
        problems.append(f"image: {size[0]}x{size[1]}, the menu is {menu['size']['width']}x{menu['size']['height']}")
    return problems


def documented_limits(path: str, body: dict[str, Any]) -> list[str]:
    """Limits from the Messaging API reference that messaging-api.yml does not encode."""
    problems = []
    if path == RICHMENU:
        return richmenu_limits(body)
    if path == LOADING and body.get("loadingSeconds", 5) % 5:
        problems.append("loadingSeconds must be a multiple of 5")
    for i, m in enumerate(body.get("messages", [])):
        if m.get("type") == "text" and _utf16(m.get("text", "")) > 5000:
            problems.append(f"messages/{i}/text: longer than 5,000 characters")
        if m.get("type") == "text" and not m.get("text"):
            problems.append(f"messages/{i}/text: empty")
        if m.get("type") == "flex" and not 0 < _utf16(m.get("altText", "")) <= 1500:
            problems.append(f"messages/{i}/altText: must be 1 to 1,500 characters")
        if m.get("type") == "flex" and len(json.dumps(m["contents"]).encode()) > 30_000:
            problems.append(f"messages/{i}/contents: a bubble is at most 30 KB")
        for j, item in enumerate((m.get("quickReply") or {}).get("items", [])):
            action = item.get("action", {})
            if not 0 < _utf16(action.get("label", "")) <= 20:
                problems.append(f"messages/{i}/quickReply/items/{j}/action/label: must be 1 to 20 characters")
            if _utf16(action.get("displayText", "")) > 300:
                problems.append(f"messages/{i}/quickReply/items/{j}/action/displayText: over 300 characters")
    return problems


@cache
def _openapi() -> OpenAPI:
    """openapi-core on the published definition, for any host (the fake's port varies)."""
    document = dict(published("messaging-api.yml"))
    document["servers"] = [{"url": "/"}]
    # Blob operations (rich menu images) name their own host (api-data.line.me): one fake serves both.
    document["paths"] = {path: {verb: ({k: v for k, v in op.items() if k != "servers"} if isinstance(op, dict) else op)
                                for verb, op in item.items()}
                         for path, item in document["paths"].items()}
    return OpenAPI.from_dict(document)


class _QuietHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class FakeLineApi:
    """Start with `start()`; point LINE_API_URL at `url`; read `calls`, `deliveries`, `errors`."""

    def __init__(self, token: str = "test-access-token", validate: bool = True) -> None:
        self.token = token
        self.validate = validate
        self.calls: list[Call] = []
        self.errors: list[str] = []
        self.accepted_keys: set[str] = set()
        self.used_tokens: set[str] = set()
        self.scripts: dict[str, list[Scripted]] = {}
        self.on_call: Any = None  # called with each Call once it took effect, before it is answered
        self.richmenus: dict[str, dict[str, Any]] = {}  # id → the RichMenuRequest as sent
        self.images: dict[str, bytes] = {}
        self.default_richmenu: str | None = None
        self.profiles: dict[str, str] = {}  # user id -> displayName (get_profile)
        self.changed = threading.Condition()
        self._ids = itertools.count(1)
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def start(self) -> FakeLineApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, path: str, *responses: Scripted) -> None:
        """Answer the next calls of `path` with these responses, in order."""
        with self.changed:
            self.scripts.setdefault(path, []).extend(responses)

    @property
    def deliveries(self) -> list[Call]:
        """Requests whose messages reached the chat (accepted replies and pushes)."""
        with self.changed:
            return [c for c in self.calls if c.delivered]

    def of(self, path: str) -> list[Call]:
        with self.changed:
            return [c for c in self.calls if c.path == path]

    def wait_for(self, count: int, path: str | None = None, timeout: float = 10.0) -> list[Call]:
        """Block until `count` deliveries (of `path`) have arrived; return them."""
        def done() -> list[Call] | None:
            got = [c for c in self.calls if c.delivered and (path is None or c.path == path)]
            return got if len(got) >= count else None

        with self.changed:
            if not self.changed.wait_for(lambda: done() is not None, timeout):
                raise AssertionError(f"expected {count} deliveries of {path or 'any path'}, got {self.calls!r}")
            return done() or []

    def _check(self, request: Request, body: Any) -> list[str]:
        if not self.validate:
            return []
        problems = []
        result = _openapi().unmarshal_request(WerkzeugOpenAPIRequest(request))
        problems += [f"{type(e).__name__}: {e}" for e in result.errors if type(e).__name__ != "InvalidRequestBody"]
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            problems.append("Authorization: not the channel access token")
        if request.path in BODY_SCHEMAS:
            problems += sorted(set(schema_errors("messaging-api.yml", BODY_SCHEMAS[request.path], body)))
            problems += documented_limits(request.path, body)
        if request.path.startswith(RICHMENU + "/") and request.path.endswith("/content"):
            menu_id = request.path.split("/")[4]
            problems += image_limits(self.richmenus.get(menu_id), request.headers.get("Content-Type"),
                                     request.get_data())
        key = request.headers.get("X-Line-Retry-Key")
        if key is not None:
            try:
                uuid.UUID(key)
            except ValueError:
                problems.append(f"X-Line-Retry-Key: not a UUID: {key}")
        return problems

    def _answer(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        """LINE's behaviour, unless a scripted response is due (caller holds the lock)."""
        script = self.scripts.get(call.path)
        if script:
            step = script.pop(0)
            if step.deliver:
                call.delivered = True
                if call.retry_key:
                    self.accepted_keys.add(call.retry_key)
            return step.status, step.body, step.headers
        if call.path.startswith(PROFILE):
            user = call.path[len(PROFILE):]
            if user not in self.profiles:
                return 404, {"message": "Not found"}, {}
            return 200, {"displayName": self.profiles[user], "userId": user, "language": "ja"}, {}
        if call.path == PUSH and call.retry_key in self.accepted_keys:
            return 409, {"message": "The retry key is already accepted"}, {
                "X-Line-Accepted-Request-Id": "fake-accepted"}
        if call.path == REPLY:
            token = call.body["replyToken"]
            if token in self.used_tokens:
                return 400, {"message": "Invalid reply token"}, {}
            self.used_tokens.add(token)
        if call.path == LOADING:
            return 202, {}, {}
        if call.path.startswith((RICHMENU, DEFAULT_RICHMENU)):
            return self._richmenu(call)
        call.delivered = True
        if call.retry_key:
            self.accepted_keys.add(call.retry_key)
        sent = [{"id": str(next(self._ids)), "quoteToken": "fake"} for _ in call.body.get("messages", [])]
        return 200, {"sentMessages": sent}, {}

    def _richmenu(self, call: Call) -> tuple[int, dict[str, Any], dict[str, str]]:
        """LINE's rich menu endpoints, as the reference describes them (caller holds the lock)."""
        parts, verb = call.path.split("/"), call.method
        not_found: tuple[int, dict[str, Any], dict[str, str]] = (404, {"message": "Not found"}, {})
        if call.path == RICHMENU and verb == "POST":
            menu_id = f"richmenu-{uuid.uuid4().hex}"
            self.richmenus[menu_id] = call.body
            return 200, {"richMenuId": menu_id}, {}
        if call.path == DEFAULT_RICHMENU:
            if verb == "DELETE":
                self.default_richmenu = None
                return 200, {}, {}
            if self.default_richmenu is None:
                return 404, {"message": "no default richmenu"}, {}
            return 200, {"richMenuId": self.default_richmenu}, {}
        if call.path.startswith(DEFAULT_RICHMENU + "/") and verb == "POST":
            menu_id = parts[-1]
            if menu_id not in self.richmenus:
                return not_found
            if menu_id not in self.images:
                return 400, {"message": "An image has not been uploaded to the richmenu"}, {}
            self.default_richmenu = menu_id
            return 200, {}, {}
        menu_id = parts[4] if len(parts) > 4 else ""
        if menu_id not in self.richmenus:
            return not_found
        if call.path.endswith("/content") and verb == "POST":
            if menu_id in self.images:
                return 400, {"message": "An image has already been uploaded to the richmenu"}, {}
            self.images[menu_id] = call.raw
            return 200, {}, {}
        if verb == "GET":
            return 200, {"richMenuId": menu_id, **self.richmenus[menu_id]}, {}
        if verb == "DELETE":
            del self.richmenus[menu_id]
            self.images.pop(menu_id, None)
            if self.default_richmenu == menu_id:
                self.default_richmenu = None
            return 200, {}, {}
        return not_found

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data()
        try:
            body = json.loads(raw or b"{}") if request.mimetype in ("application/json", "") else {}
        except ValueError:
            body = {}
        try:
            problems = self._check(request, body)
        except Exception as exc:  # a broken check must show up in `errors`, not as a bare 500
            problems = [f"validation crashed: {exc!r}"]
        call = Call(request.path, dict(request.headers), body, method=request.method, raw=raw)
        headers: dict[str, str]
        with self.changed:
            if problems:
                self.errors.extend(f"{request.path}: {p}" for p in problems)
                status, answer, headers = 400, {"message": "The request body has errors",
                                                "details": [{"message": p} for p in problems]}, {}
            else:
                status, answer, headers = self._answer(call)
            call.status = status
            self.calls.append(call)
            self.changed.notify_all()
        if self.on_call is not None:
            self.on_call(call)
        response = Response(json.dumps(answer), status=status, headers=headers, content_type="application/json")
        return response(environ, start_response)

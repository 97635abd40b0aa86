"""Slack's request signature, checked before anything reads the body as JSON or a form.

bolt verifies too, but only after it has parsed the body, and a non-numeric
`X-Slack-Request-Timestamp` makes its check raise (HTTP 500 with a traceback). Here a request is
answered 401 when a header is missing, the timestamp is not a number or is more than five minutes
off, or the signature does not match; a signed body that is not what Slack sends (broken JSON, a
form whose `payload` is not a JSON object) is answered 400. Only then does bolt see it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs

MAX_AGE = 5 * 60  # seconds, as Slack documents for replay protection


class Refused(Exception):
    """Why a request is not handed to bolt: the HTTP status and a short plain reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check(secret: str, body: bytes, headers: Mapping[str, str],
          clock: Callable[[], float] = time.time) -> None:
    """Raise `Refused` unless the request is signed by Slack, recent, and well formed."""
    headers = {name.lower(): value for name, value in headers.items()}
    timestamp = headers.get("x-slack-request-timestamp")
    signed = headers.get("x-slack-signature")
    if not timestamp or not signed:
        raise Refused(401, "missing signature headers")
    if not timestamp.strip().isdigit():
        raise Refused(401, "malformed timestamp")
    if abs(clock() - int(timestamp)) > MAX_AGE:
        raise Refused(401, "stale timestamp")
    if not secret or not hmac.compare_digest(signature(secret, timestamp.strip(), body), signed.strip()):
        raise Refused(401, "invalid signature")
    well_formed(body, headers.get("content-type", ""))


def well_formed(body: bytes, content_type: str) -> None:
    """A signed body must be one of Slack's shapes: a JSON object, or a form (its `payload` a
    JSON object)."""
    try:
        text = body.decode("utf-8")
        if "json" in content_type:
            if not isinstance(json.loads(text), dict):
                raise ValueError("not an object")
            return
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if "payload" in form and not isinstance(json.loads(form["payload"][0]), dict):
            raise ValueError("payload is not an object")
    except ValueError as exc:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        raise Refused(400, "malformed body") from exc

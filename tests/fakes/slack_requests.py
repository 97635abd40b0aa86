"""Signed requests as Slack sends them, built from the documented payloads in tests/fixtures/slack/.

Events come as JSON; interactivity as a form with one `payload` field holding JSON; slash
commands as a plain form. Each is signed like Slack: v0=hmac_sha256(secret, "v0:{ts}:{body}").
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_seq = itertools.count(1)


@cache
def _fixture(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def fixture(name: str) -> dict[str, Any]:
    return json.loads(_fixture(name))


def signature(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackRequest:
    body: str
    content_type: str

    def headers(self, secret: str = SECRET, timestamp: int | None = None, retry: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers = {"Content-Type": self.content_type, "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": signature(secret, ts, self.body)}
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return headers


def as_event(body: dict[str, Any]) -> SlackRequest:
    return SlackRequest(json.dumps(body, ensure_ascii=False), "application/json")


def as_interaction(payload: dict[str, Any]) -> SlackRequest:
    return SlackRequest(urlencode({"payload": json.dumps(payload, ensure_ascii=False)}),
                        "application/x-www-form-urlencoded")


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_seq):06d}{int(time.time() * 1000) % 100000:05d}"


def message_im(text: str, user: str = "U0TANAKA", channel: str | None = None,
               event_id: str | None = None) -> dict[str, Any]:
    body = fixture("message_im")
    ts = f"{time.time():.6f}"
    body["event"] |= {"text": text, "user": user, "channel": channel or "D" + user, "ts": ts, "event_ts": ts}
    body["event"]["blocks"][0]["elements"][0]["elements"][0]["text"] = text
    body["event_id"] = event_id or new_id("Ev")
    return body


def mention(text: str, user: str = "U0TANAKA", channel: str = "C0BOUSAI", event_id: str | None = None) -> dict[str, Any]:
    body = fixture("app_mention")
    ts = f"{time.time():.6f}"
    body["event"] |= {"text": f"<@UKAIKAKU> {text}", "user": user, "channel": channel, "ts": ts, "event_ts": ts}
    body["event_id"] = event_id or new_id("Ev")
    return body


def home_opened(user: str = "U0TANAKA") -> dict[str, Any]:
    body = fixture("app_home_opened")
    body["event"] |= {"user": user, "channel": "D" + user}
    body["event_id"] = new_id("Ev")
    return body


def user_change(user: str, display_name: str) -> dict[str, Any]:
    """A profile edited in Slack (the `user_change` event carries the whole user object)."""
    body = fixture("user_change")
    body["event"]["user"] |= {"id": user}
    body["event"]["user"]["profile"] |= {"display_name": display_name, "display_name_normalized": display_name}
    body["event_id"] = new_id("Ev")
    return body


def tap(message: dict[str, Any], action_id: str, user: str = "U0TANAKA") -> dict[str, Any]:
    """block_actions for tapping the button `action_id` of a message the bot posted (as the stub keeps it)."""
    payload = fixture("block_actions")
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    block = next(b for b in message["blocks"] if b["type"] == "actions" and button in b["elements"])
    payload["user"]["id"] = user
    payload["container"] |= {"message_ts": message["ts"], "channel_id": message["channel"]}
    payload["channel"]["id"] = message["channel"]
    payload["message"] = {**payload["message"], "ts": message["ts"], "text": message["text"],
                          "blocks": message["blocks"]}
    payload["trigger_id"] = new_id("tr.")
    payload["actions"] = [{"action_id": action_id, "block_id": block.get("block_id", "b"), "text": button["text"],
                           "value": button["value"], "type": "button", "action_ts": f"{time.time():.6f}"}]
    return payload


def view_submission(view: dict[str, Any], text: str, user: str = "U0TANAKA") -> dict[str, Any]:
    """Submitting `text` into the modal the bot opened (the view as views.open got it)."""
    payload = fixture("view_submission")
    field = view["blocks"][0]["element"]["action_id"]
    payload["user"]["id"] = user
    payload["trigger_id"] = new_id("tr.")
    payload["view"] = copy.deepcopy(payload["view"]) | {
        "id": new_id("V"), "blocks": view["blocks"], "private_metadata": view["private_metadata"],
        "callback_id": view["callback_id"], "hash": new_id("h."),
        "state": {"values": {view["blocks"][0]["block_id"]: {field: {"type": "plain_text_input", "value": text}}}},
    }
    return payload


def slash(text: str, user: str = "U0TANAKA", channel: str = "C0BOUSAI") -> SlackRequest:
    body = fixture("slash_command") | {"text": text, "user_id": user, "channel_id": channel,
                                       "trigger_id": new_id("tr.")}
    return SlackRequest(urlencode(body), "application/x-www-form-urlencoded")

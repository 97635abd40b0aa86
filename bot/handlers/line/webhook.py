"""LINE adapter: `POST /line/webhook` → the shared pipeline → reply (or push) through the Messaging API.

The webhook verifies `X-Line-Signature` with line-bot-sdk's `WebhookParser` and hands each event it
handles (message, postback, follow) to the pipeline (bot.core.pipeline), which records it under its
`webhookEventId` before the 200 and processes it afterwards. The unique event id makes a redelivery
(`deliveryContext.isRedelivery`) a no-op; LINE's signature carries no timestamp, so it is the
replay guard as well. In a group or room the bot answers only when it is mentioned. A follow is the
neutral event "greeting", a message that is not text "unsupported"; the router answers both.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from linebot.v3 import SignatureValidator
from sqlalchemy import Engine

from bot.core import inbox
from bot.core.config import Settings
from bot.core.messages import Incoming, Reply, from_button
from bot.core.pipeline import BaseTransport, Pipeline, Rendered, Turn
from bot.core.push_budget import PushRefused
from bot.core.timers import Deadlines
from bot.handlers.line.api import PLATFORM, LineApi
from bot.handlers.line.render import MESSAGES_PER_REQUEST, Message, render_all

log = logging.getLogger(__name__)

REPLY_TOKEN_TTL = 50.0  # seconds; LINE accepts a reply token for about a minute, once
HANDLED = ("message", "postback", "follow")


def _mentions_bot(message: dict[str, Any]) -> bool:
    mentionees = (message.get("mention") or {}).get("mentionees") or []
    return any(m.get("isSelf") for m in mentionees)


def _without_mentions(message: dict[str, Any]) -> str:
    """The text without the bot's @mention (index/length count UTF-16 code units)."""
    units = message.get("text", "").encode("utf-16-le")
    for m in sorted((message.get("mention") or {}).get("mentionees") or [], key=lambda m: -m["index"]):
        if m.get("isSelf"):
            units = units[: 2 * m["index"]] + units[2 * (m["index"] + m["length"]) :]
    return units.decode("utf-16-le").strip()


def wanted(event: dict[str, Any]) -> bool:
    """Events the bot acts on; in a group or room only messages that mention it (or our buttons)."""
    if event.get("type") not in HANDLED:
        return False
    if event.get("source", {}).get("type") == "user" or event["type"] == "postback":
        return True
    message = event.get("message", {})
    return event["type"] == "message" and message.get("type") == "text" and _mentions_bot(message)


def events_of(body: bytes) -> list[dict[str, Any]] | None:
    """The events of a signed webhook body; None when it is not LINE's shape."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not all(isinstance(e, dict) and isinstance(e.get("type"), str)
                                               for e in events):
        return None
    return events


def event_id_of(event: dict[str, Any]) -> str:
    """The dedupe key: LINE's webhookEventId (older payloads: type and timestamp)."""
    return str(event.get("webhookEventId") or f"{event.get('type')}:{event.get('timestamp')}")


def to_incoming(event: dict[str, Any]) -> Incoming:
    """A LINE event as the core's neutral message (postback data carries `Choice.value`)."""
    source = event.get("source", {})
    kind = source.get("type", "user")
    channel = source.get("groupId") or source.get("roomId") or source.get("userId", "")
    text = value = step = neutral = None
    if event["type"] == "postback":
        value, step = from_button(str(event.get("postback", {}).get("data", "")))
    elif event["type"] == "message" and event["message"].get("type") == "text":
        text = _without_mentions(event["message"])
    elif event["type"] == "follow":
        neutral = "greeting"
    else:  # a sticker, a photo …
        neutral = "unsupported"
    return Incoming(platform=PLATFORM, user=source.get("userId", ""), channel=channel, text=text, value=value,
                    step=step, event=neutral, event_id=event.get("webhookEventId"), direct=kind == "user", raw=event)


class LineAdapter(BaseTransport):
    """The webhook route (verify, hand to the pipeline) and LINE's part of the pipeline."""

    name = PLATFORM

    def __init__(self, settings: Settings, engine: Engine, api: LineApi | None = None,
                 loading_after: float = 0.5, wall_clock: Callable[[], float] = time.time) -> None:
        assert settings.line_channel_secret is not None
        self.validator = SignatureValidator(settings.line_channel_secret.get_secret_value())
        self.settings = settings
        self.engine = engine
        self.api = api or LineApi(settings, engine)
        self.loading_after = loading_after  # show the loading dots only when work takes this long
        self.wall_clock = wall_clock  # reply tokens age in real time, whatever BOT_NOW says
        self.pipeline = Pipeline(settings, engine, self)
        self.worker = self.pipeline.worker
        self.loading = ThreadPoolExecutor(max_workers=4, thread_name_prefix="line-loading")
        self.timer = Deadlines("line-loading-timer")  # no thread wakes for a message answered in time

    def webhook(self) -> Response | tuple[str, int]:
        """The signature first (over the raw bytes), then the shape; 400 for either, never a 500."""
        body = request.get_data()
        signature = request.headers.get("X-Line-Signature", "")
        try:
            valid = bool(signature) and self.validator.validate(body.decode("utf-8"), signature)
        except (UnicodeDecodeError, ValueError):  # not UTF-8, or a signature that is not base64
            valid = False
        if not valid:
            return "invalid signature", 400
        events = events_of(body)
        if events is None:
            return "malformed body", 400
        self.pipeline.accept([(event_id_of(event), event) for event in events if wanted(event)])
        return Response("", 200)

    # ---- LINE's part of the pipeline ----------------------------------------------------------------
    def translate(self, payload: dict[str, Any]) -> Turn:
        return Turn(to_incoming(payload), event_id_of(payload), payload)

    def render(self, turn: Turn, replies: Sequence[Reply]) -> Rendered:
        return render_all(replies)

    def around_routing(self, turn: Turn, work: Callable[[], list[Reply]]) -> list[Reply]:
        if turn.incoming.event is not None:  # a greeting is answered at once
            return work()
        return self.with_loading(turn.incoming, work)

    def deliver(self, turn: Turn, rendered: Rendered, *, retry: bool) -> None:
        self.send_replies(turn.reply_to, turn.incoming.channel, rendered, retry=retry)

    def with_loading(self, incoming: Incoming, work: Callable[[], list[Reply]]) -> list[Reply]:
        """Run `work`; in a one-to-one chat, show the loading animation if it takes a while."""
        if not incoming.direct or not incoming.user:
            return work()
        if self.loading_after <= 0:
            self.api.show_loading(incoming.user)
            return work()
        user = incoming.user
        pending = self.timer.after(self.loading_after, lambda: self.loading.submit(self.api.show_loading, user))
        try:
            return work()
        finally:
            self.timer.cancel(pending)

    def send_replies(self, event: dict[str, Any], to: str, messages: list[Message], retry: bool = False) -> None:
        """Reply while the token is fresh and unused; push the rest (or all, when it is not).

        The reply is noted on the event before it is sent (`inbox.note_reply`). A retry after a
        crash that finds the note does not push the reply's messages again: with the token still
        fresh it asks LINE, and "invalid reply token" means our earlier request used it; with the
        token stale, that request went out while it was fresh and is taken as delivered (a reply
        is at most once; the pushes after it have their own retry keys)."""
        token = event.get("replyToken")
        age = self.wall_clock() - event.get("timestamp", 0) / 1000
        event_id = event_id_of(event)
        tried = retry and inbox.reply_tried(self.engine, PLATFORM, event_id)
        rest, first = messages, 0
        replied = False
        if token and age < REPLY_TOKEN_TTL:
            inbox.note_reply(self.engine, PLATFORM, event_id, datetime.now(UTC))
            replied = self.api.reply_status(token, messages[:MESSAGES_PER_REQUEST], tried_before=tried) in ("sent", "used")
        elif token and tried:
            replied = True
        if replied:
            rest, first = messages[MESSAGES_PER_REQUEST:], 1
        if not rest:
            return
        try:  # request i carries messages[5i:5i+5] with a retry key of its own, however it goes
            self.api.send(to, rest, f"line-event:{event.get('webhookEventId')}", first_batch=first)
        except PushRefused as exc:
            log.warning("LINE answer to %s not pushed: %s", to, exc.reason)


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """Add `POST /line/webhook` when LINE's secret and token are set; finish what a crash left."""
    if not (settings.line_channel_secret and settings.line_channel_access_token):
        return False
    adapter = LineAdapter(settings, engine)
    app.add_url_rule("/line/webhook", "line_webhook", adapter.webhook, methods=["POST"])
    app.extensions["kaikaku_line"] = adapter
    adapter.pipeline.start()
    return True

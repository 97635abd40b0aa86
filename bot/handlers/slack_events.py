"""Slack payloads (as recorded before the ack) → the core's `Incoming`, and where to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.handlers import slack_blocks
from bot.messages import Incoming
from bot.storage.models import InboundEvent

PLATFORM = "slack"


@dataclass(frozen=True)
class Translation:
    incoming: Incoming
    key: str  # idempotency key of the replies (message metadata)
    thread_ts: str | None = None  # answer in this thread (a mention in a channel)
    # (channel, ts, blocks, text, chosen label) of a DM message whose buttons were tapped
    answered_message: tuple[str, str, list[dict[str, Any]], str, str] | None = None


def translate(payload: dict[str, Any], dm_channel: Callable[[str], str]) -> Translation | None:
    """The recorded request as the core's message; `dm_channel(user)` opens the app's DM."""
    kind, body, key = payload["kind"], payload["body"], payload["id"]
    if kind == "event":
        return _event(body, key)
    if kind == "action":
        return _action(body, key, dm_channel)
    if kind == "view":
        channel, field, text, _ = slack_blocks.submitted(body["view"])
        user = body["user"]["id"]
        incoming = Incoming(PLATFORM, user, channel or dm_channel(user), form={field: text}, event_id=key, raw=body)
        return Translation(incoming, key)
    if kind == "command":
        user = body["user_id"]
        incoming = Incoming(PLATFORM, user, dm_channel(user), text=slack_blocks.plain(body.get("text") or ""),
                            event_id=key, raw=body)
        return Translation(incoming, key)
    return None


def _event(body: dict[str, Any], key: str) -> Translation | None:
    event = body["event"]
    text = slack_blocks.plain(event.get("text") or "")
    if event["type"] == "app_mention":
        incoming = Incoming(PLATFORM, event["user"], event["channel"], text=text, event_id=key, direct=False, raw=body)
        return Translation(incoming, key, thread_ts=event.get("thread_ts") or event["ts"])
    if event["type"] == "message":
        incoming = Incoming(PLATFORM, event["user"], event["channel"], text=text, event_id=key, raw=body)
        return Translation(incoming, key, thread_ts=event.get("thread_ts"))
    return None


def _action(body: dict[str, Any], key: str, dm_channel: Callable[[str], str]) -> Translation:
    action, user = body["actions"][0], body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or dm_channel(user)
    message = body.get("message") or {}
    direct = channel.startswith("D")
    incoming = Incoming(PLATFORM, user, channel, value=action.get("value", ""), event_id=key, direct=direct, raw=body)
    answered = None
    if direct and message.get("ts"):
        label = (action.get("text") or {}).get("text") or action.get("value", "")
        answered = (channel, message["ts"], message.get("blocks") or [], message.get("text") or "", label)
    return Translation(incoming, key, thread_ts=message.get("thread_ts"), answered_message=answered)


def stash(session: Session, payload: dict[str, Any], replies: list[dict[str, Any]]) -> None:
    """Keep the rendered replies with the event (in the routing transaction): a retry delivers
    them instead of routing again."""
    session.execute(update(InboundEvent)
                    .where(InboundEvent.platform == PLATFORM, InboundEvent.event_id == payload["id"])
                    .values(payload={**payload, "replies": replies}))

"""After the ack: a recorded Slack request → the core's `Incoming` → route → the replies delivered.

The rendered replies are stored with the event in the routing transaction (`inbox.keep_replies`), so the
dialog's new state and what to say are committed together; a retry after a failed or interrupted
delivery posts what is not posted yet (by key) and never routes the message a second time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.core import inbox
from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.handlers.slack import api as slack_api
from bot.handlers.slack import blocks as slack_blocks
from bot.handlers.slack import link as slack_link
from bot.people.members import find_member
from bot.reporting import reports
from bot.storage.db import session_scope

log = logging.getLogger(__name__)
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


class EventProcessor:
    """What the EventWorker runs for each recorded Slack request."""

    def __init__(self, settings: Settings, engine: Engine, client: WebClient, poster: slack_api.Poster) -> None:
        self.settings, self.engine, self.client, self.poster = settings, engine, client, poster
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def dm_channel(self, user: str) -> str:
        return str(self.client.conversations_open(users=user)["channel"]["id"])

    def process(self, payload: dict[str, Any]) -> None:
        """Route one recorded request and deliver the replies (the EventWorker calls this)."""
        body = payload["body"]
        if payload["kind"] == "event" and body["event"]["type"] == "app_home_opened":
            self.publish_home(body["event"]["user"])
            return
        turn = translate(payload, self.dm_channel)
        if turn is None:
            return
        command = slack_link.link_command(turn.incoming.text)
        if command is not None:  # a coordinator's `登録 @user 課名`
            answer = slack_link.link(self.settings, self.engine, turn.incoming.user, command)
            self.deliver(turn, [slack_blocks.mrkdwn_message(answer)])
            return
        with self._lock(turn):
            if "replies" in payload:  # a retry: routed before, deliver what is not yet posted
                self.deliver(turn, payload["replies"], check_first=True)
                return
            kept: list[tuple[list[Reply], list[dict[str, Any]]]] = []

            def keep(session: Session, replies: list[Reply]) -> None:
                kept.append((replies, slack_api.rendered(replies)))
                inbox.keep_replies(session, PLATFORM, payload["id"], payload, kept[-1][1])

            replies = route(self.settings, self.engine, turn.incoming, keep=keep)
            # Other replies than those kept: the transaction failed and the core apologises.
            rendered = next((r for source, r in kept if source is replies), None)
            self.deliver(turn, rendered or slack_api.rendered(replies))
            if turn.answered_message:
                self.mark_answered(*turn.answered_message)

    def deliver(self, turn: Translation, replies: list[dict[str, Any]], check_first: bool = False) -> None:
        self.poster.deliver(turn.incoming.channel, replies, key=turn.key, thread_ts=turn.thread_ts,
                            check_first=check_first)

    def mark_answered(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str, label: str) -> None:
        """Replace the tapped buttons by the answer, so the question is answered once."""
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=slack_blocks.answered(blocks, label))
        except SlackClientError as exc:  # cosmetic: the answer itself still goes to the core
            log.warning("could not mark %s as answered: %s", ts, exc)

    def publish_home(self, user: str) -> None:
        with session_scope(self.engine) as session:
            member = find_member(session, PLATFORM, user)
            if member is None:
                view = slack_blocks.home_view(None)
            else:
                fy = reports.report_fy(self.settings, self.settings.now())
                statuses = reports.department_status(session, member.department_id, fy.year)
                view = slack_blocks.home_view(member.department.name, fy, statuses)
        self.client.views_publish(user_id=user, view=view)

    def _lock(self, turn: Translation) -> threading.Lock:
        """One message at a time per conversation, so a user's quick answers are taken in turn."""
        key = (turn.incoming.channel, turn.incoming.user)
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())


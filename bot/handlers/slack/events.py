"""Slack's part of the shared pipeline (bot.core.pipeline): a recorded request → `Incoming`, and
replies → Block Kit, posted (each part once per key) or published as the App Home view."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.messages import Incoming, Mention, RateLimited, Reply, from_button
from bot.core.pipeline import BaseTransport, Rendered, Turn
from bot.handlers.slack import api as slack_api
from bot.handlers.slack import blocks as slack_blocks

log = logging.getLogger(__name__)
PLATFORM = "slack"

_MENTION = re.compile(r"<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Where:
    """How a Slack turn is answered (`Turn.reply_to`)."""

    thread_ts: str | None = None  # answer in this thread (a mention in a channel)
    # (channel, ts, blocks, text, chosen label) of a DM message whose buttons were tapped
    answered_message: tuple[str, str, list[dict[str, Any]], str, str] | None = None
    home: bool = False  # publish the replies as the user's App Home view
    response_url: str | None = None  # answer in place, seen only by the user (a slash command in a channel)


def read_text(text: str) -> tuple[str, tuple[Mention, ...]]:
    """What a user typed, as the core reads it (`plain`), with the people it mentions resolved:
    `<@U…|name>` reads `@U…`, and the mention is kept to be written back as `<@U…>`."""
    mentions: list[Mention] = []

    def resolve(match: re.Match[str]) -> str:
        mentions.append(Mention(match["user"], f"<@{match['user']}>"))
        return f"@{match['user']}"

    return _MENTION.sub(resolve, slack_blocks.plain(text)), tuple(mentions)


def translate(payload: dict[str, Any], dm_channel: Callable[[str], str]) -> Turn | None:
    """The recorded request as the core's message; `dm_channel(user)` opens the app's DM."""
    kind, body, key = payload["kind"], payload["body"], payload["id"]
    if kind == "event":
        return _event(body, key)
    if kind == "action":
        return _action(body, key, dm_channel)
    if kind == "view":
        channel, field, text, _ = slack_blocks.submitted(body["view"])
        user = body["user"]["id"]
        return Turn(Incoming(PLATFORM, user, channel or dm_channel(user), form={field: text}, event_id=key, raw=body),
                    key, Where())
    if kind == "command_in_place":
        user = body["user_id"]
        text, mentions = read_text(body.get("text") or "")
        incoming = Incoming(PLATFORM, user, body["channel_id"], text=text, mentions=mentions, event_id=key,
                            direct=False, raw=body)
        return Turn(incoming, key, Where(response_url=body["response_url"]))
    if kind == "command":
        user = body["user_id"]
        text, mentions = read_text(body.get("text") or "")
        return Turn(Incoming(PLATFORM, user, dm_channel(user), text=text, mentions=mentions, event_id=key, raw=body),
                    key, Where())
    return None


def _event(body: dict[str, Any], key: str) -> Turn | None:
    event = body["event"]
    if event["type"] == "app_home_opened":
        user = event["user"]
        return Turn(Incoming(PLATFORM, user, f"home:{user}", event="status", event_id=key, raw=body), key,
                    Where(home=True))
    if event["type"] == "user_change":  # a profile edited in Slack: the name it now shows, for the core
        user, profile = event["user"], event["user"].get("profile") or {}
        name = str(profile.get("display_name") or profile.get("real_name") or "").strip()
        return Turn(Incoming(PLATFORM, user["id"], "", text=name, event="profile", event_id=key, raw=body), key,
                    Where())
    text, mentions = read_text(event.get("text") or "")
    if event["type"] == "app_mention":
        incoming = Incoming(PLATFORM, event["user"], event["channel"], text=text, mentions=mentions, event_id=key,
                            direct=False, raw=body)
        return Turn(incoming, key, Where(thread_ts=event.get("thread_ts") or event["ts"]))
    if event["type"] == "message":
        incoming = Incoming(PLATFORM, event["user"], event["channel"], text=text, mentions=mentions, event_id=key,
                            raw=body)
        return Turn(incoming, key, Where(thread_ts=event.get("thread_ts")))
    return None


def _action(body: dict[str, Any], key: str, dm_channel: Callable[[str], str]) -> Turn:
    action, user = body["actions"][0], body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or dm_channel(user)
    message = body.get("message") or {}
    direct = channel.startswith("D")
    value, step = from_button(str(action.get("value", "")))
    incoming = Incoming(PLATFORM, user, channel, value=value, step=step, event_id=key, direct=direct, raw=body)
    answered = None
    if direct and message.get("ts"):
        label = (action.get("text") or {}).get("text") or value
        answered = (channel, message["ts"], message.get("blocks") or [], message.get("text") or "", label)
    if (body.get("container") or {}).get("type") == "ephemeral" and body.get("response_url"):
        return Turn(incoming, key, Where(response_url=body["response_url"]))  # a button of an in-place answer
    return Turn(incoming, key, Where(thread_ts=message.get("thread_ts"), answered_message=answered))


class SlackTransport(BaseTransport):
    """Translate, render, post; the pipeline does the rest."""

    name = PLATFORM

    def __init__(self, client: WebClient, poster: slack_api.Poster) -> None:
        self.client, self.poster = client, poster

    def dm_channel(self, user: str) -> str:
        return str(self.client.conversations_open(users=user)["channel"]["id"])

    def translate(self, payload: dict[str, Any]) -> Turn | None:
        return translate(payload, self.dm_channel)

    def render(self, turn: Turn, replies: Sequence[Reply]) -> Rendered:
        if turn.reply_to.home:
            return [{"home": slack_blocks.home_view(replies)}]
        return slack_api.rendered(replies)

    def deliver(self, turn: Turn, rendered: Rendered, *, retry: bool) -> None:
        where: Where = turn.reply_to
        try:
            if where.home:  # a view is replaced whole: publishing it again is harmless
                self.client.views_publish(user_id=turn.incoming.user, view=rendered[0]["home"])
                return
            if where.response_url:
                slack_api.respond_ephemeral(where.response_url, rendered)
                return
            self.poster.deliver(turn.incoming.channel, rendered, key=turn.key, thread_ts=where.thread_ts,
                                check_first=retry)
        except SlackApiError as exc:  # a 429 of another call: the worker tries again after Retry-After
            if exc.response.status_code != 429:
                raise
            raise RateLimited(float(exc.response.headers.get("Retry-After") or 1), "Slack: 429") from exc

    def after_delivery(self, turn: Turn) -> None:
        if turn.reply_to.answered_message:
            self.mark_answered(*turn.reply_to.answered_message)

    def mark_answered(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str, label: str) -> None:
        """Replace the tapped buttons by the answer, so the question is answered once."""
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=slack_blocks.answered(blocks, label))
        except SlackClientError as exc:  # cosmetic: the answer itself still goes to the core
            log.warning("could not mark %s as answered: %s", ts, exc)

"""The Slack Web API side: a client that retries safely, posting once, and the outbox's Sender.

Retries (slack_sdk's RetryHandlers): a 5xx or a broken connection is retried for idempotent
methods only; for a post it is ambiguous (the message may have been taken), so `Poster` first
looks for the message's key in the conversation (message metadata) and posts again only when it
is not there. A 429 (Slack did not take the call) is never retried by the client: the web
process's `Poster` waits Retry-After inline only while its total wait stays within a small budget
(someone is waiting for that answer), and raises `RateLimited` beyond it (the event worker tries
again after Retry-After); the outbox's `SlackSender` never waits (budget 0): the outbox gives the
message back with its next attempt at Retry-After and sends the others meanwhile.
"""

from __future__ import annotations

import base64
import http.client
import logging
import socket
import time
from collections.abc import Sequence
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.core.config import Settings
from bot.core.messages import RateLimited, Reply
from bot.handlers.slack import blocks as slack_blocks
from bot.texts import platforms as say

log = logging.getLogger(__name__)
NOT_IDEMPOTENT = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})
KEY_EVENT = "kaikaku_message"  # metadata event_type carrying a message's idempotency key
HISTORY_LIMIT = 200


def _method(request: HttpRequest) -> str:
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _never_sent(error: Exception | None) -> bool:
    """The connection was refused or the name did not resolve: the request never left."""
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class IdempotentServerErrorRetryHandler(ServerErrorRetryHandler):
    """5xx: retried for reads and replaces (views.publish, chat.update), not for posts."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return _method(request) not in NOT_IDEMPOTENT and super()._can_retry(
            state=state, request=request, response=response, error=error)


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """A post is retried only when its request never reached Slack."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return _method(request) not in NOT_IDEMPOTENT or _never_sent(error)


REQUEST_TIMEOUT = 10  # seconds, each Web API call
INTERACTIVE_RATE_LIMIT_WAIT = 10.0  # seconds the web process may wait in all for one answer's 429s


def make_client(settings: Settings, with_token: bool = True) -> WebClient:
    """A Web API client; a 429 is raised to the caller (never slept on inside the client)."""
    token = settings.slack_bot_token.get_secret_value() if with_token and settings.slack_bot_token else None
    handlers = [IdempotentServerErrorRetryHandler(max_retry_count=2), SafeConnectionErrorRetryHandler(max_retry_count=2)]
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=REQUEST_TIMEOUT, retry_handlers=handlers)


def _ambiguous(exc: Exception) -> bool:
    """A failure after which the message may or may not have been posted."""
    if isinstance(exc, SlackApiError):
        return exc.response.status_code >= 500
    return isinstance(exc, OSError | http.client.HTTPException) and not _never_sent(exc)


class Poster:
    """chat.postMessage at most once per key, however the Web API fails."""

    def __init__(self, client: WebClient, attempts: int = 4, backoff: float = 0.3,
                 rate_limit_wait: float = INTERACTIVE_RATE_LIMIT_WAIT) -> None:
        self.client = client
        self.attempts = attempts
        self.backoff = backoff
        self.rate_limit_wait = rate_limit_wait  # seconds of 429 waits allowed per post; 0: never sleeps

    def post(self, channel: str, message: dict[str, Any], *, key: str | None = None,
             thread_ts: str | None = None) -> None:
        args: dict[str, Any] = {"channel": channel, **message, "unfurl_links": False}
        if thread_ts:
            args["thread_ts"] = thread_ts
        if key:
            args["metadata"] = {"event_type": KEY_EVENT, "event_payload": {"key": key}}
        since = time.time() - 5
        waited = 0.0
        for attempt in range(1, self.attempts + 1):
            try:
                self.client.chat_postMessage(**args)
                return
            except (SlackApiError, OSError, http.client.HTTPException) as exc:
                retry_after = _rate_limited(exc)
                if retry_after is not None and (waited + retry_after > self.rate_limit_wait or attempt == self.attempts):
                    raise RateLimited(retry_after, f"chat.postMessage to {channel}: 429") from exc
                waited += retry_after or 0
                if attempt == self.attempts or not (retry_after is not None or (key and _ambiguous(exc))):
                    raise
                time.sleep(retry_after if retry_after is not None else self.backoff * attempt)
                if retry_after is None and key in self.posted_keys(channel, thread_ts, since):
                    log.info("message %s was posted despite the error; not posting it again", key)
                    return

    def posted_keys(self, channel: str, thread_ts: str | None = None, since: float | None = None) -> set[str]:
        """Keys of the bot's recent messages in a conversation (or thread)."""
        args: dict[str, Any] = {"channel": channel, "limit": HISTORY_LIMIT, "include_all_metadata": True}
        if since is not None:
            args["oldest"] = f"{since:.6f}"
        if thread_ts:
            result = self.client.conversations_replies(ts=thread_ts, **args)
        else:
            result = self.client.conversations_history(**args)
        keys = set()
        for message in result.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == KEY_EVENT:
                keys.add(str((meta.get("event_payload") or {}).get("key")))
        return keys

    def upload_png(self, channel: str, png: bytes, alt: str | None, thread_ts: str | None = None) -> None:
        self.client.files_upload_v2(channel=channel, content=png, filename="chart.png", title=alt or say.CHART_TITLE,
                                    alt_txt=alt, thread_ts=thread_ts)

    def deliver(self, channel: str, messages: Sequence[dict[str, Any]], *, key: str | None,
                thread_ts: str | None = None, check_first: bool = False) -> None:
        """Post rendered replies in order; with `check_first` (a retry), skip those already posted."""
        done = self.posted_keys(channel, thread_ts) if key and check_first else set()
        for i, message in enumerate(messages):
            part_key = f"{key}:{i}" if key else None
            if part_key in done:
                continue
            image = message.get("image")
            self.post(channel, {k: v for k, v in message.items() if k != "image"}, key=part_key, thread_ts=thread_ts)
            if image:
                self.upload_png(channel, base64.b64decode(image["png"]), image.get("alt"), thread_ts)


def _rate_limited(exc: Exception) -> int | None:
    """Retry-After seconds of a 429 the client's own retries gave up on."""
    if isinstance(exc, SlackApiError) and exc.response.status_code == 429:
        return int(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1)
    return None


def respond_ephemeral(response_url: str, messages: Sequence[dict[str, Any]]) -> None:
    """Answer a slash command in place through its `response_url`: seen only by the user who typed
    it. An image cannot ride along (files need a channel post), so only its text goes."""
    from slack_sdk.webhook import WebhookClient

    webhook = WebhookClient(response_url)  # not the Web API: no scope is needed (the manifest test scans `client.`)
    for message in messages:
        parts = {k: v for k, v in message.items() if k in ("text", "blocks")}
        response = webhook.send_dict({"response_type": "ephemeral", "replace_original": False, **parts})
        if response.status_code >= 400:
            raise SlackClientError(f"response_url answered {response.status_code}: {response.body}")


def rendered(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies as stored, JSON-safe chat.postMessage arguments (an image rides along, base64)."""
    messages = []
    for reply in replies:
        message = slack_blocks.message(reply)
        if reply.image_png:
            message["image"] = {"png": base64.b64encode(reply.image_png).decode("ascii"), "alt": reply.image_alt}
        messages.append(message)
    return messages


class SlackSender:
    """bot.core.messages.Sender for Slack: reminders and digests from the outbox, each part once per key."""

    platform = "slack"

    def __init__(self, settings: Settings, client: WebClient | None = None) -> None:
        self.client = client or make_client(settings)
        self.poster = Poster(self.client, rate_limit_wait=0.0)

    def channel_of(self, recipient: str) -> str:
        """A user id (U…/W…) is sent to in the app's DM with that user."""
        if recipient.startswith(("U", "W")):
            return str(self.client.conversations_open(users=recipient)["channel"]["id"])
        return recipient

    def send(self, recipient: str, replies: Sequence[Reply], *, key: str | None = None) -> None:
        """Deliver or raise (a 429 anywhere: `RateLimited`, at once); with a key, a part already in
        the conversation (a post whose answer a crash lost) is not posted again."""
        try:
            self.poster.deliver(self.channel_of(recipient), rendered(replies), key=key, check_first=key is not None)
        except SlackApiError as exc:
            retry_after = _rate_limited(exc)
            if retry_after is None:
                raise
            raise RateLimited(retry_after, f"{recipient}: 429") from exc


def display_name(settings: Settings, user: str) -> str | None:
    """The name Slack shows for `user` (users.info: display name, else real name); None if unknown."""
    if settings.slack_bot_token is None:
        return None
    try:
        answer = make_client(settings).users_info(user=user)
    except (SlackApiError, OSError, http.client.HTTPException) as exc:
        log.warning("users.info failed: %s", exc)
        return None
    profile = (answer.get("user") or {}).get("profile") or {}
    name = str(profile.get("display_name") or profile.get("real_name") or "").strip()
    return name or None

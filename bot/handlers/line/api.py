"""Calls to LINE's Messaging API (line-bot-sdk v3): reply, push with budget and retries, loading.

Push rules, from the Messaging API reference:
- `X-Line-Retry-Key` (a UUID) makes a retried push safe: the same key is reused on every retry,
  and 409 means LINE already accepted that key, i.e. the message was sent;
- 5xx and timeouts are retried with backoff (same key);
- 429 is read first: "You have reached your monthly limit." is a spent quota and is not retried
  (reported as `PushQuotaExhausted`); any other 429 is a rate limit: an answer in the web process
  is retried after a pause, while the outbox's `LineSender` never waits: it raises `RateLimited`
  at once and the outbox tries the message again later (same retry key).
Each push is reserved against the monthly budget first (bot.core.push_budget) and released if LINE
did not accept it, so the count is what LINE accepted and the budget is never overrun.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy import Engine

from bot.core import push_budget
from bot.core.config import Settings
from bot.core.messages import RateLimited, Reply
from bot.handlers.line.render import Message, batches, render_all

log = logging.getLogger(__name__)

PLATFORM = "line"
MONTHLY_LIMIT = "You have reached your monthly limit."
RETRY_KEY_NAMESPACE = uuid.UUID("6f1c1d0e-5b0a-4d55-9d0e-6b6169b6b161")  # kaikaku-bot's own
BACKOFF = (0.5, 2.0, 8.0)  # seconds before each retry
TIMEOUT = (3.05, 15.0)  # connect, read


class LineDeliveryError(Exception):
    """LINE did not accept a request (after the retries it deserves); `retryable` says if later may."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def retry_key(key: str) -> str:
    """A stable UUID for an idempotency key: the same outbox key gives the same retry key."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, key))


def error_message(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or b"{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def _retry_after(exc: ApiException) -> float | None:
    value = (exc.headers or {}).get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class LineApi:
    """The bot's calls to the Messaging API; `LINE_API_URL` points it at a stand-in or staging."""

    def __init__(self, settings: Settings, engine: Engine, backoff: Sequence[float] = BACKOFF,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        assert settings.line_channel_access_token is not None
        conf = Configuration(host=settings.line_api_url.rstrip("/"),
                             access_token=settings.line_channel_access_token.get_secret_value())
        self.api = MessagingApi(ApiClient(conf))
        self.settings = settings
        self.engine = engine
        self.backoff = tuple(backoff)
        self.sleep = sleep

    def reply(self, token: str, messages: list[Message]) -> bool:
        """Reply with a token; False when the token is no longer valid (the caller pushes instead)."""
        return self.reply_status(token, messages) in ("sent", "used")

    def reply_status(self, token: str, messages: list[Message], tried_before: bool = False) -> str:
        """Reply with a token: "sent"; "used" when LINE calls the token invalid after a request of
        ours with it may have gone through (an earlier attempt whose answer was lost, or
        `tried_before`: a process that died mid-reply) — it was that request that used it; "refused"
        when the token is invalid otherwise (stale); "unsent" when LINE never accepted it."""
        request = ReplyMessageRequest.from_dict({"replyToken": token, "messages": messages})
        ambiguous = tried_before
        for attempt in range(len(self.backoff) + 1):
            try:
                self.api.reply_message_with_http_info(request, _request_timeout=TIMEOUT)
                return "sent"
            except ApiException as exc:
                if exc.status == 400 and "reply token" in error_message(exc).lower():
                    return "used" if ambiguous else "refused"
                if exc.status is None or not (exc.status >= 500 or exc.status == 429):
                    raise LineDeliveryError(f"reply refused: {exc.status} {error_message(exc)}",
                                            exc.status, retryable=False) from exc
                ambiguous = ambiguous or exc.status >= 500  # a 5xx may come after the message went out
                log.warning("LINE reply answered %s (attempt %d)", exc.status, attempt + 1)
            except urllib3.exceptions.HTTPError as exc:
                ambiguous = True  # a timeout or a broken connection: LINE may have taken it
                log.warning("LINE reply failed: %s (attempt %d)", exc, attempt + 1)
            if attempt < len(self.backoff):
                self.sleep(self.backoff[attempt])
        return "unsent"  # a token retried this long is stale anyway: push

    def send(self, to: str, messages: list[Message], key: str, first_batch: int = 0,
             wait_on_rate_limit: bool = True) -> None:
        """Push messages in requests of ≤ 5, all within the monthly budget or none at all.

        Request i's retry key derives from `key` and i, so sending again with the same key (a retry
        by the outbox, an event processed again after a crash) never delivers twice.
        """
        groups = batches(messages)
        month = push_budget.month_of(self.settings.now())
        push_budget.reserve(self.engine, PLATFORM, month, self.settings.line_push_monthly_budget, len(groups))
        accepted = 0
        try:
            for i, group in enumerate(groups, start=first_batch):
                self.push(to, group, retry_key(f"{key}#{i}"), wait_on_rate_limit)
                accepted += 1
        except push_budget.PushQuotaExhausted:
            push_budget.release(self.engine, PLATFORM, month, len(groups) - accepted, refused=True)
            raise
        except Exception:
            push_budget.release(self.engine, PLATFORM, month, len(groups) - accepted)
            raise

    def push(self, to: str, messages: list[Message], key: str, wait_on_rate_limit: bool = True) -> None:
        """One push request, retried with the same retry key; raise if LINE did not accept it
        (a rate limit without `wait_on_rate_limit`: `RateLimited` at once)."""
        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        for attempt in range(len(self.backoff) + 1):
            pause = self.backoff[attempt] if attempt < len(self.backoff) else 0.0
            try:
                self.api.push_message_with_http_info(request, x_line_retry_key=key, _request_timeout=TIMEOUT)
                return
            except ApiException as exc:
                if exc.status == 409:  # this retry key was accepted before: already sent
                    return
                if exc.status == 429:
                    if error_message(exc) == MONTHLY_LIMIT:
                        month = push_budget.month_of(self.settings.now())
                        raise push_budget.PushQuotaExhausted(PLATFORM, month, MONTHLY_LIMIT) from exc
                    if not wait_on_rate_limit:
                        raise RateLimited(_retry_after(exc), f"push: 429 {error_message(exc)}") from exc
                    pause = max(pause, _retry_after(exc) or 0.0)
                elif exc.status is None or exc.status < 500:
                    raise LineDeliveryError(f"push refused: {exc.status} {error_message(exc)}",
                                            exc.status, retryable=False) from exc
                log.warning("LINE push answered %s (attempt %d)", exc.status, attempt + 1)
            except urllib3.exceptions.HTTPError as exc:
                log.warning("LINE push failed: %s (attempt %d)", exc, attempt + 1)
            if attempt < len(self.backoff):
                self.sleep(pause)
        raise LineDeliveryError("push not accepted after retries", retryable=True)

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        """The loading animation in a one-to-one chat; best effort (a failure only costs the dots)."""
        try:
            self.api.show_loading_animation_with_http_info(
                ShowLoadingAnimationRequest(chatId=chat_id, loadingSeconds=seconds), _request_timeout=TIMEOUT
            )
        except (ApiException, urllib3.exceptions.HTTPError) as exc:
            log.info("LINE loading animation not shown: %s", exc)


class LineSender:
    """`bot.core.messages.Sender` for LINE: the outbox's deliveries (reminders, digests) as pushes.

    Raises `bot.core.push_budget.PushRefused` when the budget or LINE's quota refuses (fall back to the
    member's other platform), `LineDeliveryError` when LINE did not accept it (retry later),
    `RateLimited` at once for a 429 rate limit (the outbox retries after it, never sleeping here).
    """

    platform = PLATFORM

    def __init__(self, settings: Settings, engine: Engine, api: LineApi | None = None) -> None:
        self.api = api or LineApi(settings, engine)

    def send(self, recipient: str, replies: Sequence[Reply], *, key: str | None = None) -> None:
        self.api.send(recipient, render_all(replies), key or f"adhoc:{uuid.uuid4()}", wait_on_rate_limit=False)



def display_name(settings: Settings, user: str) -> str | None:
    """The name LINE shows for `user` (get_profile); None when LINE does not answer with one."""
    if settings.line_channel_access_token is None:
        return None
    conf = Configuration(host=settings.line_api_url.rstrip("/"),
                         access_token=settings.line_channel_access_token.get_secret_value())
    try:
        profile = MessagingApi(ApiClient(conf)).get_profile(user, _request_timeout=TIMEOUT)
    except (ApiException, urllib3.exceptions.HTTPError) as exc:
        log.warning("LINE get_profile failed: %s", exc)
        return None
    return (profile.display_name or "").strip() or None

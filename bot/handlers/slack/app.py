"""Slack adapter: a bolt App over HTTP (POST /slack/events) or Socket Mode.

Before the ack a listener verifies (bolt) and hands the request to the shared pipeline
(bot.core.pipeline), which records it (unique by Slack's event id, or a stable id of an
interaction): a redelivery finds the id taken and is acknowledged without doing anything. After the
ack the pipeline routes it through bot.handlers.slack.events (translate, render, post).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from typing import Any

from flask import Flask, Response, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackClientError
from sqlalchemy import Engine

from bot.core.config import Settings
from bot.core.pipeline import Pipeline
from bot.core.router import starts_a_dialog
from bot.handlers.slack import api as slack_api
from bot.handlers.slack import blocks as slack_blocks
from bot.handlers.slack import events as slack_events
from bot.handlers.slack import verify
from bot.handlers.slack.events import SlackTransport
from bot.texts import platforms as say

log = logging.getLogger(__name__)
IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave"}


class SlackBot:
    """The bolt App, its Web API client, its pipeline; one per web process."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine
        self.client = slack_api.make_client(settings)
        self.poster = slack_api.Poster(self.client)
        self.transport = SlackTransport(self.client, self.poster)
        self.pipeline = Pipeline(settings, engine, self.transport)
        self.worker = self.pipeline.worker
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        self.app = App(signing_secret=secret, client=slack_api.make_client(settings, with_token=False),
                       authorize=lambda: self._authorize(), process_before_response=True, name="kaikaku")
        self._auth: AuthorizeResult | None = None
        self.app.event("message")(self.on_message)
        self.app.event("app_mention")(self.on_event)
        self.app.event("app_home_opened")(self.on_event)
        self.app.event("user_change")(self.on_event)
        self.app.action(re.compile(f"^{slack_blocks.CHOICE}"))(self.on_choice)
        self.app.action(slack_blocks.FORM_OPEN)(self.on_form_open)
        self.app.view(slack_blocks.FORM_VIEW)(self.on_form_submit)
        self.app.command("/kaikaku")(self.on_command)

    def _authorize(self) -> AuthorizeResult:
        """auth.test once; while Slack cannot answer it, requests are still taken (bot id unknown)."""
        token = self.client.token
        if self._auth is None:
            try:
                self._auth = AuthorizeResult.from_auth_test_response(
                    auth_test_response=self.client.auth_test(), bot_token=token)
            except (SlackClientError, OSError) as exc:
                log.warning("auth.test failed (%s); taking the request anyway", exc)
                return AuthorizeResult(enterprise_id=None, team_id=None, bot_token=token)
        return self._auth

    # ---- before the ack: record ----------------------------------------------------------------
    def accept(self, kind: str, event_id: str, body: dict[str, Any]) -> None:
        """Record (the dedupe: a known id is a no-op) and queue; called before ack()."""
        body = {k: v for k, v in body.items() if k != "token"}  # Slack's legacy verification token: never stored
        self.pipeline.accept([(event_id, {"kind": kind, "id": event_id, "body": body})])

    def on_message(self, body: dict[str, Any], event: dict[str, Any], ack: Ack) -> None:
        """DMs only: in channels the bot answers app_mention (Slack sends both for a mention)."""
        if (event.get("channel_type") == "im" and not event.get("bot_id")
                and event.get("subtype") not in IGNORED_SUBTYPES and event.get("user")):
            self.accept("event", body["event_id"], body)
        ack()

    def on_event(self, body: dict[str, Any], event: dict[str, Any], ack: Ack) -> None:
        if not event.get("bot_id") and (event["type"] != "app_home_opened" or event.get("tab") == "home"):
            self.accept("event", body["event_id"], body)
        ack()

    def on_choice(self, body: dict[str, Any], ack: Ack) -> None:
        """One answer per message and user (a double tap is one); view buttons per tap."""
        container = body.get("container") or {}
        if container.get("type") == "message":
            event_id = f"action:{container['channel_id']}:{container['message_ts']}:{body['user']['id']}"
        else:
            event_id = f"action:{body['trigger_id']}"
        self.accept("action", event_id, body)
        ack()

    def on_form_open(self, body: dict[str, Any], ack: Ack) -> None:
        """Only UI, nothing recorded: the modal must open within the trigger's 3 seconds."""
        ack()
        form = slack_blocks.form_of(body["actions"][0]["value"])
        channel = (body.get("channel") or {}).get("id") or body["container"].get("channel_id", "")
        try:
            self.client.views_open(trigger_id=body["trigger_id"], view=slack_blocks.modal(form, channel))
        except SlackClientError as exc:  # e.g. the trigger expired: the button can be tapped again
            log.warning("could not open the form: %s", exc)

    def on_form_submit(self, body: dict[str, Any], ack: Ack) -> None:
        _, _, text, max_chars = slack_blocks.submitted(body["view"])
        error = slack_blocks.form_error(text, max_chars)
        if error:
            ack(response_action="errors", errors={slack_blocks.FORM_VIEW: error})
            return
        self.accept("view", f"view:{body['view']['id']}:{body['view'].get('hash', '')}", body)
        ack()

    def on_command(self, body: dict[str, Any], ack: Ack) -> None:
        """Slack's convention: a slash command is answered in place, seen only by the one who typed
        it (ephemeral, through `response_url`); only a report moves to the app's DM."""
        in_dm = str(body.get("channel_id", "")).startswith("D")
        to_dm = not in_dm and starts_a_dialog(slack_events.read_text(body.get("text") or "")[0])
        in_place = not in_dm and not to_dm and bool(body.get("response_url"))
        self.accept("command_in_place" if in_place else "command", f"command:{body['trigger_id']}", body)
        ack(text=say.SLACK_ANSWER_IN_DM) if to_dm else ack()

    def start_socket_mode(self) -> Any:
        """Connect over Socket Mode (outbound only), in the background until Slack answers; the handler."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        assert self.settings.slack_app_token is not None
        handler = SocketModeHandler(self.app, self.settings.slack_app_token.get_secret_value(),
                                    web_client=self.client)

        def connect() -> None:
            for attempt in itertools.count():
                try:
                    handler.connect()  # from here the client reconnects by itself
                    return
                except Exception as exc:  # Slack unreachable at start: the web process goes on
                    log.warning("Socket Mode connection failed (%s); retrying", exc)
                    time.sleep(min(60.0, 2.0 ** attempt))

        threading.Thread(target=connect, name="slack-socket-mode", daemon=True).start()
        return handler


def _verified(handler: SlackRequestHandler, secret: str) -> Response:
    """Signature, timestamp and shape first (bot.handlers.slack.verify); then bolt."""
    try:
        verify.check(secret, request.get_data(), dict(request.headers))
    except verify.Refused as refused:
        log.info("Slack request refused: %s", refused.reason)
        return Response(refused.reason, status=refused.status, mimetype="text/plain")
    response: Response = handler.handle(request)
    return response


def register(app: Flask, settings: Settings, engine: Engine) -> bool:
    """POST /slack/events when the bot token and signing secret are set; Socket Mode with an app token."""
    if settings.slack_bot_token is None or (settings.slack_signing_secret is None and settings.slack_app_token is None):
        return False
    bot = SlackBot(settings, engine)
    app.extensions["kaikaku_slack"] = bot
    if settings.slack_app_token is not None:
        app.extensions["kaikaku_slack_socket"] = bot.start_socket_mode()
    else:
        handler = SlackRequestHandler(bot.app)
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        app.add_url_rule("/slack/events", "slack_events", lambda: _verified(handler, secret), methods=["POST"])
    bot.pipeline.start()
    return True

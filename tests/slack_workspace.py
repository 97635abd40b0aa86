"""A Slack user talking to the bot, for tests: signed requests in, the bot's posts (from the stub) out.

The transport is the Flask test client (`flask_transport`) or real HTTP to a running
`kaikaku serve` (`http_transport`); the conversation helpers are the same for both.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Engine, func, select

from bot.storage.db import session_scope
from bot.storage.models import InboundEvent
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import SlackApiStub

USER = "U0TANAKA"
DM = "D" + USER


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to Slack's request."""

    status_code: int
    data: bytes

    def get_json(self) -> Any:
        return json.loads(self.data)

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode() if as_text else self.data


Transport = Callable[[str, dict[str, str]], Answer]


def flask_transport(app: Flask) -> Transport:
    client = app.test_client()

    def post(body: str, headers: dict[str, str]) -> Answer:
        response = client.post("/slack/events", data=body, headers=headers)
        try:
            return Answer(response.status_code, response.get_data())
        finally:
            response.close()  # as a WSGI server does once the answer is sent

    return post


def http_transport(base_url: str) -> Transport:
    def post(body: str, headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(base_url + "/slack/events", data=body.encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read())

    return post


def texts_of(messages: list[dict[str, Any]]) -> str:
    """Everything a user sees in these messages (fallback text and all block texts)."""
    return json.dumps([(m["text"], m["blocks"]) for m in messages], ensure_ascii=False)


def inbound_count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(InboundEvent)) or 0)


class SlackWorkspace:
    """Sends signed requests as Slack would, waits for the bot, reads what it posted."""

    def __init__(self, transport: Transport, stub: SlackApiStub, engine: Engine) -> None:
        self.transport, self.stub, self.engine = transport, stub, engine

    def send(self, request: sr.SlackRequest, **header_args: Any) -> Answer:
        return self.transport(request.body, request.headers(**header_args))

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every recorded event is processed (or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with session_scope(self.engine) as s:
                busy = s.scalar(select(func.count()).select_from(InboundEvent)
                                .where(InboundEvent.status.in_(("received", "processing"))))
            if not busy:
                return
            time.sleep(0.005)
        raise AssertionError("events were not processed in time")

    def exchange(self, request: sr.SlackRequest, channel: str = DM) -> list[dict[str, Any]]:
        """Send, let the bot work, return the bot's new messages in `channel`."""
        before = len(self.stub.posted(channel))
        answer = self.send(request)
        assert answer.status_code == 200, answer.data
        self.settle()
        return self.stub.posted(channel)[before:]

    def say(self, text: str, user: str = USER) -> list[dict[str, Any]]:
        return self.exchange(sr.as_event(sr.message_im(text, user=user)), "D" + user)

    def button(self, label: str, channel: str = DM) -> tuple[dict[str, Any], str]:
        """(the latest bot message showing a button `label`, that button's action_id)."""
        for message in reversed(self.stub.posted(channel)):
            for block in message["blocks"]:
                for element in block.get("elements", []) if block["type"] == "actions" else []:
                    if element["text"]["text"] == label:
                        return message, element["action_id"]
        raise AssertionError(f"no button {label!r} in {channel}")

    def tap(self, label: str) -> list[dict[str, Any]]:
        message, action_id = self.button(label)
        return self.exchange(sr.as_interaction(sr.tap(message, action_id)))

    def open_form(self, label: str) -> dict[str, Any]:
        """Tap the button that opens a modal; the view the bot opened (views.open)."""
        message, action_id = self.button(label)
        assert self.send(sr.as_interaction(sr.tap(message, action_id))).status_code == 200
        view = self.stub.calls_to("views.open")[-1].body["view"]
        return json.loads(view) if isinstance(view, str) else view

    def submit_form(self, view: dict[str, Any], text: str) -> list[dict[str, Any]]:
        return self.exchange(sr.as_interaction(sr.view_submission(view, text)))

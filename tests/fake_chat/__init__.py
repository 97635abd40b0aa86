"""A fake chat tool, added as a platform from this one package: text and buttons, a webhook in.

It is what the platform contract (bot.core.platforms) asks of a new platform and nothing more:
verify + translate in (`POST /fake_chat/events`, a shared token), render + send out (into the
`Chat`, both for the pipeline's replies and the clock's outbox), its capabilities. Everything else
(inbox, worker, routing, keeping replies with the state, retries) is the shared pipeline's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import Engine

from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
from bot.core.pipeline import BaseTransport, Pipeline, Rendered, Turn
from bot.core.platforms import Capabilities, Platform

NAME = "fake_chat"
TOKEN = "fake-chat-secret"


def render(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """A message per reply: its text (a card's lines under it) and its buttons as [label, value]."""
    out = []
    for reply in replies:
        lines = [reply.text]
        if reply.card is not None:
            lines += [reply.card.title] + [f"{k}: {v}" for k, v in reply.card.fields]
        out.append({"text": "\n".join(lines), "buttons": [[c.label, c.value] for c in reply.choices]})
    return out


@dataclass
class Chat:
    """The chat tool's side: what each user has been sent, each message once per key."""

    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def receive(self, user: str, messages: Sequence[dict[str, Any]], key: str) -> None:
        with self.changed:
            for i, message in enumerate(messages):
                if f"{key}:{i}" not in self.keys:
                    self.keys.add(f"{key}:{i}")
                    self.messages.setdefault(user, []).append(message)
            self.changed.notify_all()

    def wait_for(self, user: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The user's messages once there are at least `count`."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.messages.get(user, [])) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{user} got {self.messages.get(user)} (waited for {count})"
                self.changed.wait(left)
            return list(self.messages[user])


class FakeTransport(BaseTransport):
    name = NAME

    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def translate(self, payload: dict[str, Any]) -> Turn:
        user = payload["user"]
        incoming = Incoming(NAME, user, user, text=payload.get("text"), value=payload.get("value"),
                            event_id=payload["id"])
        return Turn(incoming, payload["id"])

    def render(self, turn: Turn, replies: Sequence[Reply]) -> Rendered:
        return render(replies)

    def deliver(self, turn: Turn, rendered: Rendered, *, retry: bool) -> None:
        self.chat.receive(turn.incoming.user, rendered, turn.key)


class FakeSender:
    """The outbox's sender: reminders arrive in the same chat."""

    platform = NAME

    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def send(self, recipient: str, replies: Sequence[Reply], *, key: str | None = None) -> None:
        self.chat.receive(recipient, render(replies), key or f"push:{time.monotonic_ns()}")


def platform(chat: Chat) -> Platform:
    """The fake chat tool as a platform, delivering into `chat`."""

    def register_web(app: Flask, settings: Settings, engine: Engine) -> bool:
        pipeline = Pipeline(settings, engine, FakeTransport(chat))

        def events() -> Response:
            if request.headers.get("X-Fake-Token") != TOKEN:
                return Response("bad token", 401)
            payload = request.get_json()
            pipeline.accept([(payload["id"], payload)])
            return Response("", 200)

        app.add_url_rule(f"/{NAME}/events", f"{NAME}_events", events, methods=["POST"])
        app.extensions[NAME] = pipeline
        pipeline.start()
        return True

    return Platform(name=NAME, capabilities=Capabilities(buttons=True), configured=lambda s: True,
                    register_web=register_web, make_sender=lambda s, e: FakeSender(chat))

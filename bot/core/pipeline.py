"""The one inbound pipeline every webhook platform runs: record → worker → route → render → deliver.

Before the platform is answered, `accept` records the event in the inbox (unique by the platform's
event id: a redelivery or a replay is a no-op) already claimed, and hands it to the `EventWorker`.
After the ack, `process` asks the platform's `Transport` to translate the stored payload into the
core's `Incoming`, routes it (bot.core.router), has the replies rendered once and kept with the
event in the routing transaction (`inbox.keep_replies`: the dialog's new state and what to say are
committed together), then delivers them. A retry after a failed or interrupted delivery (the
worker's retry loop, or `recover()` on the next start) delivers the kept replies and never routes
the message a second time. A conversation's messages are processed one at a time, in turn.

A platform supplies only its `Transport`: translate in, render and deliver out, and optionally
something to do around the routing (LINE's loading animation) and after delivery (Slack marks the
tapped buttons as answered).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.core import inbox, metrics
from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.core.worker import EventWorker

Rendered = list[Any]  # JSON-safe: what the platform sends, kept with the event for a retry


@dataclass(frozen=True)
class Turn:
    """One recorded event, translated: the neutral message and how the platform answers it."""

    incoming: Incoming
    key: str  # the event's id in the inbox (also the replies' idempotency key)
    reply_to: Any = None  # the platform's own delivery details: a thread, a reply token, a view


class Transport(Protocol):
    """What a platform gives the pipeline; everything else is shared."""

    name: str

    def translate(self, payload: dict[str, Any]) -> Turn | None:
        """The stored payload as the core's message; None for an event to ignore."""
        ...

    def render(self, turn: Turn, replies: Sequence[Reply]) -> Rendered:
        """The replies in the platform's own shape (rendered once, kept with the event)."""
        ...

    def deliver(self, turn: Turn, rendered: Rendered, *, retry: bool) -> None:
        """Send or raise; `retry`: some may have been sent by an earlier attempt."""
        ...

    def around_routing(self, turn: Turn, work: Callable[[], list[Reply]]) -> list[Reply]:
        """Run `work` (the routing), e.g. with a typing indicator when it takes a while."""
        ...

    def after_delivery(self, turn: Turn) -> None:
        """Anything cosmetic once the replies are out (never raises)."""
        ...


class BaseTransport:
    """Defaults for the optional parts of a `Transport`."""

    def around_routing(self, turn: Turn, work: Callable[[], list[Reply]]) -> list[Reply]:
        return work()

    def after_delivery(self, turn: Turn) -> None:
        return None


class Pipeline:
    """One per platform and web process: the inbox, the worker and the router around a `Transport`."""

    def __init__(self, settings: Settings, engine: Engine, transport: Transport, threads: int = 4) -> None:
        self.settings, self.engine, self.transport = settings, engine, transport
        self.worker = EventWorker(engine, transport.name, self.process, settings.now, threads=threads)
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # ---- before the ack -------------------------------------------------------------------------
    def accept(self, events: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Record verified events `(event id, payload)` (a known id is a no-op), then queue them all;
        how many were new. Called before the platform is answered."""
        rows = []
        for event_id, payload in events:
            row = inbox.record(self.engine, self.transport.name, event_id, payload, self.settings.now(), claimed=True)
            if row is not None:
                rows.append((row, payload))
        metrics.event_in(self.transport.name, "accepted", len(rows))
        metrics.event_in(self.transport.name, "duplicate", len(events) - len(rows))
        for row, payload in rows:
            self.worker.submit(row, payload)
        return len(rows)

    def start(self) -> None:
        """Finish what an earlier process left, then retry failed events while running."""
        self.worker.start()

    # ---- after the ack: what the worker runs ------------------------------------------------------
    def process(self, payload: dict[str, Any]) -> None:
        turn = self.transport.translate(payload)
        if turn is None:
            return
        with self._lock(turn.incoming):
            if "replies" in payload:  # a retry: routed before, deliver what was kept
                self.transport.deliver(turn, payload["replies"], retry=True)
                metrics.replies_out(self.transport.name, len(payload["replies"]))
                return
            rendered = self.route(turn, payload)
            self.transport.deliver(turn, rendered, retry=False)
            metrics.replies_out(self.transport.name, len(rendered))
            self.transport.after_delivery(turn)

    def route(self, turn: Turn, payload: dict[str, Any]) -> Rendered:
        """Route the message; the replies rendered once, kept with the event when routing committed."""
        kept: list[tuple[list[Reply], Rendered]] = []

        def keep(session: Session, replies: list[Reply]) -> None:
            kept.append((replies, self.transport.render(turn, replies)))
            inbox.keep_replies(session, self.transport.name, turn.key, payload, kept[-1][1])

        replies = self.transport.around_routing(
            turn, lambda: route(self.settings, self.engine, turn.incoming, keep=keep))
        # Other replies than those kept: the transaction failed and the core apologises.
        rendered = next((r for source, r in kept if source is replies), None)
        return rendered if rendered is not None else self.transport.render(turn, replies)

    def _lock(self, incoming: Incoming) -> threading.Lock:
        """One message at a time per conversation, so a user's quick answers are taken in turn."""
        key = (incoming.channel, incoming.user)
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def shutdown(self, wait: bool = True) -> None:
        self.worker.shutdown(wait=wait)

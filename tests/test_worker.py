"""The event worker: each recorded event processed once; a failure is kept and retried on start."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot import inbox
from bot.worker import EventWorker


def test_an_event_submitted_twice_is_processed_once(engine: Engine, now: datetime) -> None:
    seen: list[dict[str, Any]] = []
    lock = threading.Lock()

    def process(payload: dict[str, Any]) -> None:
        with lock:
            seen.append(payload)

    worker = EventWorker(engine, "slack", process, lambda: now)
    row = inbox.record(engine, "slack", "Ev1", {"text": "No.34の目標は?"}, now)
    assert row is not None
    futures = [worker.submit(row) for _ in range(4)]
    for f in futures:
        f.result(timeout=10)
    worker.shutdown()
    assert seen == [{"text": "No.34の目標は?"}]
    assert inbox.pending(engine, "slack") == []


def test_a_failed_event_is_kept_and_finished_by_the_next_process(engine: Engine, now: datetime) -> None:
    def broken(payload: dict[str, Any]) -> None:
        raise ConnectionError("Slack is down")

    first = EventWorker(engine, "line", broken, lambda: now)
    row = inbox.record(engine, "line", "we-1", {"text": "報告"}, now)
    assert row is not None
    first.submit(row).result(timeout=10)
    first.shutdown()
    assert inbox.pending(engine, "line") == [row]  # kept, not lost

    done: list[dict[str, Any]] = []
    second = EventWorker(engine, "line", done.append, lambda: now)
    for f in second.recover():
        f.result(timeout=10)
    second.shutdown()
    assert done == [{"text": "報告"}]
    assert inbox.pending(engine, "line") == []

"""The event worker: each recorded event processed once; a failure is kept, retried while running
and on the next start, up to inbox.MAX_ATTEMPTS."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.core import inbox
from bot.core.worker import EventWorker


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


def test_failed_events_are_retried_while_running_until_the_attempts_run_out(engine: Engine, now: datetime) -> None:
    calls: list[str] = []

    def always_down(payload: dict[str, Any]) -> None:
        calls.append(payload["text"])
        raise ConnectionError("LINE is down")

    worker = EventWorker(engine, "line", always_down, lambda: now)
    row = inbox.record(engine, "line", "we-2", {"text": "報告"}, now, claimed=True)  # as the webhook does
    assert row is not None
    worker.submit(row, {"text": "報告"}).result(timeout=10)
    for _ in range(inbox.MAX_ATTEMPTS + 2):
        for f in worker.retry_failed():
            f.result(timeout=10)
    worker.shutdown()
    assert len(calls) == inbox.MAX_ATTEMPTS  # the first try and the retries it had left, no more
    assert inbox.failed(engine, "line") == []


def test_an_event_in_flight_is_not_taken_as_failed(engine: Engine, now: datetime) -> None:
    row = inbox.record(engine, "slack", "Ev9", {"text": "ヘルプ"}, now, claimed=True)  # processing
    worker = EventWorker(engine, "slack", lambda payload: None, lambda: now)
    assert worker.retry_failed() == []
    worker.shutdown()
    assert inbox.pending(engine, "slack") == [row]  # still the next start's to finish, if it dies


def test_the_retry_loop_finishes_an_event_once_the_platform_is_back(engine: Engine, now: datetime) -> None:
    up = threading.Event()
    done = threading.Event()

    def flaky(payload: dict[str, Any]) -> None:
        if not up.is_set():
            up.set()  # down for the first attempt only
            raise ConnectionError("Slack is down")
        done.set()

    worker = EventWorker(engine, "slack", flaky, lambda: now, retry_every=0.05)
    row = inbox.record(engine, "slack", "Ev10", {"text": "ヘルプ"}, now, claimed=True)
    assert row is not None
    worker.start_retrying()
    worker.submit(row, {"text": "ヘルプ"})
    try:
        assert done.wait(10), "the failed event was not retried"
    finally:
        worker.shutdown()
    assert inbox.pending(engine, "slack") == []


def test_start_finishes_what_was_left_and_keeps_retrying(engine: Engine, now: datetime) -> None:
    left = inbox.record(engine, "line", "we-left", {"text": "残り"}, now, claimed=True)  # a dead process's
    done: list[str] = []
    finished = threading.Event()
    failures = {"新しい": 1}

    def process(payload: dict[str, Any]) -> None:
        if failures.get(payload["text"], 0):
            failures[payload["text"]] -= 1
            raise ConnectionError("LINE is down")
        done.append(payload["text"])
        if len(done) == 2:
            finished.set()

    worker = EventWorker(engine, "line", process, lambda: now, retry_every=0.05)
    worker.start()
    new = inbox.record(engine, "line", "we-new", {"text": "新しい"}, now, claimed=True)
    assert left is not None and new is not None
    worker.submit(new, {"text": "新しい"})
    try:
        assert finished.wait(10), f"processed only {done}"
    finally:
        worker.shutdown()
    assert sorted(done) == ["新しい", "残り"]
    assert inbox.pending(engine, "line") == []

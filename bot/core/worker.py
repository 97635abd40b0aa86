"""Processes recorded inbound events after the ack, in background threads.

An adapter records an event (bot.core.inbox.record) before answering the platform, then hands the
row id to the worker. On start, `recover()` finishes what a previous process recorded but did not
process; while running, `start_retrying()` takes up again, once a minute, the events that failed
(the platform down through every retry of a delivery) and those left `processing` past their
lease (a worker lost with its database connection), until MAX_ATTEMPTS. Each event is claimed in
the database first, so two web processes never both run it. A delivery refused for a rate limit
(`RateLimited`) is tried again after its Retry-After, without a thread sleeping meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.core import inbox, metrics
from bot.core.logs import event_context
from bot.core.messages import RateLimited

log = logging.getLogger(__name__)
Process = Callable[[dict[str, Any]], None]
RETRY_EVERY = 60.0  # seconds between looks for failed events


class EventWorker:
    """A small thread pool that runs `process(payload)` once per recorded event."""

    def __init__(self, engine: Engine, platform: str, process: Process, clock: Callable[[], datetime],
                 threads: int = 4, retry_every: float = RETRY_EVERY) -> None:
        self.engine = engine
        self.platform = platform
        self.process = process
        self.clock = clock
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"{platform}-events")
        self.retry_every = retry_every
        self._stopped = threading.Event()

    def submit(self, row_id: int, payload: dict[str, Any] | None = None) -> Future[None]:
        """Run a recorded event; with `payload`, one recorded already claimed (inbox.record(claimed=True))."""
        return self.pool.submit(self.run, row_id, payload)

    def run(self, row_id: int, payload: dict[str, Any] | None = None) -> None:
        """Claim, process, finish; an error is stored and the event stays retryable."""
        attempt = 1  # an event recorded already claimed (inbox.record(claimed=True)) is on its first
        if payload is None:
            taken = inbox.take(self.engine, row_id)
            if taken is None:
                return
            payload, attempt = taken.payload, taken.attempt
        with event_context(f"{self.platform}:{payload.get('id') or row_id}"):
            try:
                self.process(payload)
            except RateLimited as exc:  # nothing was sent: again after Retry-After, no thread waits
                log.warning("%s event %s: rate limited (%s)", self.platform, row_id, exc)
                inbox.finish(self.engine, row_id, self.clock(), error=f"RateLimited: {exc}", attempt=attempt)
                metrics.event_in(self.platform, "rate_limited")
                self.later(exc.retry_after or self.retry_every, row_id)
                return
            except Exception as exc:  # kept as failed: retried by retry_failed() or on the next start
                log.exception("%s event %s failed", self.platform, row_id)
                inbox.finish(self.engine, row_id, self.clock(), error=f"{type(exc).__name__}: {exc}", attempt=attempt)
                metrics.event_in(self.platform, "failed")
                return
            if not inbox.finish(self.engine, row_id, self.clock(), attempt=attempt):
                log.warning("%s event %s: finished after its lease ran out; another worker had taken it",
                            self.platform, row_id)
            metrics.event_in(self.platform, "processed")

    def later(self, seconds: float, row_id: int) -> None:
        """Run the event again in `seconds` (a timer, not a sleeping worker thread)."""
        if self._stopped.is_set():
            return
        timer = threading.Timer(seconds, lambda: None if self._stopped.is_set() else self._resubmit(row_id))
        timer.daemon = True
        timer.start()

    def _resubmit(self, row_id: int) -> None:
        try:
            self.submit(row_id)
        except RuntimeError:  # the pool was shut down meanwhile: the next start takes it up
            pass

    def start(self) -> None:
        """What a web process does once on start: finish what an earlier process left, then keep
        taking up failed events while running."""
        self.recover()
        self.start_retrying()

    def recover(self) -> list[Future[None]]:
        """Finish what an earlier process recorded but did not process (call once on start)."""
        inbox.reset_stale(self.engine, self.platform)
        return [self.submit(row_id) for row_id in inbox.pending(self.engine, self.platform)]

    def retry_failed(self) -> list[Future[None]]:
        """Run again the events that failed, and those whose worker died (lease run out), that have
        attempts left."""
        rows = inbox.failed(self.engine, self.platform) + inbox.stale(self.engine, self.platform)
        return [self.submit(row_id) for row_id in sorted(set(rows))]

    def start_retrying(self) -> None:
        """Call `retry_failed()` every `retry_every` seconds on a daemon thread, until shutdown."""
        def loop() -> None:
            while not self._stopped.wait(self.retry_every):
                try:
                    self.retry_failed()
                except Exception:  # the database away for a moment: look again next time
                    log.exception("%s: looking for failed events failed", self.platform)

        threading.Thread(target=loop, name=f"{self.platform}-retry", daemon=True).start()

    def shutdown(self, wait: bool = True) -> None:
        self._stopped.set()
        self.pool.shutdown(wait=wait)

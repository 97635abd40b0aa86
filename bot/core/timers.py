"""Actions that run after a delay unless cancelled first, all timed by one thread.

The LINE adapter shows its loading animation only when a message takes a while, and nearly every
message is answered long before. So the usual case, `after()` then `cancel()`, must not wake any
thread: it is a push onto a heap and a mark, each under a lock. The timer thread is never notified;
it sleeps until the earliest deadline or one tick, whichever comes first, so an action runs at most
one tick late (a tick is 0.1 s: the loading dots are meant to appear after half a second).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
TICK = 0.1  # seconds: the longest the timer thread sleeps, so the longest an action runs late


@dataclass(order=True)
class Pending:
    """One scheduled action; `cancel()` clears `action` (the heap drops it when it comes up)."""

    deadline: float
    seq: int
    action: Callable[[], object] | None = field(compare=False)


class Deadlines:
    """`after(delay, action)` → a handle; `cancel(handle)` unless it has run. Actions run on the
    timer thread, so they must be short (hand anything slow to a pool)."""

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic, tick: float = TICK) -> None:
        self.name = name
        self.clock = clock
        self.tick = tick
        self._heap: list[Pending] = []
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    def after(self, delay: float, action: Callable[[], object]) -> Pending:
        entry = Pending(self.clock() + delay, next(self._seq), action)
        with self._lock:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return entry

    def cancel(self, entry: Pending) -> None:
        entry.action = None

    def stop(self) -> None:
        self._stopped.set()

    def due(self) -> list[Callable[[], object]]:
        """Take the actions whose time has come (the timer thread's step; tests call it directly)."""
        now, ready = self.clock(), []
        with self._lock:
            while self._heap and (self._heap[0].action is None or self._heap[0].deadline <= now):
                entry = heapq.heappop(self._heap)
                if entry.action is not None:
                    ready.append(entry.action)
                    entry.action = None
        return ready

    def _sleep_for(self) -> float:
        with self._lock:
            head = self._heap[0].deadline if self._heap else None
        return self.tick if head is None else max(0.0, min(self.tick, head - self.clock()))

    def _run(self) -> None:
        while not self._stopped.wait(self._sleep_for()):
            for action in self.due():
                try:
                    action()
                except Exception:  # one failed action must not stop the others
                    log.exception("%s: a scheduled action failed", self.name)

"""The clock's heartbeat: the scheduler process stamps a row on start and on every job it runs
(the sender job runs every OUTBOX_POLL_SECONDS), and the web process's /healthz reads it, so a
clock that died or hangs is seen from outside (503 with the reason) instead of by a missed
reminder weeks later. Times are real (UTC), never BOT_NOW: a rehearsal's clock is still alive."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import session_scope
from bot.storage.models import ClockHeartbeat

CLOCK = "clock"


def real_now() -> datetime:
    return datetime.now(UTC)


def beat(engine: Engine, now: datetime | None = None, started_at: datetime | None = None, name: str = CLOCK) -> None:
    """Stamp the heartbeat (an upsert that works on SQLite and PostgreSQL alike)."""
    now = now or real_now()
    values = {"beat_at": now, "host": socket.gethostname()[:200], "pid": os.getpid()}
    if started_at is not None:
        values["started_at"] = started_at
    with session_scope(engine) as s:
        done = s.execute(update(ClockHeartbeat).where(ClockHeartbeat.name == name).values(**values))
        if done.rowcount:  # type: ignore[attr-defined]
            return
    try:
        with session_scope(engine) as s:
            s.execute(insert(ClockHeartbeat).values(**{"started_at": now, **values, "name": name}))
    except IntegrityError:  # another clock inserted it a moment ago: its stamp is as good
        pass


@dataclass(frozen=True)
class ClockHealth:
    """What /healthz says about the clock: never seen, alive, or stale (with its age)."""

    state: str  # "never" | "ok" | "stale"
    beat_at: datetime | None = None
    age_seconds: float | None = None
    host: str | None = None
    pid: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"status": self.state, "last_beat": self.beat_at.isoformat() if self.beat_at else None,
                "age_seconds": None if self.age_seconds is None else round(self.age_seconds, 1),
                "host": self.host, "pid": self.pid}


def health(engine: Engine, stale_after: int, now: datetime | None = None, name: str = CLOCK) -> ClockHealth:
    now = now or real_now()
    with session_scope(engine) as s:
        row = s.scalars(select(ClockHeartbeat).where(ClockHeartbeat.name == name)).one_or_none()
        if row is None:
            return ClockHealth("never")
        age = (now - row.beat_at).total_seconds()
        return ClockHealth("stale" if age > stale_after else "ok", row.beat_at, age, row.host, row.pid)

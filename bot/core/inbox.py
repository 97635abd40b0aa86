"""Inbound webhook events, recorded before the ack and processed after.

The unique key (platform, event_id) makes a redelivery or a replay a no-op; a row still
`received` after a crash is finished by `pending()` on the next start.

Processing is a lease (`lease_until`, real time, LEASE_SECONDS): an event left `processing` by a
worker that died while the process runs on (a thread lost with its database connection) is taken
up again once the lease runs out (`stale()`, looked for by the worker's retry loop), by one worker
only (the claim is a conditional UPDATE). A worker whose lease ran out and was taken over does not
record its outcome over the new claim (`finish(..., attempt=)`).

`record`, `keep_replies` and `finish` sit on the path from a webhook to its reply, so they are
single Core statements built once (SQLAlchemy then only binds the values), not ORM units of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import session_scope
from bot.storage.models import InboundEvent

MAX_ATTEMPTS = 5
LEASE_SECONDS = 300  # far longer than routing and delivering one event takes


def real_now() -> datetime:
    """Leases run on the real clock, whatever BOT_NOW says."""
    return datetime.now(UTC)


def lease_from(now: datetime) -> datetime:
    return now + timedelta(seconds=LEASE_SECONDS)

_events = cast(Table, InboundEvent.__table__)
_INSERT = insert(_events)
_KEEP = (update(_events)
         .where(_events.c.platform == bindparam("k_platform"), _events.c.event_id == bindparam("k_event_id"))
         .values(payload=bindparam("k_payload")))


def record(engine: Engine, platform: str, event_id: str, payload: dict[str, Any], now: datetime,
           claimed: bool = False) -> int | None:
    """Store the event; its row id if new, None if this (platform, event_id) was seen before.

    `claimed=True` stores it already claimed by the caller (one commit fewer before the reply);
    the caller then runs it with `EventWorker.submit(row_id, payload)`.
    """
    row = {"platform": platform, "event_id": event_id, "payload": payload, "received_at": now,
           "status": "processing" if claimed else "received", "attempts": 1 if claimed else 0,
           "lease_until": lease_from(real_now()) if claimed else None}
    try:
        with engine.begin() as conn:
            key = conn.execute(_INSERT, row).inserted_primary_key
    except IntegrityError:
        return None
    return int(key[0]) if key else None


def keep_replies(db: Session | Connection, platform: str, event_id: str, payload: dict[str, Any],
                 replies: list[Any]) -> None:
    """Keep the rendered replies with the event, in the transaction that routed it: when their
    delivery fails, a retry delivers them instead of routing the message again."""
    db.execute(_KEEP, {"k_platform": platform, "k_event_id": event_id,
                       "k_payload": {**payload, "replies": replies}})


@dataclass(frozen=True)
class Taken:
    """An event claimed for processing: its payload and which attempt this is (the claim's mark)."""

    payload: dict[str, Any]
    attempt: int


def _takeable(now: datetime) -> Any:
    """Received or failed, or `processing` under a lease that has run out (its worker is gone)."""
    expired = and_(InboundEvent.status == "processing",
                   or_(InboundEvent.lease_until.is_(None), InboundEvent.lease_until <= now))
    return and_(or_(InboundEvent.status.in_(("received", "failed")), expired), InboundEvent.attempts < MAX_ATTEMPTS)


def take(engine: Engine, row_id: int, now: datetime | None = None) -> Taken | None:
    """Claim an event for processing under a lease; None if another worker holds or finished it."""
    now = now or real_now()
    with session_scope(engine) as session:
        result = session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == row_id, _takeable(now))
            .values(status="processing", attempts=InboundEvent.attempts + 1, lease_until=lease_from(now))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(InboundEvent, row_id)
        return Taken(dict(row.payload), row.attempts) if row else None


def claim(engine: Engine, row_id: int) -> dict[str, Any] | None:
    """Take a received event for processing; None if another worker already took or finished it."""
    taken = take(engine, row_id)
    return taken.payload if taken else None


def finish(engine: Engine, row_id: int, now: datetime, error: str | None = None,
           attempt: int | None = None) -> bool:
    """Record the outcome; with `attempt`, only while that claim still holds (False: another worker
    took the event over after our lease ran out, and its outcome is the one that counts)."""
    values = {"status": "failed" if error else "processed", "error": error, "processed_at": now,
              "lease_until": None}
    stmt = update(_events).where(_events.c.id == row_id).values(**values)
    if attempt is not None:
        stmt = stmt.where(_events.c.status == "processing", _events.c.attempts == attempt)
    with engine.begin() as conn:
        return bool(conn.execute(stmt).rowcount)


def stale(engine: Engine, platform: str, now: datetime | None = None) -> list[int]:
    """Events left `processing` past their lease: their worker died while this process runs."""
    now = now or real_now()
    with Session(engine) as session:
        stmt = select(InboundEvent.id).where(
            InboundEvent.platform == platform, InboundEvent.status == "processing",
            InboundEvent.lease_until.is_not(None), InboundEvent.lease_until <= now,
            InboundEvent.attempts < MAX_ATTEMPTS)
        return list(session.scalars(stmt.order_by(InboundEvent.id)))


def note_reply(engine: Engine, platform: str, event_id: str, now: datetime) -> None:
    """The answer is about to go out with the event's single-use reply token (committed first)."""
    with engine.begin() as conn:
        conn.execute(update(_events).where(_events.c.platform == platform, _events.c.event_id == event_id)
                     .values(reply_tried_at=now))


def reply_tried(engine: Engine, platform: str, event_id: str) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(_events.c.reply_tried_at).where(
            _events.c.platform == platform, _events.c.event_id == event_id)) is not None


def pending(engine: Engine, platform: str) -> list[int]:
    """Events recorded but not finished: a crash between ack and processing left them."""
    return _with_attempts_left(engine, platform, ("received", "processing", "failed"))


def failed(engine: Engine, platform: str) -> list[int]:
    """Events whose processing failed and that have attempts left (not those in flight)."""
    return _with_attempts_left(engine, platform, ("failed",))


def _with_attempts_left(engine: Engine, platform: str, statuses: tuple[str, ...]) -> list[int]:
    with Session(engine) as session:
        stmt = select(InboundEvent.id).where(
            InboundEvent.platform == platform,
            InboundEvent.status.in_(statuses),
            InboundEvent.attempts < MAX_ATTEMPTS,
        )
        return list(session.scalars(stmt.order_by(InboundEvent.id)))


def reset_stale(engine: Engine, platform: str) -> None:
    """On start, events left `processing` by the previous (dead) process are received again (one
    web process serves a platform; while it runs, leases find what a lost worker left)."""
    with session_scope(engine) as session:
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.platform == platform, InboundEvent.status == "processing")
            .values(status="received", lease_until=None)
        )

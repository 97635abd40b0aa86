"""Inbound webhook events, recorded before the ack and processed after.

The unique key (platform, event_id) makes a redelivery or a replay a no-op; a row still
`received` after a crash is finished by `pending()` on the next start.

`record`, `keep_replies` and `finish` sit on the path from a webhook to its reply, so they are
single Core statements built once (SQLAlchemy then only binds the values), not ORM units of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import session_scope
from bot.storage.models import InboundEvent

MAX_ATTEMPTS = 5

_events = cast(Table, InboundEvent.__table__)
_INSERT = insert(_events)
_KEEP = (update(_events)
         .where(_events.c.platform == bindparam("k_platform"), _events.c.event_id == bindparam("k_event_id"))
         .values(payload=bindparam("k_payload")))
_FINISH = (update(_events).where(_events.c.id == bindparam("f_id"))
           .values(status=bindparam("f_status"), error=bindparam("f_error"), processed_at=bindparam("f_at")))


def record(engine: Engine, platform: str, event_id: str, payload: dict[str, Any], now: datetime,
           claimed: bool = False) -> int | None:
    """Store the event; its row id if new, None if this (platform, event_id) was seen before.

    `claimed=True` stores it already claimed by the caller (one commit fewer before the reply);
    the caller then runs it with `EventWorker.submit(row_id, payload)`.
    """
    row = {"platform": platform, "event_id": event_id, "payload": payload, "received_at": now,
           "status": "processing" if claimed else "received", "attempts": 1 if claimed else 0}
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


def claim(engine: Engine, row_id: int) -> dict[str, Any] | None:
    """Take a received event for processing; None if another worker already took or finished it."""
    with session_scope(engine) as session:
        result = session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == row_id, InboundEvent.status.in_(("received", "failed")))
            .where(InboundEvent.attempts < MAX_ATTEMPTS)
            .values(status="processing", attempts=InboundEvent.attempts + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(InboundEvent, row_id)
        return dict(row.payload) if row else None


def finish(engine: Engine, row_id: int, now: datetime, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(_FINISH, {"f_id": row_id, "f_status": "failed" if error else "processed",
                               "f_error": error, "f_at": now})


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
    """On start, events left `processing` by a dead process are received again."""
    with session_scope(engine) as session:
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.platform == platform, InboundEvent.status == "processing")
            .values(status="received")
        )

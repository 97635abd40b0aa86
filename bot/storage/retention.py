"""Retention: what the bot no longer needs is deleted (`kaikaku purge --older-than DAYS`).

Only rows whose work is done go: processed inbound events (their replay guard is long past),
delivered outbox messages (except those of a round still in progress: their keys keep the
clock from sending them twice), and failed registration attempts (the rate limit looks back
an hour). Reports, members and anything pending or failed are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, not_, select
from sqlalchemy.orm import Session

from bot.storage.models import InboundEvent, OutboxMessage, RegistrationAttempt


@dataclass(frozen=True)
class Purged:
    events: int
    outbox: int
    attempts: int


def _conditions(cutoff: datetime, keep_key_prefixes: Sequence[str]) -> list[tuple[Any, ColumnElement[bool]]]:
    sent = and_(OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff)
    for prefix in keep_key_prefixes:
        sent = and_(sent, not_(OutboxMessage.key.startswith(prefix, autoescape=True)))
    return [
        (InboundEvent, and_(InboundEvent.status == "processed", InboundEvent.processed_at < cutoff)),
        (OutboxMessage, sent),
        (RegistrationAttempt, RegistrationAttempt.at < cutoff),
    ]


def purge(session: Session, cutoff: datetime, keep_key_prefixes: Sequence[str] = (),
          dry_run: bool = False) -> Purged:
    """Delete (or with `dry_run` only count) the finished rows older than `cutoff`."""
    counts = []
    for model, condition in _conditions(cutoff, keep_key_prefixes):
        if dry_run:
            counts.append(int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0))
        else:
            result = session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
            counts.append(int(result.rowcount))  # type: ignore[attr-defined]
    return Purged(*counts)

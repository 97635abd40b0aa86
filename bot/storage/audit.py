"""The audit trail: every change to a report, a member, an assignment or the catalog, with who,
when, and the values before and after.

`record` is called inside the transaction that makes the change, so an act and its entry are
committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import AuditEntry
from bot.texts.labels import AUDIT_ACTION

SUBJECTS = ("report", "member", "assignment", "catalog")


@dataclass(frozen=True)
class Actor:
    """Who acted: `key` is "platform:user_id" (or "cli:<os user>"); `name` is the display name."""

    key: str
    name: str | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject: str,
    *,
    measure_no: int | None = None,
    department_id: int | None = None,
    fy: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the session (committed with the change it describes)."""
    if action not in AUDIT_ACTION:
        raise ValueError(f"unknown audit action: {action!r}")
    if subject not in SUBJECTS:
        raise ValueError(f"unknown audit subject: {subject!r}")
    entry = AuditEntry(
        at=at or datetime.now(UTC), actor=actor.key, actor_name=actor.name, action=action,
        subject=subject, measure_no=measure_no, department_id=department_id, fy=fy,
        before=before, after=after,
    )
    session.add(entry)
    return entry


def entries(
    session: Session, *, measure_no: int | None = None, since: datetime | None = None
) -> list[AuditEntry]:
    """Entries oldest first, optionally for one measure and from a moment on."""
    query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    if measure_no is not None:
        query = query.where(AuditEntry.measure_no == measure_no)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return list(session.scalars(query))

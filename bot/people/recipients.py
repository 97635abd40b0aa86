"""Who receives the clock's messages, and on which of their accounts.

A person may have several accounts (Member.person links them, e.g. Slack at the desk and LINE on
the phone); the clock reaches each person once, on the first platform of
`Settings.delivery_platform_order`. When a push is refused there (LINE's monthly budget), the
outbox falls back to the person's next account (`fallback_account`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.storage.models import Department, Member


def members_by_department(session: Session) -> dict[int, list[Member]]:
    """Every member, grouped by department id (one query)."""
    out: dict[int, list[Member]] = defaultdict(list)
    for member in session.scalars(select(Member).order_by(Member.department_id, Member.id)):
        out[member.department_id].append(member)
    return out


def _rank(order: Sequence[str]) -> dict[str, int]:
    return {platform: i for i, platform in enumerate(order)}


def pick_accounts(members: Sequence[Member], order: Sequence[str]) -> list[Member]:
    """One account per person: the first by platform order (then the earliest registered)."""
    rank = _rank(order)
    best: dict[str, Member] = {}
    for m in members:
        who = m.person or f"#{m.id}"
        current = best.get(who)
        if current is None or (rank.get(m.platform, len(rank)), m.id) < (rank.get(current.platform, len(rank)), current.id):
            best[who] = m
    return sorted(best.values(), key=lambda m: (m.platform, m.user_id))


def managers_or_all(members: Sequence[Member]) -> list[Member]:
    """The department's managers; everybody when it registered none."""
    managers = [m for m in members if m.role == "manager"]
    return managers or list(members)


def coordinators(session: Session, settings: Settings) -> list[Member]:
    """The coordinating division's members and anyone with the coordinator role."""
    stmt = (
        select(Member)
        .join(Department, Department.id == Member.department_id)
        .where(or_(Department.name == settings.coordinator_department, Member.role == "coordinator"))
        .order_by(Member.id)
    )
    return pick_accounts(list(session.scalars(stmt)), settings.delivery_platform_order)


def fallback_account(session: Session, platform: str, user_id: str, order: Sequence[str]) -> Member | None:
    """The same person's account on another platform (next by `order`), or None."""
    member = session.scalar(select(Member).where(Member.platform == platform, Member.user_id == user_id))
    if member is None or not member.person:
        return None
    others = session.scalars(
        select(Member).where(Member.person == member.person, Member.platform != platform).order_by(Member.id)
    ).all()
    rank = _rank(order)
    ranked = sorted(others, key=lambda m: (rank.get(m.platform, len(rank)), m.id))
    return ranked[0] if ranked else None

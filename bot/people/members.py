"""Who is who: chat accounts linked to departments, with a role."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from bot.core import platforms
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.messages import Reply
from bot.storage import audit
from bot.storage.audit import Actor
from bot.storage.models import Department, Member
from bot.texts import people as t

log = logging.getLogger(__name__)

ROLES = ("staff", "manager", "coordinator")


# Built once: every message looks its sender up, and building the statement costs more than binding it.
_BY_ACCOUNT = (select(Member)
               .where(Member.platform == bindparam("m_platform"), Member.user_id == bindparam("m_user_id"))
               .options(joinedload(Member.department)))


def find_member(session: Session, platform: str, user_id: str) -> Member | None:
    return session.scalar(_BY_ACCOUNT, {"m_platform": platform, "m_user_id": user_id})


def add_member(
    session: Session,
    platform: str,
    user_id: str,
    department: Department,
    role: str = "staff",
    name: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Member:
    """Register (or re-register) a chat account; the last registration wins. With `actor`, the
    change is recorded in the audit trail (member_add, or member_move / role_change)."""
    known = platforms.names()
    if platform not in known:
        raise ValueError(t.UNKNOWN_PLATFORM.format(known=", ".join(known), platform=platform))
    if role not in ROLES:
        raise ValueError(t.UNKNOWN_ROLE.format(known=", ".join(ROLES), role=role))
    member = find_member(session, platform, user_id)
    before = snapshot(member) if member is not None else None
    if member is None:
        member = Member(platform=platform, user_id=user_id, created_at=now or datetime.now().astimezone())
        session.add(member)
    member.department = department
    member.role = role
    if name is not None:
        member.name = name
    session.flush()
    if actor is not None:
        _record_change(session, actor, before, member, now)
    return member


def snapshot(member: Member) -> dict[str, Any]:
    """A member as the audit trail keeps it (before / after a change)."""
    return {"account": f"{member.platform}:{member.user_id}", "name": member.name,
            "department": member.department.name, "role": member.role}


def _record_change(session: Session, actor: Actor, before: dict[str, Any] | None, member: Member,
                   now: datetime | None) -> None:
    after = snapshot(member)
    if before == after:
        return
    if before is None:
        action = "member_add"
    elif before["department"] != after["department"]:
        action = "member_move"
    elif before["role"] != after["role"]:
        action = "role_change"
    else:
        action = "member_add"  # re-registered under another name
    audit.record(session, actor, action, "member", department_id=member.department_id,
                 before=before, after=after, at=now)


def move_member(session: Session, member: Member, department: Department, actor: Actor,
                now: datetime | None = None) -> Member:
    """Move a member to another department, keeping the role; recorded."""
    before = snapshot(member)
    member.department = department
    session.flush()
    _record_change(session, actor, before, member, now)
    return member


def remove_member(session: Session, member: Member, actor: Actor, now: datetime | None = None) -> None:
    """Remove a chat account: it can no longer report or see results; recorded."""
    audit.record(session, actor, "member_remove", "member", department_id=member.department_id,
                 before=snapshot(member), after=None, at=now)
    session.delete(member)
    session.flush()


def platform_name(settings: Settings, platform: str, user_id: str) -> str | None:
    """The display name the platform shows for the account (None: no profile, or not reachable)."""
    found = platforms.get(platform)
    if found is None or found.display_name is None:
        return None
    try:
        return found.display_name(settings, user_id)
    except Exception:  # a profile lookup never stops a registration
        log.warning("display name of a %s account could not be fetched", platform, exc_info=True)
        return None


def refresh_name(settings: Settings, member: Member) -> bool:
    """Take the platform's current display name (at registration and linking); whether it changed."""
    name = platform_name(settings, member.platform, member.user_id)
    if not name or name == member.name:
        return False
    member.name = name[:100]
    return True


def list_members(session: Session) -> list[Member]:
    stmt = (
        select(Member)
        .join(Member.department)
        .options(joinedload(Member.department))
        .order_by(Department.name, Member.platform, Member.user_id)
    )
    return list(session.scalars(stmt))


def members_of(session: Session, department_id: int, roles: tuple[str, ...] = ROLES) -> list[Member]:
    stmt = select(Member).where(Member.department_id == department_id, Member.role.in_(roles))
    return list(session.scalars(stmt.order_by(Member.platform, Member.user_id)))


def is_coordinator(member: Member | None, coordinator_department: str) -> bool:
    """The coordinating division may report for any measure and sees everything (decided by
    `bot.people.permissions`; who may *act* as coordinator is `permissions.acts_as_coordinator`)."""
    from bot.people import permissions

    return permissions.reports_for_any(member, coordinator_department)


def profile_changed(ctx: Context) -> list[Reply]:
    """A neutral "profile" event (Slack's user_change): a registered member's display name follows
    the platform's. Nothing is said; anyone else's profile is none of the bot's business."""
    name = " ".join((ctx.incoming.text or "").split())[:100]
    if ctx.member is not None and name and name != ctx.member.name:
        ctx.member.name = name
    return []

"""Who is who: chat accounts linked to departments, with a role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from bot.core import platforms
from bot.storage.models import Department, Member
from bot.texts import people as t

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
) -> Member:
    """Register (or re-register) a chat account; the last registration wins."""
    known = platforms.names()
    if platform not in known:
        raise ValueError(t.UNKNOWN_PLATFORM.format(known=", ".join(known), platform=platform))
    if role not in ROLES:
        raise ValueError(t.UNKNOWN_ROLE.format(known=", ".join(ROLES), role=role))
    member = find_member(session, platform, user_id)
    if member is None:
        member = Member(platform=platform, user_id=user_id, created_at=now or datetime.now().astimezone())
        session.add(member)
    member.department = department
    member.role = role
    if name is not None:
        member.name = name
    session.flush()
    return member


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
    """The coordinating division may report for any measure and sees everything."""
    if member is None:
        return False
    return member.role == "coordinator" or member.department.name == coordinator_department

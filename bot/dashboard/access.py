"""Who sees what on the dashboard, decided in one place.

The coordinating division sees every department; a manager the departments of their accounts
(one person may hold accounts in several, linked by Member.person); staff their own department.
At merge this is meant to defer to bot/people/permissions.py, the project-wide rule book: every
view asks `visible_departments` and nothing else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.people.members import is_coordinator
from bot.storage.models import Member

ALL: None = None  # "every department"


def visible_departments(session: Session, settings: Settings, member: Member) -> frozenset[int] | None:
    """The department ids `member` may see on the dashboard; None means all of them."""
    if is_coordinator(member, settings.coordinator_department):
        return ALL
    if member.role == "manager" and member.person:
        same_person = select(Member.department_id).where(Member.person == member.person,
                                                         Member.role.in_(("manager", "coordinator")))
        return frozenset(session.scalars(same_person)) | {member.department_id}
    return frozenset({member.department_id})


def may_see(scope: frozenset[int] | None, department_id: int) -> bool:
    return scope is None or department_id in scope


def may_download(scope: frozenset[int] | None) -> bool:
    """The workbook holds every department's results: the coordinating division's to take."""
    return scope is None

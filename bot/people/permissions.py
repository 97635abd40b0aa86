"""Who may see and do what: the one place that decides it (docs/roles.md is its description).

Seeing:
- the plan's facts (measures, targets, yearly plans, departments) — anyone the bot talks to,
  registered or not, in a one-to-one chat or in a group/channel;
- the round's status (who has submitted, drafts) — registered members, in a one-to-one chat;
- reported results (実施結果, actuals, rating, reporter) of a department — its own members, any
  manager, and the coordinating division (`Settings.coordinator_department`, every role), in a
  one-to-one chat. A group or channel never sees results or status: anyone may be reading there.

Acting:
- linking people, issuing registration codes in chat, moving people between departments and
  assigning measures — only role `coordinator` (the coordinating division's staff *see*
  everything, but only a coordinator *acts* as one);
- nobody grants a role above their own;
- reviewing (approve / return) a department's report — its managers, or a coordinator or manager
  of the coordinating division.

People are named by display name (`display_name`), never by their account id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.core.config import Settings
from bot.storage.tables import member as member_table
from bot.texts import people as say

if TYPE_CHECKING:  # the ORM classes are not imported by a question that reads no member (kaikaku ask)
    from sqlalchemy.orm import Session

    from bot.storage.models import Member

ROLE_RANK = {"staff": 0, "manager": 1, "coordinator": 2}


@dataclass(frozen=True)
class Viewer:
    """Who is asking, and where: the member (None: not registered) and whether the chat is one-to-one."""

    member: Member | None
    coordinator_department: str
    direct: bool = True

    @property
    def registered(self) -> bool:
        return self.member is not None

    @property
    def sees_status(self) -> bool:
        """The round's status (submitted or not, drafts): registered members, one-to-one."""
        return self.direct and self.member is not None

    @property
    def sees_all_results(self) -> bool:
        """Every department's results: managers and the coordinating division, one-to-one."""
        return self.sees_status and sees_everything(self.member, self.coordinator_department)

    def sees_results_of(self, department_id: int) -> bool:
        """One department's reported results: its members, managers, the coordinating division."""
        if not self.sees_status or self.member is None:
            return False
        return self.member.department_id == department_id or self.sees_all_results


def viewer(member: Member | None, settings: Settings, direct: bool = True) -> Viewer:
    return Viewer(member, settings.coordinator_department, direct)


def in_coordinating_division(member: Member | None, coordinator_department: str) -> bool:
    return member is not None and member.department.name == coordinator_department


def sees_everything(member: Member | None, coordinator_department: str) -> bool:
    """Managers, coordinators and the coordinating division's staff see every department's results."""
    if member is None:
        return False
    return member.role in ("manager", "coordinator") or in_coordinating_division(member, coordinator_department)


def dashboard_departments(session: Session, settings: Settings, member: Member) -> frozenset[int] | None:
    """The departments whose pages a member opens on the dashboard; None means every department.

    The dashboard is a department's working page, so it is scoped tighter than chat answers
    (issue 15): the coordinating division (every role) and coordinators get all of it, a manager
    the departments of their linked manager accounts, staff their own department. A manager still
    reads other departments' results in chat (`Viewer.sees_results_of`).
    """
    if reports_for_any(member, settings.coordinator_department):
        return None
    if member.role == "manager" and member.person:
        m = member_table.c
        same_person = select(m.department_id).where(m.person == member.person, m.role.in_(("manager", "coordinator")))
        return frozenset(session.scalars(same_person)) | {member.department_id}
    return frozenset({member.department_id})


def coordinating(member: Member | None, settings: Settings) -> bool:
    """The coordinating division's desk (e.g. which departments have nobody registered): its
    members and anyone with the coordinator role."""
    return acts_as_coordinator(member) or in_coordinating_division(member, settings.coordinator_department)


def reports_for_any(member: Member | None, coordinator_department: str) -> bool:
    """The coordinating division (every role) and coordinators may report on any measure."""
    if member is None:
        return False
    return member.role == "coordinator" or in_coordinating_division(member, coordinator_department)


def acts_as_coordinator(member: Member | None) -> bool:
    """Only role `coordinator` links people, issues codes in chat, moves people, assigns measures."""
    return member is not None and member.role == "coordinator"


def can_grant(member: Member | None, role: str) -> bool:
    """Nobody grants a role above their own (an operator at the server's shell is not a member)."""
    if member is None or role not in ROLE_RANK:
        return False
    return ROLE_RANK[role] <= ROLE_RANK.get(member.role, -1)


def can_review(session: Session, settings: Settings, member: Member | None, department_id: int) -> bool:
    """Approve or return a department's report: its managers; a coordinator; a manager of the
    coordinating division (who stands in for a department with no manager registered)."""
    if member is None:
        return False
    if member.role == "manager" and member.department_id == department_id:
        return True
    if member.role == "coordinator":
        return True
    return member.role == "manager" and in_coordinating_division(member, settings.coordinator_department)


def recipients_of_everything(session: Session, settings: Settings) -> list[Member]:
    """Members who may receive what spans every department (the digest): the coordinating
    division and anyone with the coordinator role."""
    from bot.people.recipients import coordinators

    return [m for m in coordinators(session, settings) if sees_everything(m, settings.coordinator_department)]


# --- names ---------------------------------------------------------------------------------------


def display_name(member: Member | None) -> str:
    """How a member is named in a reply: the display name, else a neutral stand-in — never an id."""
    if member is None:
        return say.NAME_UNKNOWN
    if member.name:
        return say.NAME_HONORIFIC.format(name=member.name)
    return say.NAME_OF_DEPARTMENT.format(department=member.department.name)


def name_of_account(session: Session, account: str | None) -> str:
    """The display name behind a stored "platform:user" key (a report's reporter, an actor)."""
    if not account:
        return say.NAME_UNKNOWN
    from bot.storage.models import Member

    platform, _, user = account.partition(":")
    member = session.scalar(select(Member).where(Member.platform == platform, Member.user_id == user))
    if member is None:
        return say.NAME_OPERATOR if platform == "cli" else say.NAME_FORMER
    return display_name(member)

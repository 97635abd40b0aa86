"""Approval: a submitted report is approved, or returned with a comment, by a reviewer.

Reviewers of a department are its managers; a department with no manager registered is reviewed
by the coordinating division (its coordinators and managers), which may also review any report.
Who may review is decided by `bot.people.permissions.can_review` (asked through `can_review` here).

Reviews are serialised with submissions (`reports.lock_report`), so of two reviewers pressing 承認
at once one wins and the other is refused; a reviewer who looked at a revision that has since been
replaced is refused too (`revision=`). Every review writes an audit entry in its own transaction.
The status codes stay in report.status: draft / submitted / approved / returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from bot.catalog.store import measure_by_no
from bot.core.config import Settings
from bot.people import permissions
from bot.people.members import find_member
from bot.reporting import reports
from bot.storage import audit
from bot.storage.models import Department, Member, Report
from bot.texts import review as texts

REFUSALS = ("not_allowed", "not_submitted", "not_found", "stale", "no_comment", "own_report")
"""Why a review is refused (`ReviewRefused.code`):
not_allowed: the member is not a reviewer of the department; not_submitted: the current revision
is not waiting for review (nothing submitted, or already approved/returned: `.report` tells by
whom); not_found: no such measure, or the department is not responsible for it; stale: the
revision the reviewer looked at has been replaced (`.report` is the new one); no_comment: a
return without a reason; own_report: the reviewer submitted it (any of their linked accounts):
someone else reviews it (the coordinating division when the department's only manager reported)."""


class ReviewRefused(Exception):
    """A review that was not made; nothing was changed."""

    def __init__(self, code: str, report: Report | None = None) -> None:
        assert code in REFUSALS, code
        super().__init__(code)
        self.code = code
        self.report = report  # the current revision, when there is one


@dataclass(frozen=True)
class HistoryItem:
    """One step in a report's life: a submission (submit/revise) or a review (approve/return)."""

    action: str  # a code of texts.labels.AUDIT_ACTION: submit / revise / approve / return
    revision: int
    who: str  # the display name (never an account id)
    at: datetime | None
    comment: str | None = None


def account_key(member: Member) -> str:
    """How report rows and audit entries name an account: "platform:user_id"."""
    return f"{member.platform}:{member.user_id}"


def actor(member: Member) -> audit.Actor:
    return audit.Actor(account_key(member), member.name)


def display_name(session: Session, key: str | None) -> str:
    """The display name of an account key ("slack:U…"), or a neutral word when it has none."""
    platform, _, user = (key or "").partition(":")
    member = find_member(session, platform, user) if user else None
    return member.name if member is not None and member.name else texts.UNNAMED


def same_person(session: Session, member: Member, key: str | None) -> bool:
    """Whether the account `key` is `member`'s, or another account of the same person."""
    if key == account_key(member):
        return True
    platform, _, user = (key or "").partition(":")
    other = find_member(session, platform, user) if user else None
    return other is not None and member.person is not None and other.person == member.person


# --- who reviews -----------------------------------------------------------------------------------


def reviewers(session: Session, settings: Settings, department_id: int) -> list[Member]:
    """The department's managers; if none is registered, the coordinating division's reviewers."""
    managers = list(session.scalars(
        select(Member).where(Member.department_id == department_id, Member.role == "manager")
        .options(joinedload(Member.department)).order_by(Member.id)))
    return managers or division_reviewers(session, settings)


def division_reviewers(session: Session, settings: Settings) -> list[Member]:
    """The coordinating division's reviewers: its coordinators and managers."""
    stmt = (select(Member).join(Member.department)
            .where(or_(Member.role == "coordinator",
                       (Member.role == "manager") & (Department.name == settings.coordinator_department)))
            .options(joinedload(Member.department)).order_by(Member.id))
    return list(session.scalars(stmt))


def can_review(session: Session, settings: Settings, member: Member | None, department_id: int) -> bool:
    """Whether `member` may approve or return the department's reports: asked of
    `bot.people.permissions`, the one place that decides who may see and do what."""
    return permissions.can_review(session, settings, member, department_id)


# --- reviewing -------------------------------------------------------------------------------------


def reviewable(session: Session, settings: Settings, member: Member, measure_no: int, department_id: int,
               fy: int, revision: int | None = None) -> Report:
    """The current submitted revision that `member` may review, locked for this transaction; else
    `ReviewRefused` saying why (asked before a reason is typed, and by approve/return)."""
    measure = measure_by_no(session, measure_no)
    if measure is None or not reports.is_responsible(measure, department_id):
        raise ReviewRefused("not_found")
    if not can_review(session, settings, member, department_id):
        raise ReviewRefused("not_allowed")
    reports.lock_report(session, measure.id, department_id, fy)
    current = reports.current_report(session, measure.id, department_id, fy)
    if current is None or current.status != "submitted":
        raise ReviewRefused("not_submitted", current)
    if revision is not None and current.revision != revision:
        raise ReviewRefused("stale", current)
    if same_person(session, member, current.reported_by):
        raise ReviewRefused("own_report", current)
    return current


def _review(session: Session, member: Member, report: Report, status: str, comment: str | None,
            now: datetime) -> Report:
    before = {"status": report.status, "revision": report.revision}
    report.status = status
    report.reviewed_by = account_key(member)
    report.reviewed_at = now
    report.review_comment = comment
    after: dict[str, object] = {"status": status, "revision": report.revision}
    if comment:
        after["comment"] = comment
    action = "approve" if status == "approved" else "return"
    audit.record(session, actor(member), action, "report", measure_no=report.measure.no,
                 department_id=report.department_id, fy=report.fy, before=before, after=after, at=now)
    session.flush()
    return report


def approve(session: Session, settings: Settings, member: Member, measure_no: int, department_id: int,
            fy: int, *, now: datetime, revision: int | None = None) -> Report:
    """Approve the current submitted revision (the one the reviewer saw, when `revision` is given)."""
    report = reviewable(session, settings, member, measure_no, department_id, fy, revision)
    return _review(session, member, report, "approved", None, now)


def return_report(session: Session, settings: Settings, member: Member, measure_no: int,
                  department_id: int, fy: int, comment: str, *, now: datetime,
                  revision: int | None = None) -> Report:
    """Return the current submitted revision to its reporter with a comment (required)."""
    reason = (comment or "").strip()
    report = reviewable(session, settings, member, measure_no, department_id, fy, revision)
    if not reason:
        raise ReviewRefused("no_comment", report)
    return _review(session, member, report, "returned", reason, now)


# --- history ---------------------------------------------------------------------------------------


def history(session: Session, measure_no: int, department_id: int, fy: int) -> list[HistoryItem]:
    """Every submitted revision and every review of one report, oldest first."""
    measure = measure_by_no(session, measure_no)
    if measure is None:
        return []
    items: list[HistoryItem] = []
    first = True
    for row in reports.revisions(session, measure.id, department_id, fy):
        if row.status == "draft":
            continue
        items.append(HistoryItem("submit" if first else "revise", row.revision,
                                 display_name(session, row.reported_by), row.reported_at))
        first = False
        if row.reviewed_at is not None and row.status in ("approved", "returned"):
            action = "approve" if row.status == "approved" else "return"
            items.append(HistoryItem(action, row.revision, display_name(session, row.reviewed_by),
                                     row.reviewed_at, row.review_comment))
    return items

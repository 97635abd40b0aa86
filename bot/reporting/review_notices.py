"""The approval loop's messages through the outbox: each reviewer is asked when a report is
submitted (with 承認 / 差戻し buttons), the reporter is told when it is approved or returned.
A refused review is worded here once (`refusal_text`), for the chat and the dashboard alike.

Every message has an idempotency key built from the report revision's row id, so a redelivered
event or a second tap never sends it twice (the outbox drops a key it already holds).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.catalog.store import measure_by_no
from bot.core.config import Settings
from bot.core.messages import Card, Choice, Reply
from bot.core.outbox import NewMessage, enqueue_many
from bot.japanese.fiscal_year import FiscalYear
from bot.people.members import find_member
from bot.people.recipients import pick_accounts
from bot.reporting import approval, reports
from bot.reporting.approval import ReviewRefused
from bot.reporting.meanwhile import content_lines
from bot.storage.models import Department, Member, Report
from bot.texts import reporting as reporting_texts
from bot.texts import review as t
from bot.texts import safety

WAITING_SHOWN = 15  # lines listed in 状況
WAITING_CHOICES = 5  # buttons (LINE allows 13 quick replies; fewer are easier)


def named(session: Session, key: str | None) -> str:
    """「山田 課長さん」: a person by display name, never by account id."""
    name = approval.display_name(session, key)
    return name if name == t.UNNAMED else t.NAMED.format(name=name)


def when(moment: datetime | None, tz: tzinfo) -> str:
    local = reports.aware(moment, tz)
    if local is None:
        return ""
    local = local.astimezone(tz)
    return t.WHEN.format(month=local.month, day=local.day, time=f"{local:%H:%M}")


def command(verb: str, report: Report, *, revision: bool = True) -> str:
    """What a 承認 / 差戻し button sends: the typed command naming the department and the revision."""
    word = t.BUTTON_APPROVE if verb == "approve" else t.BUTTON_RETURN
    values = {"verb": word, "no": report.measure.no, "department": report.department.name}
    return (t.COMMAND.format(revision=report.revision, **values) if revision
            else t.COMMAND_NO_REVISION.format(**values))


def review_choices(report: Report) -> tuple[Choice, ...]:
    return (Choice(t.BUTTON_APPROVE, command("approve", report)), Choice(t.BUTTON_RETURN, command("return", report)))


def content_card(report: Report) -> Card:
    """The submitted content, as the reviewer sees it before deciding."""
    labels = safety.CONTENT_LABELS
    lines = content_lines(report)
    fields = [(labels["progress"], _value(lines[0])), (labels["result_text"], report.result_text or reporting_texts.UNANSWERED)]
    for line, actual in zip(lines[2:-1], report.actuals, strict=True):
        shown = reports.method_of(actual).get("text")
        fields.append((labels["actual"], f"{_value(line)}\n{shown}" if shown else _value(line)))
    fields.append((labels["rating"], report.rating or reporting_texts.UNANSWERED))
    title = t.CARD_TITLE.format(no=report.measure.no, title=report.measure.title, department=report.department.name,
                                revision=report.revision)
    return Card(title, tuple(fields))


def _value(line: str) -> str:
    """The value part of a content line 「・取組状況: 実施中」."""
    return line.split(": ", 1)[1] if ": " in line else line


def review_request(session: Session, report: Report) -> Reply:
    """What each reviewer gets: who submitted what, the content, the two buttons."""
    again = any(r.status == "returned" for r in reports.revisions(session, report.measure_id, report.department_id,
                                                                    report.fy) if r.revision < report.revision)
    text = (t.ASK_REVIEW_AGAIN if again else t.ASK_REVIEW).format(
        no=report.measure.no, title=report.measure.title, department=report.department.name,
        fy=FiscalYear(report.fy).label, revision=report.revision, reporter=named(session, report.reported_by))
    hint = t.TYPED_HINT.format(no=report.measure.no)
    return Reply(f"{text}\n{hint}", review_choices(report), card=content_card(report))


def ask_reviewers(session: Session, settings: Settings, report: Report, now: datetime) -> list[str]:
    """Queue the review request to every reviewer of the report's department (one account per
    person, never the submitter: a manager who reported is reviewed by the coordinating division);
    the recipients newly queued."""
    people = _others(session, approval.reviewers(session, settings, report.department_id), report)
    if not people:
        people = _others(session, approval.division_reviewers(session, settings), report)
    reply = review_request(session, report)
    messages = [
        NewMessage(f"review/{report.id}/ask/{approval.account_key(m)}", m.platform, m.user_id, "review_request",
                   (reply,), report.department_id,
                   {"measures": [report.measure.no], "revision": report.revision})
        for m in pick_accounts(people, settings.delivery_platform_order)
    ]
    inserted = enqueue_many(session, messages, now)
    return sorted(m.recipient for m in messages if m.key in inserted)


def _others(session: Session, members: list[Member], report: Report) -> list[Member]:
    """The reviewers but the person who submitted (any of their linked accounts)."""
    return [m for m in members if not approval.same_person(session, m, report.reported_by)]


def tell_reporter(session: Session, report: Report, now: datetime, tz: tzinfo) -> bool:
    """Queue the verdict to the account that submitted the revision; False when there is none."""
    platform, _, user = (report.reported_by or "").partition(":")
    if not user or find_member(session, platform, user) is None:
        return False
    values = {"no": report.measure.no, "title": report.measure.title, "department": report.department.name,
              "fy": FiscalYear(report.fy).label, "revision": report.revision,
              "reviewer": named(session, report.reviewed_by)}
    if report.status == "approved":
        reply = Reply(t.TOLD_APPROVED.format(**values))
    else:
        reply = Reply(t.TOLD_RETURNED.format(comment=report.review_comment or "", **values),
                      (Choice(t.BUTTON_REVISE, t.REVISE_COMMAND.format(no=report.measure.no)),))
    kind = "review_approved" if report.status == "approved" else "review_returned"
    message = NewMessage(f"review/{report.id}/{report.status}", platform, user, kind, (reply,),
                         report.department_id, {"measures": [report.measure.no], "revision": report.revision})
    return bool(enqueue_many(session, [message], now))


def refusal_text(session: Session, settings: Settings, refused: ReviewRefused, measure_no: int, department: str,
                 fy: int, seen: int | None = None) -> str:
    """Why a review was refused (`approval.REFUSALS`), in chat and on the dashboard alike: which report,
    who reviews it instead ({coordinator} is `settings.coordinator_department`), or, when it was
    already reviewed, by whom and when. `seen` is the revision the reviewer looked at."""
    report = refused.report
    values = {"no": measure_no, "department": department, "fy": FiscalYear(fy).label, "seen": seen,
              "revision": report.revision if report is not None else "",
              "coordinator": settings.coordinator_department}
    if refused.code == "not_submitted" and report is not None and report.status in t.ALREADY:
        return t.ALREADY[report.status].format(when=when(report.reviewed_at, settings.tz),
                                               name=named(session, report.reviewed_by), **values)
    if refused.code == "not_found":
        measure = measure_by_no(session, measure_no)
        if measure is None:
            return t.UNKNOWN_MEASURE.format(no=measure_no)
        return t.REFUSED["not_found"].format(owners="・".join(d.name for d in measure.departments), **values)
    return t.REFUSED[refused.code].format(**values)


def waiting_for(session: Session, settings: Settings, member: Member, fy: int) -> list[Report]:
    """The submitted reports waiting for this reviewer: their department's (a manager), and those of
    departments with no manager registered (the coordinating division); never their own."""
    managed = set(session.scalars(select(Member.department_id).where(Member.role == "manager")))
    mine = [member.department_id] if member.role == "manager" else []
    unmanaged = [d for d in session.scalars(select(Department.id)) if d not in managed]
    departments = [d for d in [*mine, *unmanaged] if approval.can_review(session, settings, member, d)]
    if not departments:
        return []
    stmt = (select(Report).where(Report.fy == fy, Report.is_current.is_(True), Report.status == "submitted",
                                 Report.department_id.in_(departments))
            .options(selectinload(Report.measure), selectinload(Report.department))
            .order_by(Report.reported_at, Report.id))
    return [r for r in session.scalars(stmt) if not approval.same_person(session, member, r.reported_by)]


def waiting_reply(session: Session, reports_waiting: list[Report]) -> Reply | None:
    """For 状況: what waits for the reviewer, each with a button to read it."""
    if not reports_waiting:
        return None
    shown = reports_waiting[:WAITING_SHOWN]
    lines = [t.WAITING_HEADING.format(n=len(reports_waiting))]
    lines += [t.WAITING_LINE.format(no=r.measure.no, title=r.measure.title, department=r.department.name,
                                    revision=r.revision, reporter=named(session, r.reported_by)) for r in shown]
    if len(reports_waiting) > len(shown):
        lines.append(t.WAITING_MORE.format(n=len(reports_waiting) - len(shown)))
    lines.append(t.WAITING_HINT.format(no=shown[0].measure.no))
    choices = tuple(Choice(t.WAITING_CHOICE.format(no=r.measure.no), t.WAITING_QUESTION.format(no=r.measure.no))
                    for r in shown[:WAITING_CHOICES])
    return Reply("\n".join(lines), choices)


def return_note(session: Session, report: Report, tz: tzinfo) -> str:
    """Shown when the reporter opens a returned report: who returned it, when, and why."""
    if report.status != "returned":
        return ""
    return t.RETURN_NOTE.format(reviewer=named(session, report.reviewed_by), when=when(report.reviewed_at, tz),
                                comment=report.review_comment or "")

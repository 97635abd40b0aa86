"""What the person who lost a submit race is told: who submitted a moment earlier, what they
submitted, and that their own text is kept (see `reports.SubmittedMeanwhile`)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_quantity
from bot.people.members import find_member
from bot.reporting.reports import SubmittedMeanwhile, aware
from bot.storage.models import Report
from bot.texts import reporting as say
from bot.texts import safety as t
from bot.texts.labels import BASIS, PROGRESS, SKIP_REASON

JUST_NOW = timedelta(minutes=10)


def submitter(session: Session, report: Report, who: str, department_id: int) -> tuple[str, str]:
    """(how the one who submitted is named in the sentence, the short form): by display name."""
    if report.reported_by == who:
        return t.WHO_YOURSELF, t.WHO_YOURSELF_SHORT
    platform, _, user = (report.reported_by or "").partition(":")
    member = find_member(session, platform, user) if user else None
    if member is None or not member.name:
        return t.WHO_UNNAMED, t.WHO_UNNAMED_SHORT
    short = say.PERSON.format(name=member.name)
    if member.department_id != department_id:
        return t.WHO_OTHER_DEPARTMENT.format(department=member.department.name, name=member.name), short
    return t.WHO_SAME_DEPARTMENT.format(name=member.name), short


def _when(report: Report, now: datetime, tz: tzinfo) -> str:
    moment = aware(report.reported_at, tz)
    if moment is None or now - moment < JUST_NOW:
        return t.WHEN_JUST_NOW
    local = moment.astimezone(tz)
    return t.WHEN_AT.format(month=local.month, day=local.day, time=f"{local:%H:%M}")


def content_lines(report: Report) -> list[str]:
    """The submitted content, one line per answer, as the summary card shows it."""
    labels = t.CONTENT_LABELS
    lines = [t.CONTENT_LINE.format(label=labels["progress"], value=PROGRESS.get(report.progress or "", report.progress) or say.UNANSWERED),
             t.CONTENT_LINE.format(label=labels["result_text"], value=report.result_text or say.UNANSWERED)]
    for a in report.actuals:
        shown = format_quantity(a.value, a.unit) if a.value is not None else SKIP_REASON.get(a.skip_reason or "", "")
        value = f"{a.metric} {shown}" + (f"({BASIS.get(a.basis, a.basis)})" if a.basis else "")
        lines.append(t.CONTENT_LINE.format(label=labels["actual"], value=value))
    lines.append(t.CONTENT_LINE.format(label=labels["rating"], value=report.rating or say.UNANSWERED))
    return lines


def notice(session: Session, meanwhile: SubmittedMeanwhile, who: str, department_id: int,
           now: datetime, tz: tzinfo) -> str:
    """「同じ課の山田さんがたった今…提出しました。提出された内容はこちらです。…修正しますか?」"""
    current = meanwhile.current
    name, short = submitter(session, current, who, department_id)
    head = t.SUBMITTED_MEANWHILE.format(
        who=name, when=_when(current, now, tz), no=current.measure.no, department=current.department.name,
        fy=FiscalYear(current.fy).label, revision=current.revision, content="\n".join(content_lines(current)))
    return head + "\n" + t.MEANWHILE_KEPT.format(next_revision=current.revision + 1, who_short=short)

"""`kaikaku audit [--measure N] [--since DATE] [--format text|json]`: the audit trail, oldest first.

Text is for people (Japanese, people by display name, 2027年2月10日 09:00 in the bot's time zone);
JSON keeps the stored values as well (account keys, before/after) for scripts.
"""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from typing import Any

import typer
from sqlalchemy.orm import Session

from bot.cli.common import fail, print_json, session, settings
from bot.japanese.fiscal_year import FiscalYear
from bot.people.permissions import name_of_account
from bot.people.registration import ROLE_NAMES
from bot.storage import audit
from bot.storage.models import AuditEntry, Department
from bot.texts import people as t
from bot.texts.labels import AUDIT_ACTION, STATUS


def when(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return t.AUDIT_WHEN.format(y=local.year, m=local.month, d=local.day, time=f"{local:%H:%M}")


def actor_name(s: Session, entry: AuditEntry) -> str:
    """Who acted, by the display name they had then (else now); the operator for the command line."""
    if entry.actor.startswith("cli:"):
        return t.NAME_OPERATOR
    if entry.actor_name:
        return t.NAME_HONORIFIC.format(name=entry.actor_name)
    return name_of_account(s, entry.actor)


def _person(values: dict[str, Any]) -> str:
    if values.get("name"):
        return t.NAME_HONORIFIC.format(name=values["name"])
    return t.NAME_OF_DEPARTMENT.format(department=values.get("department", ""))


def _role(code: Any) -> str:
    return ROLE_NAMES.get(str(code), str(code))


def change(entry: AuditEntry) -> str:
    """What changed, in words (never an account id)."""
    before, after = entry.before or {}, entry.after or {}
    action = entry.action
    if action in ("member_add", "member_remove"):
        who = after or before
        return t.AUDIT_MEMBER.format(who=_person(who), department=who.get("department", ""), role=_role(who.get("role")))
    if action == "member_move":
        return t.AUDIT_MOVE.format(who=_person(after), before=before.get("department"), after=after.get("department"))
    if action == "role_change":
        return t.AUDIT_ROLE.format(who=_person(after), before=_role(before.get("role")), after=_role(after.get("role")))
    if action == "code_issue":
        return t.AUDIT_CODE.format(department=after.get("department", ""), role=_role(after.get("role")))
    if action in ("assign", "unassign"):
        return t.AUDIT_ASSIGN.format(before="、".join(before.get("departments") or []) or t.AUDIT_NONE,
                                     after="、".join(after.get("departments") or []) or t.AUDIT_NONE)
    if action == "catalog_load":
        return t.AUDIT_CATALOG.format(title=after.get("title", ""), count=after.get("measures", ""))
    return _report_change(before, after)


def _report_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    parts = []
    if after.get("revision"):
        parts.append(t.AUDIT_REVISION.format(revision=after["revision"]))
    if before.get("status") and after.get("status") and before["status"] != after["status"]:
        parts.append(t.AUDIT_STATUS.format(before=STATUS.get(before["status"], before["status"]),
                                           after=STATUS.get(after["status"], after["status"])))
    comment = after.get("comment") or after.get("review_comment")
    if comment:
        parts.append(t.AUDIT_COMMENT.format(comment=comment))
    return " ".join(parts)


def line(s: Session, entry: AuditEntry, departments: dict[int, str], tz: tzinfo) -> str:
    where = []
    if entry.measure_no is not None:
        where.append(f"No.{entry.measure_no}")
    if entry.department_id is not None and entry.subject in ("report", "assignment"):
        where.append(departments.get(entry.department_id, ""))
    if entry.fy is not None:
        where.append(FiscalYear(entry.fy).label)
    text = t.AUDIT_LINE.format(when=when(entry.at, tz), who=actor_name(s, entry),
                               action=AUDIT_ACTION.get(entry.action, entry.action))
    detail = " ".join(p for p in [" ".join(where), change(entry)] if p)
    return f"{text} {detail}".rstrip()


def as_json(s: Session, entry: AuditEntry, departments: dict[int, str]) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(), "actor": entry.actor, "actor_name": actor_name(s, entry),
        "action": entry.action, "action_label": AUDIT_ACTION.get(entry.action, entry.action),
        "subject": entry.subject, "measure_no": entry.measure_no,
        "department": departments.get(entry.department_id) if entry.department_id else None,
        "fy": entry.fy, "before": entry.before, "after": entry.after,
    }


def parse_since(text: str, tz: tzinfo) -> datetime:
    """2027-02-10 (from that day's start) or 2027-02-10T09:00, in the bot's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(t.AUDIT_BAD_SINCE.format(value=text))
    if len(text.strip()) <= 10:
        moment = datetime.combine(moment.date(), time())
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def audit_command(
    measure: int | None = typer.Option(None, "--measure", help=t.AUDIT_HELP_MEASURE),
    since: str | None = typer.Option(None, "--since", help=t.AUDIT_HELP_SINCE),
    fmt: str = typer.Option("text", "--format", help="text / json"),
) -> None:
    """The audit trail: reports, members, assignments and the catalog, who and when, oldest first."""
    if fmt not in ("text", "json"):
        fail(t.AUDIT_BAD_FORMAT.format(value=fmt))
    conf = settings()
    start = parse_since(since, conf.tz) if since else None
    with session() as s:
        rows = audit.entries(s, measure_no=measure, since=start)
        departments = {d.id: d.name for d in s.query(Department)}
        if fmt == "json":
            print_json([as_json(s, e, departments) for e in rows])
            return
        if not rows:
            typer.echo(t.AUDIT_EMPTY)
            return
        for entry in rows:
            typer.echo(line(s, entry, departments, conf.tz))


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)

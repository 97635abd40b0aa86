"""The approval loop in chat, the same on every platform: `承認 34`, `差戻し 34 理由…`, and the
承認 / 差戻し buttons of the notification each reviewer gets (their value is the same command,
naming the department and the revision the reviewer saw).

`差戻し` without a reason asks for it next (conversations/review.yaml). The department is the one
named, else the reviewer's own, else the only one whose report waits for review; a joint measure
otherwise gets a question with one button per department. Who may review is `approval.can_review`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import texts
from bot.catalog.store import find_department, measure_by_no
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.dialogs.manager import MANAGER, Arguments, Entry
from bot.dialogs.model import REGISTRY, Outcome, Turn
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting import approval, reports
from bot.reporting.approval import ReviewRefused
from bot.reporting.review_notices import content_card, refusal_text, review_choices, tell_reporter
from bot.storage.models import Department, Measure, Member, Report
from bot.texts import review as t

REVIEW_DIALOG = "review"
_VERBS = [(w, "approve") for w in t.APPROVE_WORDS] + [(w, "return") for w in t.RETURN_WORDS]
_COMMAND = re.compile(
    r"^\s*(?P<verb>" + "|".join(re.escape(w) for w, _ in sorted(_VERBS, key=lambda v: -len(v[0]))) + r")"
    r"\s*(?:(?:[NnＮｎ][OoＯｏ][.．]?|[#＃])\s*)?(?P<no>[0-9０-９]{1,3})?\s*" + re.escape(t.NUMBER_SUFFIX) + r"?(?P<rest>.*)$",
    re.DOTALL,
)
_REVISION = re.compile(t.REVISION_PATTERN)


@dataclass(frozen=True)
class Command:
    """`承認 34 [課] [第2版]` or `差戻し 34 [課] [第2版] [理由]`, as typed or tapped."""

    verb: str  # approve / return
    no: int | None
    rest: str  # what follows the number: department, revision, reason


def parse_command(said: str) -> Command | None:
    match = _COMMAND.match(said)
    if match is None:
        return None
    verb = dict(_VERBS)[match.group("verb")]
    rest = match.group("rest")
    if match.group("no") is None and rest.strip():
        return None  # 「承認されましたか?」: a sentence, not a command
    return Command(verb, int(match.group("no")) if match.group("no") else None, rest.strip())


@dataclass(frozen=True)
class Target:
    """What a command names once read against the catalog."""

    department: Department | None
    revision: int | None
    reason: str


def _take_department(session: Session, measure: Measure, rest: str) -> tuple[Department | None, str]:
    parts = rest.split(maxsplit=1)
    if not parts:
        return None, ""
    head, tail = parts[0], (parts[1] if len(parts) > 1 else "")
    dept = find_department(session, unicodedata.normalize("NFKC", head))
    if dept is not None and reports.is_responsible(measure, dept.id):
        return dept, tail
    return None, rest


def read_target(session: Session, measure: Measure, rest: str) -> Target:
    dept, rest = _take_department(session, measure, rest)
    revision = None
    parts = rest.split(maxsplit=1)
    if parts and (found := _REVISION.match(unicodedata.normalize("NFKC", parts[0]))):
        revision, rest = int(found.group(1)), (parts[1] if len(parts) > 1 else "")
    return Target(dept, revision, rest.strip())


def choose_department(session: Session, member: Member, measure: Measure, fy: int) -> list[Department]:
    """The departments this command may mean: the reviewer's own, else those waiting for review."""
    if reports.is_responsible(measure, member.department_id):
        return [member.department]
    departments = list(measure.departments)
    if len(departments) <= 1:
        return departments
    waiting = [d for d in departments
               if (r := reports.current_report(session, measure.id, d.id, fy)) is not None and r.status == "submitted"]
    return waiting if waiting else departments


# --- the router's handler --------------------------------------------------------------------------


def handle(ctx: Context) -> list[Reply] | None:
    """`承認 …` and `差戻し … 理由` (a 差戻し without a reason is the review dialog's entry)."""
    cmd = parse_command(ctx.said)
    if cmd is None:
        return None
    prepared = prepare(ctx, cmd)
    if isinstance(prepared, list):
        return prepared
    if cmd.verb == "return" and not prepared["reason"]:
        return None  # the manager starts the dialog that asks for the reason
    assert ctx.member is not None
    return review(ctx.session, ctx.settings, ctx.member, ctx.now, prepared)


def prepare(ctx: Context, cmd: Command) -> dict[str, Any] | list[Reply]:
    """Who, which report: the arguments of a review, or the replies that refuse or ask."""
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    if cmd.no is None:
        return [Reply(t.NEEDS_NUMBER)]
    measure = measure_by_no(ctx.session, cmd.no)
    if measure is None:
        return [Reply(t.UNKNOWN_MEASURE.format(no=cmd.no))]
    fy = reports.report_fy(ctx.settings, ctx.now).year
    target = read_target(ctx.session, measure, cmd.rest)
    departments = [target.department] if target.department else choose_department(ctx.session, ctx.member, measure, fy)
    if len(departments) != 1:
        return [_which_department(measure, departments, cmd, target)]
    dept = departments[0]
    args = {"measure_no": measure.no, "department_id": dept.id, "department": dept.name, "fy": fy,
            "revision": target.revision, "reason": target.reason, "verb": cmd.verb}
    if cmd.verb == "return" and not target.reason:  # checked before the reason is asked for
        try:
            current = approval.reviewable(ctx.session, ctx.settings, ctx.member, measure.no, dept.id, fy,
                                          target.revision)
        except ReviewRefused as refused:
            return refusal(ctx.session, ctx.settings, args, refused)
        args["revision"] = current.revision
    return args


def _which_department(measure: Measure, departments: list[Department], cmd: Command, target: Target) -> Reply:
    verb = t.BUTTON_APPROVE if cmd.verb == "approve" else t.BUTTON_RETURN
    choices = tuple(
        Choice(d.name, " ".join(filter(None, [t.COMMAND_NO_REVISION.format(verb=verb, no=measure.no, department=d.name),
                                              target.reason])))
        for d in departments)
    return Reply(t.WHICH_DEPARTMENT.format(no=measure.no, verb=t.VERB[cmd.verb]), choices)


def review(session: Session, settings: Settings, member: Member, now: datetime, args: dict[str, Any]) -> list[Reply]:
    """Approve or return (with its reason); tell the reporter through the outbox."""
    no, dept_id, fy = int(args["measure_no"]), int(args["department_id"]), int(args["fy"])
    try:
        if args["verb"] == "approve":
            report = approval.approve(session, settings, member, no, dept_id, fy, now=now,
                                      revision=args.get("revision"))
        else:
            report = approval.return_report(session, settings, member, no, dept_id, fy, args["reason"],
                                            now=now, revision=args.get("revision"))
    except ReviewRefused as refused:
        return refusal(session, settings, args, refused)
    tell_reporter(session, report, now, settings.tz)
    values = {"no": no, "department": report.department.name, "fy": FiscalYear(fy).label,
              "revision": report.revision}
    if report.status == "approved":
        return [Reply(t.APPROVED.format(**values))]
    return [Reply(t.RETURNED.format(comment=report.review_comment, **values))]


def refusal(session: Session, settings: Settings, args: dict[str, Any], refused: ReviewRefused) -> list[Reply]:
    """A polite answer for each refusal (worded as on the dashboard: `refusal_text`); a stale one
    shows the new revision with its buttons."""
    report: Report | None = refused.report
    text = refusal_text(session, settings, refused, int(args["measure_no"]), str(args["department"]),
                        int(args["fy"]), args.get("revision"))
    if refused.code == "stale" and report is not None:
        return [Reply(text, review_choices(report), card=content_card(report))]
    return [Reply(text)]


# --- 差戻し without a reason: the dialog that asks for it ---------------------------------------------


def _called(said: str) -> Arguments | None:
    cmd = parse_command(said)
    return {"command": said} if cmd is not None and cmd.verb == "return" else None


def _prepare(ctx: Context, args: Arguments) -> Arguments | list[Reply]:
    cmd = parse_command(str(args["command"]))
    assert cmd is not None and ctx.member is not None
    prepared = prepare(ctx, cmd)
    if isinstance(prepared, list):
        return prepared
    if prepared["reason"]:  # typed in a free-text step of another dialog: the reason is there already
        return review(ctx.session, ctx.settings, ctx.member, ctx.now, prepared)
    measure = measure_by_no(ctx.session, int(prepared["measure_no"]))
    assert measure is not None
    return {**prepared, "measure_title": measure.title, "fy_label": FiscalYear(int(prepared["fy"])).label}


REVIEW = MANAGER.register(Entry(REVIEW_DIALOG, _called, _prepare))


@REGISTRY.action("review_return")
def review_return(turn: Turn) -> Outcome:
    """The reason typed: return the revision the reviewer was asked about."""
    env = turn.env
    assert env.session is not None and env.member is not None and env.now is not None
    args = {**turn.data, "verb": "return", "reason": str(turn.data["reason"])}
    return Outcome(replies=review(env.session, env.settings, env.member, env.now, args))

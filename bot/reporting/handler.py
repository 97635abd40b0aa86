"""Reporting's part of the chat: who may report, the report dialog's entry, and `状況`.

The dialog itself is conversations/report.yaml, run by the conversation manager
(bot.dialogs.manager); its functions are in bot.reporting.steps.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import tzinfo

from bot import texts
from bot.catalog.store import measure_by_no
from bot.core.context import Context
from bot.core.messages import Reply
from bot.dialogs.manager import MANAGER, Arguments, Entry
from bot.dialogs.model import render
from bot.people import permissions
from bot.people.members import is_coordinator
from bot.reporting import reports
from bot.reporting.review_notices import waiting_for, waiting_reply
from bot.reporting.round_phase import in_words
from bot.reporting.round_status import MeasureState, department_status
from bot.texts import people as people_texts

REPORT_DIALOG = "report"
# 報告 / 報告 34 / 報告 No.34 / No.34を報告 / 34番の報告 / 報告します (after NFKC)
_MORE_NOS = r"(?P<more>(?:\s*(?:[、,・&]|と|\s)\s*(?:no\.?|#)?\s*\d{1,3})*)"
_REPORT = re.compile(
    r"^(?:報告(?:する|します|したい)?\s*(?:no\.?|#|番号)?\s*(?P<a>\d{1,3})?" + _MORE_NOS + r"\s*(?:番)?"
    r"|(?:no\.?|#)?\s*(?P<b>\d{1,3})\s*(?:番)?\s*(?:を|の)?\s*報告(?:する|します|したい)?)$",
    re.IGNORECASE,
)
STATUS_WORDS = frozenset({"状況", "報告状況", "提出状況"})


def parse_report_command(text: str) -> tuple[bool, int | None]:
    """(is a report command, the measure number named in it)."""
    is_command, numbers = report_numbers(text)
    return is_command, numbers[0] if numbers else None


def report_numbers(text: str) -> tuple[bool, list[int]]:
    """(is a report command, every measure number named in it: `報告 34 35` → [34, 35])."""
    match = _REPORT.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return False, []
    first = match.group("a") or match.group("b")
    if first is None:
        return True, []
    more = [int(n) for n in re.findall(r"\d{1,3}", match.group("more") or "")]
    return True, list(dict.fromkeys([int(first), *more]))


def _message(key: str, **values: object) -> str:
    return render(MANAGER.dialog(REPORT_DIALOG).message(key), values)


def _called(said: str) -> Arguments | None:
    is_command, numbers = report_numbers(said)
    if not is_command:
        return None
    if not numbers:
        return {}
    return {"requested_no": numbers[0], **({"later_nos": numbers[1:]} if len(numbers) > 1 else {})}


def _prepare(ctx: Context, args: Arguments) -> Arguments | list[Reply]:
    """`報告` or `報告 34`: who may report, in which chat, which measure; then the dialog starts."""
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    if not ctx.incoming.direct:
        return [Reply(_message("not_direct"))]
    home = ctx.member.department.name
    number = args.get("requested_no")
    if number is None:
        coordinator = is_coordinator(ctx.member, ctx.settings.coordinator_department)
        if not coordinator and not reports.department_measures(ctx.session, ctx.member.department_id):
            return [Reply(_message("no_measures", department_home=home,
                                   coordinator=ctx.settings.coordinator_department))]
        return {}
    if measure_by_no(ctx.session, number) is None:
        return [Reply(_message("unknown_measure", no=number))]
    return {"requested_no": number, **({"later_nos": args["later_nos"]} if args.get("later_nos") else {})}


REPORT = MANAGER.register(Entry(REPORT_DIALOG, _called, _prepare))
MANAGER.aside(lambda said: said in STATUS_WORDS, lambda ctx: status(ctx))  # 状況 in the middle of a report


def handle(ctx: Context) -> list[Reply] | None:
    """`状況` (the report dialog itself is the manager's)."""
    if unicodedata.normalize("NFKC", ctx.said).strip() in STATUS_WORDS:
        return status(ctx)
    return None


def status(ctx: Context) -> list[Reply]:
    """`状況`: the user's department, each measure approved / submitted / returned / draft / missing."""
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    if not permissions.viewer(ctx.member, ctx.settings, ctx.incoming.direct).sees_status:
        return [Reply(people_texts.RESULTS_IN_GROUP)]  # a group or channel: anyone may be reading
    fy, round_lines, accepts = in_words(ctx.session, ctx.settings, ctx.now)
    home = ctx.member.department.name
    dept = department_status(ctx.session, ctx.member.department_id, fy)
    waiting = waiting_reply(ctx.session, waiting_for(ctx.session, ctx.settings, ctx.member, fy.year))
    after = [waiting] if waiting else []  # for a reviewer: what waits for them
    if dept is None:
        return [Reply(_message("status_none", department_home=home)), *after]
    lines = [f"・No.{m.no} {m.title}: {_state_text(m, ctx.settings.tz)}" for m in dept.measures]
    title = _message("status_title", department_home=home, fy_label=fy.label, total=dept.total,
                     approved=dept.count("approved"), submitted=dept.count("submitted"),
                     returned=dept.count("returned"), drafts=dept.count("draft"), missing=dept.count("missing"))
    hint = _message("status_hint", example_no=dept.open_nos[0]) if dept.open and accepts else ""
    return [Reply("\n".join([title, *lines, *round_lines, hint]).strip()), *after]


def _state_text(item: MeasureState, tz: tzinfo) -> str:
    if item.state in ("missing", "draft"):
        return _message(f"status_{item.state}")
    when = reports.aware(item.reported_at, tz)
    date = f"{when.astimezone(tz).month}/{when.astimezone(tz).day}" if when else ""
    key = f"status_{item.state}"
    if item.state in ("submitted", "returned") and item.has_draft:
        key = f"status_{item.state}_with_draft"
    return _message(key, revision=item.revision, date=date)

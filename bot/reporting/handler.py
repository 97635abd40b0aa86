"""The router's handler for reporting: `報告 …`, `状況`, and any dialog a user is in.

Who may report: a registered member of a responsible department, or the coordinating division
for any measure; reports are taken only in one-to-one chats. The dialog itself is
conversations/report.yaml, run by bot.dialogs.engine; its functions are in bot.reporting.steps.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import tzinfo

from bot import texts
from bot.catalog.store import measure_by_no
from bot.core.context import Context
from bot.core.messages import Reply
from bot.dialogs import engine as dialog
from bot.dialogs.engine import Dialog, Ended, Env, Key, State, StateConflict
from bot.japanese import numbers
from bot.people.members import is_coordinator
from bot.reporting import reports

REPORT_DIALOG = "report"
# 報告 / 報告 34 / 報告 No.34 / No.34を報告 / 34番の報告 / 報告します (after NFKC)
_REPORT = re.compile(
    r"^(?:報告(?:する|します|したい)?\s*(?:no\.?|#|番号)?\s*(?P<a>\d{1,3})?\s*(?:番)?"
    r"|(?:no\.?|#)?\s*(?P<b>\d{1,3})\s*(?:番)?\s*(?:を|の)?\s*報告(?:する|します|したい)?)$",
    re.IGNORECASE,
)
STATUS_WORDS = frozenset({"状況", "報告状況", "提出状況"})
_QUESTION = re.compile(r"[?]\s*$|教えて|(?:とは|って何|ですか)\s*$")


def parse_report_command(text: str) -> tuple[bool, int | None]:
    """(is a report command, the measure number named in it)."""
    match = _REPORT.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return False, None
    number = match.group("a") or match.group("b")
    return True, int(number) if number else None


def _env(ctx: Context) -> Env:
    return Env(ctx.settings, ctx.session, ctx.member, ctx.now, ctx.incoming.who)


def _report_dialog() -> Dialog:
    return dialog.load_dialogs()[REPORT_DIALOG]


def _message(key: str, **values: object) -> str:
    return dialog.render(_report_dialog().message(key), values)


def handle(ctx: Context) -> list[Reply] | None:
    is_command, number = parse_report_command(ctx.said)
    key = Key.of(ctx.incoming)
    state = dialog.load_state(ctx.session, key)
    prefix: list[Reply] = []
    if state is not None:
        active = dialog.load_dialogs().get(state.dialog)
        if active is None:  # a dialog file removed under a running dialog
            dialog.clear_state(ctx.session, key)
        elif dialog.timed_out(active, state, ctx.now):  # left for a day: kept as a draft, said first
            ended, notice = dialog.time_out(active, state, _env(ctx))
            if not _save(ctx, key, ended):
                return [Reply(_message("conflict"))]
            ctx.notices.extend(notice)
        elif not is_command and _asks_a_question(active, state, ctx):
            return _answer_then_ask_again(ctx, active, state)
        elif not is_command or (_typing_text(active, state) and ctx.incoming.value is None):
            new, replies = dialog.advance(active, state, ctx.incoming, _env(ctx))
            return _store(ctx, key, new, replies)
        else:  # a new `報告 N` in the middle of a dialog: the old one is kept as a draft (and said so)
            ended, prefix = dialog.cancel(active, state, _env(ctx))
            if not _save(ctx, key, ended):
                return [Reply(_message("conflict"))]
    if is_command:
        return prefix + start_report(ctx, key, number)
    if unicodedata.normalize("NFKC", ctx.said).strip() in STATUS_WORDS:
        return status(ctx)
    return None


def _asks_a_question(active: Dialog, state: State, ctx: Context) -> bool:
    """`No.34の目標は?` typed where a choice or a number is expected: a question, not an answer.

    In a free-text step everything typed is the answer; a tapped button is always an answer.
    """
    if ctx.incoming.value is not None or _typing_text(active, state):
        return False
    step = dialog.current_step(active, state)
    if step is None or dialog.match_choice(step.choices if isinstance(step.choices, tuple) else (), ctx.incoming):
        return False
    if step.kind == "number" and _reads_as_number(ctx.said):
        return False  # "1,650名?": an unsure answer is still an answer
    return bool(_QUESTION.search(unicodedata.normalize("NFKC", ctx.said)))


def _reads_as_number(text: str) -> bool:
    try:
        numbers.parse_quantity(text.rstrip("?？ "))
    except numbers.NumberParseError:
        return False
    return True


def _answer_then_ask_again(ctx: Context, active: Dialog, state: State) -> list[Reply]:
    """Answer the question, then repeat the step's question; the dialog stays where it was."""
    from bot import answers  # the core's question answering; imported here to keep the router's order

    answered = answers.answer(ctx.session, ctx.said, member=ctx.member, now=ctx.now, settings=ctx.settings)
    plain = [Reply(r.text, card=r.card) for r in answered]  # its buttons would not answer this step
    return [*plain, Reply(_message("back_to_report")), dialog.ask_again(active, state, _env(ctx))]


def _typing_text(active: Dialog, state: State) -> bool:
    """In a free-text step, a typed `報告 …` is an answer, not a command (a tapped button is one)."""
    step = dialog.current_step(active, state)
    return step is not None and step.kind in ("text", "longtext")


def _save(ctx: Context, key: Key, new: State | Ended) -> bool:
    try:
        dialog.save_state(ctx.session, key, new, ctx.now)
    except StateConflict:
        ctx.session.rollback()  # the other process's step stands; nothing of this one is kept
        return False
    return True


def _store(ctx: Context, key: Key, new: State | Ended, replies: list[Reply]) -> list[Reply]:
    return replies if _save(ctx, key, new) else [Reply(_message("conflict"))]


def start_report(ctx: Context, key: Key, number: int | None) -> list[Reply]:
    """`報告` or `報告 34`: the checks that need no dialog, then the dialog's first question."""
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED)]
    if not ctx.incoming.direct:
        return [Reply(_message("not_direct"))]
    home = ctx.member.department.name
    if number is None:
        coordinator = is_coordinator(ctx.member, ctx.settings.coordinator_department)
        if not coordinator and not reports.department_measures(ctx.session, ctx.member.department_id):
            return [Reply(_message("no_measures", department_home=home))]
        data: dict[str, object] = {}
    else:
        if measure_by_no(ctx.session, number) is None:
            return [Reply(_message("unknown_measure", no=number))]
        data = {"requested_no": number}
    state, replies = dialog.start(_report_dialog(), _env(ctx), data)
    return _store(ctx, key, state, replies)


def status(ctx: Context) -> list[Reply]:
    """`状況`: the user's department, each measure submitted / draft / missing this round."""
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED)]
    fy = reports.report_fy(ctx.settings, ctx.now)
    home = ctx.member.department.name
    rows = reports.department_status(ctx.session, ctx.member.department_id, fy.year)
    if not rows:
        return [Reply(_message("status_none", department_home=home))]
    counts = {"submitted": 0, "drafts": 0, "missing": 0}
    lines = []
    for row in rows:
        lines.append(f"・No.{row.measure.no} {row.measure.title}: {_state_text(row, ctx.settings.tz)}")
        if row.state in reports.SUBMITTED:
            counts["submitted"] += 1
        elif row.state == "draft":
            counts["drafts"] += 1
        else:
            counts["missing"] += 1
    title = _message("status_title", department_home=home, fy_label=fy.label, **counts)
    todo = [r.measure.no for r in rows if r.state not in reports.SUBMITTED]
    hint = _message("status_hint", example_no=todo[0]) if todo else ""
    return [Reply("\n".join([title, *lines, hint]).strip())]


def _state_text(row: reports.MeasureStatus, tz: tzinfo) -> str:
    report = row.report
    if report is None:
        return _message("status_draft") if row.draft is not None else _message("status_missing")
    when = reports.aware(report.reported_at, tz)
    date = f"{when.astimezone(tz).month}/{when.astimezone(tz).day}" if when else ""
    if report.status == "submitted":
        key = "status_submitted_with_draft" if row.draft is not None else "status_submitted"
        return _message(key, revision=report.revision, date=date)
    return _message(f"status_{report.status}", revision=report.revision, date=date)

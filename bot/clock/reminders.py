"""Reminders of the reporting round: planning who is told what, and writing it to the outbox.

`due_reminders(session, settings, at)` is the plan, with no writes: for the reminder slot in
force at `at` (open, nudge n, final, escalation — see bot/rounds.py), every department with
measures still open is told, on each of its people's chosen account, which measures are open,
with a choice per measure to start the report ("報告 34") and a word about unfinished drafts.
Only departments that have not answered are told, and nothing already in the outbox is planned
again. `enqueue_reminders` writes the plan to the outbox under its idempotency keys
("R8/危機管理課/nudge/3/console:tanaka"), so running it twice, late or in two processes at once
sends each message once.

Messages go out on business days only: on a closed day nothing is planned, and a slot missed
while the clock was down is caught up on the next business day (only the latest slot: a late
nudge is not followed by the older one it replaced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.catalog.store import active_plan
from bot.core.config import Settings
from bot.core.messages import Choice, Reply
from bot.core.outbox import NewMessage, enqueue_many, existing_keys
from bot.people.recipients import managers_or_all, members_by_department, pick_accounts
from bot.reporting.round_status import DepartmentStatus, round_status
from bot.reporting.rounds import Round, Slot, format_day, is_send_day, round_at
from bot.storage.models import Member, Plan
from bot.texts import notices as t

MAX_CHOICES = 10  # LINE quick replies allow 13; a long list of buttons helps nobody
MAX_LINES = 30


@dataclass(frozen=True)
class PlannedMessage:
    """One message the clock would send (INTERFACE.md's Reminders JSON, plus a few keys)."""

    kind: str  # open / nudge / final / escalation / digest
    department: str
    platform: str
    recipient: str
    measures: tuple[int, ...]
    key: str
    round: str
    seq: int
    day: date
    replies: tuple[Reply, ...]
    department_id: int | None = None
    drafts: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "department": self.department, "platform": self.platform,
            "recipient": self.recipient, "measures": list(self.measures), "key": self.key,
            "drafts": list(self.drafts), "round": self.round, "seq": self.seq, "day": self.day.isoformat(),
        }

    def outgoing(self) -> NewMessage:
        meta = {"measures": list(self.measures), "drafts": list(self.drafts), "round": self.round,
                "seq": self.seq, "department": self.department}
        return NewMessage(self.key, self.platform, self.recipient, self.kind, self.replies,
                          self.department_id, meta)


def message_key(rnd: Round, department: str, slot: Slot, member: Member) -> str:
    """The idempotency key: round / department / kind / sequence / recipient."""
    return f"{rnd.key}/{department}/{slot.kind}/{slot.seq}/{member.platform}:{member.user_id}"


@dataclass(frozen=True)
class ReminderPlan:
    """A pass's plan: the messages, and the departments nobody can be told (no member)."""

    round: Round | None
    slot: Slot | None
    messages: list[PlannedMessage]
    unreachable: list[DepartmentStatus]


def plan_reminders(session: Session, settings: Settings, at: datetime) -> ReminderPlan:
    """The reminders due at `at` that are not in the outbox yet."""
    rnd = round_at(settings, at)
    plan = active_plan(session)
    if rnd is None or plan is None or not _plan_covers(plan, rnd) or not is_send_day(settings, at):
        return ReminderPlan(rnd, None, [], [])
    slot = rnd.latest_reminder(at)
    if slot is None:
        return ReminderPlan(rnd, None, [], [])
    members = members_by_department(session)
    messages: list[PlannedMessage] = []
    unreachable: list[DepartmentStatus] = []
    for status in round_status(session, rnd.fy, plan).departments:
        if not status.open:
            continue
        people = members.get(status.department_id, [])
        if not people:
            unreachable.append(status)
            continue
        messages.extend(_department_messages(settings, rnd, slot, status, people))
    sent = existing_keys(session, [m.key for m in messages])
    return ReminderPlan(rnd, slot, [m for m in messages if m.key not in sent], unreachable)


def due_reminders(session: Session, settings: Settings, at: datetime) -> list[PlannedMessage]:
    """Pure planning (no writes): the reminder messages a pass at `at` would send."""
    return plan_reminders(session, settings, at).messages


def enqueue_reminders(session: Session, settings: Settings, at: datetime) -> list[PlannedMessage]:
    """Write the due reminders to the outbox; the ones this call inserted (another clock may have
    inserted the rest first)."""
    planned = due_reminders(session, settings, at)
    inserted = enqueue_many(session, [m.outgoing() for m in planned], at)
    return [m for m in planned if m.key in inserted]


def _plan_covers(plan: Plan, rnd: Round) -> bool:
    return plan.first_fy <= rnd.fy.year <= plan.last_fy


def _department_messages(settings: Settings, rnd: Round, slot: Slot, status: DepartmentStatus,
                         people: Sequence[Member]) -> list[PlannedMessage]:
    to_managers = slot.kind == "escalation" and any(m.role == "manager" for m in people)
    targets = managers_or_all(people) if slot.kind == "escalation" else list(people)
    replies = (reminder_reply(settings, rnd, slot.kind, status, to_managers),)
    return [
        PlannedMessage(
            kind=slot.kind, department=status.name, platform=m.platform, recipient=m.user_id,
            measures=tuple(status.open_nos), key=message_key(rnd, status.name, slot, m),
            round=rnd.key, seq=slot.seq, day=slot.day, replies=replies,
            department_id=status.department_id, drafts=tuple(status.drafts),
        )
        for m in pick_accounts(targets, settings.delivery_platform_order)
    ]


def reminder_reply(settings: Settings, rnd: Round, kind: str, status: DepartmentStatus,
                   to_managers: bool = False) -> Reply:
    """The reminder a department gets: what is open, drafts to finish, a choice per measure."""
    values = {"fy": rnd.fy.label, "dept": status.name, "deadline": format_day(rnd.deadline),
              "n": settings.final_notice_business_days}
    lead = t.ESCALATION_TO_MANAGERS if to_managers else t.REMINDER_LEAD[kind]
    lines = [t.REMINDER_HEADING[kind].format(**values), lead.format(**values), ""]
    lines.append(t.MEASURES_HEADING.get(kind, t.MEASURES_HEADING_DEFAULT).format(n=len(status.open)))
    shown = status.open[:MAX_LINES]
    lines += [t.MEASURE_LINE.format(no=m.no, title=m.title) + t.STATE_MARK.get(m.state, "") for m in shown]
    if len(status.open) > len(shown):
        lines.append(t.MORE_MEASURES.format(n=len(status.open) - len(shown)))
    if status.drafts:
        lines += ["", t.DRAFT_NOTE.format(nos="、".join(f"No.{no}" for no in status.drafts))]
    lines += ["", t.HOW_TO.format(no=status.open[0].no)]
    if len(status.open) > MAX_CHOICES:
        lines.append(t.HOW_TO_MORE)
    choices = tuple(
        Choice(t.CHOICE_LABEL.format(no=m.no), t.CHOICE_VALUE.format(no=m.no)) for m in status.open[:MAX_CHOICES]
    )
    return Reply("\n".join(lines), choices)

"""Counting pushes per platform and month, and keeping a monthly budget (LINE's pushes cost money).

A push is *reserved* before it is sent: the month's count goes up only while it stays within the
budget, in one conditional UPDATE, so two processes can never overrun it between them. A push
that the budget (or the platform's own monthly quota) refuses is not sent; it is counted as
refused and `PushRefused` is raised, which tells the caller (reminders, digests) to fall back to
the member's other platform and to say so in the digest.

No platform SDK here: the core (outbox, reminders, digest) imports this module freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import session_scope
from bot.storage.models import PushUsage
from bot.texts import notices as t


class PushRefused(Exception):
    """The push was not sent and retrying this month will not help: use another platform."""

    def __init__(self, platform: str, month: str, reason: str) -> None:
        super().__init__(reason)
        self.platform = platform
        self.month = month
        self.reason = reason


class PushBudgetExceeded(PushRefused):
    """Our configured monthly budget (Settings.line_push_monthly_budget) would be exceeded."""


class PushQuotaExhausted(PushRefused):
    """The platform itself refused: the channel's monthly message quota is spent."""


@dataclass(frozen=True)
class Usage:
    platform: str
    month: str
    sent: int
    refused: int
    budget: int

    @property
    def left(self) -> int:
        return max(self.budget - self.sent, 0)

    def as_dict(self) -> dict[str, object]:
        return {"platform": self.platform, "month": self.month, "sent": self.sent,
                "refused": self.refused, "budget": self.budget, "left": self.left}


def month_of(moment: datetime) -> str:
    """The accounting month of a moment (in the moment's own time zone): YYYY-MM."""
    return f"{moment.year:04d}-{moment.month:02d}"


def _budget(budget: int | None) -> int:
    if budget is not None:
        return budget
    from bot.core.config import get_settings

    return get_settings().line_push_monthly_budget


def usage(session: Session, month: str, budget: int | None = None, platform: str = "line") -> Usage:
    row = session.scalar(select(PushUsage).where(PushUsage.platform == platform, PushUsage.month == month))
    sent, refused = (row.count, row.refused) if row else (0, 0)
    return Usage(platform, month, sent, refused, _budget(budget))


def push_budget_left(session: Session, month: str, budget: int | None = None, platform: str = "line") -> int:
    """How many more pushes this month's budget allows (0 when spent). Budget: the configured one."""
    return usage(session, month, budget, platform).left


def _ensure_row(engine: Engine, platform: str, month: str) -> None:
    try:
        with session_scope(engine) as session:
            if session.scalar(
                select(PushUsage.id).where(PushUsage.platform == platform, PushUsage.month == month)
            ) is None:
                session.add(PushUsage(platform=platform, month=month, count=0, refused=0))
    except IntegrityError:  # another process created it first
        pass


def _where(platform: str, month: str):  # type: ignore[no-untyped-def]
    return (PushUsage.platform == platform, PushUsage.month == month)


def reserve(engine: Engine, platform: str, month: str, budget: int, pushes: int = 1) -> None:
    """Count `pushes` as sent if the budget allows all of them; else count them refused and raise."""
    _ensure_row(engine, platform, month)
    with session_scope(engine) as session:
        taken = session.execute(
            update(PushUsage)
            .where(*_where(platform, month), PushUsage.count + pushes <= budget)
            .values(count=PushUsage.count + pushes)
        ).rowcount  # type: ignore[attr-defined]
        if taken != 1:
            session.execute(
                update(PushUsage).where(*_where(platform, month)).values(refused=PushUsage.refused + pushes)
            )
    if taken != 1:
        raise PushBudgetExceeded(platform, month, f"monthly push budget of {budget} reached")


def release(engine: Engine, platform: str, month: str, pushes: int = 1, refused: bool = False) -> None:
    """Undo a reservation for pushes that were certainly not delivered (optionally count them refused)."""
    with session_scope(engine) as session:
        values = {"count": PushUsage.count - pushes}
        if refused:
            values["refused"] = PushUsage.refused + pushes
        session.execute(update(PushUsage).where(*_where(platform, month)).values(**values))


def summary(u: Usage) -> str:
    """One line for the coordinator (e.g. in 状況): this month's pushes against the budget."""
    text = t.DIGEST_LINE_USAGE.format(month=u.month, sent=u.sent, budget=u.budget, left=u.left)
    return f"{text}。{t.DIGEST_LINE_REFUSED.format(n=u.refused)}" if u.refused else text

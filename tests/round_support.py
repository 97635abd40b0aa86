"""Helpers for the reminder, digest, outbox and scheduler tests: members, answers, the outbox."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update

from bot.catalog.store import find_department, measure_by_no
from bot.people.members import add_member
from bot.storage.db import session_scope
from bot.storage.models import Actual, Member, OutboxMessage, Report

JST = ZoneInfo("Asia/Tokyo")


def jst(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def member(engine: Engine, platform: str, user: str, department: str, role: str = "staff",
           person: str | None = None) -> None:
    with session_scope(engine) as s:
        dept = find_department(s, department)
        assert dept is not None, department
        m = add_member(s, platform, user, dept, role=role, now=jst(2027, 1, 5))
        m.person = person


def answer(engine: Engine, no: int, department: str, at: datetime, status: str = "submitted",
           actual: tuple[str, str, str] | None = None, rate: str | None = None, met: bool | None = None,
           fy: int = 2026) -> None:
    """A department's report on measure `no`: a new current revision with `status` (as typed at `at`)."""
    with session_scope(engine) as s:
        measure = measure_by_no(s, no)
        dept = find_department(s, department)
        assert measure is not None and dept is not None
        where = (Report.measure_id == measure.id, Report.department_id == dept.id, Report.fy == fy)
        revision = (s.scalar(select(func.max(Report.revision)).where(*where)) or 0) + 1
        s.execute(update(Report).where(*where).values(is_current=False))
        report = Report(measure_id=measure.id, department_id=dept.id, fy=fy, revision=revision, is_current=True,
                        status=status, result_text="実施しました", reported_by="console:test",
                        reported_at=at if status != "draft" else None, created_at=at)
        if actual is not None:
            metric, value, unit = actual
            report.actuals.append(Actual(metric=metric, value=Decimal(value), unit=unit, typed=value + unit,
                                         achievement_rate=Decimal(rate) if rate else None, met=met))
        s.add(report)


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def members(engine: Engine) -> list[Member]:
    with session_scope(engine) as s:
        return list(s.scalars(select(Member)))

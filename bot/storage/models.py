"""SQLAlchemy 2 typed models: the ORM classes, mapped onto the Core tables of `bot.storage.tables`
(declarative with imperative table). The columns, constraints and their comments live there;
here are the attributes' Python types and the relationships between the classes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

from bot.storage import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class Plan(Base):
    """A plan document: one municipality's implementation plan for a span of fiscal years."""

    __table__ = tables.plan
    id: Mapped[int]
    code: Mapped[str]
    title: Mapped[str]
    first_fy: Mapped[int]
    last_fy: Mapped[int]
    source_sha256: Mapped[str | None]
    loaded_at: Mapped[datetime | None]
    measures: Mapped[list[Measure]] = relationship(back_populates="plan", order_by="Measure.no")


class Department(Base):
    __table__ = tables.department
    id: Mapped[int]
    name: Mapped[str]
    aliases: Mapped[list[DepartmentAlias]] = relationship(
        back_populates="department", cascade="all, delete-orphan"
    )


class DepartmentAlias(Base):
    """Other names of a department (short forms, the document's damaged spellings)."""

    __table__ = tables.department_alias
    id: Mapped[int]
    department_id: Mapped[int]
    alias: Mapped[str]
    department: Mapped[Department] = relationship(back_populates="aliases")


class Measure(Base):
    __table__ = tables.measure
    id: Mapped[int]
    plan_id: Mapped[int]
    no: Mapped[int]
    title: Mapped[str]
    numeric_goal: Mapped[bool]
    policy: Mapped[str | None]
    section: Mapped[str | None]
    summary: Mapped[str | None]
    vision: Mapped[str | None]
    related_plans: Mapped[list[Any]]
    resources: Mapped[list[Any] | None]
    missing: Mapped[list[Any]]
    no_target_reason: Mapped[str | None]
    corrections: Mapped[list[Any]]
    notes: Mapped[str | None]

    plan: Mapped[Plan] = relationship(back_populates="measures")
    department_links: Mapped[list[MeasureDepartment]] = relationship(
        back_populates="measure", order_by="MeasureDepartment.position", cascade="all, delete-orphan"
    )
    year_plans: Mapped[list[YearPlan]] = relationship(
        back_populates="measure", order_by="YearPlan.fy", cascade="all, delete-orphan"
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="measure", order_by="(Target.fy, Target.position)", cascade="all, delete-orphan"
    )

    @property
    def departments(self) -> list[Department]:
        return [link.department for link in self.department_links]


class MeasureDepartment(Base):
    """A responsible department of a measure, in the document's order."""

    __table__ = tables.measure_department
    measure_id: Mapped[int]
    department_id: Mapped[int]
    position: Mapped[int]
    measure: Mapped[Measure] = relationship(back_populates="department_links")
    department: Mapped[Department] = relationship()


class YearPlan(Base):
    """実施計画 of one fiscal year; text None means the document lost the cell."""

    __table__ = tables.year_plan
    id: Mapped[int]
    measure_id: Mapped[int]
    fy: Mapped[int]
    text: Mapped[str | None]
    measure: Mapped[Measure] = relationship(back_populates="year_plans")


class Target(Base):
    """A numeric target of a 【数値目標】 measure for one fiscal year and metric."""

    __table__ = tables.target
    id: Mapped[int]
    measure_id: Mapped[int]
    fy: Mapped[int]
    position: Mapped[int]
    metric: Mapped[str]
    value: Mapped[Decimal | None]
    unit: Mapped[str | None]
    direction: Mapped[str]
    qualifier: Mapped[str | None]
    text: Mapped[str | None]
    measure: Mapped[Measure] = relationship(back_populates="targets")


class Member(Base):
    """A chat account linked to a department."""

    __table__ = tables.member
    id: Mapped[int]
    platform: Mapped[str]
    user_id: Mapped[str]
    department_id: Mapped[int]
    role: Mapped[str]
    name: Mapped[str | None]
    person: Mapped[str | None]
    created_at: Mapped[datetime]
    department: Mapped[Department] = relationship()


class RegistrationCode(Base):
    """A one-time code that links a chat account to a department (only its hash is stored)."""

    __table__ = tables.registration_code
    id: Mapped[int]
    code_hash: Mapped[str]
    department_id: Mapped[int]
    role: Mapped[str]
    name: Mapped[str | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None]


class DashboardLink(Base):
    """A one-time sign-in link to the dashboard (only the hash of its token is stored)."""

    __table__ = tables.dashboard_link
    id: Mapped[int]
    token_hash: Mapped[str]
    platform: Mapped[str]
    user_id: Mapped[str]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RegistrationAttempt(Base):
    """A failed `登録 CODE`; counted to rate-limit guessing."""

    __table__ = tables.registration_attempt
    id: Mapped[int]
    platform: Mapped[str]
    user_id: Mapped[str]
    at: Mapped[datetime]


class Report(Base):
    """One revision of a department's report on a measure for a fiscal year."""

    __table__ = tables.report
    id: Mapped[int]
    measure_id: Mapped[int]
    department_id: Mapped[int]
    fy: Mapped[int]
    revision: Mapped[int]
    is_current: Mapped[bool]
    status: Mapped[str]
    progress: Mapped[str | None]
    result_text: Mapped[str | None]
    rating: Mapped[str | None]
    reported_by: Mapped[str | None]
    reported_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None]
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None]
    created_at: Mapped[datetime]
    measure: Mapped[Measure] = relationship()
    department: Mapped[Department] = relationship()
    actuals: Mapped[list[Actual]] = relationship(
        back_populates="report", order_by="Actual.position", cascade="all, delete-orphan"
    )


class Actual(Base):
    """A numeric actual of a report, with the achievement computed against its target."""

    __table__ = tables.actual
    id: Mapped[int]
    report_id: Mapped[int]
    position: Mapped[int]
    metric: Mapped[str]
    value: Mapped[Decimal | None]
    unit: Mapped[str | None]
    typed: Mapped[str]
    skip_reason: Mapped[str | None]
    basis: Mapped[str | None]
    achievement_rate: Mapped[Decimal | None]
    met: Mapped[bool | None]
    achievement_method: Mapped[str | None]
    report: Mapped[Report] = relationship(back_populates="actuals")


class DialogState(Base):
    """Where a user is in a dialog; stored after every step, keyed like telegram's conversations."""

    __table__ = tables.dialog_state
    id: Mapped[int]
    platform: Mapped[str]
    channel: Mapped[str]
    user_id: Mapped[str]
    dialog: Mapped[str]
    step: Mapped[str]
    data: Mapped[dict[str, Any]]
    history: Mapped[list[Any]]
    version: Mapped[int]
    updated_at: Mapped[datetime]


class AuditEntry(Base):
    """One recorded act: who did what to which report, member, assignment or catalog entry, and
    the values before and after (JSON). Written in the same transaction as the act itself."""

    __table__ = tables.audit
    id: Mapped[int]
    at: Mapped[datetime]
    actor: Mapped[str]
    actor_name: Mapped[str | None]
    action: Mapped[str]
    subject: Mapped[str]
    measure_no: Mapped[int | None]
    department_id: Mapped[int | None]
    fy: Mapped[int | None]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class InboundEvent(Base):
    """A webhook event recorded before the ack and processed after: the dedupe and replay guard."""

    __table__ = tables.inbound_event
    id: Mapped[int]
    platform: Mapped[str]
    event_id: Mapped[str]
    payload: Mapped[dict[str, Any]]
    status: Mapped[str]
    attempts: Mapped[int]
    error: Mapped[str | None]
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    reply_tried_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to deliver, once: the key is the idempotency key (round, department, kind, seq)."""

    __table__ = tables.outbox
    id: Mapped[int]
    key: Mapped[str]
    platform: Mapped[str]
    recipient: Mapped[str]
    kind: Mapped[str]
    department_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]]
    status: Mapped[str]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class PushUsage(Base):
    """Pushes sent per platform and month (LINE's push quota costs money)."""

    __table__ = tables.push_usage
    id: Mapped[int]
    platform: Mapped[str]
    month: Mapped[str]
    count: Mapped[int]
    refused: Mapped[int]


class ClockHeartbeat(Base):
    """The clock process's last sign of life (one row per clock name), read by /healthz."""

    __table__ = tables.clock_heartbeat
    name: Mapped[str]
    beat_at: Mapped[datetime]
    started_at: Mapped[datetime]
    host: Mapped[str]
    pid: Mapped[int]

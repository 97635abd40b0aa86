"""SQLAlchemy 2 typed models: the whole schema of the bot.

Catalog tables (plan, department, measure, year_plan, target) are rows, so targets and plans can
be queried. Reports are revisioned: one row per revision, the current one flagged. Inbound events
and the outbox carry unique keys: that is what makes delivery exactly-once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Timestamp(TypeDecorator[datetime]):
    """An aware moment, stored in UTC on every database and handed back aware (UTC).

    SQLite keeps no zone; without this, one module writing local time and another UTC would
    compare wrongly. A naive value is taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)



class Plan(Base):
    """A plan document: one municipality's implementation plan for a span of fiscal years."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    first_fy: Mapped[int] = mapped_column(Integer)
    last_fy: Mapped[int] = mapped_column(Integer)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    loaded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    measures: Mapped[list[Measure]] = relationship(back_populates="plan", order_by="Measure.no")


class Department(Base):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    aliases: Mapped[list[DepartmentAlias]] = relationship(
        back_populates="department", cascade="all, delete-orphan"
    )


class DepartmentAlias(Base):
    """Other names of a department (short forms, the document's damaged spellings)."""

    __tablename__ = "department_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    department: Mapped[Department] = relationship(back_populates="aliases")


class Measure(Base):
    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("plan_id", "no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    no: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    numeric_goal: Mapped[bool] = mapped_column(Boolean, default=False)
    policy: Mapped[str | None] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    vision: Mapped[str | None] = mapped_column(Text)
    related_plans: Mapped[list[Any]] = mapped_column(JSON, default=list)
    resources: Mapped[list[Any] | None] = mapped_column(JSON)
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    no_target_reason: Mapped[str | None] = mapped_column(Text)
    corrections: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)

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

    __tablename__ = "measure_department"
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    measure: Mapped[Measure] = relationship(back_populates="department_links")
    department: Mapped[Department] = relationship()


class YearPlan(Base):
    """実施計画 of one fiscal year; text None means the document lost the cell."""

    __tablename__ = "year_plan"
    __table_args__ = (UniqueConstraint("measure_id", "fy"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    fy: Mapped[int] = mapped_column(Integer)  # Western start year: 2026 = 令和8年度
    text: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[Measure] = relationship(back_populates="year_plans")


class Target(Base):
    """A numeric target of a 【数値目標】 measure for one fiscal year and metric."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("measure_id", "fy", "metric"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    fy: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    metric: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    unit: Mapped[str | None] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))  # at_least / at_most / exactly
    qualifier: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[Measure] = relationship(back_populates="targets")


class Member(Base):
    """A chat account linked to a department."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))  # slack / line / console
    user_id: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(20), default="staff")  # staff / manager / coordinator
    name: Mapped[str | None] = mapped_column(String(100))
    person: Mapped[str | None] = mapped_column(String(100))  # links one person's accounts
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    department: Mapped[Department] = relationship()


class RegistrationCode(Base):
    """A one-time code that links a chat account to a department (only its hash is stored)."""

    __tablename__ = "registration_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[str] = mapped_column(String(20), default="staff")
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    used_by: Mapped[str | None] = mapped_column(String(150))


class DashboardLink(Base):
    """A one-time sign-in link to the dashboard (only the hash of its token is stored)."""

    __tablename__ = "dashboard_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class RegistrationAttempt(Base):
    """A failed `登録 CODE`; counted to rate-limit guessing."""

    __tablename__ = "registration_attempt"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(Timestamp)


class Report(Base):
    """One revision of a department's report on a measure for a fiscal year."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("measure_id", "department_id", "fy", "revision"),
        # At most one current revision per (measure, department, fy): two submissions racing
        # cannot both stay current (the second insert or update fails; see reports.submit).
        # The index is partial (WHERE is_current); migration 0004 creates it so. Its WHERE is not
        # repeated here: `sqlite_where`/`postgresql_where` would import both dialects whenever
        # the models are imported (about 25 ms of every `kaikaku ask`), and autogenerate does not
        # compare an index's WHERE (tests/test_submit_race.py checks it on both databases).
        Index("uq_report_one_current", "measure_id", "department_id", "fy", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    fy: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20))  # draft / submitted / approved / returned
    progress: Mapped[str | None] = mapped_column(String(20))  # a code of texts.labels.PROGRESS
    result_text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(10))
    reported_by: Mapped[str | None] = mapped_column(String(150))
    reported_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The manager's (or the coordinating division's) decision on a submitted revision:
    # status becomes approved / returned; the comment is the reason for a return.
    reviewed_by: Mapped[str | None] = mapped_column(String(150))
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    measure: Mapped[Measure] = relationship()
    department: Mapped[Department] = relationship()
    actuals: Mapped[list[Actual]] = relationship(
        back_populates="report", order_by="Actual.position", cascade="all, delete-orphan"
    )


class Actual(Base):
    """A numeric actual of a report, with the achievement computed against its target."""

    __tablename__ = "actual"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    metric: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))  # NULL: not known yet, see skip_reason
    unit: Mapped[str | None] = mapped_column(String(20))
    typed: Mapped[str] = mapped_column(Text)
    skip_reason: Mapped[str | None] = mapped_column(String(20))  # a code of texts.labels.SKIP_REASON
    basis: Mapped[str | None] = mapped_column(String(10))  # a code of texts.labels.BASIS
    achievement_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    met: Mapped[bool | None] = mapped_column(Boolean)
    achievement_method: Mapped[str | None] = mapped_column(Text)
    report: Mapped[Report] = relationship(back_populates="actuals")


class DialogState(Base):
    """Where a user is in a dialog; stored after every step, keyed like telegram's conversations."""

    __tablename__ = "dialog_state"
    __table_args__ = (UniqueConstraint("platform", "channel", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(100))
    dialog: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class AuditEntry(Base):
    """One recorded act: who did what to which report, member, assignment or catalog entry, and
    the values before and after (JSON). Written in the same transaction as the act itself."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    actor: Mapped[str] = mapped_column(String(150))  # "platform:user_id", or "cli:<os user>"
    actor_name: Mapped[str | None] = mapped_column(String(100))  # display name at the time
    action: Mapped[str] = mapped_column(String(30))  # a code of texts.labels.AUDIT_ACTION
    subject: Mapped[str] = mapped_column(String(20))  # report / member / assignment / catalog
    measure_no: Mapped[int | None] = mapped_column(Integer, index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    fy: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InboundEvent(Base):
    """A webhook event recorded before the ack and processed after: the dedupe and replay guard."""

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="received")  # received/processed/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(Timestamp)
    processed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # While `processing`: the worker's lease (real time); past it, the worker is taken to be dead
    # and the event is taken up again (bot.core.inbox).
    lease_until: Mapped[datetime | None] = mapped_column(Timestamp)
    # When the answer was sent with the event's single-use reply token (LINE), written just before
    # the request: a retry after a crash does not push again what that reply carried.
    reply_tried_at: Mapped[datetime | None] = mapped_column(Timestamp)


class OutboxMessage(Base):
    """A message to deliver, once: the key is the idempotency key (round, department, kind, seq)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued/sending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)


class PushUsage(Base):
    """Pushes sent per platform and month (LINE's push quota costs money)."""

    __tablename__ = "push_usage"
    __table_args__ = (UniqueConstraint("platform", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    count: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # not sent: budget/quota


class ClockHeartbeat(Base):
    """The clock process's last sign of life (one row per clock name), read by /healthz."""

    __tablename__ = "clock_heartbeat"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(Timestamp)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)

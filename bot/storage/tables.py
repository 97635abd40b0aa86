"""The schema as SQLAlchemy Core tables: every table, column and constraint, in one place.

`bot.storage.models` maps its classes onto these tables (declarative with imperative table), and
Alembic's migrations are checked against them (tests/test_storage.py). Code that only reads rows
(the catalog snapshot, the round's counts, `kaikaku ask`) selects from these tables without
importing the ORM classes: mapping nineteen classes costs about 0.1 s of every start, which a
question at the terminal should not pay.

Catalog tables (plan, department, measure, year_plan, target) are rows, so targets and plans can
be queried. Reports are revisioned: one row per revision, the current one flagged. Inbound events
and the outbox carry unique keys: that is what makes delivery exactly-once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


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


plan = Table(
    "plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(100), unique=True, nullable=False),
    Column("title", String(300), nullable=False),
    Column("first_fy", Integer, nullable=False),
    Column("last_fy", Integer, nullable=False),
    Column("source_sha256", String(64)),
    Column("loaded_at", Timestamp),
)


department = Table(
    "department",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), unique=True, nullable=False),
)


department_alias = Table(
    "department_alias",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("department_id", Integer, ForeignKey("department.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(100), unique=True, nullable=False),
)


measure = Table(
    "measure",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plan.id", ondelete="CASCADE"), nullable=False),
    Column("no", Integer, nullable=False),
    Column("title", String(300), nullable=False),
    Column("numeric_goal", Boolean, default=False, nullable=False),
    Column("policy", String(300)),
    Column("section", String(300)),
    Column("summary", Text),
    Column("vision", Text),
    Column("related_plans", JSON, default=list, nullable=False),
    Column("resources", JSON),
    Column("missing", JSON, default=list, nullable=False),
    Column("no_target_reason", Text),
    Column("corrections", JSON, default=list, nullable=False),
    Column("notes", Text),
    UniqueConstraint("plan_id", "no"),
)


measure_department = Table(
    "measure_department",
    metadata,
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", Integer, ForeignKey("department.id"), primary_key=True),
    Column("position", Integer, default=0, nullable=False),
)


year_plan = Table(
    "year_plan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("fy", Integer, nullable=False),  # Western start year: 2026 = 令和8年度
    Column("text", Text),
    UniqueConstraint("measure_id", "fy"),
)


target = Table(
    "target",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", Integer, ForeignKey("measure.id", ondelete="CASCADE"), nullable=False),
    Column("fy", Integer, nullable=False),
    Column("position", Integer, default=0, nullable=False),
    Column("metric", String(200), nullable=False),
    Column("value", Numeric(20, 4)),
    Column("unit", String(20)),
    Column("direction", String(10), nullable=False),  # at_least / at_most / exactly
    Column("qualifier", String(100)),
    Column("text", Text),
    UniqueConstraint("measure_id", "fy", "metric"),
)


member = Table(
    "member",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),  # slack / line / console
    Column("user_id", String(100), nullable=False),
    Column("department_id", Integer, ForeignKey("department.id"), nullable=False),
    Column("role", String(20), default="staff", nullable=False),  # staff / manager / coordinator
    Column("name", String(100)),
    Column("person", String(100)),  # links one person's accounts
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("platform", "user_id"),
)


registration_code = Table(
    "registration_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code_hash", String(64), unique=True, nullable=False),
    Column("department_id", Integer, ForeignKey("department.id"), nullable=False),
    Column("role", String(20), default="staff", nullable=False),
    Column("name", String(100)),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("used_at", Timestamp),
    Column("used_by", String(150)),
)


dashboard_link = Table(
    "dashboard_link",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("used_at", Timestamp),
)


registration_attempt = Table(
    "registration_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("user_id", String(100), index=True, nullable=False),
    Column("at", Timestamp, nullable=False),
)


report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", Integer, ForeignKey("measure.id"), nullable=False),
    Column("department_id", Integer, ForeignKey("department.id"), nullable=False),
    Column("fy", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("is_current", Boolean, default=True, nullable=False),
    Column("status", String(20), nullable=False),  # draft / submitted / approved / returned
    Column("progress", String(20)),  # a code of texts.labels.PROGRESS
    Column("result_text", Text),
    Column("rating", String(10)),
    Column("reported_by", String(150)),
    Column("reported_at", Timestamp),
    # The manager's (or the coordinating division's) decision on a submitted revision:
    # status becomes approved / returned; the comment is the reason for a return.
    Column("reviewed_by", String(150)),
    Column("reviewed_at", Timestamp),
    Column("review_comment", Text),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("measure_id", "department_id", "fy", "revision"),
    # At most one current revision per (measure, department, fy): two submissions racing cannot
    # both stay current (the second insert or update fails; see reports.submit). The index is
    # partial (WHERE is_current); migration 0004 creates it so. Its WHERE is not repeated here:
    # `sqlite_where`/`postgresql_where` would import both dialects whenever the schema is imported
    # (about 25 ms of every `kaikaku ask`), and autogenerate does not compare an index's WHERE
    # (tests/test_submit_race.py checks the index on both databases).
    Index("uq_report_one_current", "measure_id", "department_id", "fy", unique=True),
)


actual = Table(
    "actual",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("report.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, default=0, nullable=False),
    Column("metric", String(200), nullable=False),
    Column("value", Numeric(20, 4)),  # NULL: not known yet, see skip_reason
    Column("unit", String(20)),
    Column("typed", Text, nullable=False),
    Column("skip_reason", String(20)),  # a code of texts.labels.SKIP_REASON
    Column("basis", String(10)),  # a code of texts.labels.BASIS
    Column("achievement_rate", Numeric(12, 6)),
    Column("met", Boolean),
    Column("achievement_method", Text),
)


dialog_state = Table(
    "dialog_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("channel", String(100), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("dialog", String(50), nullable=False),
    Column("step", String(50), nullable=False),
    Column("data", JSON, default=dict, nullable=False),
    Column("history", JSON, default=list, nullable=False),
    Column("version", Integer, default=0, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("platform", "channel", "user_id"),
)


audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Timestamp, index=True, nullable=False),
    Column("actor", String(150), nullable=False),  # "platform:user_id", or "cli:<os user>"
    Column("actor_name", String(100)),  # display name at the time
    Column("action", String(30), nullable=False),  # a code of texts.labels.AUDIT_ACTION
    Column("subject", String(20), nullable=False),  # report / member / assignment / catalog
    Column("measure_no", Integer, index=True),
    Column("department_id", Integer, ForeignKey("department.id")),
    Column("fy", Integer),
    Column("before", JSON),
    Column("after", JSON),
)


inbound_event = Table(
    "inbound_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), default="received", nullable=False),  # received/processed/failed
    Column("attempts", Integer, default=0, nullable=False),
    Column("error", Text),
    Column("received_at", Timestamp, nullable=False),
    Column("processed_at", Timestamp),
    # While `processing`: the worker's lease (real time); past it, the worker is taken to be dead
    # and the event is taken up again (bot.core.inbox).
    Column("lease_until", Timestamp),
    # When the answer was sent with the event's single-use reply token (LINE), written just before
    # the request: a retry after a crash does not push again what that reply carried.
    Column("reply_tried_at", Timestamp),
    UniqueConstraint("platform", "event_id"),
)


outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), unique=True, nullable=False),
    Column("platform", String(20), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("department_id", Integer, ForeignKey("department.id")),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), default="queued", nullable=False),  # queued/sending/sent/failed
    Column("attempts", Integer, default=0, nullable=False),
    Column("next_attempt_at", Timestamp),
    Column("last_error", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("sent_at", Timestamp),
)


push_usage = Table(
    "push_usage",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM
    Column("count", Integer, default=0, nullable=False),
    Column("refused", Integer, default=0, server_default="0", nullable=False),  # not sent: budget/quota
    UniqueConstraint("platform", "month"),
)


clock_heartbeat = Table(
    "clock_heartbeat",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("beat_at", Timestamp, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
)

"""report: at most one current revision per (measure, department, fiscal year)

A partial unique index (SQLite and PostgreSQL both support `WHERE` on an index): two
submissions racing can no longer both stay current.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CURRENT = sa.text("is_current")


def upgrade() -> None:
    _keep_latest_current()
    op.create_index(
        "uq_report_one_current", "report", ["measure_id", "department_id", "fy"], unique=True,
        sqlite_where=CURRENT, postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("uq_report_one_current", table_name="report")


def _keep_latest_current() -> None:
    """Databases written before this revision may hold two current rows (the race this index
    prevents): the highest revision stays current, the others become earlier revisions."""
    op.execute(sa.text(
        "UPDATE report SET is_current = false WHERE is_current AND revision < ("
        " SELECT max(r2.revision) FROM report r2 WHERE r2.measure_id = report.measure_id"
        " AND r2.department_id = report.department_id AND r2.fy = report.fy AND r2.is_current)"
    ))

"""actual: a figure not known yet is stored as such (value NULL + skip_reason code)

`skip_reason` holds a code of bot.texts.labels.SKIP_REASON (pending = 未確定・集計中,
not_available = 数値なし); `value` is NULL exactly when it is set. Readers (answers, digest,
export) show the label instead of a number and compute no achievement for it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actual") as batch:
        batch.add_column(sa.Column("skip_reason", sa.String(length=20), nullable=True))
        batch.alter_column("value", existing_type=sa.Numeric(precision=20, scale=4), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM actual WHERE value IS NULL"))
    with op.batch_alter_table("actual") as batch:
        batch.alter_column("value", existing_type=sa.Numeric(precision=20, scale=4), nullable=False)
        batch.drop_column("skip_reason")

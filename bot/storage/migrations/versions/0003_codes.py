"""report.progress and actual.basis hold codes, not labels (未着手 → not_started, 見込み → estimate)

Rewording a button (bot.texts.labels) no longer changes data. Both ways: the downgrade writes the
labels back. The pairs are written out here, as they were when this migration was made: a later
change of a label must not change what this migration does.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PROGRESS = {"not_started": "未着手", "in_progress": "実施中", "done": "完了"}
BASIS = {"estimate": "見込み", "final": "確定"}
COLUMNS = (("report", "progress", PROGRESS), ("actual", "basis", BASIS))


def _rewrite(table: str, column: str, pairs: dict[str, str]) -> None:
    for old, new in pairs.items():
        op.execute(
            sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(old=old, new=new)
        )


def upgrade() -> None:
    for table, column, labels in COLUMNS:
        _rewrite(table, column, {label: code for code, label in labels.items()})


def downgrade() -> None:
    for table, column, labels in COLUMNS:
        _rewrite(table, column, labels)

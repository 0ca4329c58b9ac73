"""live progress: when each chunk was recorded; the failed-lines file

Revision ID: 0012
Revises: 0011
Written by hand. A chunk record keeps when it was recorded (on the server's clock): an import's rate and ETA
come from the recent ones. An operation keeps the key of the file holding its input lines whose results
carried errors (``failedLinesUrl`` of the bulkops extension endpoint).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.add_column(sa.Column("recorded_at", sa.DateTime()))
    with op.batch_alter_table("bulk_operations") as batch:
        batch.add_column(sa.Column("failed_lines_key", sa.String(1024)))


def downgrade() -> None:
    with op.batch_alter_table("bulk_operations") as batch:
        batch.drop_column("failed_lines_key")
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.drop_column("recorded_at")

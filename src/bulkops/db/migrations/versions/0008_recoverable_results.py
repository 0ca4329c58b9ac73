"""results that survive their segments: chunk result bytes kept in the chunk record; operations waiting to retry

Revision ID: 0008
Revises: 0007
Written by hand. ``bulk_chunks.result_data`` holds a chunk's result lines, compressed, committed with the chunk,
so a lost segment is rebuilt from it (NULL for chunks written before this revision, and once the operation's
file is composed). ``bulk_operations.retries``/``retry_reason`` say why an operation waits to try again (a full
disk, an unreachable store); ``finishing_status``/``finishing_error_code`` the final status its composing waits
to reach.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bulk_chunks", sa.Column("result_data", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("bulk_operations") as table:
        table.add_column(sa.Column("retries", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("retry_reason", sa.Text(), nullable=True))
        table.add_column(sa.Column("finishing_status", sa.String(16), nullable=True))
        table.add_column(sa.Column("finishing_error_code", sa.String(32), nullable=True))
    op.create_index("ix_bulk_operations_retries", "bulk_operations", ["retries"])


def downgrade() -> None:
    op.drop_index("ix_bulk_operations_retries", table_name="bulk_operations")
    with op.batch_alter_table("bulk_operations") as table:
        table.drop_column("finishing_error_code")
        table.drop_column("finishing_status")
        table.drop_column("retry_reason")
        table.drop_column("retries")
    op.drop_column("bulk_chunks", "result_data")

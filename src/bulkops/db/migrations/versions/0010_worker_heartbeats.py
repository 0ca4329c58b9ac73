"""worker heartbeats; failed lines and duration per chunk

Revision ID: 0010
Revises: 0009
Written by hand. Every process that runs bulk operations beats its row in ``bulk_workers`` (``/readyz`` tells a
queue nobody serves); a chunk record keeps how many of its lines failed and how long it took (``/metrics``
counts them from the database, so every worker process's work is counted once).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_workers",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bulk_workers_heartbeat_at", "bulk_workers", ["heartbeat_at"])
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.add_column(sa.Column("failed_lines", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("duration_ms", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.drop_column("duration_ms")
        batch.drop_column("failed_lines")
    op.drop_index("ix_bulk_workers_heartbeat_at", table_name="bulk_workers")
    op.drop_table("bulk_workers")

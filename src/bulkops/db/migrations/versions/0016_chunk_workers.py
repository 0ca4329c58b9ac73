"""chunk workers: which worker committed each chunk

Revision ID: 0016
Revises: 0015
Written by hand. On PostgreSQL an import's chunks are claimed by several workers at once (engine/shared_chunks.py):
each chunk record names the worker that committed it (for ``/metrics``, logs and the scale-out tests).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.add_column(sa.Column("worker", sa.String(128)))


def downgrade() -> None:
    with op.batch_alter_table("bulk_chunks") as batch:
        batch.drop_column("worker")

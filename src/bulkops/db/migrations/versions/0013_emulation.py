"""emulator control plane: progression rules, faults and per-operation emulation state

Revision ID: 0013
Revises: 0012
Written by hand. ``emulation_rules`` holds the control plane's progression rules and seeded faults (every process
of a deployment reads them from here); ``emulated_operations`` counts an operation's reads (``polls`` mode), the
lines ``advance`` granted it and the status it was told to reach.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "emulation_rules",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fault_type", sa.String(32)),
        sa.Column("shop", sa.String(255)),
        sa.Column("operation_type", sa.String(16)),
        sa.Column("operation_id", sa.BigInteger()),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("times", sa.Integer()),
        sa.Column("fired", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("draws", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "emulated_operations",
        sa.Column("operation_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("reads", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("granted_lines", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("forced_status", sa.String(16)),
    )


def downgrade() -> None:
    op.drop_table("emulated_operations")
    op.drop_table("emulation_rules")

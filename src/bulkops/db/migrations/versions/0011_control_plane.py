"""control plane: the virtual clock's offset and the request log

Revision ID: 0011
Revises: 0010
Written by hand. The control plane (``/__bulkops/``) keeps what every process must see in the database: the
offset the virtual clock adds to real time, and a bounded log of the Shopify endpoint's calls.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "virtual_clock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("offset_seconds", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "request_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("shop", sa.String(255)),
        sa.Column("api_version", sa.String(16)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("operation_name", sa.String(255)),
        sa.Column("root_fields", sa.JSON(), nullable=False),
        sa.Column("variables", sa.Text()),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("error_codes", sa.JSON(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Integer()),
    )


def downgrade() -> None:
    op.drop_table("request_log")
    op.drop_table("virtual_clock")

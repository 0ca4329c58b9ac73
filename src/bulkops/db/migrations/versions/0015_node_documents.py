"""node documents: every loaded node kept whole

Revision ID: 0015
Revises: 0014
Written by hand. ``bulkops load`` keeps each node of a bulk-query result file as a document (Admin API shape):
fields no column answers are read from it, and types with no table of their own are listed from it by type.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node_documents",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("gid", sa.String(255), nullable=False),
        sa.Column("typename", sa.String(128), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("parent_gid", sa.String(255)),
        sa.Column("parent_type", sa.String(128)),
        sa.Column("parent_number", sa.BigInteger()),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime()),
        sa.Column("updated_at", sa.DateTime()),
        sa.UniqueConstraint("shop_id", "gid", name="uq_node_documents_shop_gid"),
    )
    op.create_index("ix_node_documents_shop_type_number", "node_documents", ["shop_id", "typename", "number"])
    op.create_index("ix_node_documents_parent", "node_documents", ["shop_id", "parent_type", "parent_number"])


def downgrade() -> None:
    op.drop_index("ix_node_documents_parent", table_name="node_documents")
    op.drop_index("ix_node_documents_shop_type_number", table_name="node_documents")
    op.drop_table("node_documents")

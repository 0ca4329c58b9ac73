"""product media (images, videos, external videos, 3D models attached to a product)

Revision ID: 0005
Revises: 0004
Written by hand (other tables may be mid-flight in tables.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "product_media",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("product_id", Id, sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("media_content_type", sa.String(16), nullable=False),
        sa.Column("original_source", sa.Text(), nullable=False),
        sa.Column("alt", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("preview_image_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_product_media_product_position", "product_media", ["product_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_product_media_product_position", table_name="product_media")
    op.drop_table("product_media")

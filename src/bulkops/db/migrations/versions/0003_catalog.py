"""catalog: collections and their products, publications and what is published where

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.String(length=255), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.String(length=16), nullable=False),
        sa.Column("template_suffix", sa.String(length=255), nullable=True),
        sa.Column("seo_title", sa.String(length=255), nullable=True),
        sa.Column("seo_description", sa.Text(), nullable=True),
        sa.Column("rule_set", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_id", "handle", name="uq_collections_shop_handle"),
    )
    op.create_table(
        "collection_products",
        sa.Column("collection_id", _ID, nullable=False),
        sa.Column("product_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "product_id"),
    )
    op.create_index("ix_collection_products_product_id", "collection_products", ["product_id"])
    op.create_table(
        "publications",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("auto_publish", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("shop_id", "name", name="uq_publications_shop_name"),
    )
    op.create_table(
        "resource_publications",
        sa.Column("publication_id", _ID, nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.BigInteger(), nullable=False),
        sa.Column("publish_date", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("publication_id", "resource_type", "resource_id"),
    )
    op.create_index("ix_resource_publications_resource", "resource_publications", ["resource_type", "resource_id"])
    with op.batch_alter_table("product_variants") as batch_op:
        batch_op.add_column(sa.Column("inventory_item", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product_variants") as batch_op:
        batch_op.drop_column("inventory_item")
    op.drop_index("ix_resource_publications_resource", table_name="resource_publications")
    op.drop_table("resource_publications")
    op.drop_table("publications")
    op.drop_index("ix_collection_products_product_id", table_name="collection_products")
    op.drop_table("collection_products")
    op.drop_table("collections")

"""inventory: locations, named quantities per item and location, adjustment groups

Revision ID: 0007
Revises: 0006
Written by hand. Every existing shop gets its default location (new shops get one when created).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DEFAULT_LOCATION_NAME = "Shop location"


def upgrade() -> None:
    op.create_table(
        "locations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_locations_shop_id", "locations", ["shop_id"])
    op.create_table(
        "inventory_quantities",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("item_id", Id, sa.ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("location_id", Id, sa.ForeignKey("locations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("item_id", "location_id", "name", name="uq_inventory_quantities_level_name"),
    )
    op.create_table(
        "inventory_adjustment_groups",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("reference_document_uri", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.execute(sa.text(
        "INSERT INTO locations (shop_id, name, is_primary, is_active, created_at, updated_at) "
        "SELECT id, :name, :yes, :yes, created_at, created_at FROM shops"
    ).bindparams(name=DEFAULT_LOCATION_NAME, yes=True))


def downgrade() -> None:
    op.drop_table("inventory_adjustment_groups")
    op.drop_table("inventory_quantities")
    op.drop_index("ix_locations_shop_id", table_name="locations")
    op.drop_table("locations")

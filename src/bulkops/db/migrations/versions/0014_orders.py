"""orders: orders with their line items, shipping lines and transactions

Revision ID: 0014
Revises: 0013
Written from ``tables.py`` by ``python -m bulkops.db.revision``. An order keeps its totals (shop and presentment
amounts), addresses, tax lines and fulfillments in its row; line items, shipping lines and transactions are rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("orders",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=255), nullable=False),
    sa.Column("email", sa.String(length=255), nullable=True),
    sa.Column("phone", sa.String(length=64), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("currency_code", sa.String(length=3), nullable=False),
    sa.Column("presentment_currency_code", sa.String(length=3), nullable=False),
    sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("financial_status", sa.String(length=32), nullable=True),
    sa.Column("fulfillment_status", sa.String(length=32), nullable=False),
    sa.Column("processed_at", sa.DateTime(), nullable=False),
    sa.Column("closed_at", sa.DateTime(), nullable=True),
    sa.Column("cancelled_at", sa.DateTime(), nullable=True),
    sa.Column("test", sa.Boolean(), nullable=False),
    sa.Column("taxes_included", sa.Boolean(), nullable=False),
    sa.Column("buyer_accepts_marketing", sa.Boolean(), nullable=False),
    sa.Column("source_name", sa.String(length=255), nullable=True),
    sa.Column("source_identifier", sa.String(length=255), nullable=True),
    sa.Column("source_url", sa.Text(), nullable=True),
    sa.Column("po_number", sa.String(length=255), nullable=True),
    sa.Column("discount_code", sa.String(length=255), nullable=True),
    sa.Column("discount_application", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("custom_attributes", sa.JSON(), nullable=False),
    sa.Column("billing_address", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("shipping_address", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("tax_lines", sa.JSON(), nullable=False),
    sa.Column("totals", sa.JSON(), nullable=False),
    sa.Column("total_cents", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("subtotal_quantity", sa.Integer(), nullable=False),
    sa.Column("total_weight", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("requires_shipping", sa.Boolean(), nullable=False),
    sa.Column("payment_gateway_names", sa.JSON(), nullable=False),
    sa.Column("fulfillments", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("shop_id", "number", name="uq_orders_shop_number")
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_orders_shop_processed_at", ["shop_id", "processed_at"], unique=False)
        batch_op.create_index("ix_orders_shop_updated_at", ["shop_id", "updated_at"], unique=False)

    op.create_table("order_line_items",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("currency_code", sa.String(length=3), nullable=False),
    sa.Column("presentment_currency_code", sa.String(length=3), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=255), nullable=False),
    sa.Column("variant_title", sa.String(length=255), nullable=True),
    sa.Column("sku", sa.String(length=255), nullable=True),
    sa.Column("vendor", sa.String(length=255), nullable=True),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.Column("fulfilled_quantity", sa.Integer(), nullable=False),
    sa.Column("price", sa.String(length=32), nullable=False),
    sa.Column("presentment_price", sa.String(length=32), nullable=False),
    sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("variant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("requires_shipping", sa.Boolean(), nullable=False),
    sa.Column("taxable", sa.Boolean(), nullable=False),
    sa.Column("gift_card", sa.Boolean(), nullable=False),
    sa.Column("properties", sa.JSON(), nullable=False),
    sa.Column("tax_lines", sa.JSON(), nullable=False),
    sa.Column("weight_grams", sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("order_line_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_items_order_id"), ["order_id"], unique=False)

    op.create_table("order_shipping_lines",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("currency_code", sa.String(length=3), nullable=False),
    sa.Column("presentment_currency_code", sa.String(length=3), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(length=255), nullable=False),
    sa.Column("code", sa.String(length=255), nullable=True),
    sa.Column("source", sa.String(length=255), nullable=True),
    sa.Column("price", sa.String(length=32), nullable=False),
    sa.Column("presentment_price", sa.String(length=32), nullable=False),
    sa.Column("tax_lines", sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("order_shipping_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_shipping_lines_order_id"), ["order_id"], unique=False)

    op.create_table("order_transactions",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("shop_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("currency_code", sa.String(length=3), nullable=False),
    sa.Column("presentment_currency_code", sa.String(length=3), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("gateway", sa.String(length=255), nullable=True),
    sa.Column("amount", sa.String(length=32), nullable=False),
    sa.Column("presentment_amount", sa.String(length=32), nullable=False),
    sa.Column("authorization_code", sa.String(length=255), nullable=True),
    sa.Column("test", sa.Boolean(), nullable=False),
    sa.Column("receipt_json", sa.JSON(none_as_null=True), nullable=True),
    sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("processed_at", sa.DateTime(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("order_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_transactions_order_id"), ["order_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("order_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_transactions_order_id"))

    op.drop_table("order_transactions")
    with op.batch_alter_table("order_shipping_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_shipping_lines_order_id"))

    op.drop_table("order_shipping_lines")
    with op.batch_alter_table("order_line_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_items_order_id"))

    op.drop_table("order_line_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_shop_updated_at")
        batch_op.drop_index("ix_orders_shop_processed_at")
        batch_op.drop_index(batch_op.f("ix_orders_customer_id"))

    op.drop_table("orders")

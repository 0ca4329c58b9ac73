"""shop data behind the bulk mutations: metaobjects, price lists, gift cards, store credit, marketing

Revision ID: 0004
Revises: 0003
Written by hand (other tables may be mid-flight in tables.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _shop() -> sa.Column:
    return sa.Column("shop_id", Id, sa.ForeignKey("shops.id"), nullable=False)


def _stamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False)]


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("tax_exemptions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("multipass_identifier", sa.String(255), nullable=True))

    op.create_table(
        "metaobject_definitions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("display_name_key", sa.String(64)),
        sa.Column("field_definitions", sa.JSON(), nullable=False),
        sa.Column("access", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("shop_id", "type", name="uq_metaobject_definitions_shop_type"),
    )
    op.create_table(
        "metaobjects",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("definition_id", Id, sa.ForeignKey("metaobject_definitions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("shop_id", "type", "handle", name="uq_metaobjects_shop_type_handle"),
    )
    op.create_index("ix_metaobjects_definition_id", "metaobjects", ["definition_id"])
    op.create_table(
        "price_lists",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_price_lists_shop_id", "price_lists", ["shop_id"])
    op.create_table(
        "price_list_prices",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("price_list_id", Id, sa.ForeignKey("price_lists.id", ondelete="CASCADE"), nullable=False),
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("compare_at_amount", sa.String(32)),
        sa.Column("currency", sa.String(3), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("price_list_id", "variant_id", name="uq_price_list_prices_list_variant"),
    )
    op.create_table(
        "gift_cards",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("initial_value", sa.String(32), nullable=False),
        sa.Column("balance", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("customer_id", sa.BigInteger()),
        sa.Column("expires_on", sa.Date()),
        sa.Column("note", sa.Text()),
        sa.Column("template_suffix", sa.String(255)),
        sa.Column("recipient", sa.JSON()),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime()),
        *_stamps(),
        sa.UniqueConstraint("shop_id", "code", name="uq_gift_cards_shop_code"),
    )
    op.create_table(
        "store_credit_accounts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("owner_type", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", sa.String(32), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("shop_id", "owner_type", "owner_id", "currency",
                            name="uq_store_credit_accounts_owner_currency"),
    )
    op.create_table(
        "store_credit_transactions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("account_id", Id, sa.ForeignKey("store_credit_accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("balance_after", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.DateTime()),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_store_credit_transactions_account_id", "store_credit_transactions", ["account_id"])
    op.create_table(
        "marketing_activities",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("remote_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("tactic", sa.String(32), nullable=False),
        sa.Column("channel_type", sa.String(32), nullable=False),
        sa.Column("channel_handle", sa.String(255)),
        sa.Column("remote_url", sa.Text(), nullable=False),
        sa.Column("remote_preview_image_url", sa.Text()),
        sa.Column("referring_domain", sa.String(255)),
        sa.Column("url_parameter_value", sa.String(255)),
        sa.Column("utm", sa.JSON()),
        sa.Column("hierarchy_level", sa.String(16)),
        sa.Column("parent_remote_id", sa.String(255)),
        sa.Column("budget", sa.JSON()),
        sa.Column("ad_spend", sa.JSON()),
        sa.Column("schedule", sa.JSON(), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("shop_id", "remote_id", name="uq_marketing_activities_shop_remote"),
    )
    op.create_table(
        "marketing_engagements",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _shop(),
        sa.Column("activity_id", Id, sa.ForeignKey("marketing_activities.id", ondelete="CASCADE")),
        sa.Column("channel_handle", sa.String(255)),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("is_cumulative", sa.Boolean(), nullable=False),
        sa.Column("utc_offset", sa.String(8), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        *_stamps(),
    )
    op.create_index("ix_marketing_engagements_target_day", "marketing_engagements",
                    ["shop_id", "activity_id", "channel_handle", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_marketing_engagements_target_day", "marketing_engagements")
    op.drop_table("marketing_engagements")
    op.drop_table("marketing_activities")
    op.drop_index("ix_store_credit_transactions_account_id", "store_credit_transactions")
    op.drop_table("store_credit_transactions")
    op.drop_table("store_credit_accounts")
    op.drop_table("gift_cards")
    op.drop_table("price_list_prices")
    op.drop_index("ix_price_lists_shop_id", "price_lists")
    op.drop_table("price_lists")
    op.drop_index("ix_metaobjects_definition_id", "metaobjects")
    op.drop_table("metaobjects")
    op.drop_table("metaobject_definitions")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("multipass_identifier")
        batch.drop_column("tax_exemptions")

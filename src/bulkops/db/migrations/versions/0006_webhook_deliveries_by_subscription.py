"""webhook deliveries found by subscription, latest finished first

Revision ID: 0006
Revises: 0005
Written by hand. Serves the count of a subscription's deliveries that failed in a row (a failing subscription
is removed) and the ON DELETE SET NULL of a removed subscription's deliveries, which otherwise scan the table.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_webhook_deliveries_subscription_finished", "webhook_deliveries",
                    ["subscription_id", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_subscription_finished", table_name="webhook_deliveries")

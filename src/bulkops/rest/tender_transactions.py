"""``tender_transactions.json``: the money each order's successful sales, captures and refunds moved, read from
its transactions (REST's TenderTransaction: refunds negative)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bulkops.domain.orders.listing import TENDER_TRANSACTIONS_REST
from bulkops.rest.shapes import RestResource, each, rest_time


def present(row: Any) -> dict[str, Any]:
    amount = Decimal(row.amount) * (-1 if row.kind == "REFUND" else 1)
    return {
        "id": row.id, "order_id": row.order_id, "amount": f"{amount:.2f}", "currency": row.currency_code,
        "user_id": None, "test": row.test, "processed_at": rest_time(row.processed_at),
        "remote_reference": row.authorization_code, "payment_details": None,
        "payment_method": row.gateway or "other",
    }


TENDER_TRANSACTIONS = RestResource("tender_transactions", "tender_transaction", TENDER_TRANSACTIONS_REST,
                                   each(present))

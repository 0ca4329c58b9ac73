"""PriceList and PriceListPrice: each field's source, once (domain/fields.py); a price's variant is another
node, answered by the GraphQL layer."""

from __future__ import annotations

from bulkops.domain.fields import Computed, Const, FieldMap, Plain, Resolved, columns, no_rows
from bulkops.domain.money import money

PRICE_LIST = FieldMap("PriceList", {
    "id": Plain("id", "gid"), "_pk": Plain("id"), **columns(name="name", currency="currency"),
    "catalog": Const(None),
})

PRICE = FieldMap("PriceListPrice", {
    "price": Computed(lambda row: money(row.amount, row.currency)),
    "compareAtPrice": Computed(
        lambda row: money(row.compare_at_amount, row.currency) if row.compare_at_amount else None),
    "originType": Const("FIXED"), "variant": Resolved(), "quantityPriceBreaks": Const(no_rows),
})
"""Read from a fixed price's row (this server keeps fixed prices only)."""

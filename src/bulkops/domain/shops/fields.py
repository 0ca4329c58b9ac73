"""Shop: each field's source, once (domain/fields.py). This server keeps a shop's name and domain; the rest
is what a new shop at Shopify answers (USD, UTC, the owner's address at the shop's domain)."""

from __future__ import annotations

from bulkops.domain.fields import Computed, Const, FieldMap, Plain, columns
from bulkops.domain.money import SHOP_CURRENCY

SHOP = FieldMap("Shop", {
    "id": Plain("id", "gid"), **columns(name="name", myshopifyDomain="domain"),
    "email": Computed(lambda shop: f"owner@{shop.domain}"), "contactEmail": Computed(lambda shop: f"owner@{shop.domain}"),
    "url": Computed(lambda shop: f"https://{shop.domain}"),
    "currencyCode": Const(SHOP_CURRENCY), "ianaTimezone": Const("UTC"), "timezoneAbbreviation": Const("UTC"),
    "timezoneOffset": Const("+0000"), "timezoneOffsetMinutes": Const(0), "description": Const(None),
})
"""Read from a ``rules.Shop``."""

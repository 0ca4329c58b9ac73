"""``customers.json``: the REST Customer resource (and its addresses) from the stored customer row."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bulkops.domain.customers.fields import COUNTRY_NAMES, email_consent, sms_consent
from bulkops.domain.customers.listing import CUSTOMERS_REST
from bulkops.domain.money import SHOP_CURRENCY
from bulkops.domain.orders.reads import CustomerOrders, customers_orders
from bulkops.rest.shapes import RestResource, graphql_id, rest_tags, rest_time


def _address(customer_id: int, raw: dict[str, Any], default: bool) -> dict[str, Any]:
    names = [raw.get("firstName"), raw.get("lastName")]
    code = raw.get("countryCode")
    return {
        "id": raw["id"], "customer_id": customer_id, "first_name": raw.get("firstName"),
        "last_name": raw.get("lastName"), "company": raw.get("company"), "address1": raw.get("address1"),
        "address2": raw.get("address2"), "city": raw.get("city"), "province": raw.get("province"),
        "country": COUNTRY_NAMES.get(code or "", raw.get("country")), "zip": raw.get("zip"),
        "phone": raw.get("phone"), "name": " ".join(n for n in names if n), "province_code": raw.get("provinceCode"),
        "country_code": code, "country_name": COUNTRY_NAMES.get(code or "", raw.get("country")), "default": default,
    }


def _consent(stored: dict[str, Any] | None, sms: bool) -> dict[str, Any] | None:
    """GraphQL's consent in REST's words (``SUBSCRIBED`` -> ``subscribed``)."""
    if stored is None:
        return None
    body = {"state": stored["marketingState"].lower(), "opt_in_level": stored["marketingOptInLevel"].lower(),
            "consent_updated_at": stored.get("consentUpdatedAt")}
    if sms:
        body["consent_collected_from"] = stored.get("consentCollectedFrom", "OTHER")
    return body


def present(row: Any, placed: CustomerOrders) -> dict[str, Any]:
    addresses = [_address(row.id, raw, i == 0) for i, raw in enumerate(row.addresses or [])]
    return {
        "id": row.id, "email": row.email, "created_at": rest_time(row.created_at),
        "updated_at": rest_time(row.updated_at), "first_name": row.first_name, "last_name": row.last_name,
        "orders_count": placed.count, "state": row.state.lower(), "total_spent": f"{Decimal(placed.cents) / 100:.2f}",
        "last_order_id": placed.last_id,
        "note": row.note, "verified_email": row.verified_email, "multipass_identifier": row.multipass_identifier,
        "tax_exempt": row.tax_exempt, "tags": rest_tags(row.tags), "last_order_name": placed.last_name,
        "currency": SHOP_CURRENCY, "phone": row.phone, "addresses": addresses,
        "tax_exemptions": row.tax_exemptions or [],
        "email_marketing_consent": _consent(email_consent(row), sms=False),
        "sms_marketing_consent": _consent(sms_consent(row), sms=True),
        "admin_graphql_api_id": graphql_id("Customer", row.id),
        "default_address": addresses[0] if addresses else None,
    }


def present_many(conn: Any, shop_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    """The customers with what their orders come to (read for the page at once)."""
    placed = customers_orders(conn, shop_id, [row.id for row in rows]) if rows else {}
    return [present(row, placed.get(row.id, CustomerOrders())) for row in rows]


CUSTOMERS = RestResource("customers", "customer", CUSTOMERS_REST, present_many, metafield_owner="Customer")

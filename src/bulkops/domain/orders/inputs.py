"""orderCreate's input as plain data (ids already numbers, no GraphQL): what the binding translates an
``OrderCreateOrderInput`` into, and what ``rules.create_many`` checks and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bulkops.domain.customers.rules import CustomerFields


@dataclass(frozen=True)
class MoneyIn:
    """A ``MoneyBagInput``: the shop amount and, when given, the presentment amount (raw: the rules parse them)."""

    amount: Any
    presentment: Any | None = None


@dataclass(frozen=True)
class TaxLineIn:
    title: str
    rate: Any
    price: MoneyIn | None = None
    channel_liable: bool | None = False


@dataclass(frozen=True)
class LineItemIn:
    quantity: int
    title: str | None = None
    variant_title: str | None = None
    sku: str | None = None
    vendor: str | None = None
    price: MoneyIn | None = None
    product_id: int | None = None
    variant_id: int | None = None
    requires_shipping: bool = False
    taxable: bool = True
    gift_card: bool = False
    properties: tuple[tuple[str, str], ...] = ()
    tax_lines: tuple[TaxLineIn, ...] = ()
    weight_grams: int | None = None
    fulfillment_service: str | None = None


@dataclass(frozen=True)
class ShippingLineIn:
    title: str
    price: MoneyIn
    code: str | None = None
    source: str | None = None
    tax_lines: tuple[TaxLineIn, ...] = ()


@dataclass(frozen=True)
class TransactionIn:
    amount: MoneyIn
    kind: str = "SALE"
    status: str = "SUCCESS"
    gateway: str | None = None
    authorization_code: str | None = None
    test: bool = False
    processed_at: str | None = None
    receipt_json: Any = None
    location_id: int | None = None


@dataclass(frozen=True)
class CustomerIn:
    """``customer``: an existing customer (``toAssociate``: by id or email) or one to create or update
    (``toUpsert``: found by ``upsert_id``, else by its email, else created)."""

    associate_id: int | None = None
    associate_email: str | None = None
    upsert: CustomerFields | None = None
    upsert_id: int | None = None


@dataclass(frozen=True)
class DiscountIn:
    """``discountCode``: which kinds were given (only one may be), the code, and its amount or percentage."""

    kinds: tuple[str, ...]
    code: str | None = None
    amount: MoneyIn | None = None
    percentage: float | None = None


@dataclass(frozen=True)
class FulfillmentIn:
    location_id: int | None
    tracking_company: str | None = None
    tracking_number: str | None = None
    shipment_status: str | None = None


@dataclass(frozen=True)
class OrderIn:
    line_items: tuple[LineItemIn, ...] | None = None
    shipping_lines: tuple[ShippingLineIn, ...] = ()
    transactions: tuple[TransactionIn, ...] = ()
    tax_lines: tuple[TaxLineIn, ...] = ()
    customer: CustomerIn | None = None
    customer_id: int | None = None
    """The deprecated ``customerId``."""
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    name: str | None = None
    po_number: str | None = None
    source_name: str | None = None
    source_identifier: str | None = None
    source_url: str | None = None
    currency: str | None = None
    presentment_currency: str | None = None
    processed_at: str | None = None
    closed_at: str | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    test: bool = False
    taxes_included: bool = False
    buyer_accepts_marketing: bool | None = None
    custom_attributes: tuple[tuple[str, str], ...] = ()
    billing_address: dict[str, Any] | None = None
    shipping_address: dict[str, Any] | None = None
    discount: DiscountIn | None = None
    fulfillment: FulfillmentIn | None = None
    inventory_behaviour: str = "BYPASS"
    metafields: tuple[dict[str, Any], ...] = field(default=())

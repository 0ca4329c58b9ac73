"""Order, LineItem, ShippingLine, OrderTransaction and an order's Fulfillment: each field's source, once
(domain/fields.py). Money is Shopify's ``MoneyBag { shopMoney presentmentMoney }``, from amounts kept in both
currencies; what nothing here records (refunds, duties, tips, risks) reads as Shopify's empty value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bulkops.domain.customers.fields import present_address
from bulkops.domain.fields import Child, Computed, Const, FieldMap, Plain, Resolved, columns, common, no_rows
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.money import amount_text, money
from bulkops.domain.orders.listing import LINE_ITEMS, SHIPPING_LINES

ZERO = ("0.0", "0.0")
"""No amount, as Shopify writes its Decimal."""


def bag(amounts: Any, shop_currency: str, presentment_currency: str) -> dict[str, Any]:
    """A ``MoneyBag`` from ``[shop amount, presentment amount]``."""
    return {"shopMoney": money(amounts[0], shop_currency), "presentmentMoney": money(amounts[1], presentment_currency)}


def _bag_of(row: Any, amounts: Any) -> dict[str, Any]:
    return bag(amounts, row.currency_code, row.presentment_currency_code)


def _times(amount: str, quantity: int) -> str:
    return amount_text(Decimal(amount) * quantity)


def present_tax_line(row: Any, line: dict[str, Any]) -> dict[str, Any]:
    rate = float(line["rate"])
    return {"__typename": "TaxLine", "title": line["title"], "rate": rate, "ratePercentage": rate * 100,
            "channelLiable": line.get("channelLiable"), "source": None, "priceSet": _bag_of(row, line["price"]),
            "price": amount_text(line["price"][0])}


def _tax_lines(row: Any) -> Callable[..., list[dict[str, Any]]]:
    """``taxLines(first:)`` (a line item's and a shipping line's take ``first``, an order's takes nothing)."""
    lines = [present_tax_line(row, line) for line in row.tax_lines or []]
    return lambda info, first=None: lines[:first] if first else lines


# ---- Order --------------------------------------------------------------------------------------------
def _total(row: Any, name: str) -> Any:
    return row.totals.get(name, ZERO)


def _order_bag(name: str) -> Computed:
    return Computed(lambda row: _bag_of(row, _total(row, name)))


def _order_amount(name: str) -> Computed:
    """A deprecated ``Money`` field: the shop amount as Shopify's Decimal text."""
    return Computed(lambda row: _total(row, name)[0])


def _outstanding(row: Any) -> list[str]:
    total, received = _total(row, "total"), _total(row, "received")
    return [amount_text(max(Decimal(total[i]) - Decimal(received[i]), Decimal(0))) for i in (0, 1)]


def _capturable(row: Any) -> list[str]:
    return list(_total(row, "total")) if row.financial_status == "AUTHORIZED" else list(ZERO)


def _address_of(row: Any, column: str, number: int) -> dict[str, Any] | None:
    """An order's address, with an id of its own (the order's id and which address it is)."""
    raw = getattr(row, column)
    if raw is None:
        return None
    presented = present_address({**raw, "id": row.id * 10 + number})
    return {**presented, "id": f"gid://shopify/MailingAddress/{row.id * 10 + number}?model_name=Address"}


def _addresses_match(row: Any) -> bool:
    keys = ("address1", "address2", "city", "zip", "province", "provinceCode", "country", "countryCode")
    billing, shipping = row.billing_address or {}, row.shipping_address or {}
    return all(billing.get(k) == shipping.get(k) for k in keys)


def _status_page_url(row: Any) -> Callable[..., str]:
    """A non-null URL Shopify serves from the shop's domain (its form UNCONFIRMED): nothing here serves an
    order status page, so it names the order on a host that says so."""
    url = f"https://bulkops.invalid/orders/{row.id}/status"
    return lambda info, audience=None, notificationUsage=None: url


def _confirmation_number(row: Any) -> str:
    """Shopify's is nine random letters and digits; here one from the id, so it is stable."""
    alphabet, number, out = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789", row.id * 7919 + 104729, ""
    while len(out) < 9:
        number, digit = divmod(number, len(alphabet))
        out += alphabet[digit]
    return out


def _fulfillments(row: Any) -> Callable[..., list[dict[str, Any]]]:
    """``fulfillments(first:, query:)``: the fulfillment orderCreate's ``fulfillment`` made, kept in the row."""
    presented = [_present_fulfillment(row, index, kept) for index, kept in enumerate(row.fulfillments or [], 1)]
    return lambda info, first=None, query=None: presented[:first] if first else presented


def _present_fulfillment(row: Any, number: int, kept: dict[str, Any]) -> dict[str, Any]:
    tracking = ([{"company": kept.get("trackingCompany"), "number": kept.get("trackingNumber"), "url": None}]
                if kept.get("trackingNumber") or kept.get("trackingCompany") else [])
    fulfillment_id = row.id * 100 + number
    return {
        "__typename": "Fulfillment", "id": f"gid://shopify/Fulfillment/{fulfillment_id}",
        "legacyResourceId": str(fulfillment_id), "name": f"{row.name}.{number}", "status": kept["status"],
        "displayStatus": "FULFILLED", "createdAt": kept["createdAt"], "updatedAt": kept["createdAt"],
        "deliveredAt": None, "estimatedDeliveryAt": None, "inTransitAt": None,
        "requiresShipping": kept["requiresShipping"], "totalQuantity": kept["totalQuantity"],
        "trackingInfo": lambda info, first=None: tracking[:first] if first else tracking,
        "events": no_rows, "fulfillmentLineItems": no_rows, "fulfillmentOrders": no_rows,
        "order": lambda info: present_order(row), "location": None, "service": None, "originAddress": None,
    }


def present_discount_application(row: Any) -> dict[str, Any]:
    """The order's discount code as a ``DiscountCodeApplication`` (``row`` has one: see ``discount_applications``)."""
    kept = row.discount_application
    value = kept["value"]
    shown = ({"__typename": "PricingPercentageValue", "percentage": value["percentage"]} if "percentage" in value
             else {"__typename": "MoneyV2", **money(value["amount"], row.currency_code)})
    return {"__typename": "DiscountCodeApplication", "code": kept["code"], "index": 0, "allocationMethod": "ACROSS",
            "targetSelection": "ALL", "targetType": kept["targetType"], "value": shown}


def _discount_applications(row: Any) -> Callable[..., dict[str, Any]]:
    """``discountApplications(first:, last:, …)``: at most one (orderCreate takes one discount code)."""
    nodes = [present_discount_application(row)] if row.discount_application is not None else []

    def page(info: Any, first: int | None = None, last: int | None = None, **_: Any) -> dict[str, Any]:
        shown = nodes[:first] if first is not None else nodes[-last:] if last else nodes
        cursor = "MA==" if shown else None
        return {"edges": [{"cursor": cursor, "node": node} for node in shown], "nodes": shown,
                "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": cursor,
                             "endCursor": cursor}}

    return page


def _paid(row: Any) -> bool:
    return row.financial_status in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")


ORDER = FieldMap("Order", {
    **common(), "_pk": Plain("id"), "_customer_id": Plain("customer_id"),
    **columns(name="name", email="email", phone="phone", note="note", tags="tags", number="number",
              poNumber="po_number", sourceName="source_name", sourceIdentifier="source_identifier", test="test",
              taxesIncluded="taxes_included", currencyCode="currency_code",
              presentmentCurrencyCode="presentment_currency_code", discountCode="discount_code",
              requiresShipping="requires_shipping", customerAcceptsMarketing="buyer_accepts_marketing",
              displayFinancialStatus="financial_status", displayFulfillmentStatus="fulfillment_status",
              subtotalLineItemsQuantity="subtotal_quantity", currentSubtotalLineItemsQuantity="subtotal_quantity",
              registeredSourceUrl="source_url", customAttributes="custom_attributes",
              paymentGatewayNames="payment_gateway_names"),
    "processedAt": Plain("processed_at", "time"), "closedAt": Plain("closed_at", "time"),
    "cancelledAt": Plain("cancelled_at", "time"),
    "totalWeight": Computed(lambda row: str(row.total_weight)),
    "currentTotalWeight": Computed(lambda row: str(row.total_weight)),
    **{name: _order_bag(total) for name, total in (
        ("totalPriceSet", "total"), ("currentTotalPriceSet", "total"), ("originalTotalPriceSet", "total"),
        ("subtotalPriceSet", "subtotal"), ("currentSubtotalPriceSet", "subtotal"),
        ("totalShippingPriceSet", "shipping"), ("currentShippingPriceSet", "shipping"),
        ("totalTaxSet", "tax"), ("currentTotalTaxSet", "tax"), ("totalDiscountsSet", "discounts"),
        ("currentTotalDiscountsSet", "discounts"), ("cartDiscountAmountSet", "discounts"),
        ("currentCartDiscountAmountSet", "discounts"), ("totalReceivedSet", "received"),
        ("netPaymentSet", "received"), ("totalRefundedSet", "refunded"), ("totalRefundedShippingSet", "refunded"),
        ("totalTipReceivedSet", "tip"), ("refundDiscrepancySet", "refunded"))},
    **{name: _order_amount(total) for name, total in (
        ("totalPrice", "total"), ("subtotalPrice", "subtotal"), ("totalShippingPrice", "shipping"),
        ("totalTax", "tax"), ("totalDiscounts", "discounts"), ("totalReceived", "received"),
        ("netPayment", "received"), ("totalRefunded", "refunded"), ("cartDiscountAmount", "discounts"))},
    "totalOutstandingSet": Computed(lambda row: _bag_of(row, _outstanding(row))),
    "totalCapturableSet": Computed(lambda row: _bag_of(row, _capturable(row))),
    "totalCapturable": Computed(lambda row: _capturable(row)[0]),
    "totalTipReceived": Computed(lambda row: money("0", row.presentment_currency_code)),
    "totalCashRoundingAdjustment": Computed(lambda row: {"paymentSet": _bag_of(row, ZERO),
                                                         "refundSet": _bag_of(row, ZERO)}),
    "taxLines": Computed(lambda row: _tax_lines(row)(None)),
    "currentTaxLines": Computed(lambda row: _tax_lines(row)(None)),
    "discountCodes": Computed(lambda row: [row.discount_code] if row.discount_code else []),
    "billingAddress": Computed(lambda row: _address_of(row, "billing_address", 1)),
    "shippingAddress": Computed(lambda row: _address_of(row, "shipping_address", 2)),
    "displayAddress": Computed(lambda row: _address_of(row, "shipping_address", 2)
                               or _address_of(row, "billing_address", 1)),
    "billingAddressMatchesShippingAddress": Computed(_addresses_match),
    "closed": Computed(lambda row: row.closed_at is not None),
    "canMarkAsPaid": Computed(lambda row: row.financial_status in ("PENDING", "PARTIALLY_PAID", "AUTHORIZED")),
    "canNotifyCustomer": Computed(lambda row: bool(row.email)),
    "capturable": Computed(lambda row: row.financial_status == "AUTHORIZED"),
    "fulfillable": Computed(lambda row: row.fulfillment_status in ("UNFULFILLED", "PARTIALLY_FULFILLED")
                            and row.closed_at is None and row.cancelled_at is None),
    "fullyPaid": Computed(lambda row: Decimal(_outstanding(row)[0]) == 0 and _paid(row)),
    "unpaid": Computed(lambda row: row.financial_status in ("PENDING", "AUTHORIZED", "EXPIRED", "VOIDED")),
    "refundable": Computed(lambda row: row.financial_status in ("PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED")),
    "restockable": Computed(lambda row: row.fulfillment_status != "RESTOCKED"),
    "fulfillments": Computed(_fulfillments),
    "fulfillmentsCount": Computed(lambda row: {"count": len(row.fulfillments or []), "precision": "EXACT"}),
    "statusPageUrl": Computed(_status_page_url),
    "confirmationNumber": Computed(_confirmation_number),
    "confirmed": Const(True), "customerLocale": Const("en"), "dutiesIncluded": Const(False), "edited": Const(False),
    "estimatedTaxes": Const(False), "hasTimelineComment": Const(False), "merchantEditable": Const(True),
    "merchantEditableErrors": Const([]), "productNetwork": Const(False), "taxExempt": Const(False),
    "additionalFees": Const([]), "alerts": Const([]), "disputes": Const([]), "refunds": Const([]),
    "risks": Const([]), "riskLevel": Const("LOW"), "returnStatus": Const("NO_RETURN"),
    "risk": Const({"assessments": [], "recommendation": "NONE"}),
    "paymentCollectionDetails": Const({"additionalPaymentCollectionUrl": None, "vaultedPaymentMethods": []}),
    "discountApplications": Computed(_discount_applications),
    **{name: Const(no_rows) for name in ("events", "exchangeV2s",
                                         "fulfillmentOrders", "localizationExtensions", "localizedFields",
                                         "metafieldDefinitions", "nonFulfillableLineItems", "returns")},
    "customer": Resolved(), "shippingLine": Resolved(), "transactions": Resolved(), "transactionsCount": Resolved(),
    "lineItems": Child(LINE_ITEMS), "shippingLines": Child(SHIPPING_LINES),
    "metafields": Child(owned_metafields("Order")),
})
"""Read from an ``orders`` row (totals from its ``totals`` bags; ``customer``, ``shippingLine`` and the
transactions are read by the binding)."""


def present_order(row: Any) -> dict[str, Any]:
    """An order with nothing ``Resolved`` filled (a fulfillment's ``order``): the binding's presenter fills it."""
    return _present_bare(row)


_present_bare = FieldMap(ORDER.type_name, {k: v for k, v in ORDER.fields.items()
                                           if not isinstance(v, Resolved)}).presenter()


# ---- LineItem -----------------------------------------------------------------------------------------
def _unit(row: Any) -> list[str]:
    return [row.price, row.presentment_price]


def _line_total(row: Any, quantity: int) -> list[str]:
    return [_times(row.price, quantity), _times(row.presentment_price, quantity)]


def _unfulfilled(row: Any) -> int:
    return row.quantity - row.fulfilled_quantity


def _line_name(row: Any) -> str:
    return f"{row.title} - {row.variant_title}" if row.variant_title else row.title


def _discounted_total(row: Any) -> Callable[..., dict[str, Any]]:
    """``discountedTotalSet(withCodeDiscounts:)``: no line-level discounts are recorded, so the original total."""
    presented = _bag_of(row, _line_total(row, row.quantity))
    return lambda info, withCodeDiscounts=False: presented


LINE_ITEM = FieldMap("LineItem", {
    "id": Plain("id", "gid"), "_pk": Plain("id"), "_product_id": Plain("product_id"),
    "_variant_id": Plain("variant_id"),
    **columns(title="title", variantTitle="variant_title", sku="sku", vendor="vendor", quantity="quantity",
              currentQuantity="quantity", refundableQuantity="quantity", requiresShipping="requires_shipping",
              taxable="taxable", isGiftCard="gift_card", customAttributes="properties"),
    "name": Computed(_line_name),
    "unfulfilledQuantity": Computed(_unfulfilled), "fulfillableQuantity": Computed(_unfulfilled),
    "nonFulfillableQuantity": Const(0),
    "fulfillmentStatus": Computed(lambda row: "fulfilled" if _unfulfilled(row) == 0 else "unfulfilled"),
    "originalUnitPriceSet": Computed(lambda row: _bag_of(row, _unit(row))),
    "discountedUnitPriceSet": Computed(lambda row: _bag_of(row, _unit(row))),
    "discountedUnitPriceAfterAllDiscountsSet": Computed(lambda row: _bag_of(row, _unit(row))),
    "originalTotalSet": Computed(lambda row: _bag_of(row, _line_total(row, row.quantity))),
    "discountedTotalSet": Computed(_discounted_total),
    "totalDiscountSet": Computed(lambda row: _bag_of(row, ZERO)),
    "unfulfilledOriginalTotalSet": Computed(lambda row: _bag_of(row, _line_total(row, _unfulfilled(row)))),
    "unfulfilledDiscountedTotalSet": Computed(lambda row: _bag_of(row, _line_total(row, _unfulfilled(row)))),
    "originalUnitPrice": Computed(lambda row: row.price), "discountedUnitPrice": Computed(lambda row: row.price),
    "originalTotal": Computed(lambda row: _times(row.price, row.quantity)),
    "discountedTotal": Computed(lambda row: _times(row.price, row.quantity)),
    "totalDiscount": Const("0.0"),
    "unfulfilledOriginalTotal": Computed(lambda row: _times(row.price, _unfulfilled(row))),
    "unfulfilledDiscountedTotal": Computed(lambda row: _times(row.price, _unfulfilled(row))),
    "taxLines": Computed(_tax_lines),
    "restockable": Const(True), "canRestock": Const(True), "merchantEditable": Const(True),
    "discountAllocations": Const([]), "duties": Const([]),
    "product": Resolved(), "variant": Resolved(),
})
"""Read from an ``order_line_items`` row (``product`` and ``variant`` are other nodes: the binding reads them)."""


# ---- ShippingLine -------------------------------------------------------------------------------------
def _shipping_price(row: Any) -> dict[str, Any]:
    return _bag_of(row, [row.price, row.presentment_price])


SHIPPING_LINE = FieldMap("ShippingLine", {
    "id": Plain("id", "gid"), **columns(title="title", code="code", source="source"),
    "originalPriceSet": Computed(_shipping_price), "discountedPriceSet": Computed(_shipping_price),
    "currentDiscountedPriceSet": Computed(_shipping_price),
    "originalPrice": Computed(lambda row: money(row.price, row.currency_code)),
    "discountedPrice": Computed(lambda row: money(row.price, row.currency_code)),
    "price": Plain("price"), "taxLines": Computed(lambda row: _tax_lines(row)(None)),
    "custom": Const(True), "isRemoved": Const(False), "discountAllocations": Const([]),
    "carrierIdentifier": Const(None), "deliveryCategory": Const(None), "phone": Const(None),
    "shippingRateHandle": Const(None),
})
"""Read from an ``order_shipping_lines`` row."""


# ---- OrderTransaction ---------------------------------------------------------------------------------
def _formatted_gateway(row: Any) -> str | None:
    return row.gateway.replace("_", " ").title() if row.gateway else None


TRANSACTION = FieldMap("OrderTransaction", {
    "id": Plain("id", "gid"),
    **columns(kind="kind", status="status", gateway="gateway", test="test", authorizationCode="authorization_code",
              paymentId="authorization_code", receiptJson="receipt_json"),
    "createdAt": Plain("created_at", "time"), "processedAt": Plain("processed_at", "time"),
    "amountSet": Computed(lambda row: _bag_of(row, [row.amount, row.presentment_amount])),
    "amount": Plain("amount"), "amountV2": Computed(lambda row: money(row.amount, row.currency_code)),
    "formattedGateway": Computed(_formatted_gateway),
    "manualPaymentGateway": Computed(lambda row: row.gateway in (None, "manual", "cash")),
    "manuallyCapturable": Const(False), "multiCapturable": Const(False), "fees": Const([]),
    "errorCode": Const(None), "parentTransaction": Const(None),
})
"""Read from an ``order_transactions`` row."""



# ---- OrderAgreement and its sales ------------------------------------------------------------------------
# Shopify records each order's sale as an OrderAgreement (reason ORDER) with a sale per line; later edits,
# refunds and returns add agreements bulkops does not record. The agreement is read from the order's row (so it
# has the order's number) and a sale from its line item's (the line item's number). Connectors read them
# (airbyte-source-shopify's order_agreements stream fails on an order with none).
def _pair_total(lines: list[dict[str, Any]]) -> list[str]:
    return [amount_text(sum((Decimal(line["price"][side]) for line in lines), Decimal(0))) for side in (0, 1)]


ORDER_AGREEMENT = FieldMap("OrderAgreement", {
    "id": Plain("id", "gid"), "_pk": Plain("id"), "happenedAt": Plain("processed_at", "time"), "reason": Const("ORDER"),
    "app": Const(None), "order": Computed(present_order),
})
present_order_agreement = ORDER_AGREEMENT.presenter()

_present_bare_line_item = FieldMap(LINE_ITEM.type_name, {k: v for k, v in LINE_ITEM.fields.items()
                                                         if not isinstance(v, Resolved)}).presenter()
PRODUCT_SALE = FieldMap("ProductSale", {
    "id": Plain("id", "gid"), "actionType": Const("ORDER"), "lineType": Const("PRODUCT"),
    "quantity": Plain("quantity"), "lineItem": Computed(_present_bare_line_item),
    "totalAmount": Computed(lambda row: _bag_of(row, _line_total(row, row.quantity))),
    "totalDiscountAmountAfterTaxes": Computed(lambda row: _bag_of(row, ["0.0", "0.0"])),
    "totalDiscountAmountBeforeTaxes": Computed(lambda row: _bag_of(row, ["0.0", "0.0"])),
    "totalTaxAmount": Computed(lambda row: _bag_of(row, _pair_total(row.tax_lines or []))),
})
present_product_sale = PRODUCT_SALE.presenter()

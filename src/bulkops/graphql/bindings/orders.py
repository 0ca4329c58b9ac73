"""Orders: orderCreate; order(id), orders, node(id) for Order; an order's lineItems and shippingLines.

``OrderCreateChunks`` is orderCreate's batched bulk writer (graphql/registry.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson
from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.customers.rules import CustomerFields
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.domain.money import SHOP_CURRENCY, money
from bulkops.domain.orders import reads
from bulkops.domain.orders.batch import OrderBatch, create_many
from bulkops.domain.orders.fields import (
    LINE_ITEM,
    ORDER,
    SHIPPING_LINE,
    TRANSACTION,
    present_order_agreement,
    present_product_sale,
)
from bulkops.domain.orders.inputs import (
    CustomerIn,
    DiscountIn,
    FulfillmentIn,
    LineItemIn,
    MoneyIn,
    OrderIn,
    ShippingLineIn,
    TaxLineIn,
    TransactionIn,
)
from bulkops.domain.orders.listing import (
    AGREEMENTS,
    CUSTOMER_ORDERS,
    LINE_ITEMS,
    ORDERS,
    PRODUCT_SALES,
    SHIPPING_LINES,
)
from bulkops.engine.executor import LineRunner
from bulkops.graphql.bindings.common import Window, guarded, listed, page_args, require_id, user_errors
from bulkops.graphql.bindings.customers import load_customer
from bulkops.graphql.bindings.metafields import metafield_inputs
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import load_product, load_variant, owner_metafield, owner_metafields
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import PreparedHere
from bulkops.protocol.errors import UserErrors, UserFacingError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
order_type = ObjectType("Order")
customer_type = ObjectType("Customer")
agreement_type = ObjectType("OrderAgreement")

NO_NUMBER = 0
"""The number of a gid of the wrong type: no row has it, so the rules answer that it does not exist."""
GRAMS_PER = {"GRAMS": 1.0, "KILOGRAMS": 1000.0, "OUNCES": 28.349523125, "POUNDS": 453.59237}


# ---- presenters -----------------------------------------------------------------------------------------
def _customer(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    return lambda info: load_customer(ctx(info), row.customer_id) if row.customer_id else None


def _shipping_line(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    def read(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        context = ctx(info)
        line = reads.first_shipping_line(context.conn, context.shop.id, row.id)
        return present_shipping_line(line) if line is not None else None

    return read


def _transactions(row: Any) -> Callable[..., list[dict[str, Any]]]:
    """``transactions(capturable:, first:, manuallyResolvable:)``."""

    def read(info: GraphQLResolveInfo, capturable: bool | None = None, first: int | None = None,
             manuallyResolvable: bool | None = None) -> list[dict[str, Any]]:
        context = ctx(info)
        found = [present_transaction(t) for t in reads.transactions_of(context.conn, context.shop.id, row.id)]
        if capturable:
            found = [t for t in found if t["kind"] == "AUTHORIZATION" and t["status"] == "SUCCESS"]
        if manuallyResolvable:
            found = []
        return found[:first] if first else found

    return read


def _transactions_count(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any]]:
    def read(info: GraphQLResolveInfo) -> dict[str, Any]:
        context = ctx(info)
        return {"count": reads.transactions_count(context.conn, context.shop.id, row.id), "precision": "EXACT"}

    return read


def _node(load: Callable[[RequestContext, int], dict[str, Any] | None], column: str) -> Callable[[Any], Any]:
    def reader(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
        number = getattr(row, column)
        return lambda info: load(ctx(info), number) if number is not None else None

    return reader


present_order = ORDER.presenter({"customer": _customer, "shippingLine": _shipping_line,
                                 "transactions": _transactions, "transactionsCount": _transactions_count})
present_line_item = LINE_ITEM.presenter({"product": _node(load_product, "product_id"),
                                         "variant": _node(load_variant, "variant_id")})
present_shipping_line = SHIPPING_LINE.presenter()
present_transaction = TRANSACTION.presenter()


@register("Order")
def load_order(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = reads.get_order(context.conn, context.shop.id, number)
    return present_order(row) if row else None


# ---- input translation ------------------------------------------------------------------------------------
def _number(raw: str | None, type_name: str) -> int | None:
    """A gid's number; a gid of another type names nothing (``NO_NUMBER``: the rules say it does not exist)."""
    if raw is None:
        return None
    number = require_id(raw, type_name)
    return NO_NUMBER if number is None else number


def _money(raw: dict[str, Any] | None) -> MoneyIn | None:
    if raw is None:
        return None
    presentment = raw.get("presentmentMoney")
    return MoneyIn(raw["shopMoney"]["amount"], presentment["amount"] if presentment else None)


def _tax_lines(raw: list[dict[str, Any]] | None) -> tuple[TaxLineIn, ...]:
    return tuple(TaxLineIn(t["title"], t.get("rate"), _money(t.get("priceSet")), t.get("channelLiable"))
                 for t in raw or ())


def _grams(weight: dict[str, Any] | None) -> int | None:
    return None if weight is None else round(weight["value"] * GRAMS_PER[weight["unit"]])


def _line_item(raw: dict[str, Any]) -> LineItemIn:
    return LineItemIn(
        quantity=raw["quantity"], title=raw.get("title"), variant_title=raw.get("variantTitle"), sku=raw.get("sku"),
        vendor=raw.get("vendor"), price=_money(raw.get("priceSet")),
        product_id=_number(raw.get("productId"), "Product"), variant_id=_number(raw.get("variantId"), "ProductVariant"),
        requires_shipping=bool(raw.get("requiresShipping")), taxable=raw.get("taxable", True) is not False,
        gift_card=bool(raw.get("giftCard")),
        properties=tuple((p["name"], p["value"]) for p in raw.get("properties") or ()),
        tax_lines=_tax_lines(raw.get("taxLines")), weight_grams=_grams(raw.get("weight")),
        fulfillment_service=raw.get("fulfillmentService"),
    )


def _transaction(raw: dict[str, Any]) -> TransactionIn:
    amount = _money(raw["amountSet"])
    assert amount is not None
    return TransactionIn(amount, raw.get("kind") or "SALE", raw.get("status") or "SUCCESS", raw.get("gateway"),
                         raw.get("authorizationCode"), bool(raw.get("test")), raw.get("processedAt"),
                         raw.get("receiptJson"), _number(raw.get("locationId"), "Location"))


def _customer_in(raw: dict[str, Any] | None) -> CustomerIn | None:
    if raw is None:
        return None
    if raw.get("toAssociate") is not None:
        given = raw["toAssociate"]
        return CustomerIn(associate_id=_number(given.get("id"), "Customer"), associate_email=given.get("email"))
    given = raw.get("toUpsert") or {}
    fields = CustomerFields(
        first_name=given.get("firstName"), last_name=given.get("lastName"), email=given.get("email"),
        phone=given.get("phone"), note=given.get("note"), tags=given.get("tags"),
        tax_exempt=given.get("taxExempt"), multipass_identifier=given.get("multipassIdentifier"),
        addresses=[dict(a) for a in given["addresses"]] if given.get("addresses") is not None else None)
    return CustomerIn(upsert=fields, upsert_id=_number(given.get("id"), "Customer"))


_DISCOUNT_KINDS = ("itemFixedDiscountCode", "itemPercentageDiscountCode", "freeShippingDiscountCode")


def _discount(raw: dict[str, Any] | None) -> DiscountIn | None:
    if raw is None:
        return None
    kinds = tuple(kind for kind in _DISCOUNT_KINDS if raw.get(kind) is not None)
    chosen = raw[kinds[0]] if kinds else {}
    return DiscountIn(kinds, chosen.get("code"), _money(chosen.get("amountSet")), chosen.get("percentage"))


def _fulfillment(raw: dict[str, Any] | None) -> FulfillmentIn | None:
    if raw is None:
        return None
    return FulfillmentIn(_number(raw["locationId"], "Location"), raw.get("trackingCompany"),
                         raw.get("trackingNumber"), raw.get("shipmentStatus"))


def order_input(data: dict[str, Any], options: dict[str, Any] | None = None) -> OrderIn:
    """An ``OrderCreateOrderInput`` (and ``OrderCreateOptionsInput``) as the domain's input."""
    lines = data.get("lineItems")
    return OrderIn(
        line_items=tuple(_line_item(li) for li in lines) if lines is not None else None,
        shipping_lines=tuple(ShippingLineIn(s["title"], _money(s["priceSet"]) or MoneyIn(0), s.get("code"),
                                            s.get("source"), _tax_lines(s.get("taxLines")))
                             for s in data.get("shippingLines") or ()),
        transactions=tuple(_transaction(t) for t in data.get("transactions") or ()),
        tax_lines=_tax_lines(data.get("taxLines")), customer=_customer_in(data.get("customer")),
        customer_id=_number(data.get("customerId"), "Customer"), email=data.get("email"), phone=data.get("phone"),
        note=data.get("note"), tags=tuple(data.get("tags") or ()), name=data.get("name"),
        po_number=data.get("poNumber"), source_name=data.get("sourceName"),
        source_identifier=data.get("sourceIdentifier"), source_url=data.get("sourceUrl"),
        currency=data.get("currency"), presentment_currency=data.get("presentmentCurrency"),
        processed_at=data.get("processedAt"), closed_at=data.get("closedAt"),
        financial_status=data.get("financialStatus"), fulfillment_status=data.get("fulfillmentStatus"),
        test=bool(data.get("test")), taxes_included=bool(data.get("taxesIncluded")),
        buyer_accepts_marketing=data.get("buyerAcceptsMarketing"),
        custom_attributes=tuple((a["key"], a["value"]) for a in data.get("customAttributes") or ()),
        billing_address=_plain(data.get("billingAddress")), shipping_address=_plain(data.get("shippingAddress")),
        discount=_discount(data.get("discountCode")), fulfillment=_fulfillment(data.get("fulfillment")),
        inventory_behaviour=(options or {}).get("inventoryBehaviour") or "BYPASS",
    )


def _plain(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


# ---- resolvers --------------------------------------------------------------------------------------------
def _payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"order": None, "userErrors": errors}


@mutation.field("orderCreate")
@guarded(_payload)
def resolve_order_create(_: Any, info: GraphQLResolveInfo, order: dict[str, Any],
                         options: dict[str, Any] | None = None) -> dict[str, Any]:
    context = ctx(info)
    [created] = create_many(context.conn, context.shop.id, [order_input(order, options)], context.now)
    if isinstance(created, UserErrors):
        raise created
    if order.get("metafields"):
        metafield_rules.set_metafields(context.conn, context.shop.id,
                                       metafield_inputs(order["metafields"], "Order", created), context.now)
    return {"order": load_order(context, created), "userErrors": []}


@query.field("order")
def resolve_order(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Order")
    return load_order(ctx(info), number) if number else None


@query.field("orders")
def resolve_orders(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                   last: int | None = None, before: str | None = None, reverse: bool = False,
                   sortKey: str = "PROCESSED_AT", query: str | None = None, **_ignored: Any) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = ORDERS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, ORDERS, stmt, present_order, Window(first, after, last, before, reverse, sortKey))


@query.field("ordersCount")
def resolve_orders_count(_: Any, info: GraphQLResolveInfo, limit: int | None = 10000, query: str | None = None,
                         **_ignored: Any) -> dict[str, Any]:
    context = ctx(info)
    stmt = ORDERS.rows(context.conn, context.shop.id, {"query": query})
    count, precision = reads.count_rows(context.conn, stmt, limit)
    return {"count": count, "precision": precision}


def _children(listing: Any, present: Callable[[Any], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def resolve(order: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                last: int | None = None, before: str | None = None, reverse: bool = False,
                **_: Any) -> dict[str, Any]:
        context = ctx(info)
        page_args(first, last)
        stmt = listing.of_parent(listing.rows(context.conn, context.shop.id, {}), order["_pk"])
        return listed(context, listing, stmt, present, Window(first, after, last, before, reverse))

    return resolve


@customer_type.field("numberOfOrders")
def resolve_number_of_orders(customer: dict[str, Any], info: GraphQLResolveInfo) -> str:
    context = ctx(info)
    return str(reads.customer_totals(context.conn, context.shop.id, customer["_pk"])[0])


@customer_type.field("amountSpent")
def resolve_amount_spent(customer: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
    """What the customer's orders came to, in the shop's currency (refunds are not recorded here)."""
    context = ctx(info)
    cents = reads.customer_totals(context.conn, context.shop.id, customer["_pk"])[1]
    return money(Decimal(cents) / 100, SHOP_CURRENCY)


@customer_type.field("lastOrder")
def resolve_last_order(customer: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    context = ctx(info)
    row = reads.last_order(context.conn, context.shop.id, customer["_pk"])
    return present_order(row) if row is not None else None


@customer_type.field("orders")
def resolve_customer_orders(customer: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                            after: str | None = None, last: int | None = None, before: str | None = None,
                            reverse: bool = False, sortKey: str = "ID", query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = CUSTOMER_ORDERS.of_parent(CUSTOMER_ORDERS.rows(context.conn, context.shop.id, {"query": query}),
                                     customer["_pk"])
    return listed(context, CUSTOMER_ORDERS, stmt, present_order, Window(first, after, last, before, reverse, sortKey))


order_type.set_field("lineItems", _children(LINE_ITEMS, present_line_item))
order_type.set_field("shippingLines", _children(SHIPPING_LINES, present_shipping_line))
order_type.set_field("agreements", _children(AGREEMENTS, present_order_agreement))
agreement_type.set_field("sales", _children(PRODUCT_SALES, present_product_sale))
order_type.set_field("metafields", owner_metafields("Order", "_pk"))
order_type.set_field("metafield", owner_metafield("Order", "_pk"))

# ---- the batched bulk writer ----------------------------------------------------------------------
class OrderCreateChunks(PreparedHere):
    """orderCreate a chunk at a time, through ``domain/orders/batch.py`` (which the synchronous mutation uses
    with a batch of one): the chunk's orders are written with one statement per table and shaped after; a line
    it cannot translate (or with ``metafields``) runs the ordinary way at its turn."""

    @staticmethod
    def fits(plan: Plan) -> bool:
        """Variables only, and no ``order.customer`` in the payload: a later line's ``toUpsert`` may change a
        customer after an earlier line's order is written, and the batch shapes every line after the chunk.
        Everything else an order's payload shows is fixed once the order is written."""
        if plan.root_field_name != "orderCreate" or plan.constant_args:
            return False
        if not {a.name for a in plan.variable_args} <= {"order", "options"}:
            return False
        order = plan.selected_names("order")
        return order is None or "customer" not in order

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[OrderIn | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_line(plan, raw) for raw in lines]

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        context = self.make_context(conn)
        batch = OrderBatch(conn, context.shop.id, context.now)
        answers = batch.run(self.prepare(self.plan, lines), lambda index: run_line(lines[index]))
        rows = reads.get_orders(conn, context.shop.id, [a for a in answers if isinstance(a, int)])
        return [self._response(context, answer, rows) for answer in answers]

    def _response(self, context: RequestContext, answer: Any, rows: dict[int, Any]) -> dict[str, Any]:
        if isinstance(answer, UserErrors):
            return self.plan.shape(_payload(user_errors(answer)), context)
        if isinstance(answer, int):
            return self.plan.shape({"order": present_order(rows[answer]), "userErrors": []}, context)
        return answer


def _prepare_line(plan: Plan, raw: bytes) -> OrderIn | None:
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(variables) is not dict:
        return None
    args = plan.arguments(variables)
    data = None if args is None else args.get("order")
    if data is None or data.get("metafields"):
        return None
    try:
        return order_input(data, args.get("options") if args else None)
    except UserFacingError:
        return None


bindables = [query, mutation, order_type, customer_type, agreement_type]

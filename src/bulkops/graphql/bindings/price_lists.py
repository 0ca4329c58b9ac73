"""Price lists: priceListFixedPricesAdd, priceListFixedPricesDelete; priceList(s) and PriceList.prices
(extensions). Each shop has one price list, created on first use (see domain/price_lists/rules.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.paging import Window
from bulkops.domain.price_lists import listing, rules
from bulkops.domain.price_lists.fields import PRICE, PRICE_LIST
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.nodes import load_node, register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError
from bulkops.protocol.ids import gid

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
price_list_type = ObjectType("PriceList")


def _variant(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    return lambda info: load_node(ctx(info), gid("ProductVariant", row.variant_id))


present_price_list = PRICE_LIST.presenter()
present_price = PRICE.presenter({"variant": _variant})


@register("PriceList")
def load_price_list(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_price_list(context.conn, context.shop.id, number)
    return present_price_list(row) if row else None


def _price_list_number(raw: str) -> int:
    """The number of a PriceList gid; 0 (a list that never exists) for a gid of another type."""
    return require_id(raw, "PriceList") or 0


def _variant_number(raw: str) -> int | None:
    return require_id(raw, "ProductVariant")


@mutation.field("priceListFixedPricesAdd")
@guarded(lambda errors: {"prices": None, "userErrors": errors})
def resolve_fixed_prices_add(_: Any, info: GraphQLResolveInfo, priceListId: str, prices: list[dict[str, Any]]
                             ) -> dict[str, Any]:
    context = ctx(info)
    number = _price_list_number(priceListId)
    specs = [rules.FixedPrice(
        variant_id=_variant_number(p["variantId"]), amount=str(p["price"]["amount"]),
        currency=p["price"]["currencyCode"],
        compare_at_amount=str(p["compareAtPrice"]["amount"]) if p.get("compareAtPrice") else None,
        compare_at_currency=p["compareAtPrice"]["currencyCode"] if p.get("compareAtPrice") else None,
    ) for p in prices]
    variant_ids = rules.add_fixed_prices(context.conn, context.shop.id, number, specs, context.now)
    rows = [rules.fixed_price(context.conn, number, v) for v in variant_ids]
    return {"prices": [present_price(r) for r in rows], "userErrors": []}


@mutation.field("priceListFixedPricesDelete")
@guarded(lambda errors: {"deletedFixedPriceVariantIds": None, "userErrors": errors})
def resolve_fixed_prices_delete(_: Any, info: GraphQLResolveInfo, priceListId: str, variantIds: list[str]
                                ) -> dict[str, Any]:
    context = ctx(info)
    if not variantIds:
        raise UserError("Variant ids can't be blank", ["variantIds"], "BLANK")
    deleted = rules.delete_fixed_prices(context.conn, context.shop.id, _price_list_number(priceListId),
                                        [_variant_number(v) for v in variantIds])
    return {"deletedFixedPriceVariantIds": [gid("ProductVariant", v) for v in deleted], "userErrors": []}


@query.field("priceList")
def resolve_price_list(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "PriceList")
    return load_price_list(ctx(info), number) if number else None


@query.field("priceLists")
def resolve_price_lists(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                        last: int | None = None, before: str | None = None, reverse: bool = False,
                        sortKey: str = "ID") -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    rules.ensure_default_price_list(context.conn, context.shop.id, context.now)
    page = listing.price_lists_page(context.conn, context.shop.id, Window(first, after, last, before, reverse, sortKey))
    return connection(page, present_price_list)


@price_list_type.field("fixedPricesCount")
def resolve_fixed_prices_count(price_list: dict[str, Any], info: GraphQLResolveInfo) -> int:
    return rules.fixed_prices_count(ctx(info).conn, price_list["_pk"])


@price_list_type.field("prices")
def resolve_prices(price_list: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                   after: str | None = None, last: int | None = None, before: str | None = None,
                   reverse: bool = False, originType: str | None = None, query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.prices_page(context.conn, price_list["_pk"], originType, Window(first, after, last, before, reverse))
    return connection(page, present_price)


bindables = [query, mutation, price_list_type]

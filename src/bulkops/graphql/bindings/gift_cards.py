"""Gift cards: giftCardCreate, giftCardUpdate; giftCards, node(GiftCard)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.gift_cards import listing, rules
from bulkops.domain.gift_cards.fields import GIFT_CARD
from bulkops.domain.paging import Window
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.customers import load_customer
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")

def _customer(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    return lambda info: load_customer(ctx(info), row.customer_id) if row.customer_id else None


def _recipient(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    def recipient(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        if not row.recipient:
            return None
        return {"recipient": load_customer(ctx(info), row.recipient["id"]), "message": row.recipient.get("message"),
                "preferredName": row.recipient.get("preferredName"),
                "sendNotificationAt": row.recipient.get("sendNotificationAt")}

    return recipient


present_gift_card = GIFT_CARD.presenter({"customer": _customer, "recipientAttributes": _recipient})


@register("GiftCard")
def load_gift_card(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_gift_card(context.conn, context.shop.id, number)
    return present_gift_card(row) if row else None


def _customer_number(raw: str | None) -> int | None:
    """A Customer gid's number; a gid of another type counts as a customer that does not exist (0)."""
    if raw is None:
        return None
    return require_id(raw, "Customer") or 0


def _fields(data: dict[str, Any]) -> rules.GiftCardFields:
    recipient = data.get("recipientAttributes")
    return rules.GiftCardFields(
        initial_value=data.get("initialValue"), code=data.get("code"), customer_id=_customer_number(data.get("customerId")),
        recipient={**recipient, "id": _customer_number(recipient["id"])} if recipient else None,
        expires_on=date.fromisoformat(data["expiresOn"]) if data.get("expiresOn") else None,
        note=data.get("note"), template_suffix=data.get("templateSuffix"),
    )


@mutation.field("giftCardCreate")
@guarded(lambda errors: {"giftCard": None, "giftCardCode": None, "userErrors": errors})
def resolve_gift_card_create(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = rules.create_gift_card(context.conn, context.shop.id, _fields(input), context.now)
    row = rules.get_gift_card(context.conn, context.shop.id, number)
    assert row is not None, "created in this transaction"
    return {"giftCard": present_gift_card(row), "giftCardCode": row.code, "userErrors": []}


@mutation.field("giftCardUpdate")
@guarded(lambda errors: {"giftCard": None, "userErrors": errors})
def resolve_gift_card_update(_: Any, info: GraphQLResolveInfo, id: str, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = require_id(id, "GiftCard")
    if number is None:
        raise UserError("Gift card does not exist", ["id"])
    rules.update_gift_card(context.conn, context.shop.id, number, _fields(input), context.now)
    return {"giftCard": load_gift_card(context, number), "userErrors": []}


@query.field("giftCards")
def resolve_gift_cards(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                       last: int | None = None, before: str | None = None, reverse: bool = False,
                       sortKey: str = "ID", query: str | None = None, savedSearchId: str | None = None
                       ) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.gift_cards_page(context.conn, context.shop.id, query,
                                   Window(first, after, last, before, reverse, sortKey), context.now.date())
    return connection(page, present_gift_card)


bindables = [query, mutation]

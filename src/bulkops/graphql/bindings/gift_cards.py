"""Gift cards: giftCardCreate, giftCardUpdate; giftCards, node(GiftCard)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo
from sqlalchemy import and_, false, not_, select

from bulkops.clock import iso_z
from bulkops.db.pagination import BadCursor, paginate
from bulkops.db.tables import gift_cards
from bulkops.domain.gift_cards import rules
from bulkops.domain.listing import apply_search
from bulkops.domain.money import money
from bulkops.domain.search_syntax import parse_search
from bulkops.graphql.bindings.common import bad_cursor, connection, guarded, page_args, require_id
from bulkops.graphql.bindings.customers import load_customer
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError
from bulkops.protocol.ids import gid

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")

GIFT_CARD_SEARCH = {"created_at": gift_cards.c.created_at, "updated_at": gift_cards.c.updated_at,
                    "id": gift_cards.c.id, "customer_id": gift_cards.c.customer_id}
GIFT_CARD_SORT = {"ID": gift_cards.c.id, "CREATED_AT": gift_cards.c.created_at, "UPDATED_AT": gift_cards.c.updated_at,
                  "EXPIRES_ON": gift_cards.c.expires_on, "CODE": gift_cards.c.code,
                  "DISABLED_AT": gift_cards.c.deactivated_at}
EMPTY_CONNECTION = {"edges": [], "nodes": [], "pageInfo": {"hasNextPage": False, "hasPreviousPage": False,
                                                           "startCursor": None, "endCursor": None}}


def present_gift_card(row: Any) -> dict[str, Any]:
    def customer(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        return load_customer(ctx(info), row.customer_id) if row.customer_id else None

    def recipient(info: GraphQLResolveInfo) -> dict[str, Any] | None:
        if not row.recipient:
            return None
        return {"recipient": load_customer(ctx(info), row.recipient["id"]), "message": row.recipient.get("message"),
                "preferredName": row.recipient.get("preferredName"),
                "sendNotificationAt": row.recipient.get("sendNotificationAt")}

    last = row.code[-4:]
    return {
        "__typename": "GiftCard", "id": gid("GiftCard", row.id), "balance": money(row.balance, row.currency),
        "initialValue": money(row.initial_value, row.currency), "lastCharacters": last,
        "maskedCode": f"•••• •••• •••• {last}", "enabled": row.enabled, "deactivatedAt": iso_z(row.deactivated_at),
        "expiresOn": row.expires_on.isoformat() if row.expires_on else None, "note": row.note,
        "templateSuffix": row.template_suffix, "customer": customer, "recipientAttributes": recipient,
        "order": None, "transactions": lambda info, **_: EMPTY_CONNECTION,
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at),
    }


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


def _status_clause(value: str, today: date) -> Any:
    expired = and_(gift_cards.c.expires_on.isnot(None), gift_cards.c.expires_on < today)
    return {"enabled": and_(gift_cards.c.enabled.is_(True), not_(expired)),
            "disabled": gift_cards.c.enabled.is_(False), "expired": expired}.get(value.lower(), false())


def _balance_clause(value: str) -> Any:
    full = gift_cards.c.balance == gift_cards.c.initial_value
    empty = gift_cards.c.balance == "0.0"
    return {"full": full, "empty": empty, "partial": and_(not_(full), not_(empty)),
            "full_or_partial": not_(empty)}.get(value.lower(), false())


@query.field("giftCards")
def resolve_gift_cards(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                       last: int | None = None, before: str | None = None, reverse: bool = False,
                       sortKey: str = "ID", query: str | None = None, savedSearchId: str | None = None
                       ) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = apply_search(select(gift_cards).where(gift_cards.c.shop_id == context.shop.id), query, GIFT_CARD_SEARCH,
                        gift_cards.c.code)
    for term in parse_search(query):
        clause = (_status_clause(term.value, context.now.date()) if term.field == "status" else
                  _balance_clause(term.value) if term.field == "balance_status" else None)
        if clause is not None:
            stmt = stmt.where(not_(clause) if term.negated else clause)
    try:
        page = paginate(context.conn, stmt, sort=GIFT_CARD_SORT.get(sortKey, gift_cards.c.id), id_col=gift_cards.c.id,
                        first=first, after=after, last=last, before=before, reverse=reverse)
    except BadCursor as exc:
        raise bad_cursor(exc) from exc
    return connection(page, present_gift_card)


bindables = [query, mutation]

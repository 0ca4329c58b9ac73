"""Customers: customerCreate, customerUpdate; customer(id), customers."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.api.graphql.context import RequestContext, ctx
from bulkops.api.graphql.resolvers.common import bad_cursor, connection, guarded, page_args, require_id
from bulkops.api.graphql.resolvers.metafields import metafield_inputs
from bulkops.api.graphql.resolvers.nodes import register
from bulkops.api.graphql.resolvers.products import _owner_metafield, _owner_metafields
from bulkops.clock import iso_z
from bulkops.db.pagination import BadCursor, paginate
from bulkops.db.tables import customers
from bulkops.errors import UserError
from bulkops.shop import customers as rules
from bulkops.shop import metafields as metafield_rules
from bulkops.shop.listing import apply_search

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
customer_type = ObjectType("Customer")

CUSTOMER_SEARCH = {
    "email": customers.c.email, "phone": customers.c.phone, "first_name": customers.c.first_name,
    "last_name": customers.c.last_name, "tag": customers.c.tags, "state": customers.c.state,
    "created_at": customers.c.created_at, "updated_at": customers.c.updated_at, "id": customers.c.id,
}
CUSTOMER_SORT = {"ID": customers.c.id, "CREATED_AT": customers.c.created_at, "UPDATED_AT": customers.c.updated_at,
                 "NAME": customers.c.last_name}


def present_customer(row: Any) -> dict[str, Any]:
    name = " ".join(p for p in (row.first_name, row.last_name) if p)
    return {
        "__typename": "Customer", "id": f"gid://shopify/Customer/{row.id}", "_pk": row.id,
        "legacyResourceId": str(row.id), "firstName": row.first_name, "lastName": row.last_name,
        "displayName": name or row.email or row.phone or "", "email": row.email, "phone": row.phone,
        "note": row.note, "tags": row.tags, "state": row.state, "verifiedEmail": row.verified_email,
        "taxExempt": row.tax_exempt, "taxExemptions": [], "locale": row.locale,
        "addresses": lambda info, first=None: row.addresses[:first] if first else row.addresses,
        "defaultAddress": row.addresses[0] if row.addresses else None,
        "emailMarketingConsent": row.email_marketing_consent, "smsMarketingConsent": row.sms_marketing_consent,
        "numberOfOrders": "0", "amountSpent": {"amount": "0.0", "currencyCode": "USD"},
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at), "canDelete": True,
        "productSubscriberStatus": "NEVER_SUBSCRIBED", "validEmailAddress": bool(row.email),
        "dataSaleOptOut": False, "lifetimeDuration": "now",
    }


@register("Customer")
def load_customer(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_customer(context.conn, context.shop.id, number)
    return present_customer(row) if row else None


def customer_fields(data: dict[str, Any]) -> rules.CustomerFields:
    addresses = data.get("addresses")
    return rules.CustomerFields(
        first_name=data.get("firstName"), last_name=data.get("lastName"), email=data.get("email"),
        phone=data.get("phone"), note=data.get("note"), tags=data.get("tags"), locale=data.get("locale"),
        tax_exempt=data.get("taxExempt"),
        addresses=[dict(a) for a in addresses] if addresses is not None else None,
        email_marketing_consent=_plain(data.get("emailMarketingConsent")),
        sms_marketing_consent=_plain(data.get("smsMarketingConsent")),
    )


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def _payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"customer": None, "userErrors": errors}


def _save_metafields(context: RequestContext, customer_id: int, raw: list[dict[str, Any]] | None) -> None:
    if raw:
        metafield_rules.set_metafields(context.conn, context.shop.id, metafield_inputs(raw, "Customer", customer_id),
                                       context.now)


@mutation.field("customerCreate")
@guarded(_payload)
def resolve_customer_create(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    if input.get("id"):
        raise UserError("Id must not be provided when creating a customer.", ["id"])
    customer_id = rules.create_customer(context.conn, context.shop.id, customer_fields(input), context.now)
    _save_metafields(context, customer_id, input.get("metafields"))
    return {"customer": load_customer(context, customer_id), "userErrors": []}


@mutation.field("customerUpdate")
@guarded(_payload)
def resolve_customer_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = require_id(input["id"], "Customer") if input.get("id") else None
    if number is None:
        raise UserError("Customer does not exist", ["id"])
    rules.update_customer(context.conn, context.shop.id, number, customer_fields(input), context.now)
    _save_metafields(context, number, input.get("metafields"))
    return {"customer": load_customer(context, number), "userErrors": []}


@query.field("customer")
def resolve_customer(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Customer")
    return load_customer(ctx(info), number) if number else None


@query.field("customers")
def resolve_customers(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                      last: int | None = None, before: str | None = None, reverse: bool = False,
                      sortKey: str = "ID", query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = apply_search(customers.select().where(customers.c.shop_id == context.shop.id), query, CUSTOMER_SEARCH,
                        customers.c.email)
    try:
        page = paginate(context.conn, stmt, sort=CUSTOMER_SORT.get(sortKey, customers.c.id), id_col=customers.c.id,
                        first=first, after=after, last=last, before=before, reverse=reverse)
    except BadCursor as exc:
        raise bad_cursor(exc) from exc
    return connection(page, present_customer)


customer_type.set_field("metafields", _owner_metafields("Customer", "_pk"))
customer_type.set_field("metafield", _owner_metafield("Customer", "_pk"))

bindables = [query, mutation, customer_type]

"""Customers: customerCreate, customerUpdate; customer(id), customers."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.customers import rules
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.customers.listing import CUSTOMERS
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.graphql.bindings.common import Window, guarded, listed, page_args, require_id
from bulkops.graphql.bindings.metafields import metafield_inputs
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import _owner_metafield, _owner_metafields
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
customer_type = ObjectType("Customer")

present_customer = CUSTOMER.presenter()


@register("Customer")
def load_customer(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_customer(context.conn, context.shop.id, number)
    return present_customer(row) if row else None


def customer_fields(data: dict[str, Any]) -> rules.CustomerFields:
    addresses = data.get("addresses")
    return rules.CustomerFields(
        first_name=data.get("firstName"), last_name=data.get("lastName"), email=data.get("email"),
        phone=data.get("phone"), note=data.get("note"), tags=data.get("tags"), locale=data.get("locale"),
        tax_exempt=data.get("taxExempt"), tax_exemptions=data.get("taxExemptions"),
        multipass_identifier=data.get("multipassIdentifier"),
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
    stmt = CUSTOMERS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, CUSTOMERS, stmt, present_customer, Window(first, after, last, before, reverse, sortKey))


customer_type.set_field("metafields", _owner_metafields("Customer", "_pk"))
customer_type.set_field("metafield", _owner_metafield("Customer", "_pk"))

bindables = [query, mutation, customer_type]

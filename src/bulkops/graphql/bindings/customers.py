"""Customers: customerCreate, customerUpdate; customer(id), customers."""

from __future__ import annotations

import re
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.clock import iso_z
from bulkops.db.pagination import BadCursor, paginate
from bulkops.db.tables import customers
from bulkops.domain.customers import rules
from bulkops.domain.listing import apply_search
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.domain.money import SHOP_CURRENCY, money
from bulkops.graphql.bindings.common import bad_cursor, connection, guarded, page_args, require_id
from bulkops.graphql.bindings.metafields import metafield_inputs
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import _owner_metafield, _owner_metafields
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import UserError

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
customer_type = ObjectType("Customer")

CUSTOMER_SEARCH = {
    "email": customers.c.email, "phone": customers.c.phone, "first_name": customers.c.first_name,
    "last_name": customers.c.last_name, "tag": customers.c.tags, "state": customers.c.state,
    "created_at": customers.c.created_at, "updated_at": customers.c.updated_at, "id": customers.c.id,
    "locale": customers.c.locale,
}
CUSTOMER_SORT = {"ID": customers.c.id, "CREATED_AT": customers.c.created_at, "UPDATED_AT": customers.c.updated_at,
                 "NAME": customers.c.last_name, "RELEVANCE": customers.c.id, "LOCATION": customers.c.id}
COUNTRY_NAMES = {
    "US": "United States", "CA": "Canada", "GB": "United Kingdom", "FR": "France", "DE": "Germany",
    "ES": "Spain", "IT": "Italy", "NL": "Netherlands", "BE": "Belgium", "CH": "Switzerland", "AT": "Austria",
    "IE": "Ireland", "PT": "Portugal", "SE": "Sweden", "NO": "Norway", "DK": "Denmark", "FI": "Finland",
    "PL": "Poland", "AU": "Australia", "NZ": "New Zealand", "JP": "Japan", "CN": "China", "IN": "India",
    "BR": "Brazil", "MX": "Mexico", "AR": "Argentina", "ZA": "South Africa", "SG": "Singapore",
    "HK": "Hong Kong SAR", "KR": "South Korea",
}


def present_address(customer_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    code = raw.get("countryCode")
    country = COUNTRY_NAMES.get(code or "", raw.get("country"))
    name = " ".join(p for p in (raw.get("firstName"), raw.get("lastName")) if p) or None
    area = ", ".join(p for p in (raw.get("city"), raw.get("provinceCode") or raw.get("province"), country) if p)

    def formatted(info: GraphQLResolveInfo, withName: bool = False, withCompany: bool = True) -> list[str]:
        lines = [name] if withName and name else []
        if withCompany and raw.get("company"):
            lines.append(raw["company"])
        lines += [p for p in (raw.get("address1"), raw.get("address2")) if p]
        city_line = " ".join(p for p in (raw.get("city"), raw.get("provinceCode") or raw.get("province"),
                                         raw.get("zip")) if p)
        return [*lines, *([city_line] if city_line else []), *([country] if country else [])]

    return {
        "__typename": "MailingAddress",
        "id": f"gid://shopify/MailingAddress/{raw['id']}?model_name=CustomerAddress",
        **{k: raw.get(k) for k in rules.ADDRESS_KEYS if k not in ("countryCode", "country")},
        "country": country, "countryCodeV2": code, "countryCode": code, "name": name, "formatted": formatted,
        "formattedArea": area or None, "coordinatesValidated": False, "latitude": None, "longitude": None,
        "timeZone": None, "validationResultSummary": None,
    }


def present_email_consent(row: Any) -> dict[str, Any] | None:
    if not row.email:
        return None
    stored = row.email_marketing_consent or {"marketingState": "NOT_SUBSCRIBED",
                                             "marketingOptInLevel": "SINGLE_OPT_IN", "consentUpdatedAt": None}
    return {"marketingState": stored["marketingState"], "marketingOptInLevel": stored["marketingOptInLevel"],
            "consentUpdatedAt": stored.get("consentUpdatedAt"), "sourceLocation": None}


def present_sms_consent(row: Any) -> dict[str, Any] | None:
    if not row.phone:
        return None
    stored = row.sms_marketing_consent or {"marketingState": "NOT_SUBSCRIBED",
                                           "marketingOptInLevel": "SINGLE_OPT_IN", "consentUpdatedAt": None}
    return {"marketingState": stored["marketingState"], "marketingOptInLevel": stored["marketingOptInLevel"],
            "consentUpdatedAt": stored.get("consentUpdatedAt"),
            "consentCollectedFrom": stored.get("consentCollectedFrom", "OTHER"), "sourceLocation": None}


def present_customer(row: Any) -> dict[str, Any]:
    name = " ".join(p for p in (row.first_name, row.last_name) if p)
    addresses = [present_address(row.id, a) for a in row.addresses or []]
    email_consent, sms_consent = present_email_consent(row), present_sms_consent(row)
    return {
        "__typename": "Customer", "id": f"gid://shopify/Customer/{row.id}", "_pk": row.id,
        "legacyResourceId": str(row.id), "firstName": row.first_name, "lastName": row.last_name,
        "displayName": name or row.email or row.phone or "", "email": row.email, "phone": row.phone,
        "note": row.note, "tags": row.tags, "state": row.state, "verifiedEmail": row.verified_email,
        "taxExempt": row.tax_exempt, "taxExemptions": row.tax_exemptions or [], "locale": row.locale,
        "multipassIdentifier": row.multipass_identifier,
        "addresses": lambda info, first=None: addresses[:first] if first else addresses,
        "defaultAddress": addresses[0] if addresses else None,
        "emailMarketingConsent": email_consent, "smsMarketingConsent": sms_consent,
        "defaultEmailAddress": {
            "emailAddress": row.email, "marketingState": email_consent["marketingState"],
            "marketingOptInLevel": email_consent["marketingOptInLevel"],
            "marketingUpdatedAt": email_consent["consentUpdatedAt"], "validFormat": True, "sourceLocation": None,
        } if email_consent else None,
        "defaultPhoneNumber": {
            "phoneNumber": row.phone, "marketingState": sms_consent["marketingState"],
            "marketingOptInLevel": sms_consent["marketingOptInLevel"],
            "marketingUpdatedAt": sms_consent["consentUpdatedAt"],
            "marketingCollectedFrom": sms_consent["consentCollectedFrom"], "sourceLocation": None,
        } if sms_consent else None,
        "numberOfOrders": "0", "amountSpent": money("0", SHOP_CURRENCY),
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at), "canDelete": True,
        "productSubscriberStatus": "NEVER_SUBSCRIBED", "validEmailAddress": bool(row.email),
        "dataSaleOptOut": False, "lifetimeDuration": "now", "hasTimelineComment": False,
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
    search = re.sub(r"\btag_not:", "-tag:", query) if query else query
    stmt = apply_search(customers.select().where(customers.c.shop_id == context.shop.id), search, CUSTOMER_SEARCH,
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

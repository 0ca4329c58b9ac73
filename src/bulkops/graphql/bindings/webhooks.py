"""Webhook subscription roots (spec 6.1): create, update, delete, ``webhookSubscription(id:)`` and
``webhookSubscriptions``. Rules live in ``bulkops.webhooks.subscriptions``; this module translates."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, UnionType
from graphql import GraphQLResolveInfo

from bulkops.domain.paging import Window
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.defaults import resolve_typename
from bulkops.webhooks import subscriptions as rules
from bulkops.webhooks.fields import SUBSCRIPTION
from bulkops.webhooks.listing import SubscriptionFilter, subscriptions_page

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
endpoint_union = UnionType("WebhookSubscriptionEndpoint", resolve_typename)


present_subscription = SUBSCRIPTION.presenter()


@register("WebhookSubscription")
def load_subscription(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_subscription(context.conn, context.shop.id, number)
    return present_subscription(row) if row else None


def subscription_fields(data: dict[str, Any]) -> rules.SubscriptionFields:
    """``uri`` wins over the deprecated ``callbackUrl``; either names the address."""
    uri = data.get("uri") if data.get("uri") is not None else data.get("callbackUrl")
    return rules.SubscriptionFields(
        uri=uri, format=data.get("format"), filter=data.get("filter"), include_fields=data.get("includeFields"),
        metafield_namespaces=data.get("metafieldNamespaces"))


def _subscription_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"webhookSubscription": None, "userErrors": errors}


def _delete_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"deletedWebhookSubscriptionId": None, "userErrors": errors}


@mutation.field("webhookSubscriptionCreate")
@guarded(_subscription_errors)
def resolve_create(_: Any, info: GraphQLResolveInfo, topic: str,
                   webhookSubscription: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    fields = subscription_fields(webhookSubscription)
    if fields.uri is None:
        fields = rules.SubscriptionFields(**{**fields.given(), "uri": ""})
    number = rules.create_subscription(context.conn, context.shop.id, topic, fields, context.api_version,
                                       context.now)
    return {"webhookSubscription": load_subscription(context, number), "userErrors": []}


@mutation.field("webhookSubscriptionUpdate")
@guarded(_subscription_errors)
def resolve_update(_: Any, info: GraphQLResolveInfo, id: str, webhookSubscription: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = rules.update_subscription(context.conn, context.shop.id, require_id(id, "WebhookSubscription"),
                                       subscription_fields(webhookSubscription), context.now)
    return {"webhookSubscription": load_subscription(context, number), "userErrors": []}


@mutation.field("webhookSubscriptionDelete")
@guarded(_delete_errors)
def resolve_delete(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    context = ctx(info)
    number = rules.delete_subscription(context.conn, context.shop.id, require_id(id, "WebhookSubscription"))
    return {"deletedWebhookSubscriptionId": f"gid://shopify/WebhookSubscription/{number}", "userErrors": []}


@query.field("webhookSubscription")
def resolve_subscription(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "WebhookSubscription")
    return load_subscription(ctx(info), number) if number is not None else None


@query.field("webhookSubscriptions")
def resolve_subscriptions(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                          last: int | None = None, before: str | None = None, reverse: bool = False,
                          sortKey: str = "CREATED_AT", query: str | None = None, topics: list[str] | None = None,
                          format: str | None = None, uri: str | None = None,
                          callbackUrl: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    narrowed = SubscriptionFilter(topics=topics, format=format, uri=uri or callbackUrl, query=query)
    window = Window(first, after, last, before, reverse, sortKey)
    page = subscriptions_page(context.conn, context.shop.id, narrowed, window)
    return connection(page, present_subscription)


bindables = [query, mutation, endpoint_union]

"""``shop``, ``publicApiVersions`` and ``events``."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.paging import Page
from bulkops.domain.shops.fields import SHOP
from bulkops.graphql.bindings.common import connection, page_args
from bulkops.graphql.context import ctx
from bulkops.protocol.versions import public_api_versions

query = ObjectType("QueryRoot")
present_shop = SHOP.presenter()


@query.field("shop")
def resolve_shop(_: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    return present_shop(ctx(info).shop)


@query.field("publicApiVersions")
def resolve_public_api_versions(*_: Any) -> list[dict[str, object]]:
    return public_api_versions()


@query.field("events")
def resolve_events(_: Any, info: GraphQLResolveInfo, first: int | None = None, last: int | None = None,
                   **_filters: Any) -> dict[str, Any]:
    """bulkops records no events (README): every page is empty, so a connector that reads deleted products
    from ``action:destroy`` events finds none rather than failing on a missing root."""
    page_args(first, last)
    return connection(Page([], False, False, []), dict)


bindables = [query]

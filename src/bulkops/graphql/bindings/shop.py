"""``shop`` and ``publicApiVersions``."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.shops.fields import SHOP
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


bindables = [query]

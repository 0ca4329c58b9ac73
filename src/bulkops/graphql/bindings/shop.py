"""``shop`` and ``publicApiVersions``."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.graphql.context import ctx
from bulkops.protocol.versions import public_api_versions

query = ObjectType("QueryRoot")


@query.field("shop")
def resolve_shop(_: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    shop = ctx(info).shop
    return {
        "__typename": "Shop", "id": shop.gid, "name": shop.name, "myshopifyDomain": shop.domain,
        "email": f"owner@{shop.domain}", "contactEmail": f"owner@{shop.domain}", "currencyCode": "USD",
        "ianaTimezone": "UTC", "timezoneAbbreviation": "UTC", "timezoneOffset": "+0000",
        "timezoneOffsetMinutes": 0, "url": f"https://{shop.domain}", "description": None,
    }


@query.field("publicApiVersions")
def resolve_public_api_versions(*_: Any) -> list[dict[str, object]]:
    return public_api_versions()


bindables = [query]

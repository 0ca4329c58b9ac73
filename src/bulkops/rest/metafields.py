"""``metafields.json`` (the shop's) and ``<resource>/<id>/metafields.json``: the REST Metafield resource."""

from __future__ import annotations

from typing import Any

from bulkops.domain.metafields.listing import owner_metafields_rest
from bulkops.rest.shapes import RestResource, graphql_id, rest_time

OWNER_RESOURCES = {"Shop": "shop", "Product": "product", "Customer": "customer", "Collection": "collection",
                   "Location": "location"}
"""A metafield owner's GraphQL type -> REST's ``owner_resource``."""

FILTERS = frozenset({"namespace", "key", "type"})


def present(row: Any) -> dict[str, Any]:
    return {"id": row.id, "namespace": row.namespace, "key": row.key, "value": row.value, "description": None,
            "owner_id": row.owner_id, "created_at": rest_time(row.created_at), "updated_at": rest_time(row.updated_at),
            "owner_resource": OWNER_RESOURCES.get(row.owner_type, row.owner_type.lower()), "type": row.type,
            "admin_graphql_api_id": graphql_id("Metafield", row.id)}


def owned_by(owner_type: str, owner_id: int) -> RestResource:
    """The metafields of one owner as a REST resource (list, count and get under the owner's path)."""
    return RestResource("metafields", "metafield", owner_metafields_rest(owner_type, owner_id),
                        lambda conn, shop_id, rows: [present(row) for row in rows], FILTERS)

"""``custom_collections.json`` and ``smart_collections.json``: the REST CustomCollection and SmartCollection
resources from the stored collection row (a smart one's rules in REST's lower-case words)."""

from __future__ import annotations

from typing import Any

from bulkops.domain.collections.listing import CUSTOM_COLLECTIONS_REST, SMART_COLLECTIONS_REST
from bulkops.domain.collections.rules import rule_set_of
from bulkops.rest.shapes import RestResource, each, graphql_id, rest_time

SORT_ORDERS = {"ALPHA_ASC": "alpha-asc", "ALPHA_DESC": "alpha-desc", "BEST_SELLING": "best-selling",
               "CREATED": "created", "CREATED_DESC": "created-desc", "MANUAL": "manual", "PRICE_ASC": "price-asc",
               "PRICE_DESC": "price-desc"}
"""GraphQL's CollectionSortOrder -> REST's ``sort_order``."""


def present(row: Any) -> dict[str, Any]:
    body = {
        "id": row.id, "handle": row.handle, "title": row.title, "updated_at": rest_time(row.updated_at),
        "body_html": row.description_html, "published_at": rest_time(row.published_at),
        "sort_order": SORT_ORDERS.get(row.sort_order, row.sort_order.lower()),
        "template_suffix": row.template_suffix, "published_scope": "web",
        "admin_graphql_api_id": graphql_id("Collection", row.id),
    }
    rules = rule_set_of(row)
    if rules is not None:
        body["disjunctive"] = rules.applied_disjunctively
        body["rules"] = [{"column": r.column.lower(), "relation": r.relation.lower(), "condition": r.condition}
                         for r in rules.rules]
    return body


CUSTOM_COLLECTIONS = RestResource("custom_collections", "custom_collection", CUSTOM_COLLECTIONS_REST, each(present),
                                  frozenset(CUSTOM_COLLECTIONS_REST.equal), metafield_owner="Collection")
SMART_COLLECTIONS = RestResource("smart_collections", "smart_collection", SMART_COLLECTIONS_REST, each(present),
                                 frozenset(SMART_COLLECTIONS_REST.equal), metafield_owner="Collection")

"""Resolver modules, one per concept; each exposes ``bindables``."""

from __future__ import annotations

from types import ModuleType
from typing import Any


def all_bindables(modern: bool) -> list[Any]:
    """Every bindable; ``modern`` adds those of fields that exist only from 2026-01."""
    from bulkops.graphql.bindings import bulk, customers, metafields, nodes, products, shop, staged_uploads
    from bulkops.graphql.bindings import webhooks as webhook_roots

    modules: tuple[ModuleType, ...] = (bulk, staged_uploads, nodes, products, customers, metafields, shop)
    modules += (webhook_roots,)
    from bulkops.graphql.bindings import collections, publications, variants

    modules += (variants, collections, publications)
    from bulkops.graphql.bindings import bulk_query

    modules += (bulk_query,)
    from bulkops.graphql.bindings import gift_cards, marketing, price_lists, store_credit, unsupported
    from bulkops.graphql.bindings import metaobjects as shop_data_metaobjects

    modules += (shop_data_metaobjects, gift_cards, price_lists, store_credit, marketing, unsupported)
    from bulkops.graphql.bindings import media

    modules += (media,)
    found = [bindable for module in modules for bindable in module.bindables]
    if modern:
        found += [bindable for module in modules for bindable in getattr(module, "modern_bindables", [])]
    return found

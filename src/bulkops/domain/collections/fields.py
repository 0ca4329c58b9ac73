"""Collection: each field's source, once (domain/fields.py)."""

from __future__ import annotations

from typing import Any

from bulkops.domain.collections.listing import MEMBERS
from bulkops.domain.collections.rules import rule_set_of
from bulkops.domain.fields import Child, Computed, Const, FieldMap, Plain, columns, common
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.products.fields import plain_text, storefront_id


def _rule_set(row: Any) -> dict[str, Any] | None:
    rule_set = rule_set_of(row)
    return rule_set.as_json() if rule_set else None


COLLECTION = FieldMap("Collection", {
    **common(with_created=False), "_pk": Plain("id"), "_row": Computed(lambda row: row),
    **columns(title="title", handle="handle", descriptionHtml="description_html", sortOrder="sort_order",
              templateSuffix="template_suffix"),
    "description": Computed(lambda row: plain_text(row.description_html)),
    "seo": Computed(lambda row: {"title": row.seo_title, "description": row.seo_description}),
    "ruleSet": Computed(_rule_set), "image": Const(None), "feedback": Const(None),
    "activeOperations": Const({"duplicate": []}), "storefrontId": Computed(storefront_id("Collection")),
    "products": Child(MEMBERS), "metafields": Child(owned_metafields("Collection")),
})

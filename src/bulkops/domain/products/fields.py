"""Product, ProductVariant and InventoryItem: each field's source, once (domain/fields.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bulkops.db.pagination import encode_cursor
from bulkops.domain.fields import Child, Computed, Const, FieldMap, Plain, columns, common
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.products.listing import PRODUCT_VARIANTS
from bulkops.domain.products.pricing import option_value_id


def plain_text(html: str | None) -> Callable[..., str]:
    """``description(truncateAt:)``: the HTML's text, cut at ``truncateAt`` characters when given."""
    text = re.sub(r"<[^>]+>", "", html or "")
    return lambda info, truncateAt=None: text[:truncateAt] if truncateAt else text


def plain_summary(html: str | None) -> str:
    """``descriptionPlainSummary``: the description's text on one line, cut at 60 characters (Shopify's docs)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html or "").split())[:60]


def storefront_id(type_name: str) -> Callable[[Any], str]:
    """``storefrontId``: the node's id (Shopify's Storefront API ids are no longer Base64 since 2022-04)."""
    return lambda row: f"gid://shopify/{type_name}/{row.id}"


def _default_cursor(row: Any) -> str:
    """The cursor after this node in its connection's default order (by id), as the connection gives it."""
    return encode_cursor(row.id)


PRODUCT = FieldMap("Product", {
    **common(), "_pk": Plain("id"),
    **columns(title="title", handle="handle", descriptionHtml="description_html", bodyHtml="description_html",
              vendor="vendor", productType="product_type", status="status", tags="tags",
              templateSuffix="template_suffix", isGiftCard="gift_card", requiresSellingPlan="requires_selling_plan"),
    "publishedAt": Plain("published_at", "time"),
    "description": Computed(lambda row: plain_text(row.description_html)),
    "descriptionPlainSummary": Computed(lambda row: plain_summary(row.description_html)),
    "defaultCursor": Computed(_default_cursor), "storefrontId": Computed(storefront_id("Product")),
    "seo": Computed(lambda row: {"title": row.seo_title, "description": row.seo_description}),
    "onlineStoreUrl": Const(None), "tracksInventory": Const(False), "hasVariantsThatRequiresComponents": Const(False),
    "giftCardTemplateSuffix": Const(None), "combinedListingRole": Const(None), "sellingPlanGroupCount": Const(0),
    "variants": Child(PRODUCT_VARIANTS), "metafields": Child(owned_metafields("Product")),
})


PRODUCT_OPTION = FieldMap("ProductOption", {
    "id": Plain("id", "gid"), **columns(name="name", position="position"), "linkedMetafield": Const(None),
    "values": Computed(lambda option: [v for v in option.values if v in option.used]),
    "optionValues": Computed(lambda option: [_option_value(option, v) for v in option.values]),
})
"""Read from a ``rules.OptionInUse``: ``values`` lists the values in use, ``optionValues`` every one."""


def _option_value(option: Any, value: str) -> dict[str, Any]:
    return {"__typename": "ProductOptionValue", "id": option_value_id(option.product_id, option.name, value),
            "name": value, "hasVariants": value in option.used, "linkedMetafieldValue": None, "swatch": None}


def _weight(item: dict[str, Any]) -> dict[str, Any] | None:
    weight = (item.get("measurement") or {}).get("weight")
    return {"unit": weight["unit"], "value": weight["value"]} if weight else None


def _unit_cost(item: dict[str, Any]) -> dict[str, Any] | None:
    cost = item.get("cost")
    return {"amount": str(cost), "currencyCode": "USD"} if cost is not None else None


def _item(row: Any) -> dict[str, Any]:
    return row.inventory_item or {}


INVENTORY_ITEM = FieldMap("InventoryItem", {
    **common(), **columns(sku="sku"),
    "tracked": Computed(lambda row: bool(_item(row).get("tracked", False))),
    "requiresShipping": Computed(lambda row: bool(_item(row).get("requiresShipping", True))),
    "measurement": Computed(lambda row: {"id": f"gid://shopify/InventoryItemMeasurement/{row.id}",
                                         "weight": _weight(_item(row))}),
    "unitCost": Computed(lambda row: _unit_cost(_item(row))),
    "countryCodeOfOrigin": Computed(lambda row: _item(row).get("countryCodeOfOrigin")),
    "harmonizedSystemCode": Computed(lambda row: _item(row).get("harmonizedSystemCode")),
    "provinceCodeOfOrigin": Computed(lambda row: _item(row).get("provinceCodeOfOrigin")),
    "duplicateSkuCount": Const(0), "trackedEditable": Const({"locked": False, "reason": None}),
})
"""Read from the variant's row (an inventory item is its variant's, with the variant's number)."""

present_inventory_item = INVENTORY_ITEM.presenter()


def _selected_options(row: Any) -> list[dict[str, Any]]:
    return [{"name": s["name"], "value": s["value"],
             "optionValue": {"__typename": "ProductOptionValue", "name": s["value"], "hasVariants": True,
                             "id": option_value_id(row.product_id, s["name"], s["value"]),
                             "linkedMetafieldValue": None, "swatch": None}}
            for s in row.selected_options]


VARIANT = FieldMap("ProductVariant", {
    **common(), "_pk": Plain("id"), "_product_id": Plain("product_id"),
    **columns(title="title", price="price", compareAtPrice="compare_at_price", sku="sku", barcode="barcode",
              position="position", taxable="taxable", inventoryQuantity="inventory_quantity",
              inventoryPolicy="inventory_policy", sellableOnlineQuantity="inventory_quantity"),
    "selectedOptions": Computed(_selected_options),
    "inventoryItem": Computed(present_inventory_item),
    "availableForSale": Const(True), "requiresComponents": Const(False), "showUnitPrice": Const(False),
    "taxCode": Const(None), "sellingPlanGroupCount": Const(0),
    "defaultCursor": Computed(_default_cursor), "storefrontId": Computed(storefront_id("ProductVariant")),
    "metafields": Child(owned_metafields("ProductVariant")),
})

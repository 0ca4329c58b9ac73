"""``products.json``: the REST Product resource with its variants, options and images, from the product's rows
(read in three queries per page: ``domain/products/listing.product_parts``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bulkops.domain.products.listing import PRODUCTS_REST, ProductParts, images_rest, product_parts, variants_rest
from bulkops.domain.products.rules import DEFAULT_OPTION
from bulkops.rest.shapes import RestResource, graphql_id, rest_tags, rest_time

WEIGHT_UNITS = {"KILOGRAMS": ("kg", Decimal(1000)), "GRAMS": ("g", Decimal(1)), "POUNDS": ("lb", Decimal("453.592")),
                "OUNCES": ("oz", Decimal("28.3495"))}
"""GraphQL's WeightUnit -> REST's ``weight_unit`` and grams per unit."""


def _weight(item: dict[str, Any]) -> tuple[float, str, int]:
    """``weight``, ``weight_unit`` and ``grams`` (0 kg when the item has no weight, as a new Shopify variant)."""
    weight = (item.get("measurement") or {}).get("weight")
    if not weight:
        return 0.0, "kg", 0
    unit, grams = WEIGHT_UNITS.get(weight["unit"], ("kg", Decimal(1000)))
    value = Decimal(str(weight["value"]))
    return float(value), unit, int((value * grams).to_integral_value())


def _variant(row: Any, option_names: list[str]) -> dict[str, Any]:
    chosen = {s["name"]: s["value"] for s in row.selected_options}
    values = [chosen.get(name) for name in option_names][:3] or [DEFAULT_OPTION[1]]
    item = row.inventory_item or {}
    weight, unit, grams = _weight(item)
    return {
        "id": row.id, "product_id": row.product_id, "title": row.title, "price": row.price,
        "position": row.position, "inventory_policy": row.inventory_policy.lower(),
        "compare_at_price": row.compare_at_price,
        **{f"option{n}": (values[n - 1] if n <= len(values) else None) for n in (1, 2, 3)},
        "created_at": rest_time(row.created_at), "updated_at": rest_time(row.updated_at), "taxable": row.taxable,
        "barcode": row.barcode, "fulfillment_service": "manual", "grams": grams,
        "inventory_management": "shopify" if item.get("tracked") else None,
        "requires_shipping": bool(item.get("requiresShipping", True)), "sku": row.sku, "weight": weight,
        "weight_unit": unit, "inventory_item_id": row.id, "inventory_quantity": row.inventory_quantity,
        "old_inventory_quantity": row.inventory_quantity, "image_id": None,
        "admin_graphql_api_id": graphql_id("ProductVariant", row.id),
    }


def _options(product_id: int, parts: ProductParts) -> list[dict[str, Any]]:
    """The stored options with the values the variants use, or the default ``Title`` option."""
    if not parts.options:
        name, value = DEFAULT_OPTION
        return [{"id": int(f"{product_id}0"), "product_id": product_id, "name": name, "position": 1,
                 "values": [value]}]
    used = {(s["name"], s["value"]) for v in parts.variants for s in v.selected_options}
    return [{"id": o.id, "product_id": product_id, "name": o.name, "position": o.position,
             "values": [value for value in o.values if (o.name, value) in used]} for o in parts.options]


def _image(row: Any, position: int | None = None) -> dict[str, Any]:
    """``position``: the image's place among the product's images (1 first; its media position, also from 1,
    when not given)."""
    position = row.position if position is None else position
    return {"id": row.id, "alt": row.alt, "position": position, "product_id": row.product_id,
            "created_at": rest_time(row.created_at), "updated_at": rest_time(row.updated_at),
            "admin_graphql_api_id": graphql_id("ProductImage", row.id), "width": None, "height": None,
            "src": row.preview_image_url or row.original_source, "variant_ids": []}


def present(row: Any, parts: ProductParts) -> dict[str, Any]:
    option_names = [o.name for o in parts.options]
    images = [_image(image, n) for n, image in enumerate(parts.images, start=1)]
    return {
        "id": row.id, "title": row.title, "body_html": row.description_html, "vendor": row.vendor,
        "product_type": row.product_type, "created_at": rest_time(row.created_at), "handle": row.handle,
        "updated_at": rest_time(row.updated_at), "published_at": rest_time(row.published_at),
        "template_suffix": row.template_suffix, "published_scope": "web", "tags": rest_tags(row.tags),
        "status": row.status.lower(), "admin_graphql_api_id": graphql_id("Product", row.id),
        "variants": [_variant(v, option_names) for v in parts.variants],
        "options": _options(row.id, parts), "images": images, "image": images[0] if images else None,
    }


def present_many(conn: Any, shop_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    parts = product_parts(conn, shop_id, [row.id for row in rows])
    return [present(row, parts[row.id]) for row in rows]


PRODUCTS = RestResource("products", "product", PRODUCTS_REST, present_many, frozenset(PRODUCTS_REST.equal),
                        metafield_owner="Product")


def _variants_with_options(conn: Any, shop_id: int, rows: list[Any]) -> list[dict[str, Any]]:
    """Variants of any products, each with its product's option names (for ``option1``…)."""
    parts = product_parts(conn, shop_id, sorted({row.product_id for row in rows}))
    return [_variant(row, [o.name for o in parts[row.product_id].options]) for row in rows]


def variants_of(product_id: int | None) -> RestResource:
    return RestResource("variants", "variant", variants_rest(product_id), _variants_with_options)


def images_of(product_id: int) -> RestResource:
    return RestResource("images", "image", images_rest(product_id), lambda conn, shop_id, rows: [
        _image(row) for row in rows])

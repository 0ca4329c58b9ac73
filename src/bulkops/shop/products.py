"""Products, their options and variants: Shopify's rules over rows. No GraphQL here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import product as cartesian
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from bulkops.db.tables import product_options, product_variants, products
from bulkops.errors import UserError, UserErrors
from bulkops.shop.common import MAX_NAME, handleize, normalize_tags, unique_handle

MAX_OPTIONS = 3
MAX_VARIANTS = 2048
STATUSES = ("ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED")


@dataclass(frozen=True)
class ProductFields:
    """What a create/update/set input may say about the product itself (None = not given)."""

    title: str | None = None
    handle: str | None = None
    description_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    status: str | None = None
    tags: list[str] | None = None
    template_suffix: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    gift_card: bool | None = None
    requires_selling_plan: bool | None = None
    category_id: str | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class OptionSpec:
    name: str
    values: list[str]


@dataclass(frozen=True)
class VariantSpec:
    option_values: list[tuple[str, str]]
    price: str | None = None
    compare_at_price: str | None = None
    sku: str | None = None
    barcode: str | None = None
    taxable: bool | None = None
    inventory_policy: str | None = None
    position: int | None = None


def _check_lengths(fields: ProductFields, errors: list[UserError]) -> None:
    for name, label in (("title", "Title"), ("vendor", "Vendor"), ("product_type", "Product type"),
                        ("handle", "Handle")):
        value = getattr(fields, name)
        if value is not None and len(value) > MAX_NAME:
            key = "productType" if name == "product_type" else name
            errors.append(UserError(f"{label} is too long (maximum is {MAX_NAME} characters)", [key]))


def _check_options(options: list[OptionSpec], errors: list[UserError]) -> None:
    if len(options) > MAX_OPTIONS:
        errors.append(UserError(f"Can only specify a maximum of {MAX_OPTIONS} options", ["productOptions"]))
    names = [o.name for o in options]
    for index, option in enumerate(options):
        if not option.name.strip():
            errors.append(UserError("Option name can't be blank", ["productOptions", str(index), "name"]))
        if names.count(option.name) > 1:
            errors.append(UserError(f"Option '{option.name}' already exists.", ["productOptions", str(index)]))
            break


def _handle_for(conn: Connection, shop_id: int, fields: ProductFields, current_id: int | None = None) -> str:
    if fields.handle:
        handle = handleize(fields.handle) or fields.handle
        clash = conn.execute(
            select(products.c.id).where(products.c.shop_id == shop_id, products.c.handle == handle)
        ).first()
        if clash and clash.id != current_id:
            raise UserError(f"Handle '{handle}' already in use. Please provide a new handle.", ["handle"])
        return handle
    base = handleize(fields.title or "") or "product"
    return unique_handle(conn, products.c.handle, products.c.shop_id, shop_id, base)


def create_product(
    conn: Connection,
    shop_id: int,
    fields: ProductFields,
    options: list[OptionSpec],
    now: datetime,
) -> int:
    """A new product with its options and one variant (Shopify's standalone default variant)."""
    errors: list[UserError] = []
    if not (fields.title or "").strip():
        errors.append(UserError("Title can't be blank", ["title"]))
    _check_lengths(fields, errors)
    _check_options(options, errors)
    if errors:
        raise UserErrors(errors)
    handle = _handle_for(conn, shop_id, fields)
    values = {
        "description_html": "", "vendor": "", "product_type": "", "status": "ACTIVE", "tags": [],
        "gift_card": False, "requires_selling_plan": False,
        **fields.given(), "handle": handle, "shop_id": shop_id, "created_at": now, "updated_at": now,
    }
    values["tags"] = normalize_tags(values["tags"])
    product_id = conn.execute(insert(products).values(**values)).inserted_primary_key[0]
    _write_options(conn, product_id, options)
    first_values = [(o.name, o.values[0]) for o in options if o.values]
    _insert_variants(conn, shop_id, product_id, [VariantSpec(first_values)], now)
    return product_id


def update_product(
    conn: Connection, shop_id: int, product_id: int, fields: ProductFields, now: datetime
) -> int:
    if not product_exists(conn, shop_id, product_id):
        raise UserError("Product does not exist", ["id"])
    errors: list[UserError] = []
    if fields.title is not None and not fields.title.strip():
        errors.append(UserError("Title can't be blank", ["title"]))
    _check_lengths(fields, errors)
    if errors:
        raise UserErrors(errors)
    values = fields.given()
    if fields.handle is not None:
        values["handle"] = _handle_for(conn, shop_id, fields, product_id)
    if "tags" in values:
        values["tags"] = normalize_tags(values["tags"])
    conn.execute(update(products).where(products.c.id == product_id).values(**values, updated_at=now))
    return product_id


def set_product(
    conn: Connection,
    shop_id: int,
    product_id: int | None,
    fields: ProductFields,
    options: list[OptionSpec] | None,
    variants: list[VariantSpec] | None,
    now: datetime,
) -> int:
    """productSet: create or update, with list fields (options, variants) replaced as a whole."""
    errors: list[UserError] = []
    if product_id is None and not (fields.title or "").strip():
        errors.append(UserError("Title can't be blank", ["input", "title"], "BLANK"))
    _check_lengths(fields, errors)
    if options is not None:
        _check_options(options, errors)
    if variants is not None:
        _check_variants(options or [], variants, errors)
    if errors:
        raise UserErrors(errors)
    if product_id is None:
        product_id = create_product(conn, shop_id, fields, options or [], now)
    else:
        update_product(conn, shop_id, product_id, fields, now)
    if options is not None:
        _write_options(conn, product_id, options)
    if variants is not None:
        conn.execute(delete(product_variants).where(product_variants.c.product_id == product_id))
        _insert_variants(conn, shop_id, product_id, variants or [VariantSpec([])], now)
    elif options is not None:
        conn.execute(delete(product_variants).where(product_variants.c.product_id == product_id))
        _insert_variants(conn, shop_id, product_id, [VariantSpec([(o.name, o.values[0]) for o in options
                                                                   if o.values])], now)
    return product_id


def _check_variants(options: list[OptionSpec], variants: list[VariantSpec], errors: list[UserError]) -> None:
    if len(variants) > MAX_VARIANTS:
        errors.append(UserError(f"Can only have a maximum of {MAX_VARIANTS} variants per product.",
                                ["input", "variants"], "EXCEEDED_VARIANT_LIMIT"))
        return
    seen: set[tuple[str, ...]] = set()
    option_names = [o.name for o in options]
    for index, variant in enumerate(variants):
        names = [name for name, _ in variant.option_values]
        if options and sorted(names) != sorted(option_names):
            errors.append(UserError(
                "The variant must have a value for every option of the product.",
                ["input", "variants", str(index), "optionValues"], "INVALID_VARIANT",
            ))
            continue
        combo = tuple(value for _, value in sorted(variant.option_values, key=lambda p: option_names.index(p[0])
                                                      if p[0] in option_names else 0))
        if combo in seen:
            label = " / ".join(combo)
            errors.append(UserError(
                f"The variant '{label}' already exists. Please change at least one option value.",
                ["input", "variants", str(index)], "INVALID_VARIANT",
            ))
        seen.add(combo)


def _write_options(conn: Connection, product_id: int, options: list[OptionSpec]) -> None:
    conn.execute(delete(product_options).where(product_options.c.product_id == product_id))
    if options:
        conn.execute(insert(product_options), [
            {"product_id": product_id, "name": o.name, "position": i + 1, "values": list(o.values)}
            for i, o in enumerate(options)
        ])


def _insert_variants(conn: Connection, shop_id: int, product_id: int, specs: list[VariantSpec],
                     now: datetime) -> None:
    rows = []
    for position, spec in enumerate(specs, start=1):
        title = " / ".join(value for _, value in spec.option_values) or "Default Title"
        selected = [{"name": n, "value": v} for n, v in spec.option_values] or [
            {"name": "Title", "value": "Default Title"}
        ]
        rows.append({
            "shop_id": shop_id, "product_id": product_id, "title": title,
            "position": spec.position or position, "selected_options": selected,
            "price": spec.price or "0.00", "compare_at_price": spec.compare_at_price, "sku": spec.sku,
            "barcode": spec.barcode, "taxable": True if spec.taxable is None else spec.taxable,
            "inventory_quantity": 0, "inventory_policy": spec.inventory_policy or "DENY",
            "created_at": now, "updated_at": now,
        })
    conn.execute(insert(product_variants), rows)


def product_exists(conn: Connection, shop_id: int, product_id: int) -> bool:
    return conn.execute(
        select(products.c.id).where(products.c.id == product_id, products.c.shop_id == shop_id)
    ).first() is not None


def product_id_by_handle(conn: Connection, shop_id: int, handle: str) -> int | None:
    row = conn.execute(
        select(products.c.id).where(products.c.shop_id == shop_id, products.c.handle == handle)
    ).first()
    return row.id if row else None


def get_product(conn: Connection, shop_id: int, product_id: int) -> Any | None:
    return conn.execute(
        select(products).where(products.c.id == product_id, products.c.shop_id == shop_id)
    ).first()


def options_of(conn: Connection, product_id: int) -> list[Any]:
    return list(conn.execute(
        select(product_options).where(product_options.c.product_id == product_id)
        .order_by(product_options.c.position)
    ))


def variants_query(shop_id: int, product_id: int | None = None):  # type: ignore[no-untyped-def]
    stmt = select(product_variants).where(product_variants.c.shop_id == shop_id)
    if product_id is not None:
        stmt = stmt.where(product_variants.c.product_id == product_id)
    return stmt


def get_variant(conn: Connection, shop_id: int, variant_id: int) -> Any | None:
    return conn.execute(variants_query(shop_id).where(product_variants.c.id == variant_id)).first()


def all_combinations(options: list[OptionSpec]) -> list[list[tuple[str, str]]]:
    """Every option-value combination (used to build variants for a set of options)."""
    return [list(zip([o.name for o in options], combo, strict=True))
            for combo in cartesian(*[o.values for o in options])]

"""Products and their options: Shopify's rules over rows. No GraphQL here (variants: domain/products/variants.py).

productCreate's rules live here once (:func:`product_columns`, :func:`new_product_errors`, :func:`given_handle`,
variants.first_variant, the owned metafields' checks, auto-publishing); :func:`create_product` writes one
input with a statement per row, and batch.py's ``create_many`` writes many with the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, delete, func, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import metafields, product_variants, products
from bulkops.domain.common import MAX_NAME, handleize, normalize_tags, unique_handle
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.domain.products import variants as variant_rules
from bulkops.domain.products.variants import VariantSpec, options_of
from bulkops.domain.publications import rules as publication_rules
from bulkops.protocol.errors import UserError, UserErrors

MAX_OPTIONS = variant_rules.MAX_OPTIONS
MAX_VARIANTS = variant_rules.MAX_VARIANTS
STATUSES = ("ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED")

__all__ = ["MetafieldSpec", "NewProduct", "OptionSpec", "ProductFields", "VariantSpec", "create_product",
           "new_product_errors", "options_of", "product_columns", "set_product", "update_product"]


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


class MetafieldSpec(NamedTuple):
    """An owned metafield of a new resource (namespace None: the default one)."""

    namespace: str | None
    key: str
    value: str
    type: str | None


@dataclass(frozen=True)
class NewProduct:
    """One productCreate input: the product, its options and its own metafields."""

    fields: ProductFields
    options: list[OptionSpec]
    metafields: list[MetafieldSpec]

    def option_pairs(self) -> list[tuple[str, list[str]]]:
        return [(o.name, o.values) for o in self.options]


NEW_PRODUCT_DEFAULTS: dict[str, Any] = {
    "description_html": "", "vendor": "", "product_type": "", "status": "ACTIVE", "tags": [],
    "gift_card": False, "requires_selling_plan": False}
"""A new product's columns that Shopify fills in when the input leaves them out."""


def product_columns(fields: ProductFields) -> dict[str, Any]:
    """A new product's columns from its input (Shopify's defaults where the input says nothing), but the
    handle, the ids and the time."""
    values = {**NEW_PRODUCT_DEFAULTS, **fields.given()}
    values["tags"] = split_tags(values["tags"])
    return values


def split_tags(raw: Any) -> list[str]:
    """Shopify splits every tag given on commas: ``["wool, warm"]`` is two tags."""
    return normalize_tags(raw if isinstance(raw, str) else ",".join(map(str, raw or ())))


def new_product_errors(fields: ProductFields, options: list[OptionSpec]) -> list[UserError]:
    """What is wrong with a productCreate input before the database is asked anything."""
    errors: list[UserError] = []
    if not (fields.title or "").strip():
        errors.append(UserError("Title can't be blank", ["title"]))
    _check_lengths(fields, errors, [])
    _check_options(options, errors, "productOptions", with_codes=False)
    return errors


def given_handle(fields: ProductFields) -> str | None:
    """The handle the input asks for, handleized (None: derive one from the title)."""
    return (handleize(fields.handle) or fields.handle) if fields.handle else None


def handle_base(fields: ProductFields) -> str:
    """What a derived handle starts with (then ``-1``, ``-2``… until it is free)."""
    return handleize(fields.title or "") or "product"


def _check_lengths(fields: ProductFields, errors: list[UserError], prefix: list[str]) -> None:
    for name, label in (("title", "Title"), ("vendor", "Vendor"), ("product_type", "Product type"),
                        ("handle", "Handle")):
        value = getattr(fields, name)
        if value is not None and len(value) > MAX_NAME:
            key = "productType" if name == "product_type" else name
            errors.append(UserError(f"{label} is too long (maximum is {MAX_NAME} characters)", [*prefix, key]))


def _check_options(options: list[OptionSpec], errors: list[UserError], field: str, with_codes: bool) -> None:
    if len(options) > MAX_OPTIONS:
        errors.append(UserError(f"Can only specify a maximum of {MAX_OPTIONS} options", [*_at(field)],
                                "OPTIONS_OVER_LIMIT" if with_codes else None))
    names = [o.name for o in options]
    for index, option in enumerate(options):
        if not option.name.strip():
            errors.append(UserError("Option name can't be blank", [*_at(field), str(index), "name"],
                                    "INVALID_INPUT" if with_codes else None))
        if names.count(option.name) > 1:
            errors.append(UserError(f"Option '{option.name}' already exists.", [*_at(field), str(index)],
                                    "DUPLICATED_OPTION_NAME" if with_codes else None))
            break
        if len(set(option.values)) != len(option.values):
            errors.append(UserError(f"Duplicated option value for option '{option.name}'.",
                                    [*_at(field), str(index), "values"], "DUPLICATED_OPTION_VALUE" if with_codes
                                    else None))


def _at(field: str) -> list[str]:
    return field.split(".")


def _handle_for(conn: Connection, shop_id: int, fields: ProductFields, current_id: int | None = None,
                prefix: list[str] | None = None) -> str:
    handle = given_handle(fields)
    if handle is not None:
        clash = conn.execute(
            select(products.c.id).where(products.c.shop_id == shop_id, products.c.handle == handle)
        ).first()
        if clash and clash.id != current_id:
            raise UserError(f"Handle '{handle}' already in use. Please provide a new handle.", [*(prefix or []),
                                                                                                  "handle"],
                            "HANDLE_NOT_UNIQUE" if prefix else None)
        return handle
    return unique_handle(conn, products.c.handle, products.c.shop_id, shop_id, handle_base(fields))


def _insert_product(conn: Connection, shop_id: int, fields: ProductFields, handle: str, now: datetime) -> int:
    values = {**product_columns(fields), "handle": handle, "shop_id": shop_id, "created_at": now, "updated_at": now}
    return inserted_id(conn.execute(products.insert().values(**values)))


def create_product(conn: Connection, shop_id: int, new: NewProduct, now: datetime) -> int:
    """productCreate with a statement per row (domain/products/batch.py writes many at once by the same
    rules): the product, its options, its first variant (:func:`variant_rules.first_variant`), its own
    metafields, and its place on every auto-publishing publication."""
    errors = new_product_errors(new.fields, new.options)
    if errors:
        raise UserErrors(errors)
    fields = new.fields
    product_id = _insert_product(conn, shop_id, fields, _handle_for(conn, shop_id, fields), now)
    options = new.option_pairs()
    variant_rules.write_options(conn, product_id, options)
    names, chosen = variant_rules.first_variant(options)
    variant_rules.insert_variants(conn, shop_id, product_id, names, [VariantSpec(list(chosen.items()))], 1, now)
    if new.metafields:
        metafield_rules.set_metafields(conn, shop_id, [
            metafield_rules.MetafieldInput("Product", product_id, m.namespace, m.key, m.value, m.type)
            for m in new.metafields], now)
    publication_rules.auto_publish_new(conn, shop_id, "Product", product_id, now)
    return product_id


def update_product(conn: Connection, shop_id: int, product_id: int, fields: ProductFields, now: datetime,
                   prefix: list[str] | None = None) -> int:
    if not product_exists(conn, shop_id, product_id):
        raise UserError("Product does not exist", [*(prefix or []), "id"])
    errors = update_errors(fields, prefix or [])
    if errors:
        raise UserErrors(errors)
    values = updated_columns(fields)
    if fields.handle is not None:
        values["handle"] = _handle_for(conn, shop_id, fields, product_id, prefix)
    conn.execute(update(products).where(products.c.id == product_id).values(**values, updated_at=now))
    return product_id


def update_errors(fields: ProductFields, prefix: list[str]) -> list[UserError]:
    """What is wrong with an update of these fields, before the database is asked anything."""
    errors: list[UserError] = []
    if fields.title is not None and not fields.title.strip():
        errors.append(UserError("Title can't be blank", [*prefix, "title"]))
    _check_lengths(fields, errors, prefix)
    return errors


def updated_columns(fields: ProductFields) -> dict[str, Any]:
    """The product columns an update of these fields sets (the handle as given: the caller makes it unique)."""
    values = fields.given()
    if "tags" in values:
        values["tags"] = split_tags(values["tags"])
    return values


def set_product_errors(creating: bool, fields: ProductFields, options: list[OptionSpec] | None,
                       variants: list[VariantSpec] | None, owned_variant_ids: set[int]) -> list[UserError]:
    """What is wrong with a productSet input, given the ids of the variants the product already has (none
    when it is created): no database needed."""
    prefix = ["input"]
    errors: list[UserError] = []
    if creating and not (fields.title or "").strip():
        errors.append(UserError("Title can't be blank", [*prefix, "title"], "INVALID_PRODUCT"))
    _check_lengths(fields, errors, prefix)
    if options is not None:
        _check_options(options, errors, "input.productOptions", with_codes=True)
    if variants is not None and options is None:
        # UNCONFIRMED wording (the code is Shopify's): productSet needs the options the variants refer to.
        errors.append(UserError("Product options input is required when variants are provided.",
                                [*prefix, "productOptions"], "PRODUCT_OPTIONS_INPUT_MISSING"))
    if variants is not None and options is not None:
        errors += variant_rules.check_set_variants([(o.name, o.values) for o in options], variants,
                                                   owned_variant_ids, [*prefix, "variants"])
    return errors


def set_variant_specs(options: list[tuple[str, list[str]]], variants: list[VariantSpec] | None) -> list[VariantSpec]:
    """The variants a productSet with options ends with: those given, else one of each option's first value."""
    return variants if variants is not None else [VariantSpec(list(variant_rules.first_variant(options)[1].items()))]


def set_product(conn: Connection, shop_id: int, product_id: int | None, fields: ProductFields,
                options: list[OptionSpec] | None, variants: list[VariantSpec] | None, now: datetime) -> list[int]:
    """productSet: create or update; list fields (options, variants) end up exactly as given.

    Returns the product id followed by the variant ids in input order (when variants were given)."""
    prefix = ["input"]
    owned = {v.id for v in variant_rules.variants_of(conn, product_id)} if product_id and variants else set()
    errors = set_product_errors(product_id is None, fields, options, variants, owned)
    if errors:
        raise UserErrors(errors)
    if product_id is None:
        product_id = _insert_product(conn, shop_id, fields, _handle_for(conn, shop_id, fields, None, prefix), now)
        created = True
    else:
        update_product(conn, shop_id, product_id, fields, now, prefix)
        created = False
    variant_ids: list[int] = []
    if options is not None:
        pairs = [(o.name, list(o.values)) for o in options]
        variant_rules.write_options(conn, product_id, pairs)
        variant_ids = variant_rules.sync_variants(conn, shop_id, product_id, pairs,
                                                  set_variant_specs(pairs, variants), now)
    elif created:
        variant_rules.insert_variants(conn, shop_id, product_id, [], [variant_rules.NO_INPUT], 1, now)
    return [product_id, *variant_ids]


def set_owned_metafields(conn: Connection, shop_id: int, owner: str, owner_id: int, specs: list[MetafieldSpec],
                         prefix: list[str], code: str | None, now: datetime) -> None:
    """An owner's metafields as a mutation's input gives them, errors worded at ``prefix`` with ``code``."""
    if not specs:
        return
    inputs = [metafield_rules.MetafieldInput(owner, owner_id, *spec) for spec in specs]
    try:
        metafield_rules.set_metafields(conn, shop_id, inputs, now)
    except UserErrors as exc:
        for error in exc.errors:
            error.field = [*prefix, *(error.field or [])[1:]]
            error.extra = {}
            error.code = code
        raise
    except UserError as error:
        error.field, error.code = prefix, code
        raise


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


def variants_query(shop_id: int, product_id: int | None = None) -> Select:
    stmt = select(product_variants).where(product_variants.c.shop_id == shop_id)
    if product_id is not None:
        stmt = stmt.where(product_variants.c.product_id == product_id)
    return stmt


def total_inventory(conn: Connection, product_id: int) -> int:
    """``Product.totalInventory``: the variants' quantities summed."""
    return conn.execute(select(func.coalesce(func.sum(product_variants.c.inventory_quantity), 0)).where(
        product_variants.c.product_id == product_id)).scalar() or 0


def has_out_of_stock_variants(conn: Connection, product_id: int) -> bool:
    """``Product.hasOutOfStockVariants``: a variant has none left (zero or below)."""
    return conn.execute(select(product_variants.c.id).where(
        product_variants.c.product_id == product_id, product_variants.c.inventory_quantity <= 0)).first() is not None


@dataclass(frozen=True)
class OptionInUse:
    """A product option and which of its values the product's variants use."""

    id: int
    name: str
    position: int
    values: list[str]
    used: frozenset[str]
    product_id: int


DEFAULT_OPTION = ("Title", "Default Title")
"""The option a product without options answers (its one variant's), as Shopify does."""


def options_in_use(conn: Connection, shop_id: int, product_id: int) -> list[OptionInUse]:
    """``Product.options``: the stored options (or the default one, numbered ``<product>0``) with the values
    in use."""
    rows = options_of(conn, product_id)
    if not rows:
        name, value = DEFAULT_OPTION
        return [OptionInUse(int(f"{product_id}0"), name, 1, [value], frozenset({value}), product_id)]
    used: dict[str, set[str]] = {}
    for variant in conn.execute(variants_query(shop_id, product_id)):
        for selected in variant.selected_options:
            used.setdefault(selected["name"], set()).add(selected["value"])
    return [OptionInUse(r.id, r.name, r.position, list(r.values), frozenset(used.get(r.name, ())), product_id)
            for r in rows]


def variants_count(conn: Connection, product_id: int) -> int:
    return conn.execute(select(func.count()).select_from(product_variants)
                        .where(product_variants.c.product_id == product_id)).scalar() or 0


def get_variant(conn: Connection, shop_id: int, variant_id: int) -> Any | None:
    return conn.execute(variants_query(shop_id).where(product_variants.c.id == variant_id)).first()


def replace_metafields(conn: Connection, owner_type: str, owner_id: int, keep: list[tuple[str, str]]) -> None:
    """productSet's metafields are a list field: those of the owner not in ``keep`` (namespace, key) go."""
    rows = conn.execute(select(metafields.c.id, metafields.c.namespace, metafields.c.key).where(
        metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id))
    doomed = [r.id for r in rows if (r.namespace, r.key) not in set(keep)]
    if doomed:
        conn.execute(delete(metafields).where(metafields.c.id.in_(doomed)))

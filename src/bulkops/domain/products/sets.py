"""productSet for many inputs at once: :func:`set_many`, the only way products are set (the synchronous
mutation is a batch of one; a bulk import's batched writer sends it the chunk's lines).

An input that creates a product and that the batch can vouch for (:func:`prepare_set`: no errors, a free
handle, options and variants, well-formed product metafields of non-reference types) becomes rows written
with the chunk's others by ``ProductCreateBatch``, one ``executemany`` per table. Per-input path, at its
turn and after the rows before it are written (:func:`set_one`, in a savepoint), for what needs the database
to decide or to word: an update (``input.id`` or an identified product: its variants are matched to the
existing ones), ``collections`` (checked against the shop's), variant metafields, metafields given by id,
any input with errors, and a handle already taken.
tests/graphql/test_product_set_paths.py checks the two paths give the same rows and answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from bulkops.domain.collections import rules as collection_rules
from bulkops.domain.common import in_savepoint
from bulkops.domain.metafields.rules import DEFAULT_NAMESPACE
from bulkops.domain.products import rules
from bulkops.domain.products.batch import PreparedProduct, ProductCreateBatch, pending_id, prepare_new_set
from bulkops.domain.products.rules import MetafieldSpec, OptionSpec, ProductFields, VariantSpec
from bulkops.domain.publications import rules as publication_rules
from bulkops.protocol.errors import UserErrors

METAFIELD_ERROR = "INVALID_METAFIELD"


@dataclass(frozen=True)
class ProductSetInput:
    """One productSet input, its product already identified: ``product_id`` is the product it updates (None:
    it creates one). List fields are None when the input leaves them out (then they are left as they are)."""

    product_id: int | None
    fields: ProductFields
    options: list[OptionSpec] | None = None
    variants: list[VariantSpec] | None = None
    metafields: list[MetafieldSpec] | None = None
    variant_metafields: list[list[MetafieldSpec] | None] = field(default_factory=list)
    """Per variant, in input order: its metafields (None: not given)."""
    collections: list[int | None] | None = None
    """Custom collection numbers (None where a gid was not a Collection's)."""


def set_many(conn: Connection, shop_id: int, inputs: Sequence[ProductSetInput], now: datetime
             ) -> list[int | UserErrors]:
    """productSet for any number of inputs, in order: each answers its product's id, or its errors (then it
    wrote nothing)."""
    if len(inputs) < 2 or not ProductCreateBatch.supported(conn):
        return [set_in_savepoint(conn, shop_id, item, now) for item in inputs]
    batch = ProductCreateBatch(conn, shop_id)
    return batch.run([prepare_set(item, conn.dialect.name) for item in inputs], now, pending_id,
                     lambda index: set_in_savepoint(conn, shop_id, inputs[index], now))


def prepare_set(item: ProductSetInput, database: str = "sqlite") -> PreparedProduct | None:
    """The rows of an input that creates a product, checked without the database (pure: any process), or
    None: set it the ordinary way (:func:`set_one`)."""
    if item.product_id is not None or item.collections is not None:
        return None
    if any(specs is not None for specs in item.variant_metafields):
        return None
    if rules.set_product_errors(True, item.fields, item.options, item.variants, set()):
        return None
    return prepare_new_set(item.fields, item.options, item.variants, item.metafields or [], database)


def set_in_savepoint(conn: Connection, shop_id: int, item: ProductSetInput, now: datetime) -> int | UserErrors:
    return in_savepoint(conn, lambda: set_one(conn, shop_id, item, now))


def set_one(conn: Connection, shop_id: int, item: ProductSetInput, now: datetime) -> int:
    """One productSet with a statement per row: the product and its options and variants
    (:func:`rules.set_product`), then its metafields and each variant's (lists: those not given go), its
    custom collections, and a new product's place on every auto-publishing publication."""
    collections = None
    if item.collections is not None:
        collections = collection_rules.require_custom_collections(conn, shop_id, item.collections,
                                                                  ["input", "collections"])
    ids = rules.set_product(conn, shop_id, item.product_id, item.fields, item.options, item.variants, now)
    product_id, variant_ids = ids[0], ids[1:]
    if item.metafields is not None:
        _replace_metafields(conn, shop_id, "Product", product_id, item.metafields, ["input", "metafields"], now)
    for index, (specs, variant_id) in enumerate(zip(item.variant_metafields, variant_ids, strict=False)):
        if specs is not None:
            _replace_metafields(conn, shop_id, "ProductVariant", variant_id, specs,
                                ["input", "variants", str(index), "metafields"], now)
    if collections is not None:
        collection_rules.set_product_collections(conn, shop_id, product_id, collections)
    if item.product_id is None:
        publication_rules.auto_publish_new(conn, shop_id, "Product", product_id, now)
    return product_id


def _replace_metafields(conn: Connection, shop_id: int, owner: str, owner_id: int, specs: list[MetafieldSpec],
                        prefix: list[str], now: datetime) -> None:
    """A list field: the owner ends with exactly these metafields."""
    rules.replace_metafields(conn, owner, owner_id, [(m.namespace or DEFAULT_NAMESPACE, m.key) for m in specs])
    rules.set_owned_metafields(conn, shop_id, owner, owner_id, specs, prefix, METAFIELD_ERROR, now)

"""Where each exportable connection's rows come from: the domain's listing of that connection (the same
filters and sort keys as the paginated resolvers, domain/<resource>/listing.py), its node type's presenter
and plain columns (domain/<resource>/fields.py), so an export says what a query says.

A listing is read in keyset batches (top level) or for a batch of parents at once (nested connections).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from graphql import GraphQLField, GraphQLList, GraphQLNonNull
from sqlalchemy import Column, ColumnElement, Connection, Select, select

from bulkops.db import tables
from bulkops.domain import listing as domain
from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.collections.listing import COLLECTIONS, Members
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.customers.listing import CUSTOMERS
from bulkops.domain.documents import listing as documents
from bulkops.domain.fields import FieldMap, Plain
from bulkops.domain.inventory import listing as inventory_listing
from bulkops.domain.inventory import rules as inventory_rules
from bulkops.domain.media import listing as media_listing
from bulkops.domain.media import rules as media_rules
from bulkops.domain.media.fields import media_gid, present_media
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.metafields.listing import owned_metafields
from bulkops.domain.money import SHOP_CURRENCY, money
from bulkops.domain.orders import reads as order_reads
from bulkops.domain.orders.fields import (
    LINE_ITEM,
    ORDER,
    SHIPPING_LINE,
    TRANSACTION,
    present_discount_application,
    present_order_agreement,
    present_product_sale,
)
from bulkops.domain.orders.listing import CUSTOMER_ORDERS, ORDERS
from bulkops.domain.products.fields import INVENTORY_ITEM, PRODUCT, VARIANT, present_inventory_item
from bulkops.domain.products.listing import PRODUCTS, VARIANTS
from bulkops.domain.publications import rules as publication_rules
from bulkops.graphql.bindings.collections import present_collection
from bulkops.graphql.bindings.customers import present_customer
from bulkops.graphql.bindings.inventory import present_level, present_location
from bulkops.graphql.bindings.metafields import present_metafield
from bulkops.graphql.bindings.orders import present_line_item, present_order, present_shipping_line
from bulkops.graphql.bindings.products import present_product, present_variant
from bulkops.graphql.bindings.publications import present_collection_publication
from bulkops.graphql.documents import answered_by_document

Presenter = Callable[[Any], dict[str, Any]]

Direct = dict[str, Plain]
"""Field name -> its column, for the plain fields of a type (FieldMap.plain); each equals what the presenter
and graphql-core give (tests/engine/test_export_format.py compares them field by field)."""

EXPORTED: dict[str, tuple[FieldMap, Presenter]] = {
    "Product": (PRODUCT, present_product), "ProductVariant": (VARIANT, present_variant),
    "Customer": (CUSTOMER, present_customer), "Metafield": (METAFIELD, present_metafield),
    "Collection": (COLLECTION, present_collection), "Order": (ORDER, present_order),
    "LineItem": (LINE_ITEM, present_line_item), "ShippingLine": (SHIPPING_LINE, present_shipping_line),
}
"""The node types an export can read: their field maps and the presenters the resolvers use."""

ROOTS: dict[str, domain.Listing] = {"products": PRODUCTS, "productVariants": VARIANTS, "customers": CUSTOMERS,
                                    "collections": COLLECTIONS, "orders": ORDERS}
"""The exportable top-level connections (the child ones are the field maps' ``Child`` fields)."""


@dataclass(frozen=True)
class Listing:
    """A shop-scoped SELECT of one connection's rows; ``_bulk_sort`` (and ``_bulk_parent`` for nested ones)
    are labelled in it so batches can continue after a row and children can be grouped by parent."""

    stmt: Select
    id_col: Column
    sort: ColumnElement
    descending: bool
    type_name: str
    present: Presenter
    direct: Direct
    parent: ColumnElement | None = None
    members: Callable[[Connection, list[int]], dict[int, list[Any]]] | None = None
    """For a nested connection whose order differs per parent (a collection's products): rows per parent key."""
    gid_of: Callable[[Any], str] | None = None
    """A row's global id when its type is the row's own (a product's media: MediaImage, Video…)."""


ListingBuilder = Callable[[Connection, int, dict[str, Any]], Listing]
"""(connection, shop id, the connection field's coerced arguments) -> its listing."""


def _listing(base: Select, id_col: Column, sort_col: Column, reverse: bool, type_name: str, present: Presenter,
             direct: Direct, parent: ColumnElement | None = None) -> Listing:
    columns: list[ColumnElement] = [sort_col.label("_bulk_sort")]
    if parent is not None:
        columns.append(parent.label("_bulk_parent"))
    return Listing(base.add_columns(*columns), id_col, sort_col, reverse, type_name, present, direct, parent)


PRESENTED: dict[str, FieldMap] = {**{name: field_map for name, (field_map, _) in EXPORTED.items()},
                                  "InventoryItem": INVENTORY_ITEM, "OrderTransaction": TRANSACTION}
"""The types whose presenters come from a field map, wherever they are met in a selection."""


def answered_fields(type_name: str) -> frozenset[str] | None:
    """The fields a type's presenter fills (graphql-core reads the others as null, or fails on a non-null
    one: the planner refuses those at creation); None for a type presented otherwise."""
    field_map = PRESENTED.get(type_name)
    return None if field_map is None else frozenset(field_map.fields)


def refused_field(type_name: str, name: str, definition: GraphQLField) -> bool:
    """A non-null field (not a list: its empty value is ``[]``) that neither a resolver nor its type's presenter
    answers: graphql-core would fail it on the first row, so the export planner refuses it at creation."""
    answered = answered_fields(type_name)
    field_type = definition.type
    return (definition.resolve is None and answered is not None and name not in answered
            and isinstance(field_type, GraphQLNonNull) and not isinstance(field_type.of_type, GraphQLList))


def document_fields(type_name: str, names: list[str]) -> frozenset[str]:
    """Of the selected fields, those the nodes' loaded documents answer where the shop has them."""
    return frozenset(name for name in names if answered_by_document(type_name, name))


def _of_type(type_name: str) -> tuple[Presenter, Direct]:
    field_map, present = EXPORTED[type_name]
    return present, field_map.plain()


def rows_of(rows: domain.Listing) -> ListingBuilder:
    """A connection read through its domain listing: the same rows, in the same order, as a paginated query."""
    present, direct = _of_type(rows.type_name)

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        return _listing(rows.rows(conn, shop_id, args), rows.id_col, rows.sort(args), bool(args.get("reverse")),
                        rows.type_name, present, direct, rows.parent)

    return build


def members_of(members: Members) -> ListingBuilder:
    """A collection's products in the collection's own order (``Collection.products``), per collection."""
    present, direct = _of_type(members.type_name)

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        p, c = tables.products, tables.collections
        sort_key, reverse = args.get("sortKey"), bool(args.get("reverse"))

        def read(conn: Connection, parent_keys: list[int]) -> dict[int, list[Any]]:
            rows = conn.execute(select(c).where(c.c.shop_id == shop_id, c.c.id.in_(parent_keys)))
            return {row.id: list(conn.execute(members.of(conn, shop_id, row, sort_key, reverse))) for row in rows}

        listing = _listing(select(p).where(p.c.shop_id == shop_id), p.c.id, p.c.id, reverse, members.type_name,
                           present, direct)
        return Listing(listing.stmt, listing.id_col, listing.sort, listing.descending, listing.type_name,
                       listing.present, listing.direct, members=read)

    return build


RowsByParent = Callable[[Connection, int, list[int]], dict[int, list[Any]]]
"""(connection, shop id, parent keys) -> each parent's rows, for a connection whose rows are computed."""


Narrowing = Callable[[dict[str, Any]], Callable[[Any], bool]]
"""(the connection field's coerced arguments) -> which computed rows to keep (its ``query:``)."""


def computed_of(type_name: str, present: Presenter, rows_by_parent: RowsByParent,
                narrowing: Narrowing | None = None) -> ListingBuilder:
    """A nested connection whose nodes are no table's rows (an item's levels, a variant's price pairs): read per
    batch of parents by ``rows_by_parent`` (and kept by ``narrowing`` of the arguments, when given); it can
    have no connection below it."""

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        keep = narrowing(args) if narrowing else None

        def members(conn: Connection, keys: list[int]) -> dict[int, list[Any]]:
            found = rows_by_parent(conn, shop_id, keys)
            return found if keep is None else {key: [row for row in rows if keep(row)] for key, rows in found.items()}

        p = tables.products
        listing = _listing(select(p.c.id).where(p.c.shop_id == shop_id), p.c.id, p.c.id, False, type_name,
                           present, {})
        return Listing(listing.stmt, listing.id_col, listing.sort, False, type_name, present, {}, members=members)

    return build


def _inventory_items(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
    """The ``inventoryItems`` root: a variant's row is its inventory item (same number), read as the variants'
    listing reads them (its ``query:`` on ``sku``, ``created_at``, ``updated_at``, ``id``), in id order."""
    return _listing(VARIANTS.rows(conn, shop_id, args), VARIANTS.id_col, VARIANTS.sort({}), bool(args.get("reverse")),
                    "InventoryItem", present_inventory_item, INVENTORY_ITEM.plain())


def _locations(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
    """The ``locations`` root: active ones unless ``includeInactive``, its ``query:`` and sort keys (by name
    unless told, as Shopify's default). ``includeLegacy`` changes nothing: bulkops has no legacy locations."""
    stmt = inventory_listing.locations_query(shop_id, args.get("query"), bool(args.get("includeInactive")))
    sort = inventory_listing.LOCATION_SORT.get(args.get("sortKey") or "NAME", tables.locations.c.name)
    return _listing(stmt, tables.locations.c.id, sort, bool(args.get("reverse")), "Location", present_location, {})


def media_of(images: bool) -> ListingBuilder:
    """``Product.media`` (any kind, ``query:`` and ``sortKey:`` as its resolver) or the deprecated
    ``Product.images`` (image media presented as ``Image``)."""
    m = tables.product_media

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        stmt = media_rules.media_query(shop_id)
        if images:
            stmt = stmt.where(m.c.media_content_type == "IMAGE")
        else:
            stmt = domain.apply_search(stmt, args.get("query"), media_listing.SEARCH, m.c.alt)
        sorts = media_listing.IMAGE_SORT if images else media_listing.SORT
        sort = sorts.get(args.get("sortKey") or "POSITION", m.c.position)
        present: Presenter = (lambda row: present_media(row)["image"]) if images else present_media
        listing = _listing(stmt, m.c.id, sort, bool(args.get("reverse")), "Image" if images else "Media", present,
                           {}, m.c.product_id)
        return replace(listing, gid_of=None if images else media_gid)

    return build


def _no_rows(conn: Connection, shop_id: int, parent_keys: list[int]) -> dict[int, list[Any]]:
    """An item's per-country HS codes: nothing here writes them, so none."""
    return {}


def _price_pairs(conn: Connection, shop_id: int, variant_ids: list[int]) -> dict[int, list[Any]]:
    """A variant's prices in each presentment currency: the shop's one currency here, so one pair."""
    v = tables.product_variants
    rows = conn.execute(select(v.c.id, v.c.price, v.c.compare_at_price).where(
        v.c.shop_id == shop_id, v.c.id.in_(variant_ids)))
    return {row.id: [row] for row in rows}


def _present_pair(row: Any) -> dict[str, Any]:
    compare_at = row.compare_at_price
    return {"__typename": "ProductVariantPricePair", "price": money(row.price, SHOP_CURRENCY),
            "compareAtPrice": money(compare_at, SHOP_CURRENCY) if compare_at is not None else None}


def _collection_publications(conn: Connection, shop_id: int, collection_ids: list[int]) -> dict[int, list[Any]]:
    """Where each collection is published (the deprecated ``Collection.publications``, ``onlyPublished`` as by
    default: connectors read it for the publish date)."""
    return publication_rules.publications_of_resources(conn, "Collection", collection_ids)


def _child(source: Any) -> ListingBuilder:
    return members_of(source) if isinstance(source, Members) else rows_of(source)


SOURCES: dict[tuple[str, str], ListingBuilder] = {
    **{("QueryRoot", name): rows_of(rows) for name, rows in ROOTS.items()},
    **{(type_name, name): _child(child.listing) for type_name, (field_map, _) in EXPORTED.items()
       for name, child in field_map.children().items()},
    ("InventoryItem", "inventoryLevels"): computed_of("InventoryLevel", present_level, inventory_rules.levels_of_items),
    ("ProductVariant", "presentmentPrices"): computed_of("ProductVariantPricePair", _present_pair, _price_pairs),
    ("Product", "media"): media_of(images=False),
    ("Product", "images"): media_of(images=True),
    ("QueryRoot", "locations"): _locations,
    ("QueryRoot", "inventoryItems"): _inventory_items,
    ("InventoryItem", "countryHarmonizedSystemCodes"): computed_of("CountryHarmonizedSystemCode", dict, _no_rows),
    ("Location", "inventoryLevels"): computed_of("InventoryLevel", present_level, inventory_listing.levels_at_locations,
                                                 lambda args: inventory_listing.level_filter(args.get("query"))),
    ("Location", "metafields"): rows_of(owned_metafields("Location")),
    ("Collection", "publications"): computed_of("CollectionPublication", present_collection_publication,
                                                _collection_publications),
    ("MediaImage", "metafields"): rows_of(owned_metafields("MediaImage")),
    ("Customer", "orders"): rows_of(CUSTOMER_ORDERS),
    ("Order", "agreements"): computed_of("OrderAgreement", present_order_agreement, order_reads.agreements_of),
    ("OrderAgreement", "sales"): computed_of("ProductSale", present_product_sale, order_reads.line_items_of),
    ("Order", "discountApplications"): computed_of("DiscountApplication", present_discount_application,
                                                   order_reads.discount_applications),
}

WITHIN_OBJECTS: dict[tuple[str, str], str] = {("ProductVariant", "inventoryItem"): "InventoryItem"}
"""Object fields whose connections export as the node's own children: a variant's inventory item is the
variant's (same number), so ``inventoryItem { inventoryLevels }`` reads the levels by the variant's key."""


def _document_gid(row: Any) -> str:
    return row.gid


def documents_root(type_name: str) -> ListingBuilder:
    """A root connection of a type kept as documents (``draftOrders``): by id, ``query:`` and ``sortKey:`` on the
    documents' dates."""

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        listing = _listing(documents.nodes_of_type(conn, shop_id, type_name, args), documents.NUMBER,
                           documents.sort_of(args), bool(args.get("reverse")), type_name, documents.present_node, {})
        return replace(listing, gid_of=_document_gid)

    return build


def documents_child(type_name: str, parent_type: str, abstract: bool) -> ListingBuilder:
    """A nested connection of documents (``DraftOrder.lineItems``, ``Customer.subscriptionContracts``): the nodes loaded under each
    parent, in the file's order."""

    def build(conn: Connection, shop_id: int, args: dict[str, Any]) -> Listing:
        stmt = documents.children_of_type(shop_id, None if abstract else type_name, parent_type)
        listing = _listing(stmt, documents.NUMBER, documents.POSITION, bool(args.get("reverse")), type_name,
                           documents.present_node, {}, documents.PARENT)
        return replace(listing, gid_of=_document_gid)

    return build


def source_for(parent_type: str, field_name: str, node_type: str | None = None,
               abstract: bool = False) -> ListingBuilder | None:
    """The listing of a connection: the domain's, else its documents' when its node type (``node_type``) or
    its parent's has no table (a draft order's metafields are the ones loaded under it)."""
    found = SOURCES.get((parent_type, field_name))
    if found is not None or node_type is None:
        return found
    kept_apart = documents.from_documents(node_type) or (
        parent_type != "QueryRoot" and documents.from_documents(parent_type))
    if not kept_apart:
        return None
    if parent_type == "QueryRoot":
        return documents_root(node_type)
    return documents_child(node_type, parent_type, abstract)


def from_documents(type_name: str) -> bool:
    return documents.from_documents(type_name)

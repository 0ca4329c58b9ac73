"""Nodes of the types with a table stored in it: the inverse of each type's FieldMap plain columns, plus the
nested fields its table keeps (a product's options, a variant's inventory item, a customer's addresses)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from bulkops.db.tables import (
    collection_products,
    collections,
    customers,
    metafields,
    order_line_items,
    order_shipping_lines,
    order_transactions,
    orders,
    product_media,
    product_options,
    product_variants,
    products,
)
from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.customers.rules import ADDRESS_KEYS
from bulkops.domain.documents.listing import from_documents
from bulkops.domain.documents.nodes import LoadError, MissingParent, Node
from bulkops.domain.documents.rules import stamp
from bulkops.domain.fields import FieldMap, Plain
from bulkops.domain.media.fields import MEDIA, TYPE_NAMES
from bulkops.domain.media.rules import READY
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.orders import loaded
from bulkops.domain.orders.fields import LINE_ITEM, ORDER, SHIPPING_LINE, TRANSACTION
from bulkops.domain.orders.reads import get_order
from bulkops.domain.products.fields import PRODUCT, VARIANT
from bulkops.protocol.ids import parse_gid


# ---- a document's fields back into columns ----------------------------------------------------------
def unform(plain: Plain, value: Any) -> Any:
    """The column's value from the field's (the inverse of ``domain.fields.form_of``)."""
    if value is None:
        return None
    if plain.form == "gid":
        return parse_gid(value)[1]
    if plain.form == "text":
        return int(value)
    if plain.form == "time":
        moment = stamp({"t": value}, "t")
        if moment is None:
            raise LoadError(f"{value!r} is not a DateTime")
        return moment
    return value


def columns_of(field_map: FieldMap, document: dict[str, Any]) -> dict[str, Any]:
    """The columns the document's plain fields give (the first field naming a column wins)."""
    row: dict[str, Any] = {}
    for name, plain in field_map.plain().items():
        if name in document and plain.column not in row and name not in ("id", "legacyResourceId"):
            row[plain.column] = unform(plain, document[name])
    return row


def seo_columns(document: dict[str, Any]) -> dict[str, Any]:
    seo = document.get("seo")
    return {"seo_title": seo.get("title"), "seo_description": seo.get("description")} if isinstance(seo, dict) else {}


def keep_row(conn: Connection, table: Table, shop_id: int, node: Node, row: dict[str, Any], now: datetime) -> None:
    """Insert the node's row with its own id, or update it when the shop holds it already; an id another shop
    holds is refused (ids are kept, and a table's ids are one sequence for every shop)."""
    row = {"created_at": now, "updated_at": now, **row, "id": node.number, "shop_id": shop_id}
    owner = conn.execute(select(table.c.shop_id).where(table.c.id == node.number)).scalar()
    if owner is None:
        conn.execute(insert(table), row)  # parameters, not .values(): the statement compiles once per table
    elif owner == shop_id:
        conn.execute(update(table).where(table.c.id == node.number), row)
    else:
        raise LoadError(f"{node.gid} belongs to another shop of this server (ids are kept: load a store's "
                        "export into a data dir or database of its own)")


def _position(conn: Connection, table: Table, parent: Any, parent_id: int | None, number: int) -> int:
    """A child's place among its parent's: the one it has (loaded again), else after the last."""
    kept = conn.execute(select(table.c.position).where(table.c.id == number)).scalar()
    if kept is not None:
        return int(kept)
    return (conn.execute(select(func.max(table.c.position)).where(parent == parent_id)).scalar() or 0) + 1


def _existing(conn: Connection, table: Table, shop_id: int, number: int) -> bool:
    """Whether the shop holds this row."""
    return conn.execute(select(table.c.id).where(table.c.id == number, table.c.shop_id == shop_id)
                        ).first() is not None


# ---- per type ---------------------------------------------------------------------------------------
def keep_product(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    doc = node.document
    row = {**columns_of(PRODUCT, doc), **seo_columns(doc)}
    if node.parent_type == "Collection" and not _existing(conn, collections, shop_id, node.parent_number or 0):
        raise MissingParent(f"{node.gid}: its collection {node.parent} is not loaded")
    if not (node.parent_type == "Collection" and _existing(conn, products, shop_id, node.number)):
        row.setdefault("title", "")
        row.setdefault("handle", f"product-{node.number}")
        keep_row(conn, products, shop_id, node, row, now)
    if isinstance(doc.get("options"), list):
        _keep_options(conn, node.number, doc["options"])
    if node.parent_type == "Collection":
        _add_member(conn, node.parent_number, node.number)


def _keep_options(conn: Connection, product_id: int, options: list[dict[str, Any]]) -> None:
    conn.execute(delete(product_options).where(product_options.c.product_id == product_id))
    for position, option in enumerate(options, start=1):
        values = option.get("values")
        if values is None:
            values = [v.get("name") for v in option.get("optionValues") or []]
        row = {"product_id": product_id, "name": option.get("name") or "", "values": values,
               "position": option.get("position") or position}
        if isinstance(option.get("id"), str):
            row["id"] = parse_gid(option["id"])[1]
        conn.execute(insert(product_options).values(**row))


def _add_member(conn: Connection, collection_id: int | None, product_id: int) -> None:
    cp = collection_products.c
    if conn.execute(select(cp.product_id).where(cp.collection_id == collection_id, cp.product_id == product_id)
                    ).first() is not None:
        return
    last = conn.execute(select(func.max(cp.position)).where(cp.collection_id == collection_id)).scalar()
    conn.execute(insert(collection_products).values(collection_id=collection_id, product_id=product_id,
                                                    position=(last or 0) + 1))


def _product_of_variant(node: Node) -> int:
    if node.parent_type == "Product":
        assert node.parent_number is not None
        return node.parent_number
    product = node.document.get("product")
    if isinstance(product, dict) and isinstance(product.get("id"), str):
        return parse_gid(product["id"])[1]
    raise LoadError(f"{node.gid} names no product: export variants under products, or select 'product {{ id }}'")


INVENTORY_ITEM_KEYS = ("tracked", "requiresShipping", "countryCodeOfOrigin", "harmonizedSystemCode",
                       "provinceCodeOfOrigin", "measurement")
"""The inventory item fields a variant's row keeps (domain/products/fields.py:INVENTORY_ITEM reads them)."""


def _inventory_item(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    kept = {key: item[key] for key in INVENTORY_ITEM_KEYS if key in item}
    cost = item.get("unitCost")
    if isinstance(cost, dict) and cost.get("amount") is not None:
        kept["cost"] = cost["amount"]
    return kept


def keep_variant(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    doc = node.document
    product_id = _product_of_variant(node)
    if not _existing(conn, products, shop_id, product_id):
        raise MissingParent(f"{node.gid}: its product gid://shopify/Product/{product_id} is not loaded (load the "
                        "product's line first)")
    row = {**columns_of(VARIANT, doc), "product_id": product_id}
    if isinstance(doc.get("selectedOptions"), list):
        row["selected_options"] = [{"name": s.get("name"), "value": s.get("value")} for s in doc["selectedOptions"]]
    item = _inventory_item(doc.get("inventoryItem"))
    if item is not None:
        row["inventory_item"] = item
    row.setdefault("title", "Default Title")
    if "position" not in row:
        row["position"] = _position(conn, product_variants, product_variants.c.product_id, product_id, node.number)
    keep_row(conn, product_variants, shop_id, node, row, now)


def keep_collection(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    doc = node.document
    row = {**columns_of(COLLECTION, doc), **seo_columns(doc)}
    if "ruleSet" in doc:
        row["rule_set"] = doc["ruleSet"]
    row.setdefault("title", "")
    row.setdefault("handle", f"collection-{node.number}")
    keep_row(conn, collections, shop_id, node, row, now)


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    number = parse_gid(raw["id"])[1] if isinstance(raw.get("id"), str) else None
    kept = {key: raw.get(key) for key in ADDRESS_KEYS}
    kept["countryCode"] = raw.get("countryCodeV2") or raw.get("countryCode")
    return {**kept, "id": number}


def _consent(raw: Any, *extra: str) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or raw.get("marketingState") is None:
        return None
    keys = ("marketingState", "marketingOptInLevel", "consentUpdatedAt", *extra)
    return {key: raw.get(key) for key in keys if key in raw or key != "consentCollectedFrom"}


def keep_customer(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    doc = node.document
    row = columns_of(CUSTOMER, doc)
    addresses = doc.get("addresses")
    if not isinstance(addresses, list) and isinstance(doc.get("defaultAddress"), dict):
        addresses = [doc["defaultAddress"]]
    if isinstance(addresses, list):
        row["addresses"] = [_address(a) for a in addresses if isinstance(a, dict)]
    if "taxExemptions" in doc:
        row["tax_exemptions"] = doc["taxExemptions"]
    email, sms = _consent(doc.get("emailMarketingConsent")), _consent(doc.get("smsMarketingConsent"),
                                                                      "consentCollectedFrom")
    if email:
        row["email_marketing_consent"] = email
    if sms:
        row["sms_marketing_consent"] = sms
    keep_row(conn, customers, shop_id, node, row, now)


def keep_metafield(conn: Connection, shop_id: int, node: Node, now: datetime) -> bool:
    doc = node.document
    owner = node.parent
    if owner is None and isinstance(doc.get("owner"), dict):
        owner = doc["owner"].get("id")
    if not isinstance(owner, str):
        raise LoadError(f"{node.gid} names no owner: export metafields under their owner, or select 'owner {{ id }}'")
    row = columns_of(METAFIELD, doc)
    missing = [name for name in ("namespace", "key", "value", "type") if row.get(name) is None]
    if missing:
        raise LoadError(f"{node.gid} lacks {', '.join(missing)} (a metafield is stored with all four)")
    owner_type, owner_id = parse_gid(owner)
    if table_of(node) is None or from_documents(owner_type):
        return False  # a metafield of a type kept as documents: read from the documents loaded under it
    keep_row(conn, metafields, shop_id, node, {**row, "owner_type": owner_type, "owner_id": owner_id}, now)
    return True


CONTENT_TYPES = {type_name: content for content, type_name in TYPE_NAMES.items()}
"""A media node's type -> its ``media_content_type``."""


def _url(doc: dict[str, Any], *paths: tuple[str, ...]) -> str | None:
    """The first URL found along the paths (``("image", "url")``…)."""
    for path in paths:
        found: Any = doc
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, str):
            return found
    return None


def keep_media(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    """A product's media (``Product.media``): its kind by its type, its address from what the line shows."""
    doc = node.document
    if node.parent_type != "Product":
        raise LoadError(f"{node.gid} is not under a product: media is loaded from 'products {{ media }}' exports")
    source = _url(doc, ("image", "url"), ("originalSource", "url"), ("originUrl",), ("embeddedUrl",),
                  ("preview", "image", "url"), ("sources", "url"))
    if source is None:
        raise LoadError(f"{node.gid} shows no address (select 'image {{ url }}' or 'originalSource {{ url }}')")
    if not _existing(conn, products, shop_id, node.parent_number or 0):
        raise MissingParent(f"{node.gid}: its product {node.parent} is not loaded")
    position = _position(conn, product_media, product_media.c.product_id, node.parent_number, node.number)
    row = {"product_id": node.parent_number, "media_content_type": CONTENT_TYPES[node.typename],
           "original_source": source, "alt": doc.get("alt"), "status": doc.get("status") or READY,
           "position": position, "preview_image_url": _url(doc, ("preview", "image", "url")),
           **columns_of(MEDIA[CONTENT_TYPES[node.typename]], doc)}
    keep_row(conn, product_media, shop_id, node, row, now)


def keep_order(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    """An order into ``orders`` (its customer the one it was exported under, or the one it names)."""
    doc = node.document
    row = loaded.order_row(doc, columns_of(ORDER, doc), now)
    customer = node.parent_number if node.parent_type == "Customer" else _number_named(doc.get("customer"))
    if node.parent_type == "Customer" and not _existing(conn, customers, shop_id, customer or 0):
        raise MissingParent(f"{node.gid}: its customer {node.parent} is not loaded")
    row["customer_id"] = customer if customer and _existing(conn, customers, shop_id, customer) else None
    row["number"] = loaded.order_number(conn, shop_id, node.number, row)
    row.setdefault("name", f"#{row['number']}")
    keep_row(conn, orders, shop_id, node, row, now)
    if isinstance(doc.get("transactions"), list):
        transactions = [(t, columns_of(TRANSACTION, t)) for t in doc["transactions"] if isinstance(t, dict)]
        loaded.replace_transactions(conn, shop_id, get_order(conn, shop_id, node.number), transactions, now)


def _number_named(raw: Any) -> int | None:
    return parse_gid(raw["id"])[1] if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None


def _order_of(conn: Connection, shop_id: int, node: Node, kind: str) -> Any:
    """The loaded order a line item or shipping line was exported under."""
    if node.parent_type != "Order":
        raise LoadError(f"{node.gid} is not under an order: {kind} are loaded from 'orders {{ {kind} }}' exports")
    order = get_order(conn, shop_id, node.parent_number or 0)
    if order is None:
        raise MissingParent(f"{node.gid}: its order {node.parent} is not loaded")
    return order


def keep_line_item(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    order = _order_of(conn, shop_id, node, "lineItems")
    row = loaded.line_item_row(node.document, columns_of(LINE_ITEM, node.document), order)
    row["position"] = _position(conn, order_line_items, order_line_items.c.order_id, order.id, node.number)
    keep_row(conn, order_line_items, shop_id, node, row, now)


def keep_shipping_line(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    order = _order_of(conn, shop_id, node, "shippingLines")
    row = loaded.shipping_line_row(node.document, columns_of(SHIPPING_LINE, node.document), order)
    row["position"] = _position(conn, order_shipping_lines, order_shipping_lines.c.order_id, order.id, node.number)
    keep_row(conn, order_shipping_lines, shop_id, node, row, now)


def keep_transaction(conn: Connection, shop_id: int, node: Node, now: datetime) -> None:
    order = _order_of(conn, shop_id, node, "transactions")
    row = loaded.transaction_row(node.document, columns_of(TRANSACTION, node.document), order, now)
    keep_row(conn, order_transactions, shop_id, node, row, now)


TABLES: dict[str, Table] = {
    "Product": products, "ProductVariant": product_variants, "Collection": collections, "Customer": customers,
    "Metafield": metafields, **{type_name: product_media for type_name in CONTENT_TYPES},
    "Order": orders, "LineItem": order_line_items, "ShippingLine": order_shipping_lines,
    "OrderTransaction": order_transactions,
}
"""The table each kept type's ids are numbered in."""

def table_of(node: Node) -> Table | None:
    """The table a node is stored in (None: its document only, as a metafield of a type kept as documents)."""
    if node.typename == "Metafield" and node.parent_type is not None and from_documents(node.parent_type):
        return None
    return TABLES.get(node.typename)


Keeper = Callable[[Connection, int, Node, datetime], bool | None]
"""Stores a node in its table (False: it belongs in none after all, its document says all)."""

KEEPERS: dict[str, Keeper] = {
    "Product": keep_product, "ProductVariant": keep_variant, "Collection": keep_collection,
    "Customer": keep_customer, "Metafield": keep_metafield, "Order": keep_order, "LineItem": keep_line_item,
    "ShippingLine": keep_shipping_line, "OrderTransaction": keep_transaction,
    **{type_name: keep_media for type_name in CONTENT_TYPES},
}
"""The types with a table of their own; any other type is kept as its document only."""

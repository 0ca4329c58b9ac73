"""A store loaded from its own export: every line of a bulk-query result file, exactly as Shopify writes it
(one node per line with its ``id``; children carrying ``__parentId`` last; nested objects inline), stored under
one shop.

Ids are kept: ``gid://shopify/Product/123`` is product 123 here, so a connector's saved ids and the export's
``__parentId`` links stay true. A node of a type the domain has a table for becomes that table's row (the
inverse of its FieldMap's plain columns, plus the nested fields its table keeps), so queries and exports answer
it like any other; every node is also kept whole as its document (domain/documents/rules.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bulkops.db.tables import (
    collection_products,
    collections,
    customers,
    metafields,
    product_media,
    product_options,
    product_variants,
    products,
)
from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.customers.rules import ADDRESS_KEYS
from bulkops.domain.documents.listing import from_documents
from bulkops.domain.documents.rules import keep_document, stamp
from bulkops.domain.fields import FieldMap, Plain
from bulkops.domain.media.fields import MEDIA, TYPE_NAMES
from bulkops.domain.media.rules import READY
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.products.fields import PRODUCT, VARIANT
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

MAX_ERRORS = 100
"""Line errors a report keeps (the count goes on)."""


class LoadError(ValueError):
    """A line that cannot be stored, said with the line's number."""


@dataclass(frozen=True)
class Node:
    gid: str
    typename: str
    number: int
    parent: str | None
    document: dict[str, Any]

    @property
    def parent_type(self) -> str | None:
        return None if self.parent is None else parse_gid(self.parent)[0]

    @property
    def parent_number(self) -> int | None:
        return None if self.parent is None else parse_gid(self.parent)[1]


@dataclass
class NewIds:
    """``--new-ids``: each node of a type with a table takes the next free id of its table (a table's ids are one
    sequence for every shop), and the gids naming it later in the file (``__parentId``, ``variant { id }``)
    follow. Nodes kept only as documents keep theirs (documents are per shop)."""

    given: dict[str, str] = field(default_factory=dict)
    """The file's gid -> the one it was given."""
    next_free: dict[str, int] = field(default_factory=dict)

    def renumber(self, conn: Connection, node: Node) -> Node:
        parent = self.given.get(node.parent, node.parent) if node.parent is not None else None
        document = _renamed(node.document, self.given)
        table = table_of(node)
        if table is None:
            return replace(node, parent=parent, document=document)
        if node.gid not in self.given:
            if table.name not in self.next_free:
                self.next_free[table.name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            self.given[node.gid] = f"gid://shopify/{node.typename}/{self.next_free[table.name]}"
            self.next_free[table.name] += 1
        gid = self.given[node.gid]
        document["id"] = gid
        if isinstance(document.get("options"), list):  # option ids are one sequence too: new ones are given
            document["options"] = [{k: v for k, v in o.items() if k != "id"} if isinstance(o, dict) else o
                                   for o in document["options"]]
        return Node(gid, node.typename, parse_gid(gid)[1], parent, document)


def _renamed(value: Any, given: dict[str, str]) -> Any:
    """The document with every gid the load renumbered replaced by its new one."""
    if isinstance(value, dict):
        return {key: _renamed(inner, given) for key, inner in value.items()}
    if isinstance(value, list):
        return [_renamed(inner, given) for inner in value]
    return given.get(value, value) if isinstance(value, str) else value


@dataclass
class LoadReport:
    """What a load stored: nodes per type, how many went into the domain's tables, the lines refused, and with
    ``new_ids`` the ids given."""

    nodes: Counter[str] = field(default_factory=Counter)
    in_tables: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    new_ids: NewIds | None = None

    @property
    def total(self) -> int:
        return sum(self.nodes.values())

    def refuse(self, line: int, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"line {line}: {message}")


def parse_node(raw: bytes) -> Node:
    """One line of a result file -> its node (LoadError when it is not one)."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LoadError(f"not JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise LoadError("not a JSON object")
    gid, parent = str(document.get("id")), document.pop("__parentId", None)
    try:
        typename, number = parse_gid(gid)
        if parent is not None:
            parse_gid(parent)
    except InvalidGlobalId as exc:
        raise LoadError(f"{exc} (every line needs the node's 'id', and '__parentId' a global id)") from exc
    if document.get("__typename") not in (None, typename):
        raise LoadError(f"'__typename' {document['__typename']!r} is not the type of its id {gid!r}")
    return Node(gid, typename, number, parent, document)


def load_nodes(conn: Connection, shop_id: int, lines: Iterable[bytes], now: datetime, *,
               report: LoadReport | None = None, first_line: int = 1, new_ids: bool = False) -> LoadReport:
    """Store every line's node under the shop, each in its own savepoint: a line that cannot be stored is
    reported with its number and leaves nothing behind; the others are kept. Ids are kept unless ``new_ids``
    (``NewIds``). A caller loading a long file in several transactions passes its ``report`` (which carries
    the ids given) and the block's ``first_line`` along."""
    report = LoadReport() if report is None else report
    if new_ids and report.new_ids is None:
        report.new_ids = NewIds()
    for number, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        savepoint = conn.begin_nested()
        try:
            node = parse_node(raw)
            if report.new_ids is not None:
                node = report.new_ids.renumber(conn, node)
            keep_document(conn, shop_id, node.gid, node.typename, node.number, node.parent, number, node.document)
            keeper = KEEPERS.get(node.typename)
            in_table = keeper is not None and keeper(conn, shop_id, node, now) is not False
        except LoadError as exc:
            savepoint.rollback()
            report.refuse(number, str(exc))
            continue
        except IntegrityError as exc:
            savepoint.rollback()
            report.refuse(number, f"{_gid_of(raw)} conflicts with what the shop holds ({exc.orig})")
            continue
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        report.nodes[node.typename] += 1
        report.in_tables += in_table
    return report


def _gid_of(raw: bytes) -> str:
    try:
        return str(orjson.loads(raw).get("id"))
    except (orjson.JSONDecodeError, AttributeError):
        return "the node"


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
        raise LoadError(f"{node.gid}: its product gid://shopify/Product/{product_id} is not loaded (load the "
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
        return False  # an order's metafield: read from the documents loaded under it, as its owner is
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
    position = _position(conn, product_media, product_media.c.product_id, node.parent_number, node.number)
    row = {"product_id": node.parent_number, "media_content_type": CONTENT_TYPES[node.typename],
           "original_source": source, "alt": doc.get("alt"), "status": doc.get("status") or READY,
           "position": position, "preview_image_url": _url(doc, ("preview", "image", "url")),
           **columns_of(MEDIA[CONTENT_TYPES[node.typename]], doc)}
    keep_row(conn, product_media, shop_id, node, row, now)


TABLES: dict[str, Table] = {
    "Product": products, "ProductVariant": product_variants, "Collection": collections, "Customer": customers,
    "Metafield": metafields, **{type_name: product_media for type_name in CONTENT_TYPES},
}
"""The table each kept type's ids are numbered in."""

def table_of(node: Node) -> Table | None:
    """The table a node is stored in (None: its document only, as an order's metafield)."""
    if node.typename == "Metafield" and node.parent_type is not None and from_documents(node.parent_type):
        return None
    return TABLES.get(node.typename)


Keeper = Callable[[Connection, int, Node, datetime], bool | None]
"""Stores a node in its table (False: it belongs in none after all, its document says all)."""

KEEPERS: dict[str, Keeper] = {
    "Product": keep_product, "ProductVariant": keep_variant, "Collection": keep_collection,
    "Customer": keep_customer, "Metafield": keep_metafield,
    **{type_name: keep_media for type_name in CONTENT_TYPES},
}
"""The types with a table of their own; any other type is kept as its document only."""

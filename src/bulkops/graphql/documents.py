"""Loaded node documents in the GraphQL layer, defined once for queries and exports: which fields of a type with a
table a node's document answers (the ones its field map lacks or answers with a constant placeholder), and the
request's cache of the documents it read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.documents.rules import documents_of, has_documents
from bulkops.domain.fields import Const, FieldMap
from bulkops.domain.media.fields import MEDIA
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.orders.fields import LINE_ITEM, ORDER, SHIPPING_LINE, TRANSACTION
from bulkops.domain.products.fields import INVENTORY_ITEM, PRODUCT, VARIANT

FIELD_MAPS: dict[str, FieldMap] = {m.type_name: m for m in (PRODUCT, VARIANT, INVENTORY_ITEM, CUSTOMER, METAFIELD,
                                                             COLLECTION, ORDER, LINE_ITEM, SHIPPING_LINE,
                                                             TRANSACTION, *MEDIA.values())}
"""The types whose presenters come from a field map, wherever they are met in a selection."""

PLACEHOLDERS = frozenset((m.type_name, name) for m in FIELD_MAPS.values() for name, source in m.fields.items()
                         if isinstance(source, Const))
"""(type, field) answered with a constant where the shop keeps no data: a loaded document says better."""


def answered_by_document(type_name: str, name: str) -> bool:
    """Whether a node's loaded document, when it has the field, answers it (rather than the table)."""
    field_map = FIELD_MAPS.get(type_name)
    return field_map is not None and name != "__typename" and (
        name not in field_map.fields or (type_name, name) in PLACEHOLDERS)


def answered_by_map(type_name: str, name: str) -> bool:
    """Whether a type's field map answers the field itself (a column, computed or child source): no document
    listing binds it."""
    field_map = FIELD_MAPS.get(type_name)
    return field_map is not None and name in field_map.fields and (type_name, name) not in PLACEHOLDERS


class RequestDocuments:
    """The documents one request read, by gid (one query per node, none when the shop loaded nothing)."""

    def __init__(self) -> None:
        self.any: bool | None = None
        self.found: dict[str, dict[str, Any] | None] = {}

    def of(self, conn: Connection, shop_id: int, gid: str) -> dict[str, Any] | None:
        if self.any is None:
            self.any = has_documents(conn, shop_id)
        if not self.any:
            return None
        if gid not in self.found:
            self.found[gid] = documents_of(conn, shop_id, [gid]).get(gid)
        return self.found[gid]

"""``Product.media`` and the deprecated ``Product.images``: search fields, sort keys, pages."""

from __future__ import annotations

from sqlalchemy import Connection

from bulkops.db.tables import product_media
from bulkops.domain.listing import apply_search
from bulkops.domain.media.rules import media_query
from bulkops.domain.paging import Page, Window, read_page

SORT = {"POSITION": product_media.c.position, "ID": product_media.c.id}
IMAGE_SORT = {"CREATED_AT": product_media.c.created_at, **SORT}
SEARCH = {"media_type": product_media.c.media_content_type, "id": product_media.c.id, "alt": product_media.c.alt}


def media_page(conn: Connection, shop_id: int, product_id: int, query: str | None, window: Window) -> Page:
    """A page of the product's media; bare words in the search match the alt text."""
    stmt = apply_search(media_query(shop_id, product_id), query, SEARCH, product_media.c.alt)
    return read_page(conn, stmt, sort=SORT.get(window.sort_key or "POSITION", product_media.c.position),
                     id_col=product_media.c.id, window=window)


def images_page(conn: Connection, shop_id: int, product_id: int, window: Window) -> Page:
    """A page of the product's image media only."""
    stmt = media_query(shop_id, product_id).where(product_media.c.media_content_type == "IMAGE")
    return read_page(conn, stmt, sort=IMAGE_SORT.get(window.sort_key or "POSITION", product_media.c.position),
                     id_col=product_media.c.id, window=window)

"""``priceLists`` and ``PriceList.prices``: their pages and sort keys."""

from __future__ import annotations

from sqlalchemy import Connection, select

from bulkops.db.tables import price_list_prices, price_lists
from bulkops.domain.paging import Page, Window, read_page


def price_lists_page(conn: Connection, shop_id: int, window: Window) -> Page:
    """A page of the shop's price lists, by id or (``NAME``) by name."""
    stmt = select(price_lists).where(price_lists.c.shop_id == shop_id)
    sort = price_lists.c.name if window.sort_key == "NAME" else price_lists.c.id
    return read_page(conn, stmt, sort=sort, id_col=price_lists.c.id, window=window)


def prices_page(conn: Connection, price_list_id: int, origin_type: str | None, window: Window) -> Page:
    """A page of one list's prices; every price here is FIXED, so asking for RELATIVE ones finds none."""
    stmt = select(price_list_prices).where(price_list_prices.c.price_list_id == price_list_id)
    if origin_type == "RELATIVE":
        stmt = stmt.where(price_list_prices.c.id.is_(None))
    return read_page(conn, stmt, sort=price_list_prices.c.id, id_col=price_list_prices.c.id, window=window)

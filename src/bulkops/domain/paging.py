"""One page of a connection's rows: the paging arguments every connection takes, read in (sort, id) order by
db/pagination.py. Each resource's listing.py reads its pages through here, so a binding only shapes them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Connection, Select

from bulkops.db.pagination import BadCursor, Page, paginate
from bulkops.protocol.errors import RequestError

__all__ = ["Page", "Window", "invalid_cursor", "read_page"]


@dataclass(frozen=True)
class Window:
    """A connection field's paging arguments (``sort_key`` None: the listing's default)."""

    first: int | None
    after: str | None
    last: int | None
    before: str | None
    reverse: bool = False
    sort_key: str | None = None


def invalid_cursor(exc: ValueError) -> RequestError:
    """A cursor the server never gave is the request's fault: a top-level BAD_REQUEST, as Shopify answers."""
    return RequestError(f"Invalid cursor: {exc}", "BAD_REQUEST")


def read_page(conn: Connection, stmt: Select, *, sort: Column, id_col: Column, window: Window,
              descending_by_default: bool = False) -> Page:
    """The page of ``stmt`` that ``window`` asks for, in (``sort``, id) order."""
    try:
        return paginate(conn, stmt, sort=sort, id_col=id_col, first=window.first, after=window.after,
                        last=window.last, before=window.before, reverse=window.reverse,
                        descending_by_default=descending_by_default)
    except BadCursor as exc:
        raise invalid_cursor(exc) from exc

"""``giftCards``: the search fields (columns, and the computed ``status`` and ``balance_status``) and sort keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, false, not_, select

from bulkops.db.tables import gift_cards
from bulkops.domain.listing import apply_search
from bulkops.domain.paging import Page, Window, read_page
from bulkops.domain.search_syntax import parse_search

SEARCH = {"created_at": gift_cards.c.created_at, "updated_at": gift_cards.c.updated_at, "id": gift_cards.c.id,
          "customer_id": gift_cards.c.customer_id}
SORT = {"ID": gift_cards.c.id, "CREATED_AT": gift_cards.c.created_at, "UPDATED_AT": gift_cards.c.updated_at,
        "EXPIRES_ON": gift_cards.c.expires_on, "CODE": gift_cards.c.code, "DISABLED_AT": gift_cards.c.deactivated_at}


def _status_clause(value: str, today: date) -> Any:
    expired = and_(gift_cards.c.expires_on.isnot(None), gift_cards.c.expires_on < today)
    return {"enabled": and_(gift_cards.c.enabled.is_(True), not_(expired)),
            "disabled": gift_cards.c.enabled.is_(False), "expired": expired}.get(value.lower(), false())


def _balance_clause(value: str) -> Any:
    full = gift_cards.c.balance == gift_cards.c.initial_value
    empty = gift_cards.c.balance == "0.0"
    return {"full": full, "empty": empty, "partial": and_(not_(full), not_(empty)),
            "full_or_partial": not_(empty)}.get(value.lower(), false())


def gift_cards_page(conn: Connection, shop_id: int, query: str | None, window: Window, today: date) -> Page:
    """A page of the shop's gift cards; whether a card is expired depends on ``today``."""
    stmt = apply_search(select(gift_cards).where(gift_cards.c.shop_id == shop_id), query, SEARCH, gift_cards.c.code)
    for term in parse_search(query):
        clause = (_status_clause(term.value, today) if term.field == "status" else
                  _balance_clause(term.value) if term.field == "balance_status" else None)
        if clause is not None:
            stmt = stmt.where(not_(clause) if term.negated else clause)
    return read_page(conn, stmt, sort=SORT.get(window.sort_key or "ID", gift_cards.c.id), id_col=gift_cards.c.id,
                     window=window)

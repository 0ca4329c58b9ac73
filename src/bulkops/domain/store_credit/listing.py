"""``Customer.storeCreditAccounts`` and ``StoreCreditAccount.transactions``: their filters, sort keys, pages."""

from __future__ import annotations

from sqlalchemy import Connection, select

from bulkops.db.tables import store_credit_accounts, store_credit_transactions
from bulkops.domain.paging import Page, Window, read_page


def accounts_page(conn: Connection, shop_id: int, owner_type: str, owner_id: int, query: str | None,
                  window: Window) -> Page:
    """A page of one owner's accounts, by id; ``currency_code:X`` is the one search term understood."""
    stmt = select(store_credit_accounts).where(
        store_credit_accounts.c.shop_id == shop_id, store_credit_accounts.c.owner_type == owner_type,
        store_credit_accounts.c.owner_id == owner_id)
    if query and query.startswith("currency_code:"):
        stmt = stmt.where(store_credit_accounts.c.currency == query.split(":", 1)[1].strip().upper())
    return read_page(conn, stmt, sort=store_credit_accounts.c.id, id_col=store_credit_accounts.c.id, window=window)


def transactions_page(conn: Connection, account_id: int, window: Window) -> Page:
    """A page of one account's transactions, by id or (``EXPIRES_AT``) by expiry."""
    stmt = select(store_credit_transactions).where(store_credit_transactions.c.account_id == account_id)
    sort = store_credit_transactions.c.expires_at if window.sort_key == "EXPIRES_AT" else store_credit_transactions.c.id
    return read_page(conn, stmt, sort=sort, id_col=store_credit_transactions.c.id, window=window)

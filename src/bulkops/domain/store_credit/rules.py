"""Store credit: one account per (owner, currency), credited by transactions that keep a running balance.

``storeCreditAccountCredit`` takes an account id or an owner id (a customer here); crediting an owner opens the
account for that currency when it has none. Messages are Shopify's code descriptions (UNCONFIRMED wording).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import store_credit_accounts, store_credit_transactions
from bulkops.domain.customers.rules import customer_exists
from bulkops.domain.money import amount_text, parse_amount
from bulkops.protocol.errors import UserError, UserErrors

CREDIT_LIMIT = Decimal("100000")


@dataclass(frozen=True)
class Credit:
    amount: str
    currency: str
    expires_at: datetime | None = None


def _account_for(conn: Connection, shop_id: int, target_type: str, number: int, currency: str, now: datetime
                 ) -> Any:
    if target_type == "StoreCreditAccount":
        account = get_account(conn, shop_id, number)
        if account is None:
            raise UserError("Store credit account does not exist", ["id"], "ACCOUNT_NOT_FOUND")
        return account
    if target_type != "Customer" or not customer_exists(conn, shop_id, number):
        raise UserError("Owner does not exist", ["id"], "OWNER_NOT_FOUND")
    account = conn.execute(select(store_credit_accounts).where(
        store_credit_accounts.c.shop_id == shop_id, store_credit_accounts.c.owner_type == "Customer",
        store_credit_accounts.c.owner_id == number, store_credit_accounts.c.currency == currency)).first()
    if account is not None:
        return account
    account_id = inserted_id(conn.execute(insert(store_credit_accounts).values(
        shop_id=shop_id, owner_type="Customer", owner_id=number, currency=currency, balance="0.0", created_at=now,
        updated_at=now)))
    return get_account(conn, shop_id, account_id)


def credit(conn: Connection, shop_id: int, target_type: str, number: int, change: Credit, now: datetime) -> int:
    """Add ``change`` to the account (or the owner's account in that currency); returns the transaction id."""
    errors: list[UserError] = []
    amount = parse_amount(change.amount)
    if amount is None or amount <= 0:
        errors.append(UserError("A positive amount must be used to credit a store credit account.",
                                ["creditInput", "creditAmount", "amount"], "NEGATIVE_OR_ZERO_AMOUNT"))
    if change.expires_at is not None and change.expires_at <= now:
        errors.append(UserError("The expiry date must be in the future.", ["creditInput", "expiresAt"],
                                "EXPIRES_AT_IN_PAST"))
    if errors:
        raise UserErrors(errors)
    assert amount is not None
    account = _account_for(conn, shop_id, target_type, number, change.currency, now)
    if account.currency != change.currency:
        raise UserError("The currency provided does not match the currency of the store credit account.",
                        ["creditInput", "creditAmount", "currencyCode"], "MISMATCHING_CURRENCY")
    balance = Decimal(account.balance) + amount
    if balance > CREDIT_LIMIT:
        raise UserError("The operation would cause the account's credit limit to be exceeded.",
                        ["creditInput", "creditAmount", "amount"], "CREDIT_LIMIT_EXCEEDED")
    conn.execute(update(store_credit_accounts).where(store_credit_accounts.c.id == account.id).values(
        balance=amount_text(balance), updated_at=now))
    return inserted_id(conn.execute(insert(store_credit_transactions).values(
        account_id=account.id, kind="CREDIT", amount=amount_text(amount), balance_after=amount_text(balance),
        expires_at=change.expires_at, event="ADJUSTMENT", created_at=now)))


def get_account(conn: Connection, shop_id: int, account_id: int) -> Any | None:
    return conn.execute(select(store_credit_accounts).where(store_credit_accounts.c.shop_id == shop_id,
                                                            store_credit_accounts.c.id == account_id)).first()


def get_transaction(conn: Connection, shop_id: int, transaction_id: int) -> Any | None:
    return conn.execute(
        select(store_credit_transactions).join(store_credit_accounts).where(
            store_credit_accounts.c.shop_id == shop_id, store_credit_transactions.c.id == transaction_id)).first()


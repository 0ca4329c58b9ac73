"""StoreCreditAccount and its credit transactions: each field's source, once (domain/fields.py); an
account's owner is another node, answered by the GraphQL layer."""

from __future__ import annotations

from typing import Any, NamedTuple

from bulkops.domain.fields import Computed, Const, FieldMap, Plain, Resolved, columns
from bulkops.domain.money import money

ACCOUNT = FieldMap("StoreCreditAccount", {
    "id": Plain("id", "gid"), "_pk": Plain("id"),
    "balance": Computed(lambda row: money(row.balance, row.currency)), "owner": Resolved(),
})


class Transaction(NamedTuple):
    """A credit transaction's row with its account's (amounts are in the account's currency)."""

    id: int
    amount: str
    balance_after: str
    event: str
    created_at: Any
    expires_at: Any
    account: Any


def transaction_of(row: Any, account: Any) -> Transaction:
    return Transaction(row.id, row.amount, row.balance_after, row.event, row.created_at, row.expires_at, account)


CREDIT_TRANSACTION = FieldMap("StoreCreditAccountCreditTransaction", {
    "id": Plain("id", "gid"), "account": Resolved(),
    "amount": Computed(lambda t: money(t.amount, t.account.currency)),
    "balanceAfterTransaction": Computed(lambda t: money(t.balance_after, t.account.currency)),
    "remainingAmount": Computed(lambda t: money(t.amount, t.account.currency)),
    **columns(event="event"), "origin": Const(None),
    "createdAt": Plain("created_at", "time"), "expiresAt": Plain("expires_at", "time"),
})
"""Read from a :class:`Transaction`."""

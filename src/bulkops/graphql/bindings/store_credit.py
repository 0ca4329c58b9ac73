"""Store credit: storeCreditAccountCredit; Customer.storeCreditAccounts, StoreCreditAccount.transactions, nodes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.paging import Window
from bulkops.domain.store_credit import listing, rules
from bulkops.domain.store_credit.fields import ACCOUNT, CREDIT_TRANSACTION, transaction_of
from bulkops.graphql.bindings.common import connection, guarded, page_args
from bulkops.graphql.bindings.customers import load_customer
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import RequestError
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

mutation = ObjectType("Mutation")
customer_type = ObjectType("Customer")
account_type = ObjectType("StoreCreditAccount")


def _owner(row: Any) -> Callable[[GraphQLResolveInfo], dict[str, Any] | None]:
    return lambda info: load_customer(ctx(info), row.owner_id)


present_account = ACCOUNT.presenter({"owner": _owner})
_present_transaction = CREDIT_TRANSACTION.presenter({"account": lambda t: present_account(t.account)})


def present_transaction(row: Any, account: Any) -> dict[str, Any]:
    return _present_transaction(transaction_of(row, account))


@register("StoreCreditAccount")
def load_account(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_account(context.conn, context.shop.id, number)
    return present_account(row) if row else None


@register("StoreCreditAccountCreditTransaction")
def load_transaction(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_transaction(context.conn, context.shop.id, number)
    return present_transaction(row, rules.get_account(context.conn, context.shop.id, row.account_id)) if row else None


def _utc(raw: str) -> datetime:
    """A DateTime input as naive UTC (how the database keeps times)."""
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@mutation.field("storeCreditAccountCredit")
@guarded(lambda errors: {"storeCreditAccountTransaction": None, "userErrors": errors})
def resolve_credit(_: Any, info: GraphQLResolveInfo, id: str, creditInput: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    try:
        target_type, number = parse_gid(id)
    except InvalidGlobalId as exc:
        raise RequestError(str(exc), "argumentLiteralsIncompatible", typeName="CoercionError") from exc
    expires = creditInput.get("expiresAt")
    change = rules.Credit(
        amount=str(creditInput["creditAmount"]["amount"]), currency=creditInput["creditAmount"]["currencyCode"],
        expires_at=_utc(expires) if expires else None)
    transaction_id = rules.credit(context.conn, context.shop.id, target_type, number, change, context.now)
    return {"storeCreditAccountTransaction": load_transaction(context, transaction_id), "userErrors": []}


@customer_type.field("storeCreditAccounts")
def resolve_customer_accounts(customer: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                              after: str | None = None, last: int | None = None, before: str | None = None,
                              query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.accounts_page(context.conn, context.shop.id, "Customer", customer["_pk"], query,
                                 Window(first, after, last, before))
    return connection(page, present_account)


@account_type.field("transactions")
def resolve_transactions(account: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                         after: str | None = None, last: int | None = None, before: str | None = None,
                         reverse: bool = False, sortKey: str = "CREATED_AT", query: str | None = None
                         ) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    row = rules.get_account(context.conn, context.shop.id, account["_pk"])
    page = listing.transactions_page(context.conn, account["_pk"], Window(first, after, last, before, reverse, sortKey))
    return connection(page, lambda r: present_transaction(r, row))


bindables = [mutation, customer_type, account_type]

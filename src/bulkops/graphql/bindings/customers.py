"""Customers: customerCreate, customerUpdate; customer(id), customers.

``CustomerCreateChunks`` and ``CustomerUpdateChunks`` are their batched bulk writers (graphql/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.customers import rules
from bulkops.domain.customers.batch import Created, CustomerCreateBatch, create_many, update_many
from bulkops.domain.customers.fields import CUSTOMER, MAILING_ADDRESS
from bulkops.domain.customers.listing import CUSTOMERS
from bulkops.domain.metafields import rules as metafield_rules
from bulkops.engine.executor import LineExecutor, LineRunner
from bulkops.graphql.bindings.common import Window, guarded, listed, page_args, require_id, user_errors
from bulkops.graphql.bindings.metafields import metafield_inputs
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.bindings.products import _owner_metafield, _owner_metafields
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import (
    PreparedHere,
    WrittenInRuns,
    line_arguments,
    presenter_of,
    selections_within,
)
from bulkops.protocol.errors import UserError, UserErrors, UserFacingError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
customer_type = ObjectType("Customer")

present_customer = CUSTOMER.presenter()


@register("Customer")
def load_customer(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_customer(context.conn, context.shop.id, number)
    return present_customer(row) if row else None


def customer_fields(data: dict[str, Any]) -> rules.CustomerFields:
    addresses = data.get("addresses")
    return rules.CustomerFields(
        first_name=data.get("firstName"), last_name=data.get("lastName"), email=data.get("email"),
        phone=data.get("phone"), note=data.get("note"), tags=data.get("tags"), locale=data.get("locale"),
        tax_exempt=data.get("taxExempt"), tax_exemptions=data.get("taxExemptions"),
        multipass_identifier=data.get("multipassIdentifier"),
        addresses=[dict(a) for a in addresses] if addresses is not None else None,
        email_marketing_consent=_plain(data.get("emailMarketingConsent")),
        sms_marketing_consent=_plain(data.get("smsMarketingConsent")),
    )


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def _payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"customer": None, "userErrors": errors}


def _save_metafields(context: RequestContext, customer_id: int, raw: list[dict[str, Any]] | None) -> None:
    if raw:
        metafield_rules.set_metafields(context.conn, context.shop.id, metafield_inputs(raw, "Customer", customer_id),
                                       context.now)


@mutation.field("customerCreate")
@guarded(_payload)
def resolve_customer_create(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    if input.get("id"):
        raise UserError("Id must not be provided when creating a customer.", ["id"])
    [created] = create_many(context.conn, context.shop.id, [customer_fields(input)], context.now)
    if isinstance(created, UserErrors):
        raise created
    customer_id = created
    _save_metafields(context, customer_id, input.get("metafields"))
    return {"customer": load_customer(context, customer_id), "userErrors": []}


@mutation.field("customerUpdate")
@guarded(_payload)
def resolve_customer_update(_: Any, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    number = require_id(input["id"], "Customer") if input.get("id") else None
    [updated] = update_many(context.conn, context.shop.id, [(number, customer_fields(input))], context.now)
    if isinstance(updated, UserErrors):
        raise updated
    _save_metafields(context, updated.id, input.get("metafields"))
    return {"customer": present_customer(updated), "userErrors": []}


@query.field("customer")
def resolve_customer(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    number = require_id(id, "Customer")
    return load_customer(ctx(info), number) if number else None


@query.field("customers")
def resolve_customers(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                      last: int | None = None, before: str | None = None, reverse: bool = False,
                      sortKey: str = "ID", query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    stmt = CUSTOMERS.rows(context.conn, context.shop.id, {"query": query})
    return listed(context, CUSTOMERS, stmt, present_customer, Window(first, after, last, before, reverse, sortKey))


customer_type.set_field("metafields", _owner_metafields("Customer", "_pk"))
customer_type.set_field("metafield", _owner_metafield("Customer", "_pk"))

# ---- the batched bulk writer ----------------------------------------------------------------------
_ADDRESS = {*MAILING_ADDRESS.fields, "__typename"}
_CONSENT = {"marketingState", "marketingOptInLevel", "consentUpdatedAt", "sourceLocation", "__typename"}
_SAFE_SELECTIONS: dict[tuple[str, ...], set[str]] = {
    (): {"customer", "userErrors", "__typename"},
    ("userErrors",): {"field", "message", "__typename"},
    ("customer",): {name for name in CUSTOMER.fields if not name.startswith("_")} - set(CUSTOMER.children())
    | {"__typename"},
    ("customer", "addresses"): _ADDRESS,
    ("customer", "defaultAddress"): _ADDRESS,
    ("customer", "emailMarketingConsent"): _CONSENT,
    ("customer", "smsMarketingConsent"): {*_CONSENT, "consentCollectedFrom"},
    ("customer", "defaultEmailAddress"): {"emailAddress", "marketingState", "marketingOptInLevel",
                                          "marketingUpdatedAt", "validFormat", "sourceLocation", "__typename"},
    ("customer", "defaultPhoneNumber"): {"phoneNumber", "marketingState", "marketingOptInLevel",
                                         "marketingUpdatedAt", "marketingCollectedFrom", "sourceLocation",
                                         "__typename"},
    ("customer", "amountSpent"): {"amount", "currencyCode", "__typename"},
}
"""Payload selections the writer shapes with certainty once the rows are written (every field presented from
the row, none read elsewhere): a written line's answer never needs the per-line path."""
_BATCHABLE_INPUT = frozenset({"firstName", "lastName", "email", "phone", "note", "tags", "locale", "taxExempt",
                              "taxExemptions", "multipassIdentifier", "addresses", "emailMarketingConsent",
                              "smsMarketingConsent"})
"""Per line, the ordinary way: ``id`` (an error), ``metafields`` (set_metafields asks the database per input)."""


class _CustomerChunks(PreparedHere):
    """What both customer writers share: which documents they take, and each line's answer presented with only
    the selected fields."""

    ROOT = ""

    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        super().__init__(plan, make_context, slow)
        self.present = presenter_of(CUSTOMER, plan.selected_names("customer"), present_customer)

    @classmethod
    def fits(cls, plan: Plan) -> bool:
        if plan.root_field_name != cls.ROOT or plan.constant_args:
            return False
        return {a.name for a in plan.variable_args} == {"input"} and selections_within(plan, _SAFE_SELECTIONS)

    def _response(self, context: RequestContext, row: Any) -> dict[str, Any]:
        return self.plan.shape({"customer": self.present(row), "userErrors": []}, context)


class CustomerCreateChunks(_CustomerChunks):
    """customerCreate a chunk at a time, through ``domain/customers/batch.py`` (which the synchronous mutation
    uses with a batch of one): the customers it can vouch for are written with one statement; any other line
    runs the ordinary way at its turn, after the lines before it are written."""

    ROOT = "customerCreate"

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[rules.CustomerFields | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_create(plan, raw) for raw in lines]

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        context = self.make_context(conn)
        now, shop_id = context.now, context.shop.id
        prepared = [None if fields is None else rules.prepare_customer(fields, now)
                    for fields in self.prepare(self.plan, lines)]
        answers = CustomerCreateBatch(conn, shop_id).run(prepared, now, lambda index: run_line(lines[index]))
        rows = rules.get_customers(conn, shop_id, [a.id for a in answers if isinstance(a, Created)])
        return [self._response(context, rows[a.id]) if isinstance(a, Created) else a for a in answers]


class CustomerUpdateChunks(_CustomerChunks, WrittenInRuns):
    """customerUpdate a chunk at a time, through ``batch.update_many`` (which the synchronous mutation uses
    with a batch of one): the chunk's customers and contacts are read once, the updates checked in line order
    and written with one statement per set of changed columns. Per line, the ordinary way (at its turn, after
    the lines before it are written): ``metafields`` (set after the update, through their own rules), a
    consent with its own date, a malformed ``id`` (a top-level error) and lines graphql-core must coerce."""

    ROOT = "customerUpdate"

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[tuple[int | None, rules.CustomerFields] | None]:
        """Each line's (customer id, fields), or None: run it the ordinary way (pure: no database)."""
        return [_prepare_update(plan, raw) for raw in lines]

    def write_run(self, context: RequestContext, run: list[tuple[int | None, rules.CustomerFields]]
               ) -> list[dict[str, Any]]:
        return [self.plan.shape(_payload(user_errors(answer)), context) if isinstance(answer, UserErrors)
                else self._response(context, answer)
                for answer in update_many(context.conn, context.shop.id, run, context.now)]


def _batchable_input(plan: Plan, raw: bytes, allowed: frozenset[str]) -> dict[str, Any] | None:
    args = line_arguments(plan, raw)
    data = None if args is None else args.get("input")
    if data is None or not data.keys() <= allowed or _consent_dated(data):
        return None
    return data


def _prepare_create(plan: Plan, raw: bytes) -> rules.CustomerFields | None:
    data = _batchable_input(plan, raw, _BATCHABLE_INPUT)
    try:
        return None if data is None else customer_fields(data)
    except UserFacingError:
        return None


def _prepare_update(plan: Plan, raw: bytes) -> tuple[int | None, rules.CustomerFields] | None:
    data = _batchable_input(plan, raw, _BATCHABLE_INPUT | {"id"})
    try:
        if data is None:
            return None
        return require_id(data["id"], "Customer") if data.get("id") else None, customer_fields(data)
    except UserFacingError:
        return None


def _consent_dated(data: dict[str, Any]) -> bool:
    """A consent with its own ``consentUpdatedAt`` runs the ordinary way: graphql-core words a malformed one."""
    return any(isinstance(data.get(key), dict) and data[key].get("consentUpdatedAt") is not None
               for key in ("emailMarketingConsent", "smsMarketingConsent"))


bindables = [query, mutation, customer_type]

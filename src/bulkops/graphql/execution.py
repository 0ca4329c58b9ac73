"""Running GraphQL documents: one HTTP request, or one bulk line with a document parsed and validated once."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    parse,
)
from sqlalchemy import Connection

from bulkops.domain.shops.rules import Shop, shop_by_id
from bulkops.engine.executor import ChunkExecutor, ExecutorFactory, HelperPool, LineByLine
from bulkops.engine.operations import Operation
from bulkops.engine.runtime import Runtime
from bulkops.graphql.context import RequestContext
from bulkops.graphql.cost import cost_extension, requested_cost, throttled_extension
from bulkops.graphql.defaults import default_resolver
from bulkops.graphql.document_cache import BoundedCache, document_weight
from bulkops.graphql.errors import format_error, parse_error
from bulkops.graphql.limits import QueryLimits, cost_problem, shape_problems
from bulkops.graphql.planner.executor import PlanExecutor
from bulkops.graphql.planner.mutation_plan import Plan, compile_plan
from bulkops.graphql.registry import batched_writer_for
from bulkops.graphql.schema import schema_for_generation, schema_for_version
from bulkops.graphql.validation import shopify_error, validate_document
from bulkops.graphql.variables import variable_errors
from bulkops.protocol.errors import UserFacingError
from bulkops.protocol.ids import InvalidGlobalId
from bulkops.protocol.mutation_document import parse_document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedDocument:
    """A parsed and validated document, ready to execute many times."""

    schema: GraphQLSchema
    document: DocumentNode | None
    operation: OperationDefinitionNode | None
    errors: list[dict[str, Any]]

    @property
    def is_mutation(self) -> bool:
        return self.operation is not None and self.operation.operation == OperationType.MUTATION


def _pick_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def prepare(schema: GraphQLSchema, text: str, operation_name: str | None = None,
            limits: QueryLimits | None = None) -> PreparedDocument:
    """Parse and validate; with ``limits``, a document past their token count, depth or alias count is refused
    before validation (whose time grows with a selection's width)."""
    max_tokens = limits.max_tokens if limits and limits.max_tokens else None
    try:
        document = parse(text, max_tokens=max_tokens)
    except GraphQLError as error:
        return PreparedDocument(schema, None, None, [parse_error(error)])
    problems = shape_problems(document, limits) if limits else []
    if problems:  # the refused document is not kept
        return PreparedDocument(schema, None, None, problems)
    return _prepared(schema, document, operation_name)


def _prepared(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> PreparedDocument:
    operation = _pick_operation(document, operation_name)
    problems = validate_document(schema, document)
    if problems:
        return PreparedDocument(schema, document, operation, [shopify_error(e) for e in problems])
    if operation is None:
        message = (f"No operation named '{operation_name}'" if operation_name
                   else "An operation name is required when sending multiple operations.")
        return PreparedDocument(schema, document, None, [{"message": message, "extensions": {"code": "BAD_REQUEST"}}])
    return PreparedDocument(schema, document, operation, [])


PreparedCache = BoundedCache[PreparedDocument]
"""Clients send the same few documents again and again (a poll every second or so): each is parsed and
validated once. A PreparedDocument is never changed after it is made."""


def prepare_request(schema: GraphQLSchema, text: str, operation_name: str | None, limits: QueryLimits,
                    cache: PreparedCache | None = None) -> PreparedDocument:
    """An HTTP request's document, prepared within ``limits``, from ``cache`` when it holds it."""
    if cache is None:
        return prepare(schema, text, operation_name, limits)
    return cache.get((schema, text, operation_name), document_weight(text, operation_name),
                     lambda: prepare(schema, text, operation_name, limits))


def run_prepared(prepared: PreparedDocument, context: RequestContext, variables: dict[str, Any] | None) -> dict[str, Any]:
    """Execute; the response dict has ``data`` and/or ``errors`` in Shopify's shapes."""
    assert prepared.document is not None and prepared.operation is not None
    invalid = variable_errors(prepared.schema, prepared.operation, variables or {})
    if invalid:
        return {"errors": invalid}
    result: ExecutionResult = execute_sync(  # every resolver is synchronous
        prepared.schema,
        prepared.document,
        context_value=context,
        variable_values=variables or {},
        operation_name=prepared.operation.name.value if prepared.operation.name else None,
        field_resolver=default_resolver,
    )
    for error in result.errors or []:
        original = error.original_error
        if original is not None and not isinstance(original, UserFacingError | InvalidGlobalId | GraphQLError):
            log.error("resolver error at %s", error.path, exc_info=original)
    response: dict[str, Any] = {}
    if result.errors:
        response["errors"] = [format_error(e) for e in result.errors]
        if result.data is None and all(e["extensions"]["code"] == "INVALID_VARIABLE" for e in response["errors"]):
            return response
    response["data"] = result.data
    return response


def execute_request(
    runtime: Runtime, shop: Shop, api_version: str, base_url: str, query: str,
    variables: dict[str, Any] | None, operation_name: str | None, cache: PreparedCache | None = None,
) -> dict[str, Any]:
    """One HTTP GraphQL request in one transaction; work announced by resolvers starts after commit. A request
    past the server's limits (settings) is refused before it runs."""
    schema = schema_for_version(api_version)
    limits = QueryLimits.of(runtime.settings)
    prepared = prepare_request(schema, query, operation_name, limits, cache)
    if prepared.errors:
        return {"errors": prepared.errors}
    assert prepared.operation is not None
    cost = requested_cost(schema, prepared.operation, variables or {}, prepared.document)
    too_costly = cost_problem(cost, limits)
    if too_costly is not None:
        return {"errors": [too_costly]}
    transaction = runtime.db.write if prepared.is_mutation else runtime.db.read
    with transaction() as conn:
        context = RequestContext(runtime, shop, conn, api_version, base_url)
        response = run_prepared(prepared, context, variables)
    if "data" not in response:
        return response  # refused before execution (invalid variables): Shopify then reports no cost
    for announce in context.after_commit:
        announce()
    response["extensions"] = {**context.extensions, "cost": cost_extension(cost)}
    return response


def line_executor_factory(runtime: Runtime, compiled: bool = True) -> ExecutorFactory:
    """The engine's ExecutorFactory: an operation's document, parsed and validated once per process, run a
    chunk at a time through its batched writer (graphql/registry.py), else line by line through its compiled
    plan when the document allows one and ``compiled``, else graphql-core."""

    def build(operation: Operation, helpers: HelperPool | None = None) -> ChunkExecutor:
        schema = schema_for_version(operation.api_version)
        prepared = prepare_operation_document(schema, operation.query)
        with runtime.db.read() as conn:
            shop = shop_by_id(conn, operation.shop_id)
        assert shop is not None
        base_url = runtime.settings.background_base_url

        def make_context(conn: Connection) -> RequestContext:
            return RequestContext(runtime, shop, conn, operation.api_version, base_url, in_bulk=True)

        def run_line(conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
            if prepared.errors:
                return {"errors": prepared.errors}
            return run_prepared(prepared, make_context(conn), variables)

        plan = None if prepared.errors or not compiled else compile_plan(schema, prepared.document, prepared.operation)
        if plan is None:
            return LineByLine(run_line)
        writer = batched_writer_for(plan)
        if writer is not None:
            elsewhere = None if helpers is None else _HelperChecks(helpers, operation.api_version, operation.query)
            return writer(plan, make_context, run_line, elsewhere)
        return PlanExecutor(plan, make_context, run_line)

    return build


def prepare_operation_document(schema: GraphQLSchema, text: str) -> PreparedDocument:
    """A bulk operation's document: parsed once per process (the check at creation already parsed it),
    validated here."""
    document, _ = parse_document(text)
    if document is None:
        return prepare(schema, text)
    return _prepared(schema, document, None)


@dataclass(frozen=True)
class _HelperChecks:
    """A batched writer's ``prepare`` run by the engine's helper processes."""

    helpers: HelperPool
    api_version: str
    document: str

    @property
    def ready(self) -> bool:
        return self.helpers.ready

    @property
    def processes(self) -> int:
        return self.helpers.processes

    def submit(self, lines: list[bytes]) -> Future[list[Any]]:
        return self.helpers.submit(prepare_in_helper, self.api_version, self.document, lines)


def prepare_in_helper(api_version: str, document: str, lines: list[bytes]) -> list[Any]:
    """A batched writer's ``prepare`` in a helper process, with the plan compiled there once per document."""
    plan = _plan_for(api_version, document)
    writer = batched_writer_for(plan)
    if writer is None:
        raise ValueError("this document has no batched writer")
    return writer.prepare(plan, lines)


def warm_helper() -> None:
    """A helper process's start: both schemas built before the first chunk arrives."""
    schema_for_generation(True)
    schema_for_generation(False)


@lru_cache(maxsize=8)
def _plan_for(api_version: str, document: str) -> Plan:
    schema = schema_for_version(api_version)
    prepared = prepare_operation_document(schema, document)
    plan = compile_plan(schema, prepared.document, prepared.operation)
    if plan is None:
        raise ValueError("this document does not compile to a plan")
    return plan


THROTTLED_ERROR = {"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                         "documentation": "https://shopify.dev/api/usage/rate-limits"}}


def throttled_response(runtime: Runtime, api_version: str, query: str, variables: dict[str, Any] | None,
                       operation_name: str | None) -> dict[str, Any]:
    """Shopify's THROTTLED answer to this request (spec 1.4, sent with HTTP 429): its requested cost, which the
    bucket cannot hold (a document that does not even prepare is reported at cost 0)."""
    schema = schema_for_version(api_version)
    prepared = prepare_request(schema, query, operation_name, QueryLimits.of(runtime.settings))
    cost = 0
    if not prepared.errors and prepared.operation is not None:
        cost = requested_cost(schema, prepared.operation, variables or {}, prepared.document)
    return {"errors": [THROTTLED_ERROR], "extensions": {"cost": throttled_extension(cost)}}

"""The bulk roots: run, cancel and read BulkOperations (spec 3, 4, 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.clock import iso_z
from bulkops.domain.paging import Window
from bulkops.engine import operations as ops
from bulkops.engine.lifecycle import OperationType, Status
from bulkops.engine.listing import filtered_operations, operations_page
from bulkops.graphql.bindings.common import connection, page_args, require_id
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import RequestError, UserError
from bulkops.protocol.mutation_document import check_bulk_mutation

query = ObjectType("QueryRoot")
mutation = ObjectType("Mutation")
query_from_2026_01 = ObjectType("QueryRoot")
"""Fields that exist only from API 2026-01: ``bulkOperation(id:)`` and ``bulkOperations``."""


def _signed(context: RequestContext, op: ops.Operation, key: str | None) -> str | None:
    """A fresh signed URL for a result file; none once the operation is EXPIRED (its files are gone: Shopify
    answers null ``url`` and ``partialDataUrl`` then)."""
    if key is None or op.finished_at is None or op.status is Status.EXPIRED:
        return None
    expires_at = op.finished_at + timedelta(seconds=context.runtime.settings.result_url_ttl_s)
    return context.runtime.store.download_url(key, op.result_filename, expires_at, context.base_url)


def present_operation(context: RequestContext, op: ops.Operation) -> dict[str, Any]:
    return {
        "__typename": "BulkOperation",
        "id": op.gid,
        "status": op.status.value,
        "type": op.type.value,
        "errorCode": op.error_code,
        "createdAt": iso_z(op.created_at),
        "completedAt": iso_z(op.completed_at),
        "objectCount": str(op.object_count),
        "rootObjectCount": str(op.root_object_count),
        "fileSize": str(op.file_size) if op.file_size is not None else None,
        "url": _signed(context, op, op.result_key),
        "partialDataUrl": _signed(context, op, op.partial_key),
        "query": op.query,
    }


def _bulk_mutation_errors(errors: list[UserError]) -> dict[str, Any]:
    return {"bulkOperation": None, "userErrors": [e.as_dict() for e in errors]}


@mutation.field("bulkOperationRunMutation")
def resolve_run_mutation(_: Any, info: GraphQLResolveInfo, mutation: str, stagedUploadPath: str,
                         clientIdentifier: str | None = None, groupObjects: bool | None = True) -> dict[str, Any]:
    context = ctx(info)
    problems = check_bulk_mutation(mutation, clientIdentifier, info.schema)
    if problems:
        return _bulk_mutation_errors(problems)
    outcome = context.runtime.engine.start_mutation(
        context.conn,
        shop_id=context.shop.id,
        api_version=context.api_version,
        mutation=mutation,
        staged_upload_path=stagedUploadPath,
        client_identifier=clientIdentifier,
    )
    if isinstance(outcome, list):
        return _bulk_mutation_errors(outcome)
    submit = context.runtime.queue.submit
    context.after_commit.append(lambda: submit(outcome.id))
    return {"bulkOperation": present_operation(context, outcome), "userErrors": []}


@mutation.field("bulkOperationCancel")
def resolve_cancel(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    context = ctx(info)
    number = require_id(id, "BulkOperation")
    if number is None:
        return {"bulkOperation": None, "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}]}
    op, errors = context.runtime.engine.cancel(context.conn, context.shop.id, number)
    return {
        "bulkOperation": present_operation(context, op) if op else None,
        "userErrors": [e.as_dict() for e in errors],
    }


@query_from_2026_01.field("bulkOperation")
def resolve_bulk_operation(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    context = ctx(info)
    number = require_id(id, "BulkOperation")
    if number is None:
        raise RequestError(f"Invalid id: {id}", "RESOURCE_NOT_FOUND")
    context.runtime.engine.observe(context.shop.id, operation_id=number)
    op = ops.get(context.conn, number, context.shop.id)
    return present_operation(context, op) if op else None


@register("BulkOperation")
def load_operation(context: RequestContext, number: int) -> dict[str, Any] | None:
    context.runtime.engine.observe(context.shop.id, operation_id=number)
    op = ops.get(context.conn, number, context.shop.id)
    return present_operation(context, op) if op else None


@query.field("currentBulkOperation")
def resolve_current(_: Any, info: GraphQLResolveInfo, type: str | None = "QUERY") -> dict[str, Any] | None:
    """``type: null`` given explicitly means the default (the argument is nullable)."""
    context = ctx(info)
    context.runtime.engine.observe(context.shop.id, op_type=OperationType(type or "QUERY"))
    op = ops.latest_of_type(context.conn, context.shop.id, OperationType(type or "QUERY"))
    return present_operation(context, op) if op else None


@query_from_2026_01.field("bulkOperations")
def resolve_bulk_operations(_: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None,
                            last: int | None = None, before: str | None = None, reverse: bool = False,
                            sortKey: str = "CREATED_AT", query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    context.runtime.engine.observe(context.shop.id)
    filtered = filtered_operations(context.shop.id, query)
    if filtered.warnings:
        context.extensions.setdefault("search", []).append(
            {"path": ["bulkOperations"], "query": query, "parsed": filtered.parsed, "warnings": filtered.warnings}
        )
    page = operations_page(context.conn, filtered, Window(first, after, last, before, reverse, sortKey))
    return connection(page, lambda row: present_operation(context, ops.from_row(row)))


bindables = [query, mutation]
modern_bindables = [query_from_2026_01]

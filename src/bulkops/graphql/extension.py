"""The bulkops extension schema (``POST /bulkops/v1/graphql``): live progress of a shop's operations and their
failed-lines file. Its own small SDL, apart from the Admin schema: nothing of it appears in Shopify's endpoints."""

from __future__ import annotations

from functools import cache
from typing import Any

from ariadne import QueryType, make_executable_schema
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, graphql_sync

from bulkops.engine import operations as ops
from bulkops.engine import progress
from bulkops.engine.runtime import Runtime
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

SDL = '''
"Live progress of bulk operations: a bulkops extension, not part of Shopify's Admin API."
type Query {
  "The shop's bulk operation (a BulkOperation gid or its number); null when the shop has no such operation."
  operation(id: ID!): Operation
}

type Operation {
  id: ID!
  status: BulkOperationStatus!
  progress: Progress!
  files: OperationFiles!
}

enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }

type Progress {
  "An import's physical input lines, counted when its worker starts it (null before, and for an export)."
  totalLines: Int
  "An import's input lines done (blank lines included); an export's objects written."
  linesDone: Int!
  "An import's lines a second over the last half minute or so of its work."
  linesPerSecond: Float
  "Seconds an import has left at that rate."
  etaSeconds: Float
  "RUNNING, yet no chunk of work recorded for a minute."
  stalled: Boolean!
}

type OperationFiles {
  """
  The input lines whose results carried errors, byte for byte and in input order, to fix and run again: a
  signed URL that expires with the result file's (null when no line failed, and until the operation ends).
  """
  failedLinesUrl: String
}
'''

query = QueryType()


@query.field("operation")
def resolve_operation(_: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:
    context: ExtensionContext = info.context
    number = operation_number(id)
    with context.runtime.db.read() as conn:
        op = ops.get(conn, number, context.shop_id)
        return progress.operation_view(conn, op, context.where()) if op else None


def operation_number(raw: str) -> int:
    """``gid://shopify/BulkOperation/N`` or just ``N``; an error naming the id otherwise."""
    if raw.isdigit():
        return int(raw)
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId:
        kind, number = "", 0
    if kind != "BulkOperation":
        raise GraphQLError(f"Invalid id: {raw}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return number


class ExtensionContext:
    def __init__(self, runtime: Runtime, shop_id: int, base_url: str) -> None:
        self.runtime = runtime
        self.shop_id = shop_id
        self.base_url = base_url

    def where(self) -> progress.Where:
        return progress.Where(self.runtime.store, self.runtime.settings.result_url_ttl_s, self.base_url,
                              self.runtime.clock.now())


@cache
def extension_schema() -> GraphQLSchema:
    return make_executable_schema(SDL, query)


def execute_extension(runtime: Runtime, shop_id: int, base_url: str, document: str,
                      variables: dict[str, Any] | None, operation_name: str | None) -> dict[str, Any]:
    """The answer to one request, as ``{"data": ..., "errors": [...]}`` (errors only when there are some)."""
    result = graphql_sync(extension_schema(), document, variable_values=variables, operation_name=operation_name,
                          context_value=ExtensionContext(runtime, shop_id, base_url))
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    return answer

"""``bulkOperationRunQuery``: check the bulk query (spec 4.2), make sure this server can export it, then
create the operation (concurrency per API version) and hand it to the workers after commit."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.graphql.bindings.bulk import present_operation
from bulkops.graphql.context import ctx
from bulkops.graphql.planner.export_plan import UnsupportedExport, compile_plan
from bulkops.graphql.validation import validate_document
from bulkops.protocol.errors import UserError
from bulkops.protocol.query_document import check_bulk_query, invalid

mutation = ObjectType("Mutation")


def _refused(errors: list[UserError]) -> dict[str, Any]:
    return {"bulkOperation": None, "userErrors": [e.as_dict() for e in errors]}


@mutation.field("bulkOperationRunQuery")
def resolve_run_query(_: Any, info: GraphQLResolveInfo, query: str, groupObjects: bool = False) -> dict[str, Any]:
    context = ctx(info)
    problems = check_bulk_query(query, info.schema,
                                lambda document: [e.message for e in validate_document(info.schema, document)])
    if problems:
        return _refused(problems)
    try:
        plan = compile_plan(info.schema, query, context.conn, context.shop.id, driver=context.runtime.db.is_sqlite)
    except UnsupportedExport as exc:
        return _refused([invalid(str(exc))])
    outcome = context.runtime.engine.start_query(
        context.conn, shop_id=context.shop.id, api_version=context.api_version, query=query,
        group_objects=groupObjects,
    )
    if isinstance(outcome, list):
        return _refused(outcome)
    submit, kept = context.runtime.queue.submit, context.runtime.kept_plans
    context.after_commit.append(lambda: kept.keep(outcome.id, plan, query))
    context.after_commit.append(lambda: submit(outcome.id))
    return {"bulkOperation": present_operation(context, outcome), "userErrors": []}


bindables = [mutation]

"""``metafieldsSet`` and the Metafield presenter (shared by every owner's ``metafield``/``metafields``).

``MetafieldsSetChunks`` is metafieldsSet's batched bulk writer (graphql/registry.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.metafields import rules
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.metafields.types import REFERENCE_TYPES
from bulkops.graphql.bindings.common import guarded, user_errors
from bulkops.graphql.bindings.nodes import load_node, register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.graphql.planner.mutation_plan import Plan
from bulkops.graphql.planner.writer_base import WrittenInRuns, line_arguments, presenter_of, selections_within
from bulkops.protocol.errors import RequestError, UserErrors, UserFacingError
from bulkops.protocol.ids import InvalidGlobalId, gid, parse_gid

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from bulkops.engine.executor import LineExecutor

mutation = ObjectType("Mutation")


def _reference(row: Any) -> Callable[..., dict[str, Any] | None]:
    def resolve(info: GraphQLResolveInfo, **_: Any) -> dict[str, Any] | None:
        if row.type not in REFERENCE_TYPES:
            return None
        return load_node(ctx(info), row.value)

    return resolve


def _owner(row: Any) -> Callable[..., dict[str, Any] | None]:
    def resolve(info: GraphQLResolveInfo, **_: Any) -> dict[str, Any] | None:
        if row.owner_type == "Shop":
            from bulkops.graphql.bindings.shop import resolve_shop

            return resolve_shop(None, info)
        return load_node(ctx(info), gid(row.owner_type, row.owner_id))

    return resolve


present_metafield = METAFIELD.presenter({"reference": _reference, "owner": _owner})


@register("Metafield")
def load_metafield(context: RequestContext, number: int) -> dict[str, Any] | None:
    row = rules.get_metafield_by_id(context.conn, context.shop.id, number)
    return present_metafield(row) if row else None


def metafield_inputs(raw: list[dict[str, Any]], owner: str, owner_id: int) -> list[rules.MetafieldInput]:
    """Owned metafields (inside productCreate, customerCreate…): the owner comes from the parent."""
    return [
        rules.MetafieldInput(owner, owner_id, m.get("namespace"), m.get("key") or "", m.get("value") or "",
                             m.get("type"))
        for m in raw
    ]


def _set_inputs(raw: list[dict[str, Any]]) -> list[rules.MetafieldInput]:
    out = []
    for m in raw:
        try:
            owner, number = parse_gid(m["ownerId"])
        except InvalidGlobalId as exc:
            raise RequestError(str(exc), "argumentLiteralsIncompatible", typeName="CoercionError") from exc
        digest = m["compareDigest"] if "compareDigest" in m else rules.NOT_GIVEN
        out.append(rules.MetafieldInput(owner, number, m.get("namespace"), m["key"], m["value"], m.get("type"),
                                        digest))
    return out


@mutation.field("metafieldsSet")
@guarded(lambda errors: {"metafields": None, "userErrors": errors})
def resolve_metafields_set(_: Any, info: GraphQLResolveInfo, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    [answer] = rules.set_many(context.conn, context.shop.id, [_set_inputs(metafields)], context.now)
    if isinstance(answer, UserErrors):
        raise answer
    return _set_payload(answer)


bindables = [mutation]


# ---- the batched bulk writer ----------------------------------------------------------------------
_SAFE_SELECTIONS: dict[tuple[str, ...], set[str]] = {
    (): {"metafields", "userErrors", "__typename"},
    ("userErrors",): {"field", "message", "code", "elementIndex", "__typename"},
    ("metafields",): {name for name in METAFIELD.fields if name not in ("reference", "owner")} | {"__typename"},
}
"""Payload selections the writer shapes with certainty from the stored rows (``reference`` and ``owner`` are
other nodes, read by the GraphQL layer: such documents run line by line)."""


class MetafieldsSetChunks(WrittenInRuns):
    """metafieldsSet a chunk at a time, through ``rules.set_many`` (which the synchronous mutation uses with a
    batch of one): every line whose arguments the plan vouches for goes to one batch, checked in line order
    against the owners and metafields read once, written with one statement per kind of row. Per line, the
    ordinary way (at its turn, after the lines before it are written): a line that is not JSON, whose
    ``metafields`` graphql-core must coerce (a missing field, a wrong type), or with a malformed ``ownerId``
    (a top-level error graphql-core words)."""

    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        super().__init__(plan, make_context, slow)
        self.present = presenter_of(METAFIELD, plan.selected_names("metafields"), present_metafield)

    @staticmethod
    def fits(plan: Plan) -> bool:
        if plan.root_field_name != "metafieldsSet" or plan.constant_args:
            return False
        if {a.name for a in plan.variable_args} != {"metafields"}:
            return False
        return selections_within(plan, _SAFE_SELECTIONS)

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[list[rules.MetafieldInput] | None]:
        """Each line's domain input, or None: run it the ordinary way (pure: no database)."""
        return [_prepare_line(plan, raw) for raw in lines]

    def write_run(self, context: RequestContext, calls: list[list[rules.MetafieldInput]]) -> list[dict[str, Any]]:
        answers = rules.set_many(context.conn, context.shop.id, calls, context.now)
        return [self.plan.shape(_set_payload(answer, self.present), context) for answer in answers]


def _set_payload(answer: list[Any] | UserErrors, present: Callable[[Any], dict[str, Any]] = present_metafield
                 ) -> dict[str, Any]:
    if isinstance(answer, UserErrors):
        return {"metafields": None, "userErrors": user_errors(answer)}
    return {"metafields": [present(row) for row in answer], "userErrors": []}


def _prepare_line(plan: Plan, raw: bytes) -> list[rules.MetafieldInput] | None:
    args = line_arguments(plan, raw)
    if args is None or args.get("metafields") is None:
        return None
    try:
        return _set_inputs(args["metafields"])
    except UserFacingError:
        return None

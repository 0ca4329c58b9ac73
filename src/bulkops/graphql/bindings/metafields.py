"""``metafieldsSet`` and the Metafield presenter (shared by every owner's ``metafield``/``metafields``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.metafields import rules
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.metafields.types import REFERENCE_TYPES
from bulkops.graphql.bindings.common import guarded
from bulkops.graphql.bindings.nodes import load_node, register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import RequestError
from bulkops.protocol.ids import InvalidGlobalId, gid, parse_gid

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
    ids = rules.set_metafields(context.conn, context.shop.id, _set_inputs(metafields), context.now)
    rows = [rules.get_metafield_by_id(context.conn, context.shop.id, i) for i in ids]
    return {"metafields": [present_metafield(r) for r in rows], "userErrors": []}


bindables = [mutation]

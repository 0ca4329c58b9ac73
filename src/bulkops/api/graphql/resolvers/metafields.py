"""``metafieldsSet`` and the Metafield presenter."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.api.graphql.context import ctx
from bulkops.api.graphql.resolvers.common import guarded
from bulkops.clock import iso_z
from bulkops.errors import RequestError, UserError
from bulkops.ids import InvalidGlobalId, parse_gid
from bulkops.shop import metafields as rules

mutation = ObjectType("Mutation")


def present_metafield(row: Any) -> dict[str, Any]:
    return {
        "__typename": "Metafield", "id": f"gid://shopify/Metafield/{row.id}", "legacyResourceId": str(row.id),
        "namespace": row.namespace, "key": row.key, "value": row.value, "type": row.type,
        "ownerType": {"Product": "PRODUCT", "ProductVariant": "PRODUCTVARIANT", "Customer": "CUSTOMER",
                      "Shop": "SHOP"}.get(row.owner_type, row.owner_type.upper()),
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at),
        "compareDigest": f"{row.id}:{iso_z(row.updated_at)}",
    }


def metafield_inputs(raw: list[dict[str, Any]], owner: str, owner_id: int) -> list[rules.MetafieldInput]:
    """Owned metafields (inside productCreate, customerCreate…): the owner comes from the parent."""
    return [
        rules.MetafieldInput(owner, owner_id, m.get("namespace"), m.get("key") or "", m.get("value") or "",
                             m.get("type"))
        for m in raw
    ]


def _set_inputs(raw: list[dict[str, Any]]) -> list[rules.MetafieldInput]:
    out = []
    for index, m in enumerate(raw):
        try:
            owner, number = parse_gid(m["ownerId"])
        except InvalidGlobalId as exc:
            raise RequestError(str(exc), "INVALID_VARIABLE") from exc
        if owner not in rules.OWNER_TABLES and owner != "Shop":
            raise UserError("Owner does not exist.", ["metafields", str(index), "ownerId"], "INVALID",
                            {"elementIndex": index})
        out.append(rules.MetafieldInput(owner, number, m.get("namespace"), m["key"], m["value"], m.get("type")))
    return out


@mutation.field("metafieldsSet")
@guarded(lambda errors: {"metafields": None, "userErrors": errors})
def resolve_metafields_set(_: Any, info: GraphQLResolveInfo, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    if len(metafields) > rules.MAX_PER_CALL:
        raise UserError(f"Exceeded the maximum metafields input limit of {rules.MAX_PER_CALL}.", ["metafields"],
                        "LESS_THAN_OR_EQUAL_TO")
    ids = rules.set_metafields(context.conn, context.shop.id, _set_inputs(metafields), context.now)
    rows = [context.conn.execute(rules.metafields.select().where(rules.metafields.c.id == i)).first() for i in ids]
    return {"metafields": [present_metafield(r) for r in rows], "userErrors": []}


bindables = [mutation]

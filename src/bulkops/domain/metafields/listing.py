"""``<Owner>.metafields``: an owner's metafields, narrowed by ``namespace`` and ``keys``, in id order, for the
paginated resolvers and the bulk export alike."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select

from bulkops.db.tables import metafields
from bulkops.domain.listing import Arguments, Listing
from bulkops.domain.rest_paging import RestListing


def _namespace_and_keys(stmt: Select, args: Arguments) -> Select:
    if args.get("namespace"):
        stmt = stmt.where(metafields.c.namespace == args["namespace"])
    if args.get("keys"):
        stmt = stmt.where((metafields.c.namespace + "." + metafields.c.key).in_(args["keys"]))
    return stmt


@cache
def owned_metafields(owner_type: str) -> Listing:
    """The metafields of owners of one type (``Product``, ``ProductVariant``, ``Customer``, ``Collection``…)."""
    return Listing("Metafield", metafields, sort_keys={"ID": metafields.c.id}, default_sort="ID",
                   parent=metafields.c.owner_id, where=(metafields.c.owner_type == owner_type,),
                   arguments=_namespace_and_keys)


def owner_metafields_rest(owner_type: str, owner_id: int) -> RestListing:
    """``GET metafields.json`` (the shop's) and ``GET <resource>/<id>/metafields.json``: one owner's metafields by
    id; ``namespace``, ``key`` and ``type`` as Shopify's REST filters."""
    return RestListing(metafields, equal={"namespace": metafields.c.namespace, "key": metafields.c.key,
                                          "type": metafields.c.type},
                       where=(metafields.c.owner_type == owner_type, metafields.c.owner_id == owner_id))

"""Product media: productUpdateMedia, Product.media / featuredMedia / mediaCount / images / featuredImage, and node(id:)
for MediaImage, Video, ExternalVideo and Model3d. (productCreate/productUpdate store their ``media`` argument in
resolvers/products.py through the same rules, domain/media/rules.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.media import listing, rules
from bulkops.domain.media.fields import TYPE_NAMES, present_media
from bulkops.domain.paging import Window
from bulkops.graphql.bindings import products as product_resolvers
from bulkops.graphql.bindings.common import connection, guarded, page_args, require_id
from bulkops.graphql.bindings.media_input import check_input_size, new_media
from bulkops.graphql.bindings.nodes import register
from bulkops.graphql.context import RequestContext, ctx
from bulkops.protocol.errors import RequestError
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

mutation = ObjectType("Mutation")
product_type = ObjectType("Product")

CONTENT_TYPES = {name: content for content, name in TYPE_NAMES.items()}


def _loader(content_type: str) -> Callable[[RequestContext, int], dict[str, Any] | None]:
    def load(context: RequestContext, number: int) -> dict[str, Any] | None:
        row = rules.get_media(context.conn, context.shop.id, number, content_type)
        return present_media(row) if row else None

    return load


for _content, _name in TYPE_NAMES.items():
    register(_name)(_loader(_content))


# ---- productUpdateMedia --------------------------------------------------------------------------
def _change(item: dict[str, Any]) -> rules.MediaChange:
    raw = item["id"]
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId as exc:
        raise RequestError(str(exc), "argumentLiteralsIncompatible", typeName="CoercionError") from exc
    content_type = CONTENT_TYPES.get(kind)
    return rules.MediaChange(number=number if content_type else None, content_type=content_type, label=raw,
                             alt=item.get("alt"), preview_image_source=item.get("previewImageSource"))


def _media_error_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"product": None, "media": None, "mediaUserErrors": errors,
            "userErrors": [{"field": e["field"], "message": e["message"]} for e in errors]}


@guarded(_media_error_payload)
def _update_media(_: Any, info: GraphQLResolveInfo, number: int, media: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    ids = rules.update_media(context.conn, context.shop.id, number, [_change(m) for m in media], context.now)
    return {"product": None, "media": [present_media(r) for r in rules.media_rows(context.conn, context.shop.id, ids)],
            "mediaUserErrors": [], "userErrors": []}


@mutation.field("productUpdateMedia")
def resolve_product_update_media(_: Any, info: GraphQLResolveInfo, productId: str,
                                 media: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload names the product whenever it exists, even when the media ids were wrong (as Shopify does)."""
    check_input_size(media)
    number = require_id(productId, "Product") or -1
    payload = _update_media(None, info, number=number, media=media)
    return {**payload, "product": product_resolvers.load_product(ctx(info), number)}


# ---- Product fields ------------------------------------------------------------------------------
@product_type.field("media")
def resolve_media(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                  after: str | None = None, last: int | None = None, before: str | None = None,
                  reverse: bool = False, sortKey: str = "POSITION", query: str | None = None) -> dict[str, Any]:
    context = ctx(info)
    page_args(first, last)
    page = listing.media_page(context.conn, context.shop.id, product["_pk"], query,
                              Window(first, after, last, before, reverse, sortKey))
    return connection(page, present_media)


@product_type.field("images")
def resolve_images(product: dict[str, Any], info: GraphQLResolveInfo, first: int | None = None,
                   after: str | None = None, last: int | None = None, before: str | None = None,
                   reverse: bool = False, sortKey: str = "POSITION", **_: Any) -> dict[str, Any]:
    """The deprecated ``images`` connection: the product's image media, as Images."""
    context = ctx(info)
    page_args(first, last)
    page = listing.images_page(context.conn, context.shop.id, product["_pk"],
                               Window(first, after, last, before, reverse, sortKey))
    return connection(page, lambda row: present_media(row)["image"])


@product_type.field("featuredMedia")
def resolve_featured_media(product: dict[str, Any], info: GraphQLResolveInfo) -> dict[str, Any] | None:
    row = rules.featured_media(ctx(info).conn, ctx(info).shop.id, product["_pk"])
    return present_media(row) if row else None


@product_type.field("featuredImage")
def resolve_featured_image(product: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any] | None:
    """The deprecated ``featuredImage``: the first of the product's images (a leading video is not one)."""
    row = rules.featured_media(ctx(info).conn, ctx(info).shop.id, product["_pk"], "IMAGE")
    return present_media(row)["image"] if row else None


@product_type.field("mediaCount")
def resolve_media_count(product: dict[str, Any], info: GraphQLResolveInfo, **_: Any) -> dict[str, Any]:
    return {"count": rules.media_count(ctx(info).conn, product["_pk"]), "precision": "EXACT"}


bindables = [mutation, product_type]
__all__ = ["bindables", "check_input_size", "new_media", "present_media"]

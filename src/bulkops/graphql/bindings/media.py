"""Product media: productUpdateMedia, Product.media / featuredMedia / mediaCount / images / featuredImage, and node(id:)
for MediaImage, Video, ExternalVideo and Model3d. (productCreate/productUpdate store their ``media`` argument in
resolvers/products.py through the same rules, domain/media/rules.py.)"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.clock import iso_z
from bulkops.domain.media import listing, rules
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

TYPE_NAMES = {"IMAGE": "MediaImage", "VIDEO": "Video", "EXTERNAL_VIDEO": "ExternalVideo", "MODEL_3D": "Model3d"}
CONTENT_TYPES = {name: content for content, name in TYPE_NAMES.items()}
EMPTY_CONNECTION = {"edges": [], "nodes": [], "pageInfo": {"hasNextPage": False, "hasPreviousPage": False,
                                                           "startCursor": None, "endCursor": None}}


# ---- presenters ----------------------------------------------------------------------------------
def _image(url: str | None, alt: str, number: int | None) -> dict[str, Any] | None:
    if url is None:
        return None
    return {"__typename": "Image", "id": f"gid://shopify/ProductImage/{number}" if number else None, "url": url,
            "src": url, "originalSrc": url, "transformedSrc": url, "altText": alt, "width": None, "height": None,
            "thumbhash": None, "metafield": None, "metafields": EMPTY_CONNECTION, "translations": []}


def _filename(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


def _embed_url(url: str, host: str | None) -> str:
    parts = urlsplit(url)
    if host == "YOUTUBE":
        video = parse_qs(parts.query).get("v", [None])[0] or parts.path.rstrip("/").rsplit("/", 1)[-1]
        return f"https://www.youtube.com/embed/{video}"
    if host == "VIMEO" and (match := re.search(r"/(\d+)", parts.path)):
        return f"https://player.vimeo.com/video/{match.group(1)}"
    return url


def media_gid(row: Any) -> str:
    return f"gid://shopify/{TYPE_NAMES[row.media_content_type]}/{row.id}"


def present_media(row: Any) -> dict[str, Any]:
    type_name = TYPE_NAMES[row.media_content_type]
    alt = row.alt or ""
    source = row.original_source
    preview = _image(row.preview_image_url, alt, row.id if row.media_content_type == "IMAGE" else None)
    out: dict[str, Any] = {
        "__typename": type_name, "id": f"gid://shopify/{type_name}/{row.id}", "_pk": row.id,
        "_product_id": row.product_id, "alt": alt, "mediaContentType": row.media_content_type, "status": row.status,
        "fileStatus": row.status, "mediaErrors": [], "mediaWarnings": [], "fileErrors": [],
        # A media without a preview image answers READY with a null image (this server makes no previews), so
        # a client polling the preview status does not wait forever.
        "preview": {"image": preview, "status": "READY"},
        "createdAt": iso_z(row.created_at), "updatedAt": iso_z(row.updated_at),
    }
    if row.media_content_type == "IMAGE":
        out.update(image=_image(source, alt, row.id), mimeType=mimetypes.guess_type(urlsplit(source).path)[0],
                   originalSource={"url": source, "fileSize": None}, metafield=None, metafields=EMPTY_CONNECTION,
                   translations=[])
    elif row.media_content_type == "EXTERNAL_VIDEO":
        host = rules.external_video_host(source)
        out.update(host=host, originUrl=source, embeddedUrl=source, embedUrl=_embed_url(source, host))
    else:
        out.update(filename=_filename(source), originalSource=None, sources=[], duration=None)
    return out


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
__all__ = ["bindables", "check_input_size", "media_gid", "new_media", "present_media"]

"""MediaImage, Video, ExternalVideo, Model3d and the Image they show: each field's source, once
(domain/fields.py). A media row is presented by the map of its ``media_content_type``."""

from __future__ import annotations

import mimetypes
import re
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from bulkops.domain.fields import EMPTY_CONNECTION, Computed, Const, FieldMap, Plain, Presenter, Source, columns
from bulkops.domain.media.rules import external_video_host

TYPE_NAMES = {"IMAGE": "MediaImage", "VIDEO": "Video", "EXTERNAL_VIDEO": "ExternalVideo", "MODEL_3D": "Model3d"}
"""``media_content_type`` -> the GraphQL type of the media."""


class Picture(NamedTuple):
    """What an Image shows: its address and alt text; ``number`` names a ProductImage (an image media's)."""

    url: str
    alt: str
    number: int | None


IMAGE = FieldMap("Image", {
    "id": Computed(lambda p: f"gid://shopify/ProductImage/{p.number}" if p.number else None),
    **columns(url="url", src="url", originalSrc="url", transformedSrc="url", altText="alt"),
    "width": Const(None), "height": Const(None), "thumbhash": Const(None), "metafield": Const(None),
    "metafields": Const(EMPTY_CONNECTION), "translations": Const([]),
})

present_image = IMAGE.presenter()


def image_of(url: str | None, alt: str, number: int | None) -> dict[str, Any] | None:
    return present_image(Picture(url, alt, number)) if url is not None else None


def _alt(row: Any) -> str:
    return row.alt or ""


def _preview(row: Any) -> dict[str, Any]:
    """A media without a preview image answers READY with a null image (this server makes no previews), so a
    client polling the preview status does not wait forever."""
    number = row.id if row.media_content_type == "IMAGE" else None
    return {"image": image_of(row.preview_image_url, _alt(row), number), "status": "READY"}


def _media(**extra: Source) -> dict[str, Source]:
    return {
        "id": Plain("id", "gid"), "_pk": Plain("id"), "_product_id": Plain("product_id"), "alt": Computed(_alt),
        **columns(mediaContentType="media_content_type", status="status", fileStatus="status"),
        "mediaErrors": Const([]), "mediaWarnings": Const([]), "fileErrors": Const([]), "preview": Computed(_preview),
        "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"), **extra,
    }


def _embed_url(url: str, host: str | None) -> str:
    parts = urlsplit(url)
    if host == "YOUTUBE":
        video = parse_qs(parts.query).get("v", [None])[0] or parts.path.rstrip("/").rsplit("/", 1)[-1]
        return f"https://www.youtube.com/embed/{video}"
    if host == "VIMEO" and (match := re.search(r"/(\d+)", parts.path)):
        return f"https://player.vimeo.com/video/{match.group(1)}"
    return url


def _hosted() -> dict[str, Source]:
    """A video or 3D model: a file of its own (this server keeps only its address)."""
    return _media(filename=Computed(lambda row: urlsplit(row.original_source).path.rsplit("/", 1)[-1]),
                  originalSource=Const(None), sources=Const([]), duration=Const(None))


MEDIA: dict[str, FieldMap] = {
    "IMAGE": FieldMap("MediaImage", _media(
        image=Computed(lambda row: image_of(row.original_source, _alt(row), row.id)),
        mimeType=Computed(lambda row: mimetypes.guess_type(urlsplit(row.original_source).path)[0]),
        originalSource=Computed(lambda row: {"url": row.original_source, "fileSize": None}),
        metafield=Const(None), metafields=Const(EMPTY_CONNECTION), translations=Const([]))),
    "EXTERNAL_VIDEO": FieldMap("ExternalVideo", _media(
        host=Computed(lambda row: external_video_host(row.original_source)),
        originUrl=Plain("original_source"), embeddedUrl=Plain("original_source"),
        embedUrl=Computed(lambda row: _embed_url(row.original_source, external_video_host(row.original_source))))),
    "VIDEO": FieldMap("Video", _hosted()),
    "MODEL_3D": FieldMap("Model3d", _hosted()),
}
"""Each media content type's map."""

_PRESENTERS: dict[str, Presenter] = {content: field_map.presenter() for content, field_map in MEDIA.items()}


def media_gid(row: Any) -> str:
    """A media row's global id, typed by its kind (MediaImage, Video…)."""
    return f"gid://shopify/{TYPE_NAMES[row.media_content_type]}/{row.id}"


def present_media(row: Any) -> dict[str, Any]:
    """A media row as its type (MediaImage, Video, ExternalVideo or Model3d)."""
    return _PRESENTERS[row.media_content_type](row)

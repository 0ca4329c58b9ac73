"""Product media (images, videos, external videos, 3D models): Shopify's rules over rows. No GraphQL here.

Shopify fetches and transcodes media asynchronously (UPLOADED -> PROCESSING -> READY). This server fetches
nothing: the original source URL is kept as the media's address, and media is READY as soon as it is stored,
so a client that polls for READY (or attaches media to variants, which needs READY) goes on at once instead
of waiting for a state change that would never come here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Select, func, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import product_media, products
from bulkops.protocol.errors import UserError, UserErrors

CONTENT_TYPES = ("IMAGE", "VIDEO", "EXTERNAL_VIDEO", "MODEL_3D")
READY = "READY"
EXTERNAL_VIDEO_HOSTS = {"youtube.com": "YOUTUBE", "youtu.be": "YOUTUBE", "vimeo.com": "VIMEO"}


@dataclass(frozen=True)
class NewMedia:
    """A CreateMediaInput."""

    content_type: str
    original_source: str
    alt: str | None = None


@dataclass(frozen=True)
class MediaChange:
    """An UpdateMediaInput: ``number``/``content_type`` come from its id (None: not a media id); ``label`` is the id
    as the caller gave it (the error message repeats it); None alt/preview = not given."""

    number: int | None
    content_type: str | None
    label: str
    alt: str | None = None
    preview_image_source: str | None = None


def is_url(raw: str) -> bool:
    parts = urlsplit(raw.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def external_video_host(url: str) -> str | None:
    """YOUTUBE / VIMEO for a link to either, else None (Shopify hosts external videos only there)."""
    host = (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return EXTERNAL_VIDEO_HOSTS.get(host)


def _check_new(items: list[NewMedia], prefix: list[str]) -> None:
    errors: list[UserError] = []
    for index, item in enumerate(items):
        at = [*prefix, str(index), "originalSource"]
        if not is_url(item.original_source):
            # Shopify's wording for an originalSource that is not a URL (recorded for productCreateMedia).
            errors.append(UserError("Image URL is invalid", at, "INVALID"))
        elif item.content_type == "EXTERNAL_VIDEO" and external_video_host(item.original_source) is None:
            # UNCONFIRMED wording: Shopify embeds external videos from YouTube and Vimeo only.
            errors.append(UserError("External video URL must be a YouTube or Vimeo link", at, "INVALID"))
    if errors:
        raise UserErrors(errors)


def add_media(conn: Connection, shop_id: int, product_id: int, items: list[NewMedia], now: datetime,
              prefix: list[str]) -> list[int]:
    """Append media to a product (after its current media), in input order; returns the new ids.

    Any invalid item rejects the whole list (as every mutation here writes nothing when it answers userErrors)."""
    _check_new(items, prefix)
    if not items:
        return []
    last = conn.execute(select(func.max(product_media.c.position))
                        .where(product_media.c.product_id == product_id)).scalar() or 0
    ids = []
    for offset, item in enumerate(items, start=1):
        source = item.original_source.strip()
        ids.append(inserted_id(conn.execute(product_media.insert().values(
            shop_id=shop_id, product_id=product_id, media_content_type=item.content_type, original_source=source,
            alt=item.alt or "", status=READY, position=last + offset,
            preview_image_url=source if item.content_type == "IMAGE" else None, created_at=now, updated_at=now,
        ))))
    return ids


def _missing(changes: list[MediaChange], found: dict[int, Any]) -> list[str]:
    return [c.label for c in changes
            if c.number is None or c.number not in found or found[c.number].media_content_type != c.content_type]


def update_media(conn: Connection, shop_id: int, product_id: int, changes: list[MediaChange],
                 now: datetime) -> list[int]:
    """productUpdateMedia: new alt text / preview image for media already on the product. Media that is unknown,
    of another product or of another type than its id says is MEDIA_DOES_NOT_EXIST (one error naming every such
    id, as Shopify answers); nothing is written then."""
    exists = conn.execute(select(products.c.id).where(products.c.id == product_id,
                                                      products.c.shop_id == shop_id)).first()
    if exists is None:
        raise UserError("Product does not exist", ["productId"], "PRODUCT_DOES_NOT_EXIST")
    numbers = [c.number for c in changes if c.number is not None]
    found = {row.id: row for row in conn.execute(media_query(shop_id, product_id).where(
        product_media.c.id.in_(numbers)))} if numbers else {}
    missing = _missing(changes, found)
    if missing:
        message = (f"Media id {missing[0]} does not exist" if len(missing) == 1
                   else f"Media ids {','.join(missing)} do not exist")
        raise UserError(message, ["media"], "MEDIA_DOES_NOT_EXIST")
    bad_previews = [UserError("Image URL is invalid", ["media", str(i), "previewImageSource"], "INVALID")
                    for i, c in enumerate(changes)
                    if c.preview_image_source is not None and not is_url(c.preview_image_source)]
    if bad_previews:
        # UNCONFIRMED: Shopify's answer for a previewImageSource that is not a URL; the originalSource wording.
        raise UserErrors(bad_previews)
    for change in changes:
        values: dict[str, Any] = {"updated_at": now}
        if change.alt is not None:
            values["alt"] = change.alt
        if change.preview_image_source is not None:
            values["preview_image_url"] = change.preview_image_source.strip()
        conn.execute(update(product_media).where(product_media.c.id == change.number).values(**values))
    return [c.number for c in changes if c.number is not None]


def media_query(shop_id: int, product_id: int | None = None) -> Select:
    stmt = select(product_media).where(product_media.c.shop_id == shop_id)
    if product_id is not None:
        stmt = stmt.where(product_media.c.product_id == product_id)
    return stmt


def get_media(conn: Connection, shop_id: int, number: int, content_type: str) -> Any | None:
    return conn.execute(media_query(shop_id).where(product_media.c.id == number,
                                                   product_media.c.media_content_type == content_type)).first()


def media_rows(conn: Connection, shop_id: int, ids: list[int]) -> list[Any]:
    """Rows by id, in the order of ``ids``."""
    rows = {r.id: r for r in conn.execute(media_query(shop_id).where(product_media.c.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows]


def featured_media(conn: Connection, shop_id: int, product_id: int, content_type: str | None = None) -> Any | None:
    """The product's first media (of ``content_type`` when given)."""
    stmt = media_query(shop_id, product_id)
    if content_type is not None:
        stmt = stmt.where(product_media.c.media_content_type == content_type)
    return conn.execute(stmt.order_by(product_media.c.position, product_media.c.id).limit(1)).first()


def media_count(conn: Connection, product_id: int) -> int:
    return conn.execute(select(func.count()).select_from(product_media)
                        .where(product_media.c.product_id == product_id)).scalar() or 0

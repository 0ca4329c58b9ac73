"""``stagedUploadsCreate``: reserve upload targets (spec 2)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo
from sqlalchemy import insert

from bulkops.db.tables import staged_uploads
from bulkops.graphql.context import RequestContext, ctx

mutation = ObjectType("Mutation")

BULK_MIME_TYPES = ("text/jsonl", "application/jsonl", "application/x-ndjson")
MIME_PREFIXES = {
    "IMAGE": ("image/",), "PRODUCT_IMAGE": ("image/",), "COLLECTION_IMAGE": ("image/",), "SHOP_IMAGE": ("image/",),
    "VIDEO": ("video/",), "MODEL_3D": ("model/", "application/octet-stream"),
}
SIZE_REQUIRED = {"VIDEO": "video", "MODEL_3D": "3D model"}
PUT_URL_LIFETIME_S = 7 * 24 * 3600
"""Shopify's signed PUT URLs carry ``X-Goog-Expires=604800``; POST policies expire after 24 hours."""
PLACEHOLDER: dict[str, Any] = {"url": None, "resourceUrl": None, "parameters": []}


def plain_filename(name: str) -> bool:
    """A filename becomes the last segment of the staged key, so it must be one plain path segment (the
    wording of the refusal is ours: Shopify's is not recorded)."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\x00")


def _problem(index: int, item: dict[str, Any]) -> dict[str, Any] | None:
    resource, mime, filename = item["resource"], item["mimeType"], item["filename"]
    if not plain_filename(filename):
        return {"field": ["input", str(index), "filename"], "message": f"{filename}: is not a valid filename"}
    if resource in SIZE_REQUIRED and item.get("fileSize") is None:
        return {"field": ["input", str(index), "fileSize"],
                "message": f"file size is required for {SIZE_REQUIRED[resource]} resources"}
    if resource == "BULK_MUTATION_VARIABLES":
        recognized = mime in BULK_MIME_TYPES
    else:
        prefixes = MIME_PREFIXES.get(resource)
        recognized = prefixes is None or mime.startswith(prefixes)
    if not recognized:
        return {"field": ["input", str(index), "mimeType"], "message": f"{filename}: ({mime}) is not a recognized format"}
    return None


def _key(context: RequestContext, item: dict[str, Any]) -> str:
    area = "bulk" if item["resource"] == "BULK_MUTATION_VARIABLES" else item["resource"].lower()
    return f"tmp/{context.shop.id}/{area}/{uuid.uuid4()}/{item['filename']}"


def _target(context: RequestContext, item: dict[str, Any]) -> dict[str, Any]:
    settings = context.runtime.settings
    store = context.runtime.store
    now = context.now
    method = item.get("httpMethod") or "PUT"
    lifetime = PUT_URL_LIFETIME_S if method == "PUT" else settings.staged_upload_ttl_s
    expires_at = now + timedelta(seconds=lifetime)
    key = _key(context, item)
    context.conn.execute(insert(staged_uploads).values(
        shop_id=context.shop.id, key=key, resource=item["resource"], filename=item["filename"],
        mime_type=item["mimeType"], http_method=method, created_at=now, expires_at=expires_at,
    ))
    if method == "PUT":
        url = store.put_url(key, item["mimeType"], expires_at, context.base_url)
        return {"url": url, "resourceUrl": url,
                "parameters": [{"name": "content_type", "value": item["mimeType"]}, {"name": "acl", "value": "private"}]}
    target = store.upload_target(key, item["mimeType"], settings.upload_max_bytes, expires_at, context.base_url)
    return {"url": target.url, "resourceUrl": target.url,
            "parameters": [{"name": n, "value": v} for n, v in target.parameters]}


@mutation.field("stagedUploadsCreate")
def resolve_staged_uploads_create(_: Any, info: GraphQLResolveInfo, input: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    targets, errors = [], []
    for index, item in enumerate(input):
        problem = _problem(index, item)
        if problem:
            errors.append(problem)
            targets.append(PLACEHOLDER)
        else:
            targets.append(_target(context, item))
    return {"stagedTargets": targets, "userErrors": errors}


bindables = [mutation]

"""``stagedUploadsCreate``: reserve upload targets (spec 2). The rules and the record are in
domain/staged_uploads/rules.py; this module signs each reserved key's URL with the file store."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from bulkops.domain.staged_uploads import rules
from bulkops.graphql.context import RequestContext, ctx

mutation = ObjectType("Mutation")

PLACEHOLDER: dict[str, Any] = {"url": None, "resourceUrl": None, "parameters": []}


def _request(item: dict[str, Any]) -> rules.UploadRequest:
    return rules.UploadRequest(resource=item["resource"], filename=item["filename"], mime_type=item["mimeType"],
                               http_method=item.get("httpMethod") or "PUT", file_size=item.get("fileSize"))


def _target(context: RequestContext, reservation: rules.Reservation) -> dict[str, Any]:
    """Where and how the client sends the file: a signed PUT URL, or a POST form's URL and fields."""
    store = context.runtime.store
    key, mime_type, expires_at = reservation.key, reservation.mime_type, reservation.expires_at
    if reservation.http_method == "PUT":
        url = store.put_url(key, mime_type, expires_at, context.base_url)
        return {"url": url, "resourceUrl": url,
                "parameters": [{"name": "content_type", "value": mime_type}, {"name": "acl", "value": "private"}]}
    max_bytes = context.runtime.settings.upload_max_bytes
    target = store.upload_target(key, mime_type, max_bytes, expires_at, context.base_url)
    return {"url": target.url, "resourceUrl": target.url,
            "parameters": [{"name": n, "value": v} for n, v in target.parameters]}


@mutation.field("stagedUploadsCreate")
def resolve_staged_uploads_create(_: Any, info: GraphQLResolveInfo, input: list[dict[str, Any]]) -> dict[str, Any]:
    context = ctx(info)
    post_lifetime_s = context.runtime.settings.staged_upload_ttl_s
    targets, errors = [], []
    for index, item in enumerate(input):
        request = _request(item)
        problem = rules.upload_problem(index, request)
        if problem:
            errors.append({"field": problem.field, "message": problem.message})
            targets.append(PLACEHOLDER)
        else:
            reservation = rules.reserve(context.conn, context.shop.id, request, context.now, post_lifetime_s)
            targets.append(_target(context, reservation))
    return {"stagedTargets": targets, "userErrors": errors}


bindables = [mutation]

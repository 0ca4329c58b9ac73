"""The default field resolver: reads presenter dicts by GraphQL name or its snake_case twin; a field the
server does not fill raises a clear error when it is non-null (instead of a confusing null error)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLResolveInfo

from bulkops.graphql.documents import PLACEHOLDERS, answered_by_document
from bulkops.protocol.errors import RequestError


@cache
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def default_resolver(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    if isinstance(source, dict):
        if name in source:
            value = source[name]
            if (info.parent_type.name, name) in PLACEHOLDERS:
                found = _from_document(source, info)
                if found is not _MISSING:
                    return found
        elif (key := snake(name)) in source:
            value = source[key]
        else:
            found = _from_document(source, info)
            if found is not _MISSING:
                return found
            if isinstance(info.return_type, GraphQLNonNull) and isinstance(info.return_type.of_type, GraphQLList):
                return []  # the schema's empty value: a list this server keeps nothing in
            if isinstance(info.return_type, GraphQLNonNull):
                raise RequestError(
                    f"The field '{info.parent_type.name}.{name}' is not implemented by this bulkops server yet.",
                    "NOT_IMPLEMENTED",
                )
            return None
    else:
        value = getattr(source, name, None)
    return value(info, **args) if callable(value) else value


_MISSING = object()


def _from_document(source: dict[str, Any], info: GraphQLResolveInfo) -> Any:
    """The field from the node's loaded document (a type with a table: a field its map lacks or answers with a
    placeholder), else ``_MISSING``."""
    gid, context = source.get("id"), info.context
    if not isinstance(gid, str) or not hasattr(context, "documents") or not answered_by_document(
            info.parent_type.name, info.field_name):
        return _MISSING
    document = context.documents.of(context.conn, context.shop.id, gid)
    if document is None:
        return _MISSING
    return document.get(info.field_name, _MISSING)


def resolve_typename(obj: Any, *_: Any) -> str | None:
    """Interfaces and unions: presenters say what they are."""
    return obj.get("__typename") if isinstance(obj, dict) else None

"""Result files: how a line is written, and where segments and results are kept."""

from __future__ import annotations

from typing import Any

import orjson

_SHOPIFY_ESCAPES = ((b"/", b"\\/"), (b"&", b"\\u0026"), (b"<", b"\\u003c"), (b">", b"\\u003e"))


def shopify_json(value: Any) -> bytes:
    """JSON as Shopify writes result files: ``/`` as ``\\/`` and ``&<>`` as ``\\u00XX``.

    Safe on the encoded bytes: outside strings JSON never contains these characters.
    """
    return shopify_escape(orjson.dumps(value))


def shopify_escape(encoded: bytes) -> bytes:
    """Shopify's escaping applied to JSON already encoded by orjson (one value or whole JSONL lines)."""
    for raw, escaped in _SHOPIFY_ESCAPES:
        if raw in encoded:
            encoded = encoded.replace(raw, escaped)
    return encoded


def result_line(response: dict[str, Any], line_number: int) -> bytes:
    """One import result line: the line's GraphQL response, ``__lineNumber`` last, newline-terminated."""
    return shopify_json({**response, "__lineNumber": line_number}) + b"\n"


def operation_prefix(shop_id: int, operation_id: int) -> str:
    return f"bulk-operations/{shop_id}/{operation_id}"


def segment_key(shop_id: int, operation_id: int, index: int) -> str:
    return f"{operation_prefix(shop_id, operation_id)}/segments/{index:08d}.jsonl"


def result_key(shop_id: int, operation_id: int) -> str:
    return f"{operation_prefix(shop_id, operation_id)}/bulk-{operation_id}.jsonl"


def partial_key(shop_id: int, operation_id: int) -> str:
    return f"{operation_prefix(shop_id, operation_id)}/partial-{operation_id}.jsonl"

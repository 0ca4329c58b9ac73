"""Media arguments as the domain takes them (shared by productCreate/productUpdate and the media mutations)."""

from __future__ import annotations

from typing import Any

from bulkops.domain.media import rules
from bulkops.protocol.errors import RequestError

MAX_INPUT = 250


def check_input_size(items: list[Any] | None) -> None:
    """Shopify caps every list argument at 250 items, with a top-level error."""
    if items is not None and len(items) > MAX_INPUT:
        raise RequestError(f"The input array size of {len(items)} is greater than the maximum allowed of {MAX_INPUT}.",
                           "MAX_INPUT_SIZE_EXCEEDED")


def new_media(raw: list[dict[str, Any]] | None) -> list[rules.NewMedia]:
    """CreateMediaInput items (``mediaContentType`` and ``originalSource`` are required by the schema)."""
    check_input_size(raw)
    return [rules.NewMedia(content_type=m["mediaContentType"], original_source=m["originalSource"],
                           alt=m.get("alt")) for m in raw or []]

"""A REST list request's parameters, checked as Shopify checks them: ``limit``, ``fields``, ``page_info`` (alone but
for ``limit`` and ``fields``), and the filters, which a ``page_info`` carries for the pages after the first."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson

from bulkops.domain.rest_paging import ORDERABLE, RestChoice, RestFilters, RestOrder

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
PAGING_PARAMS = frozenset({"limit", "fields", "page_info"})
TIME_FILTERS = ("created_at_min", "created_at_max", "updated_at_min", "updated_at_max")
COMMON_FILTERS = frozenset({"ids", "since_id", "order", *TIME_FILTERS})
PROCESSED_FILTERS = frozenset({"processed_at_min", "processed_at_max", "processed_at"})
"""The filters of a list whose rows have a ``processed_at`` (orders, tender transactions)."""


class RestError(Exception):
    """A request Shopify answers with a 4xx: its status and body."""

    def __init__(self, status: int, errors: Any) -> None:
        super().__init__(errors)
        self.status = status
        self.body = {"errors": errors}


def invalid(param: str, message: str) -> RestError:
    """Shopify's REST shape for a bad parameter: ``{"errors": {"<param>": "<message>"}}`` (the page_info and
    limit wordings below are UNCONFIRMED: no recorded answer; the shape is that of ``page cannot be passed.``)."""
    return RestError(400, {param: message})


@dataclass(frozen=True)
class ListRequest:
    """A list request, checked: ``filters`` are the raw filter parameters (what a page_info keeps), ``cursor``
    where the page starts (None: the first page)."""

    limit: int
    fields: tuple[str, ...] | None
    filters: dict[str, str]
    cursor: tuple[Any, str] | None

    def row_cursor(self) -> tuple[str, str] | None:
        """The cursor of a list of rows (a page_info of another kind of list is refused)."""
        if self.cursor is not None and not isinstance(self.cursor[0], str):
            raise invalid("page_info", "Invalid value.")
        return self.cursor

    def order(self) -> RestOrder:
        """``order=updated_at asc`` (or ``desc``); a field the list cannot order by keeps the id order, as an
        unknown parameter is ignored."""
        field, _, direction = self.filters.get("order", "").strip().partition(" ")
        if field not in ORDERABLE:
            return RestOrder()
        return RestOrder(field, direction.strip().lower() == "desc")

    def pair_cursor(self) -> tuple[tuple[int, int], str] | None:
        """The cursor of a list paged by (item, location), as inventory levels are."""
        if self.cursor is None:
            return None
        if not isinstance(self.cursor[0], list):
            raise invalid("page_info", "Invalid value.")
        return (self.cursor[0][0], self.cursor[0][1]), self.cursor[1]

    def link_info(self, last_id: Any, direction: str) -> str:
        """The ``page_info`` of the page next to this one (Shopify's is base64 JSON of its filters, the last id
        and the direction; ours keeps the same parts)."""
        payload = {"filters": self.filters, "last_id": last_id, "direction": direction}
        return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def list_request(params: Mapping[str, str], filters: frozenset[str]) -> ListRequest:
    """The request's paging and the filters among ``filters`` it gives (other parameters are ignored, as Shopify
    ignores them)."""
    if "page" in params:
        raise invalid("page", "page cannot be passed.")
    limit = _limit(params.get("limit"))
    fields = field_list(params.get("fields"))
    if "page_info" not in params:
        given = {name: params[name] for name in sorted(filters) if params.get(name, "") != ""}
        return ListRequest(limit, fields, given, None)
    extra = sorted(set(params) - PAGING_PARAMS)
    if extra:
        raise invalid("page_info", f"page_info cannot be passed with other parameters than limit and fields "
                                   f"(got {', '.join(extra)}): the filters of the first request are kept in it.")
    kept, cursor = _page_info(params["page_info"])
    return ListRequest(limit, fields, kept, cursor)


def field_list(raw: str | None) -> tuple[str, ...] | None:
    """``fields=id,title`` (None: every field)."""
    return tuple(f.strip() for f in raw.split(",") if f.strip()) if raw else None


def _limit(raw: str | None) -> int:
    """1 to 250 (default 50). A number above 250 answers 250, as Shopify does (a request never gets more than
    the maximum); anything but a positive whole number is refused."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.strip().isdigit() or int(raw) < 1:
        raise invalid("limit", f"limit must be a whole number from 1 to {MAX_LIMIT} (got {raw!r}).")
    return min(int(raw), MAX_LIMIT)


def _page_info(raw: str) -> tuple[dict[str, str], tuple[Any, str]]:
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        payload = None
    if (not isinstance(payload, dict) or payload.get("direction") not in ("next", "previous")
            or not isinstance(payload.get("filters"), dict) or not _cursor_id(payload.get("last_id"))):
        raise invalid("page_info", "Invalid value.")
    return {str(k): str(v) for k, v in payload["filters"].items()}, (payload["last_id"], payload["direction"])


def _cursor_id(value: Any) -> bool:
    """A row's position (checked when read), or an (item, location) pair for inventory levels."""
    if isinstance(value, list):
        return len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63
                                       for v in value)
    return isinstance(value, str) and 0 < len(value) <= 1000


def id_list(name: str, raw: str | None) -> tuple[int, ...] | None:
    """``ids=1,2,3`` (Shopify's comma-separated ids)."""
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isdigit() and int(part) < 2**63 for part in parts):
        raise invalid(name, f"{name} must be a comma-separated list of ids (got {raw!r}).")
    return tuple(int(part) for part in parts)


def moment(name: str, raw: str | None) -> datetime | None:
    """An ISO 8601 date or time (any offset; none means the shop's zone, UTC here) as naive UTC. A ``+`` that a
    client left unencoded arrives as a space and is read back as the ``+`` it was."""
    if raw is None:
        return None
    text = raw.strip().replace(" ", "+")
    try:
        value = (datetime.combine(date.fromisoformat(text), datetime.min.time()) if len(text) == 10
                 else datetime.fromisoformat(text))
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    except (ValueError, OverflowError):
        raise invalid(name, f"{name} must be an ISO 8601 date or time, e.g. 2025-11-01T00:00:00-04:00 "
                            f"(got {raw!r}).") from None
    return value


def common_filters(request: ListRequest, equal: frozenset[str] = frozenset(),
                   choices: Mapping[str, RestChoice] | None = None) -> RestFilters:
    """The filters every REST list takes, ``equal``: the resource's own (comma-separated: any of), and
    ``choices``: its word filters (``status=open``), each given or its default."""
    given = request.filters
    since = id_list("since_id", given.get("since_id"))
    times = {name: moment(name, given.get(name)) for name in TIME_FILTERS}
    return RestFilters(
        since_id=since[0] if since else None, ids=id_list("ids", given.get("ids")),
        equal={name: tuple(v.strip() for v in given[name].split(",")) for name in equal if name in given},
        chosen=_chosen(given, choices or {}), **times, **_processed(given),
    )


def _chosen(given: Mapping[str, str], choices: Mapping[str, RestChoice]) -> dict[str, str]:
    """Each word filter's word (any case), or its default; a word it does not take is a 400 naming the ones it
    takes (Shopify's wording UNCONFIRMED: no recorded answer to ``status=bogus``)."""
    chosen = {}
    for name, choice in choices.items():
        word = given.get(name, choice.default)
        if word is None:
            continue
        if word.strip().lower() not in choice.values:
            raise invalid(name, f"{name} must be one of {', '.join(choice.values)} (got {word!r}).")
        chosen[name] = word.strip().lower()
    return chosen


def _processed(given: Mapping[str, str]) -> dict[str, datetime | None]:
    """``processed_at_min/max``, narrowed by ``processed_at``: a date is that whole day, a time that instant
    (UNCONFIRMED: Shopify documents it for tender transactions as "processed at the specified date")."""
    low = moment("processed_at_min", given.get("processed_at_min"))
    high = moment("processed_at_max", given.get("processed_at_max"))
    at = moment("processed_at", given.get("processed_at"))
    if at is not None:
        whole_day = len(given["processed_at"].strip()) == 10
        end = at.replace(hour=23, minute=59, second=59, microsecond=999999) if whole_day else at
        low, high = max(low or at, at), min(high or end, end)
    return {"processed_at_min": low, "processed_at_max": high}


def only_fields(body: dict[str, Any], fields: tuple[str, ...] | None) -> dict[str, Any]:
    """``fields=id,title``: the object with those properties only (in the object's order)."""
    return body if fields is None else {key: value for key, value in body.items() if key in fields}

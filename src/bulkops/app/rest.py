"""Shopify's REST Admin endpoints that connectors call: ``shop.json``, ``oauth/access_scopes.json`` and the
list/count/get endpoints of the stored resources. Same auth and version handling as the GraphQL route; rows are
read in domain/ and shaped in ``bulkops.rest``; here: the HTTP around them (and the ``Link`` header)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.auth import INVALID_TOKEN_BODY, authenticate_request
from bulkops.app.graphql_endpoint import json_response
from bulkops.app.urls import base_url
from bulkops.domain.inventory.listing import LevelFilters, rest_levels_page
from bulkops.domain.rest_paging import InvalidPosition, RestCursor
from bulkops.domain.shops.rules import Shop, shop_details
from bulkops.engine.runtime import Runtime
from bulkops.protocol.versions import effective_version
from bulkops.rest import inventory, metafields, products, shop
from bulkops.rest.collections import CUSTOM_COLLECTIONS, SMART_COLLECTIONS
from bulkops.rest.customers import CUSTOMERS
from bulkops.rest.inventory import LOCATIONS
from bulkops.rest.orders import ORDERS
from bulkops.rest.params import (
    ListRequest,
    RestError,
    common_filters,
    field_list,
    id_list,
    invalid,
    list_request,
    moment,
    only_fields,
)
from bulkops.rest.products import PRODUCTS
from bulkops.rest.shapes import RestResource
from bulkops.rest.tender_transactions import TENDER_TRANSACTIONS

NOT_FOUND = {"errors": "Not Found"}
Handler = Callable[[Request], Awaitable[Response]]
Answer = tuple[int, Any, dict[str, str]]
"""Status, body and headers, computed in a worker thread."""

RESOURCES = (CUSTOMERS, PRODUCTS, LOCATIONS, CUSTOM_COLLECTIONS, SMART_COLLECTIONS, ORDERS,
             TENDER_TRANSACTIONS)
"""The resources with list, count and get endpoints."""

CALL_LIMIT = {"X-Shopify-Shop-Api-Call-Limit": "1/40"}
"""Shopify's REST leaky bucket, on every REST answer. This server throttles no REST call, so the bucket is always
nearly empty; clients that pace themselves by it (without it they assume the worst and wait) go at full speed."""


def rest_routes(runtime: Runtime) -> list[Route]:
    routes = [Route("/admin/oauth/access_scopes.json", _endpoint(runtime, _scopes, versioned=False)),
              Route("/admin/api/{version}/shop.json", _endpoint(runtime, _shop)),
              Route("/admin/api/{version}/inventory_levels.json", _endpoint(runtime, _levels))]
    routes += _crud_routes(runtime, "/admin/api/{version}/metafields", _shop_metafields)
    routes += _crud_routes(runtime, "/admin/api/{version}/products/{owner:int}/variants",
                           _under_owner(PRODUCTS, products.variants_of))
    routes += _crud_routes(runtime, "/admin/api/{version}/products/{owner:int}/images",
                           _under_owner(PRODUCTS, products.images_of))
    routes.append(Route("/admin/api/{version}/variants/{number:int}.json",
                        _endpoint(runtime, _getter(_fixed(products.variants_of(None))))))
    for resource in RESOURCES:
        path = f"/admin/api/{{version}}/{resource.plural}"
        routes += _crud_routes(runtime, path, _fixed(resource))
        if resource.metafield_owner is not None:
            routes += _crud_routes(runtime, f"{path}/{{owner:int}}/metafields", _owner_metafields(resource))
    return routes


Find = Callable[[Runtime, Shop, Request], RestResource | None]
"""The resource a request's path names; None when its owner is not the shop's (a 404)."""


def _crud_routes(runtime: Runtime, path: str, find: Find) -> list[Route]:
    return [Route(f"{path}.json", _endpoint(runtime, _lister(find))),
            Route(f"{path}/count.json", _endpoint(runtime, _counter(find))),
            Route(f"{path}/{{number:int}}.json", _endpoint(runtime, _getter(find)))]


def _fixed(resource: RestResource) -> Find:
    return lambda runtime, found, request: resource


def _shop_metafields(runtime: Runtime, found: Shop, request: Request) -> RestResource:
    return metafields.owned_by("Shop", found.id)


def _owner_metafields(owner: RestResource) -> Find:
    """``<plural>/<id>/metafields``: the owner's metafields, if the owner is the shop's."""
    owner_type = owner.metafield_owner
    assert owner_type is not None
    return _under_owner(owner, lambda number: metafields.owned_by(owner_type, number))


def _under_owner(owner: RestResource, resource_of: Callable[[int], RestResource]) -> Find:
    """A resource under ``<owner plural>/<id>/``: found when the owner is the shop's (a 404 otherwise)."""

    def find(runtime: Runtime, found: Shop, request: Request) -> RestResource | None:
        number = request.path_params["owner"]
        with runtime.db.read() as conn:
            exists = number < 2**63 and owner.listing.one(conn, found.id, number) is not None
        return resource_of(number) if exists else None

    return find


Work = Callable[[Runtime, Shop, Request], Answer]


def _endpoint(runtime: Runtime, work: Work, versioned: bool = True) -> Handler:
    """Version (unknown: 404, as the GraphQL route), then the token (and the shop the Host names), then the
    work in a thread; a bad parameter is Shopify's 4xx body."""

    async def handle(request: Request) -> Response:
        version = effective_version(request.path_params["version"]) if versioned else None
        if versioned and version is None:
            return json_response(NOT_FOUND, 404)
        found = await run_in_threadpool(authenticate_request, runtime.db, request, runtime.settings.proxy_headers)
        if found is None:
            return json_response(INVALID_TOKEN_BODY, 401)
        try:
            status, body, headers = await run_in_threadpool(work, runtime, found, request)
        except RestError as exc:
            status, body, headers = exc.status, exc.body, {}
        if version is not None:
            headers["X-Shopify-API-Version"] = version
        return json_response(body, status, {**CALL_LIMIT, **headers})

    return handle


def _scopes(runtime: Runtime, found: Shop, request: Request) -> Answer:
    return 200, shop.access_scopes(), {}


def _shop(runtime: Runtime, found: Shop, request: Request) -> Answer:
    with runtime.db.read() as conn:
        details = shop_details(conn, found)
    return 200, {"shop": only_fields(shop.present(details), field_list(request.query_params.get("fields")))}, {}


def _lister(find: Find) -> Work:
    def work(runtime: Runtime, found: Shop, request: Request) -> Answer:
        resource = find(runtime, found, request)
        if resource is None:
            return 404, NOT_FOUND, {}
        asked = list_request(request.query_params, resource.accepted)
        filters = common_filters(asked, resource.filters, resource.listing.choices)
        at = asked.row_cursor()
        cursor = RestCursor(*at) if at else None
        with runtime.db.read() as conn:
            try:
                page = resource.listing.page(conn, found.id, filters, asked.limit, asked.order(), cursor)
            except InvalidPosition:
                raise invalid("page_info", "Invalid value.") from None
            bodies = resource.present_many(conn, found.id, page.rows)
        link = _link(request, runtime, asked, page.first, page.last, page.has_previous, page.has_next)
        return 200, {resource.plural: [only_fields(b, asked.fields) for b in bodies]}, link

    return work


def _counter(find: Find) -> Work:
    def work(runtime: Runtime, found: Shop, request: Request) -> Answer:
        resource = find(runtime, found, request)
        if resource is None:
            return 404, NOT_FOUND, {}
        asked = list_request(request.query_params, resource.accepted)
        filters = common_filters(asked, resource.filters, resource.listing.choices)
        with runtime.db.read() as conn:
            return 200, {"count": resource.listing.count(conn, found.id, filters)}, {}

    return work


def _getter(find: Find) -> Work:
    def work(runtime: Runtime, found: Shop, request: Request) -> Answer:
        resource = find(runtime, found, request)
        number = request.path_params["number"]
        if resource is None or number >= 2**63:
            return 404, NOT_FOUND, {}
        with runtime.db.read() as conn:
            row = resource.listing.one(conn, found.id, number)
            if row is None:
                return 404, NOT_FOUND, {}
            body = resource.present_many(conn, found.id, [row])[0]
        return 200, {resource.singular: only_fields(body, field_list(request.query_params.get("fields")))}, {}

    return work


LEVEL_FILTERS = frozenset({"inventory_item_ids", "location_ids", "updated_at_min"})


def _levels(runtime: Runtime, found: Shop, request: Request) -> Answer:
    """``inventory_levels.json``: needs ``inventory_item_ids`` or ``location_ids`` (Shopify's 422 when neither
    is given; its wording UNCONFIRMED)."""
    asked = list_request(request.query_params, LEVEL_FILTERS)
    given = asked.filters
    filters = LevelFilters(id_list("inventory_item_ids", given.get("inventory_item_ids")),
                           id_list("location_ids", given.get("location_ids")),
                           moment("updated_at_min", given.get("updated_at_min")))
    if filters.item_ids is None and filters.location_ids is None:
        raise RestError(422, "inventory_item_ids or location_ids must be specified.")
    at = asked.pair_cursor()
    after, before = (None, None) if at is None else (at[0], None) if at[1] == "next" else (None, at[0])
    with runtime.db.read() as conn:
        levels, has_next, has_previous = rest_levels_page(conn, found.id, filters, asked.limit, after, before)
    keys = [[level.item_id, level.location_id] for level in levels]
    link = _link(request, runtime, asked, keys[0] if keys else None, keys[-1] if keys else None,
                 has_previous, has_next)
    return 200, {"inventory_levels": [only_fields(inventory.present_level(level), asked.fields)
                                      for level in levels]}, link


def _link(request: Request, runtime: Runtime, asked: ListRequest, first: Any, last: Any, has_previous: bool,
          has_next: bool) -> dict[str, str]:
    """Shopify's ``Link`` header: ``<URL>; rel="previous", <URL>; rel="next"``, each URL the same endpoint with
    ``limit``, ``fields`` (when asked) and the ``page_info`` of that page; no header when there is no other
    page."""
    settings = runtime.settings
    endpoint = base_url(request, settings.public_base_url, settings.proxy_headers) + request.url.path
    links = []
    for rel, anchor, exists in (("previous", first, has_previous), ("next", last, has_next)):
        if exists and anchor is not None:
            query = {"limit": asked.limit, **({"fields": ",".join(asked.fields)} if asked.fields else {}),
                     "page_info": asked.link_info(anchor, rel)}
            links.append(f'<{endpoint}?{urlencode(query)}>; rel="{rel}"')
    return {"Link": ", ".join(links)} if links else {}


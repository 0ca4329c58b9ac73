"""``POST /__bulkops/seed`` ``{"shop"?, "fixture": "products" | "customers", "count", "seed"?,
"variantsPerProduct"?}``: deterministic fixtures from ``domain/shops/seed.py``: after a reset, the same seed
gives the same ids and the same data (times included: fixtures are dated ``FIXTURE_TIME``, not now).

With a JSONL body (``Content-Type: application/jsonl``), the body is a bulk-export result file as Shopify writes
it, stored under ``?shop=NAME`` (default: the development shop) by the loader ``bulkops load`` uses
(``domain/documents/load.py``): ids kept, or ``?newIds=true`` for fresh ones."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, field, json_object, reply
from bulkops.app.control.reset import named_shop
from bulkops.app.deployment import secret_box
from bulkops.db.tables import (
    collections,
    customers,
    metafields,
    order_line_items,
    order_shipping_lines,
    order_transactions,
    orders,
    product_media,
    product_options,
    product_variants,
    products,
)
from bulkops.domain.documents.load import load_nodes
from bulkops.domain.shops.rules import Shop, development_shop
from bulkops.domain.shops.seed import seed_shop
from bulkops.engine.reset import restart_ids
from bulkops.engine.runtime import Runtime

FIXTURE_TIME = datetime(2025, 1, 1)
FIXTURES = ("products", "customers")
MAX_COUNT = 1_000_000
JSONL_TYPES = ("application/jsonl", "application/x-ndjson", "application/jsonlines", "text/jsonl")
MAX_ERRORS = 100
"""Line errors answered at most (the count is whole)."""
LOADED_TABLES = [products, product_options, product_variants, product_media, collections, customers, metafields,
                 orders, order_line_items, order_shipping_lines, order_transactions]
"""Tables a load writes with the ids it keeps: their counters move past them, so the next create gets a new id."""


def routes(runtime: Runtime) -> list[Route]:
    def target(name: str | None) -> Shop:
        if name:
            return named_shop(runtime, name)
        with runtime.db.write() as conn:
            return development_shop(conn, runtime.clock.now(), secret_box(runtime.settings))[0]

    def seeded(body: dict[str, object]) -> dict[str, object]:
        fixture = field(body, "fixture", str, "products")
        if fixture not in FIXTURES:
            raise BadRequest(f"'fixture' must be one of {', '.join(FIXTURES)} (got {fixture!r})")
        count = field(body, "count", int, 10)
        if not 0 <= count <= MAX_COUNT:
            raise BadRequest(f"'count' must be between 0 and {MAX_COUNT}")
        variants = field(body, "variantsPerProduct", int, 1)
        if not 1 <= variants <= 48:
            raise BadRequest("'variantsPerProduct' must be between 1 and 48")
        shop = target(field(body, "shop", str))
        report = seed_shop(runtime.db, shop.id, now=FIXTURE_TIME, seed=field(body, "seed", int, 1),
                           products_count=count if fixture == "products" else 0, variants_per_product=variants,
                           customers_count=count if fixture == "customers" else 0)
        with runtime.db.write() as conn:
            restart_ids(conn, [products, product_options, product_variants, customers])
        return {"shop": shop.domain, "fixture": fixture, "products": report.products,
                "variants": report.variants, "customers": report.customers}

    def loaded(body: bytes, shop_name: str | None, new_ids: bool) -> dict[str, object]:
        shop = target(shop_name)
        with runtime.db.write() as conn:
            report = load_nodes(conn, shop.id, body.splitlines(), runtime.clock.now(), new_ids=new_ids)
            restart_ids(conn, LOADED_TABLES)
        return {"shop": shop.domain, "nodes": dict(report.nodes), "inTables": report.in_tables,
                "failed": report.failed, "errors": report.errors[:MAX_ERRORS]}

    @answering
    async def seed(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() in JSONL_TYPES:
            new_ids = request.query_params.get("newIds", "false").lower()
            if new_ids not in ("true", "false"):
                raise BadRequest("'newIds' must be true or false")
            data = await request.body()
            return reply(await run_in_threadpool(loaded, data, request.query_params.get("shop"), new_ids == "true"))
        return reply(await run_in_threadpool(seeded, await json_object(request)))

    return [Route("/__bulkops/seed", seed, methods=["POST"])]

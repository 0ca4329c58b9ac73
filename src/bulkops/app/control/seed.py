"""``POST /__bulkops/seed`` ``{"shop"?, "fixture": "products" | "customers", "count", "seed"?,
"variantsPerProduct"?}``: deterministic fixtures from ``domain/shops/seed.py``: after a reset, the same seed
gives the same ids and the same data (times included: fixtures are dated ``FIXTURE_TIME``, not now)."""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bulkops.app.control.replies import BadRequest, answering, field, json_object, reply
from bulkops.app.control.reset import named_shop
from bulkops.app.deployment import secret_box
from bulkops.db.tables import customers, product_options, product_variants, products
from bulkops.domain.shops.rules import Shop, development_shop
from bulkops.domain.shops.seed import seed_shop
from bulkops.engine.reset import restart_ids
from bulkops.engine.runtime import Runtime

FIXTURE_TIME = datetime(2025, 1, 1)
FIXTURES = ("products", "customers")
MAX_COUNT = 1_000_000
JSONL_TYPES = ("application/jsonl", "application/x-ndjson", "application/jsonlines", "text/jsonl")


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

    @answering
    async def seed(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() in JSONL_TYPES:
            # UNCONFIRMED shape: the loader of bulk-export JSONL (issue 12) has not landed; say so plainly.
            raise BadRequest("seeding from a bulk-export JSONL body is not supported yet: send "
                             '{"fixture": "products" | "customers", "count": N, "seed": S}')
        body = await json_object(request)
        return reply(await run_in_threadpool(seeded, body))

    return [Route("/__bulkops/seed", seed, methods=["POST"])]

"""The bulk engine in-process, on its twins: a real migrated SQLite database and the real GraphQL line executor
and export planner (with its own memo of kept plans: operation ids here repeat those of other databases in
this process), but files in a MemoryStore, operations run when an InlineQueue is told, and time from a
FrozenClock that a test moves. Engine rules are specified against this; the HTTP tests keep one end-to-end case
of each behaviour."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Unpack

import orjson
from sqlalchemy import select

from bulkops.app.bootstrap import open_database
from bulkops.app.deployment import secret_box
from bulkops.clock import FrozenClock
from bulkops.config import Settings, SettingsOverrides
from bulkops.db.tables import products
from bulkops.domain.shops.rules import Shop, create_shop
from bulkops.domain.shops.seed import seed_shop
from bulkops.engine import operations as ops
from bulkops.engine.engine import BulkEngine
from bulkops.engine.inline_queue import InlineQueue
from bulkops.engine.runtime import Runtime
from bulkops.graphql.execution import line_executor_factory
from bulkops.graphql.planner.export_plan import plan_factory
from bulkops.graphql.schema import schema_for_version
from bulkops.protocol.errors import UserError
from bulkops.storage.memory import MemoryStore
from bulkops.storage.signing import Signer

VERSION = "2026-10"
CREATE = ("mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
          "{ product { id title } userErrors { field message } } }")
PRODUCTS_WITH_VARIANTS = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"


class Crash(BaseException):
    """The worker's process dies here: no ``except Exception`` in the engine sees it, nothing is finished."""


def products_jsonl(count: int, prefix: str = "Board") -> bytes:
    return b"".join(orjson.dumps({"product": {"title": f"{prefix} {i}", "vendor": "Bulk"}}) + b"\n"
                    for i in range(count))


class InProcessBulk:
    """One engine, its twins and a shop; a test starts operations, runs them and reads what they left."""

    def __init__(self, data_dir: Path, **changes: Unpack[SettingsOverrides]) -> None:
        self.settings = Settings(data_dir=data_dir, helper_processes=0).with_overrides(**changes)
        self.db = open_database(self.settings)
        self.clock = FrozenClock()
        self.store = MemoryStore()
        self.engine = BulkEngine(db=self.db, store=self.store, clock=self.clock, settings=self.settings,
                                 executor_factory=_unwired)
        self.queue = InlineQueue(self.engine)
        runtime = Runtime(settings=self.settings, db=self.db, store=self.store, signer=Signer("in-process"),
                          clock=self.clock, engine=self.engine, queue=self.queue)
        self.engine.executor_factory = line_executor_factory(runtime)
        self.engine.export_plans = plan_factory(runtime, schema_for_version)
        self.shop = self.new_shop()

    def close(self) -> None:
        self.db.dispose()

    def new_shop(self) -> Shop:
        with self.db.write() as conn:
            return create_shop(conn, f"in-process-{uuid.uuid4().hex[:8]}", self.clock.now(), secret_box(self.settings))

    def seed(self, products_count: int, variants: int = 3) -> None:
        seed_shop(self.db, self.shop.id, products_count=products_count, variants_per_product=variants,
                  now=self.clock.now())

    def stage(self, data: bytes, shop: Shop | None = None) -> str:
        path = f"tmp/{(shop or self.shop).id}/bulk/{uuid.uuid4()}/vars.jsonl"
        self.store.put(path, data)
        return path

    def start_mutation(self, path: str, document: str = CREATE, version: str = VERSION,
                       shop: Shop | None = None) -> ops.Operation | list[UserError]:
        """What bulkOperationRunMutation does once the document passed its checks: the engine's admission, then
        the operation submitted after commit."""
        with self.db.write() as conn:
            outcome = self.engine.start_mutation(
                conn, shop_id=(shop or self.shop).id, api_version=version, mutation=document,
                staged_upload_path=path, client_identifier=None)
        if isinstance(outcome, ops.Operation):
            self.queue.submit(outcome.id)
        return outcome

    def start_import(self, data: bytes, document: str = CREATE, version: str = VERSION) -> ops.Operation:
        outcome = self.start_mutation(self.stage(data), document, version)
        assert isinstance(outcome, ops.Operation), outcome
        return outcome

    def start_query(self, query: str = PRODUCTS_WITH_VARIANTS, group_objects: bool = False,
                    version: str = VERSION) -> ops.Operation | list[UserError]:
        with self.db.write() as conn:
            outcome = self.engine.start_query(conn, shop_id=self.shop.id, api_version=version, query=query,
                                              group_objects=group_objects)
        if isinstance(outcome, ops.Operation):
            self.queue.submit(outcome.id)
        return outcome

    def start_export(self, query: str = PRODUCTS_WITH_VARIANTS, group_objects: bool = False) -> ops.Operation:
        outcome = self.start_query(query, group_objects)
        assert isinstance(outcome, ops.Operation), outcome
        return outcome

    def cancel(self, operation: ops.Operation) -> list[UserError]:
        with self.db.write() as conn:
            return self.engine.cancel(conn, operation.shop_id, operation.id)[1]

    def restart(self) -> list[int]:
        """A new server process on the same database and files: it takes every unfinished operation over and
        submits it (as the embedded queue does on start)."""
        resumed = self.engine.take_over_all()
        for operation_id in resumed:
            self.queue.submit(operation_id)
        return resumed

    def operation(self, operation: ops.Operation) -> ops.Operation:
        with self.db.read() as conn:
            current = ops.get(conn, operation.id)
        assert current is not None
        return current

    def chunks(self, operation: ops.Operation) -> list[ops.Chunk]:
        with self.db.read() as conn:
            return ops.chunks(conn, operation.id)

    def lines(self, key: str | None) -> list[dict[str, Any]]:
        """The JSONL file stored under ``key`` (a result or partial-data key), decoded."""
        assert key is not None, "no file"
        return [orjson.loads(line) for line in self.store.read(key).splitlines()]

    def titles(self) -> list[str]:
        with self.db.read() as conn:
            return list(conn.execute(select(products.c.title).where(products.c.shop_id == self.shop.id)
                                     .order_by(products.c.id)).scalars())


def _unwired(op: ops.Operation) -> Any:
    raise RuntimeError("wired in InProcessBulk.__init__")

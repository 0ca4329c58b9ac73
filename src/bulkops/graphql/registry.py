"""Which bulk mutations have a batched writer: a chunk of lines written together through the resource's domain
rules (a line is a batch of one there, so both paths give the same rows and answers). A mutation not listed
runs line by line, through its compiled plan or graphql-core.

Adding one: a class beside the resource's binding with the :class:`BatchedWriter` shape, and an entry here
(docs/architecture.md walks through it).
"""

from __future__ import annotations

from typing import Any, Protocol

from bulkops.engine.executor import ChunkExecutor, LineExecutor
from bulkops.graphql.bindings.collections import CollectionAddProductsChunks
from bulkops.graphql.bindings.customers import CustomerCreateChunks, CustomerUpdateChunks
from bulkops.graphql.bindings.inventory import InventoryChunks
from bulkops.graphql.bindings.metafields import MetafieldsSetChunks
from bulkops.graphql.bindings.orders import OrderCreateChunks
from bulkops.graphql.bindings.variants import VariantsCreateChunks, VariantsUpdateChunks
from bulkops.graphql.planner.executor import (
    ContextFactory,
    Elsewhere,
    ProductCreateChunks,
    ProductSetChunks,
    ProductUpdateChunks,
)
from bulkops.graphql.planner.mutation_plan import Plan


class BatchedWriter(Protocol):
    """A writer class: ``fits`` picks the documents it can take, ``prepare`` is the part of a chunk's work that
    needs no database (it may run in a helper process), the instance is the operation's chunk executor."""

    @staticmethod
    def fits(plan: Plan) -> bool: ...

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[Any]: ...

    def __call__(self, plan: Plan, make_context: ContextFactory, slow: LineExecutor,
                 elsewhere: Elsewhere | None = None) -> ChunkExecutor: ...


BATCHED_WRITERS: dict[str, Any] = {
    "productCreate": ProductCreateChunks,
    "productSet": ProductSetChunks,
    "productUpdate": ProductUpdateChunks,
    "productVariantsBulkCreate": VariantsCreateChunks,
    "productVariantsBulkUpdate": VariantsUpdateChunks,
    "customerCreate": CustomerCreateChunks,
    "customerUpdate": CustomerUpdateChunks,
    "inventorySetQuantities": InventoryChunks,
    "inventoryAdjustQuantities": InventoryChunks,
    "orderCreate": OrderCreateChunks,
    "metafieldsSet": MetafieldsSetChunks,
    "collectionAddProducts": CollectionAddProductsChunks,
}
"""Root mutation field -> its writer class."""


def batched_writer_for(plan: Plan) -> BatchedWriter | None:
    writer = BATCHED_WRITERS.get(plan.root_field_name)
    return writer if writer is not None and writer.fits(plan) else None

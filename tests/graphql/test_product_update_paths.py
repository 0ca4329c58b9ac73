"""productUpdate has one set of write rules, whichever way a line is written.

A bulk line updates either one at a time (graphql-core, the resolver, ``update_many`` with a batch of one) or
batched (the compiled plan, ``ProductUpdateChunks``: runs of updates setting the same columns written by one
executemany, any other line the ordinary way at its turn). Generated lines full of tricky text, on products
that exist or not, several on the same product, with handles and errors, must leave the same rows and answer
the same result bytes on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from bulkops.domain.products.updates import ProductUpdateBatch
from bulkops.graphql.planner.executor import ProductUpdateChunks
from tests.graphql.test_compiled_plan import Side
from tests.graphql.test_product_create_paths import CREATE_PLAIN_READS, mostly_short, tricky_text

UPDATE_EVERY_WRITTEN_FIELD = """
mutation update($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product {
      id title handle descriptionHtml vendor productType status tags templateSuffix isGiftCard
      requiresSellingPlan createdAt updatedAt publishedAt seo { title description }
    }
    userErrors { field message }
  }
}
"""
EXISTING = 4

updates = st.fixed_dictionaries({"id": st.one_of(
    st.integers(1, EXISTING + 1).map(lambda n: f"gid://shopify/Product/{n}"),
    st.sampled_from(["gid://shopify/Collection/1", "gid://shopify/Product/1"]))}, optional={
    "title": st.one_of(mostly_short, st.sampled_from(["", "   ", "x" * 256])),
    "handle": st.one_of(mostly_short, st.sampled_from(["coat-1", "coat-2", "new-handle"])),
    "descriptionHtml": tricky_text,
    "vendor": mostly_short,
    "productType": mostly_short,
    "status": st.sampled_from(["ACTIVE", "DRAFT", "ARCHIVED"]),
    "tags": st.one_of(st.lists(st.one_of(st.sampled_from(["wool, warm", "a,b,,c"]), tricky_text), max_size=4),
                      tricky_text),
    "templateSuffix": tricky_text,
    "giftCard": st.booleans(),
    "requiresSellingPlan": st.booleans(),
    "seo": st.fixed_dictionaries({}, optional={"title": tricky_text, "description": tricky_text}),
})
chunks = st.lists(st.builds(lambda product: {"product": product}, updates), min_size=1, max_size=6)
SAME_PRODUCT_TWICE = [
    {"product": {"id": "gid://shopify/Product/1", "title": 'Coat, "warm" 😀', "tags": ["wool, warm"]}},
    {"product": {"id": "gid://shopify/Product/1", "title": "Coat again", "tags": "a, b"}},
    {"product": {"id": "gid://shopify/Product/2", "handle": "coat-1"}},
    {"product": {"id": "gid://shopify/Product/9", "title": "Nowhere"}},
]
"""Always tried: a later line on the same product wins; a taken handle; a product that does not exist."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    for side in (one_by_one, batched):
        side.run(side.executor(CREATE_PLAIN_READS), [{"product": {"title": "Coat"}}] * EXISTING)
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


def test_productUpdate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(UPDATE_EVERY_WRITTEN_FIELD), batched.executor(UPDATE_EVERY_WRITTEN_FIELD)
    assert isinstance(fast, ProductUpdateChunks), "the document should take the batched path"
    written = count_batched_updates(fast)

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(SAME_PRODUCT_TWICE)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert batched.rows() == one_by_one.rows()
    assert written["batched"] >= 40, f"too few updates went through the batched writer: {written}"


def count_batched_updates(executor: ProductUpdateChunks) -> dict[str, int]:
    """How many updates the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    flush = ProductUpdateBatch.flush

    def counted_flush(batch: ProductUpdateBatch, out: list[Any]) -> None:
        written["batched"] += len(batch._rows)
        flush(batch, out)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ProductUpdateBatch, "flush", counted_flush)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    reads_variants = ("mutation u($product: ProductUpdateInput!) { productUpdate(product: $product) "
                      "{ product { id variants(first: 5) { nodes { id } } } userErrors { field message } } }")
    with_media = ("mutation u($product: ProductUpdateInput!, $media: [CreateMediaInput!]) "
                  "{ productUpdate(product: $product, media: $media) { product { id } userErrors { field } } }")

    assert not isinstance(batched.executor(reads_variants), ProductUpdateChunks)
    assert not isinstance(batched.executor(with_media), ProductUpdateChunks)

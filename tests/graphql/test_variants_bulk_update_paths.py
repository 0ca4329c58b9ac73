"""productVariantsBulkUpdate has one set of write rules, whichever way a line is written.

A bulk line updates either one at a time (graphql-core, the resolver, ``update_many`` with a batch of one) or
batched (the compiled plan, ``VariantsUpdateChunks``: the variants' columns written by one executemany per
set of columns, any other line the ordinary way at its turn). Generated lines full of tricky text, on
variants of the named product or of another, on products that exist or not, the same variant several times,
with option values, negative prices and partial updates, must leave the same rows and answer the same result
bytes on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from bulkops.domain.products.variants import VariantsUpdateBatch
from bulkops.graphql.bindings.variants import VariantsUpdateChunks
from tests.graphql.test_compiled_plan import Side
from tests.graphql.test_product_create_paths import mostly_short, tricky_text

UPDATE_EVERY_WRITTEN_FIELD = """
mutation update($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $partial: Boolean) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: $partial) {
    product { id title updatedAt }
    productVariants {
      id title price compareAtPrice sku barcode taxable inventoryPolicy position updatedAt
      selectedOptions { name value } inventoryItem { sku tracked }
    }
    userErrors { field message code }
  }
}
"""
"""Selects every variant column an update writes, so the result bytes show each one."""

SIZES_AND_COLORS = """
mutation set($input: ProductSetInput!) {
  productSet(input: $input, synchronous: true) { product { id } userErrors { field message } }
}
"""
PRODUCTS = 3
VARIANTS_EACH = 3
"""Products 1 to 3 exist with variants S, M, L each (variants 1-3 are product 1's, 4-6 product 2's...)."""

variant_fields = st.fixed_dictionaries({}, optional={
    "price": st.sampled_from(["10.00", "0", "19.99", "12.5", "0.01", "10.00", "-1"]),
    "compareAtPrice": st.sampled_from(["20.00", "5"]),
    "barcode": tricky_text,
    "taxable": st.booleans(),
    "inventoryPolicy": st.sampled_from(["DENY", "CONTINUE"]),
    "inventoryItem": st.fixed_dictionaries({}, optional={
        "tracked": st.booleans(), "sku": mostly_short, "requiresShipping": st.booleans(),
        "cost": st.sampled_from(["1.50", "0"]), "harmonizedSystemCode": tricky_text}),
})
rare_extras = st.integers(0, 39).flatmap(lambda n: st.just({}) if n >= 4 else st.sampled_from([
    {"optionValues": [{"optionName": "Size", "name": "XL, \"wide\" 😀"}]},
    {"optionValues": [{"optionName": "Size", "name": "M"}]},
    {"metafields": [{"namespace": "custom", "key": "fit", "type": "single_line_text_field", "value": "slim"}]},
    {"inventoryQuantities": [{"locationId": "gid://shopify/Location/1", "availableQuantity": 3}]},
]))
"""Now and then, what only the ordinary path takes: option values (one of them taken), metafields, quantities."""


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    """Some of the product's variants (each once); now and then another product's, one that does not exist,
    one without an id, or a product that does not exist."""
    product = draw(st.integers(1, PRODUCTS * 6 + 1).map(lambda n: n if n > PRODUCTS * 6 else 1 + n % PRODUCTS))
    own = [(min(product, PRODUCTS) - 1) * VARIANTS_EACH + n for n in range(1, VARIANTS_EACH + 1)]
    numbers = draw(st.lists(st.sampled_from(own), min_size=1, max_size=VARIANTS_EACH, unique=True))
    if draw(st.integers(0, 7)) == 0:
        numbers.append(draw(st.integers(1, PRODUCTS * VARIANTS_EACH + 2)))
    variants = [{"id": f"gid://shopify/ProductVariant/{n}", **draw(variant_fields), **draw(rare_extras)}
                for n in numbers]
    if draw(st.integers(0, 19)) == 0:
        variants.append(draw(variant_fields))
    line: dict[str, Any] = {"productId": f"gid://shopify/Product/{min(product, PRODUCTS + 1)}", "variants": variants}
    if draw(st.integers(0, 3)) == 0:
        line["partial"] = draw(st.booleans())
    return line


chunks = st.lists(lines(), min_size=1, max_size=6)
SAME_VARIANT_TWICE = [
    {"productId": "gid://shopify/Product/1", "variants": [
        {"id": "gid://shopify/ProductVariant/1", "inventoryItem": {"sku": 'a,"b" 😀'}, "price": "12.50",
         "barcode": ""},
        {"id": "gid://shopify/ProductVariant/2", "inventoryItem": {"tracked": True, "sku": "é, ü"}}]},
    {"productId": "gid://shopify/Product/1", "variants": [{"id": "gid://shopify/ProductVariant/1", "barcode": "x"}]},
    {"productId": "gid://shopify/Product/2", "variants": [{"id": "gid://shopify/ProductVariant/1", "barcode": "y"}]},
    {"productId": "gid://shopify/Product/9", "variants": [{"id": "gid://shopify/ProductVariant/1"}]},
    {"productId": "gid://shopify/Product/2", "variants": [{"id": "gid://shopify/ProductVariant/4", "price": "-1"},
                                                          {"id": "gid://shopify/ProductVariant/5", "price": "3"}],
     "partial": True},
]
"""Always tried: a later line on the same variant wins; another product's variant; a product that does not
exist; a partial update with an error."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    for side in (one_by_one, batched):
        sized_products(side)
        side.runtime.clock.base.advance(60)  # so that the rows an update touches show it
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


def sized_products(side: Side) -> None:
    """Products 1 to 3, each with Size S, M and L (variant ids in that order)."""
    sizes = ["S", "M", "L"]
    side.run(side.executor(SIZES_AND_COLORS), [{"input": {
        "title": f"Coat {n}", "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
        "variants": [{"optionValues": [{"optionName": "Size", "name": s}], "price": "10.00"} for s in sizes],
    }} for n in range(PRODUCTS)])


def test_productVariantsBulkUpdate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(UPDATE_EVERY_WRITTEN_FIELD), batched.executor(UPDATE_EVERY_WRITTEN_FIELD)
    assert isinstance(fast, VariantsUpdateChunks), "the document should take the batched path"
    written = count_batched_lines(fast)

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(SAME_VARIANT_TWICE)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert batched.rows() == one_by_one.rows()
    assert written["batched"] >= 40, f"too few lines went through the batched writer: {written}"


def count_batched_lines(executor: VariantsUpdateChunks) -> dict[str, int]:
    """How many lines the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    flush = VariantsUpdateBatch.flush

    def counted_flush(batch: VariantsUpdateBatch, out: list[Any]) -> None:
        written["batched"] += len(batch._kept)
        flush(batch, out)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(VariantsUpdateBatch, "flush", counted_flush)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


def test_variant_update_documents_the_writer_cannot_shape_with_certainty_run_line_by_line(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    reads_metafields = ("mutation u($productId: ID!, $variants: [ProductVariantsBulkInput!]!) "
                        "{ productVariantsBulkUpdate(productId: $productId, variants: $variants) "
                        "{ productVariants { id metafields(first: 3) { nodes { key } } } userErrors { field } } }")
    with_media = ("mutation u($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $media: [CreateMediaInput!]) "
                  "{ productVariantsBulkUpdate(productId: $productId, variants: $variants, media: $media) "
                  "{ productVariants { id } userErrors { field } } }")

    assert not isinstance(batched.executor(reads_metafields), VariantsUpdateChunks)
    assert not isinstance(batched.executor(with_media), VariantsUpdateChunks)


def test_variants_the_batch_updates_and_their_products_show_the_time_of_the_update(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    fast = batched.executor(UPDATE_EVERY_WRITTEN_FIELD)
    written = count_batched_lines(fast)

    data = batched.run(fast, [{"productId": f"gid://shopify/Product/{n}", "variants": [
        {"id": f"gid://shopify/ProductVariant/{3 * n}", "price": "5.00"}]} for n in (1, 2)])

    answers = [orjson.loads(line)["data"]["productVariantsBulkUpdate"] for line in data.splitlines()]
    assert written["batched"] == 2
    assert [(a["product"]["updatedAt"], [(v["price"], v["updatedAt"]) for v in a["productVariants"]])
            for a in answers] == [("2026-01-01T12:01:00Z", [("5.00", "2026-01-01T12:01:00Z")])] * 2


def test_a_document_that_selects_no_product_answers_the_same_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    document = ("mutation u($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $partial: Boolean) "
                "{ productVariantsBulkUpdate(productId: $productId, variants: $variants, allowPartialUpdates: $partial) "
                "{ productVariants { id price inventoryItem { sku } } userErrors { field message code } } }")
    fast = batched.executor(document)
    assert isinstance(fast, VariantsUpdateChunks)
    written = count_batched_lines(fast)

    assert batched.run(fast, SAME_VARIANT_TWICE) == one_by_one.run(one_by_one.executor(document), SAME_VARIANT_TWICE)
    assert written["batched"] == 2

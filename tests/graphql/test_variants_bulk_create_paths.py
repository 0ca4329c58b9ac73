"""productVariantsBulkCreate has one set of write rules, whichever way a line is written.

A bulk line creates variants either one at a time (graphql-core, the resolver, ``create_many`` with a batch
of one) or batched (the compiled plan, ``VariantsCreateChunks``: new variants of existing option values written
with one INSERT for the chunk, any other line the ordinary way at its turn). Generated lines full of tricky
text, with taken and repeated combinations, new option values, unknown options, ids, the three strategies,
on products with options, without, and missing, must leave the same rows and answer the same result bytes on
both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from bulkops.domain.products.variants import VariantsCreateBatch
from bulkops.graphql.bindings.variants import VariantsCreateChunks
from tests.graphql.test_compiled_plan import Side
from tests.graphql.test_variants_bulk_update_paths import SIZES_AND_COLORS, variant_fields

CREATE_EVERY_WRITTEN_FIELD = """
mutation create($productId: ID!, $variants: [ProductVariantsBulkInput!]!,
                $strategy: ProductVariantsBulkCreateStrategy) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) {
    product { id title updatedAt }
    productVariants {
      id title price compareAtPrice sku barcode taxable inventoryPolicy inventoryQuantity position createdAt
      updatedAt selectedOptions { name value } inventoryItem { sku tracked }
    }
    userErrors { field message code }
  }
}
"""
"""Selects every variant column a create writes, so the result bytes show each one."""

SIZES = ["S", "M", "L, \"XL\""]
COLORS = ["Black", "White", "é", "😀", "a,b", "", " ", "Grey", "Blue", "Navy", "Olive", "Teal", "Red", "Pink", "Tan",
          "Gold"]
WITH_OPTIONS = 8
"""Products 1 to 8 have Size and Color with these values and one variant (the first of each); product 9 has
no options (its standalone "Default Title" variant); product 10 does not exist."""

new_values = st.sampled_from(["XXL", "Red, \"dark\" 😀"])


@st.composite
def variant_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly existing values of both options; now and then a new value, an option missing or unknown, an id,
    metafields."""
    size, color = draw(st.sampled_from(SIZES)), draw(st.sampled_from(COLORS))
    if draw(st.integers(0, 14)) == 0:
        size = draw(new_values)
    values = [{"optionName": "Size", "name": size}, {"optionName": "Color", "name": color}]
    odd = draw(st.integers(0, 39))
    if odd == 0:
        values = values[:1]
    elif odd == 1:
        values = [*values, {"optionName": "Fit", "name": "Slim"}]
    extras: dict[str, Any] = {}
    if odd == 2:
        extras = {"id": "gid://shopify/ProductVariant/1"}
    elif odd == 3:
        extras = {"metafields": [{"namespace": "custom", "key": "fit", "type": "single_line_text_field",
                                  "value": "slim"}]}
    quantities = st.just([{"locationId": "gid://shopify/Location/1", "availableQuantity": 3}])
    more = draw(st.fixed_dictionaries({}, optional={"inventoryQuantities": quantities}))
    return {"optionValues": values, **draw(variant_fields), **more, **extras}


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    product = draw(st.integers(1, WITH_OPTIONS * 4 + 2).map(lambda n: n if n > WITH_OPTIONS * 4 else
                                                            1 + n % WITH_OPTIONS))
    line: dict[str, Any] = {"productId": f"gid://shopify/Product/{min(product, WITH_OPTIONS + 2)}",
                            "variants": draw(st.lists(variant_inputs(), min_size=1, max_size=2))}
    if draw(st.integers(0, 2)) == 0:
        line["strategy"] = draw(st.sampled_from(["DEFAULT", "REMOVE_STANDALONE_VARIANT",
                                                 "PRESERVE_STANDALONE_VARIANT"]))
    return line


chunks = st.lists(lines(), min_size=1, max_size=6)


def sizes_and_colors(size: str, color: str, **fields: Any) -> dict[str, Any]:
    return {"optionValues": [{"optionName": "Size", "name": size}, {"optionName": "Color", "name": color}],
            **fields}


TAKEN_AND_REPEATED = [
    {"productId": "gid://shopify/Product/1", "variants": [sizes_and_colors("M", "😀", price="12.50", barcode=""),
                                                          sizes_and_colors("M", "a,b")]},
    {"productId": "gid://shopify/Product/1", "variants": [sizes_and_colors("M", "😀")]},
    {"productId": "gid://shopify/Product/1", "variants": [sizes_and_colors("L, \"XL\"", "é")]},
    {"productId": "gid://shopify/Product/2", "variants": [sizes_and_colors("S", "White"),
                                                          sizes_and_colors("S", "White")]},
    {"productId": "gid://shopify/Product/3", "variants": [sizes_and_colors("XXL", "Black")]},
    {"productId": "gid://shopify/Product/3", "variants": [sizes_and_colors("M", "Black")],
     "strategy": "REMOVE_STANDALONE_VARIANT"},
]
"""Always tried: a combination taken by an earlier line of the chunk, one repeated within a line, a new option
value, a strategy that removes the standalone variant."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    for side in (one_by_one, batched):
        products_with_and_without_options(side)
        side.runtime.clock.base.advance(60)  # so that the rows a create touches show it
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


def products_with_and_without_options(side: Side) -> None:
    options = [{"name": "Size", "values": [{"name": s} for s in SIZES]},
               {"name": "Color", "values": [{"name": c} for c in COLORS]}]
    lines = [{"input": {"title": f"Coat {n}", "productOptions": options,
                        "variants": [sizes_and_colors(SIZES[0], COLORS[0], price="10.00")]}}
             for n in range(WITH_OPTIONS)]
    side.run(side.executor(SIZES_AND_COLORS), [*lines, {"input": {"title": "Plain"}}])


def test_productVariantsBulkCreate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(CREATE_EVERY_WRITTEN_FIELD), batched.executor(CREATE_EVERY_WRITTEN_FIELD)
    assert isinstance(fast, VariantsCreateChunks), "the document should take the batched path"
    written = count_batched_lines(fast)

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(TAKEN_AND_REPEATED)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert batched.rows() == one_by_one.rows()
    assert written["batched"] >= 25, f"too few lines went through the batched writer: {written}"


def count_batched_lines(executor: VariantsCreateChunks) -> dict[str, int]:
    """How many lines the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    flush = VariantsCreateBatch.flush

    def counted_flush(batch: VariantsCreateBatch, out: list[Any]) -> None:
        written["batched"] += len(batch._kept)
        flush(batch, out)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(VariantsCreateBatch, "flush", counted_flush)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


def test_variant_create_documents_the_writer_cannot_shape_with_certainty_run_line_by_line(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    reads_variants = ("mutation c($productId: ID!, $variants: [ProductVariantsBulkInput!]!) "
                      "{ productVariantsBulkCreate(productId: $productId, variants: $variants) "
                      "{ product { variants(first: 5) { nodes { id } } } userErrors { field } } }")

    assert not isinstance(batched.executor(reads_variants), VariantsCreateChunks)

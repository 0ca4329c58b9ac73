"""productCreate has one set of write rules, whichever way a line is written.

A bulk line is created either one at a time (graphql-core, the resolver, ``create_product``'s statement per
row) or batched (the compiled plan, ``ProductCreateBatch``'s executemany per table). Generated inputs full of
text that has tripped writers before (commas in tags, quotes, backslashes, unicode, emoji, empty and
over-long strings) must leave the same rows and answer the same result bytes on both; ``create_many`` of many
inputs must write what the same inputs one by one write.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from bulkops.domain.products.batch import ProductCreateBatch, create_many
from bulkops.graphql.bindings.products import metafield_spec, new_product
from bulkops.graphql.planner.executor import ProductCreateChunks
from bulkops.protocol.errors import UserErrors
from tests.graphql.test_compiled_plan import Side

CREATE_EVERY_WRITTEN_FIELD = """
mutation call($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product {
      id title handle descriptionHtml vendor productType status tags templateSuffix isGiftCard
      requiresSellingPlan createdAt updatedAt publishedAt seo { title description }
    }
    userErrors { field message }
  }
}
"""
"""Selects every product column a create writes, so the result bytes show each one."""

CREATE_PLAIN_READS = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id handle title tags vendor productType descriptionHtml } userErrors { field message } } }"
)
"""Plain reads of the row: the batched path presents these without present_product."""

short_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("aB ,\"'\\/é日😀<&\t")), max_size=12),
    st.sampled_from(["", " ", "wool, warm", "a,,b", ",", " , ", "\\,", '"', "😀👍🏽"]),
    st.text(max_size=16),
)
long_text = st.sampled_from(["x" * 256, "é" * 300, "😀" * 256, "a, b " * 60])
tricky_text = st.one_of(short_text, long_text)
"""Commas, quotes, backslashes, unicode, emoji, empty strings, strings over 255 characters, any text."""
mostly_short = st.integers(0, 7).flatmap(lambda n: long_text if n == 0 else short_text)
"""For fields with a length limit: over it now and then, so that most inputs can still be created."""

option_names = st.sampled_from(["Size", "Color", "Größe, EU", "😀", "Material \"x\"", "Fit\\", " "])
option_values = st.lists(st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["S", "M", "S, M"]), tricky_text)}),
                         max_size=3)
options = st.lists(st.fixed_dictionaries({"name": option_names}, optional={"values": option_values}), max_size=3)
too_many_options = st.just([{"name": name, "values": [{"name": "S"}]} for name in ("A", "B", "C", "D")])
metafields = st.lists(st.fixed_dictionaries({
    "namespace": st.sampled_from(["custom", "my_fields", "custom", "ab", "bad space"]),
    "key": st.sampled_from(["material", "k", "care_guide"]),
    "type": st.sampled_from(["single_line_text_field", "multi_line_text_field", "number_integer",
                             "list.single_line_text_field", "json", "bogus"]),
    "value": st.one_of(st.sampled_from(["12", "Merino", "", '["a, b", "c"]', '{"k": "v, w"}']), tricky_text),
}), max_size=2)

titles = st.one_of(st.sampled_from(["Coat", "Coat, warm", 'The "best" coat', "C:\\coats\\", "Mañana 😀", "x" * 255,
                                   "   "]), mostly_short)
products = st.fixed_dictionaries({"title": titles}, optional={
    "handle": st.one_of(mostly_short, st.sampled_from(["coat", "Coat One", "!!", "😀"])),
    "descriptionHtml": tricky_text,
    "vendor": mostly_short,
    "productType": mostly_short,
    "status": st.sampled_from(["ACTIVE", "DRAFT", "ARCHIVED"]),
    "tags": st.one_of(st.lists(st.one_of(st.sampled_from(["wool, warm", "a,b,,c", " x ,"]), tricky_text), max_size=4),
                      tricky_text),
    "templateSuffix": tricky_text,
    "giftCard": st.booleans(),
    "requiresSellingPlan": st.booleans(),
    "seo": st.fixed_dictionaries({}, optional={"title": tricky_text, "description": tricky_text}),
    "productOptions": st.integers(0, 9).flatmap(lambda n: too_many_options if n == 0 else options),
    "metafields": metafields,
})
chunks = st.lists(st.fixed_dictionaries({"product": products}), min_size=1, max_size=6)
COMMAS_QUOTES_AND_EMOJI = [
    {"product": {"title": 'Coat, "warm" \\ 😀', "tags": ["wool, warm", "a,,b", ' "q" ,'], "vendor": "",
                 "productOptions": [{"name": "Size, EU", "values": [{"name": "S, M"}, {"name": ""}]}],
                 "metafields": [{"namespace": "custom", "key": "care", "type": "single_line_text_field",
                                 "value": "wash, \"cold\" 😀"}]}},
    {"product": {"title": "é" * 255, "tags": "x, y,", "descriptionHtml": "😀" * 300, "seo": {"title": ""}}},
]
"""Always tried: text every writer must store as given (and tags split on their commas)."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


@pytest.mark.parametrize("document", [CREATE_EVERY_WRITTEN_FIELD, CREATE_PLAIN_READS], ids=["every-field", "plain"])
def test_productCreate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side], document: str) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(document), batched.executor(document)
    assert isinstance(fast, ProductCreateChunks), "the document should take the batched path"
    written = count_batched_products(fast)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(COMMAS_QUOTES_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert batched.rows() == one_by_one.rows()
    assert written["batched"] >= 25, f"too few products went through the batched writer: {written}"


def count_batched_products(executor: ProductCreateChunks) -> dict[str, int]:
    """How many products the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    keep = ProductCreateBatch.keep

    def counted_keep(batch: ProductCreateBatch, pending: Any) -> None:
        written["batched"] += 1
        keep(batch, pending)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ProductCreateBatch, "keep", counted_keep)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


def test_tags_given_with_commas_are_split_on_either_path(one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    line = {"product": {"title": "Coat", "tags": ["wool, warm", "winter", " wool"]}}

    for side in (one_by_one, batched):
        side.run(side.executor(CREATE_PLAIN_READS), [line, line])

    for side in (one_by_one, batched):
        with side.runtime.db.read() as conn:
            stored = [orjson.loads(r.tags) for r in conn.exec_driver_sql("SELECT tags FROM products ORDER BY id")]
        assert stored == [["wool", "warm", "winter"]] * 2


NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture()
def two_shops(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one, many = Side(tmp_path / "one", compiled=False), Side(tmp_path / "many", compiled=False)
    yield one, many
    one.runtime.db.dispose()
    many.runtime.db.dispose()


def test_create_many_answers_and_writes_what_the_same_inputs_one_at_a_time_do(two_shops: tuple[Side, Side]) -> None:
    one, many = two_shops

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    def check(variables: list[Any]) -> None:
        inputs = [new_product(v["product"], [metafield_spec(m) for m in v["product"].get("metafields") or []])
                  for v in variables]
        with one.runtime.db.write() as conn:
            singly = [create_many(conn, one.shop.id, [new], NOW)[0] for new in inputs]
        with many.runtime.db.write() as conn:
            together = create_many(conn, many.shop.id, inputs, NOW)
        assert [answer_of(a) for a in together] == [answer_of(a) for a in singly]

    check()
    assert many.rows() == one.rows()


def answer_of(created: int | UserErrors) -> Any:
    return [(e.field, e.message) for e in created.errors] if isinstance(created, UserErrors) else created

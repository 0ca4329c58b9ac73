"""productSet has one set of write rules, whichever way a line is written.

A bulk line is set either one at a time (graphql-core, the resolver, ``set_many`` with a batch of one) or
batched (the compiled plan, ``ProductSetChunks``: new products written with one executemany per table, any
other line the ordinary way at its turn). Generated lines full of text that has tripped writers before
(commas, quotes, backslashes, unicode, emoji, empty and over-long strings), creating, updating by id and
identifying by handle, must leave the same rows and answer the same result bytes on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bulkops.graphql.planner.executor import ProductSetChunks
from tests.graphql.test_compiled_plan import Side
from tests.graphql.test_product_create_paths import count_batched_products, mostly_short, short_text, tricky_text

SET_EVERY_WRITTEN_FIELD = """
mutation set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product {
      id title handle descriptionHtml vendor productType status tags templateSuffix isGiftCard
      requiresSellingPlan createdAt updatedAt publishedAt seo { title description }
    }
    productSetOperation { id }
    userErrors { field message code }
  }
}
"""
"""Selects every product column a set writes, so the result bytes show each one."""

SET_IDS = ("mutation set($input: ProductSetInput!) { productSet(input: $input) "
           "{ product { id handle } userErrors { field message code } } }")

sizes = st.lists(st.one_of(st.sampled_from(["S", "M", "S, M", "😀"]), short_text), min_size=1, max_size=3,
                 unique=True)
colors = st.lists(st.sampled_from(["Black", "White", 'Off "white"', "é"]), min_size=1, max_size=2, unique=True)
metafields = st.lists(st.fixed_dictionaries({
    "namespace": st.sampled_from(["custom", "my_fields", "custom", "custom", "bad space"]),
    "key": st.sampled_from(["material", "care_guide", "material", "k"]),
    "type": st.sampled_from(["single_line_text_field", "multi_line_text_field", "single_line_text_field",
                             "single_line_text_field", "number_integer", "json"]),
    "value": st.one_of(st.sampled_from(["12", "Merino", "", '{"k": "v, w"}']), tricky_text),
}), max_size=2)
variant_extras = st.fixed_dictionaries({}, optional={
    "price": st.sampled_from(["10.00", "0", "19.99", "12.5", "-1", "abc"]),
    "compareAtPrice": st.sampled_from(["20.00", "5"]),
    "sku": mostly_short,
    "barcode": short_text,
    "taxable": st.booleans(),
    "inventoryPolicy": st.sampled_from(["DENY", "CONTINUE"]),
    "inventoryItem": st.fixed_dictionaries({}, optional={"tracked": st.booleans(), "sku": short_text}),
    "inventoryQuantities": st.just([{"locationId": "gid://shopify/Location/1", "name": "available",
                                     "quantity": 4}]),
})


@st.composite
def product_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A ProductSetInput: options and a (sometimes incomplete or repeated) variant list over them."""
    product: dict[str, Any] = draw(st.fixed_dictionaries({"title": st.one_of(mostly_short, st.just("Coat"))},
                                                         optional={
        "handle": st.one_of(mostly_short, st.sampled_from(["coat", "Coat One"])),
        "descriptionHtml": tricky_text, "vendor": mostly_short, "productType": mostly_short,
        "status": st.sampled_from(["ACTIVE", "DRAFT", "ARCHIVED"]),
        "tags": st.one_of(st.lists(tricky_text, max_size=3), tricky_text),
        "templateSuffix": tricky_text, "giftCard": st.booleans(), "requiresSellingPlan": st.booleans(),
        "seo": st.fixed_dictionaries({}, optional={"title": tricky_text, "description": tricky_text}),
        "metafields": metafields,
    }))
    shape = draw(st.sampled_from(["options-and-variants", "options-and-variants", "options-only", "plain",
                                  "variants-without-options"]))
    size_values, color_values = draw(sizes), draw(colors)
    options = [{"name": "Size", "values": [{"name": v} for v in size_values]},
               {"name": "Color", "values": [{"name": v} for v in color_values]}]
    combos = [(s, c) for s in size_values for c in color_values]
    chosen = draw(st.lists(st.sampled_from(combos), min_size=1, max_size=4, unique=True))
    if draw(st.integers(0, 9)) == 0:
        chosen.append(chosen[0])  # a combination given twice: an error
    variants = [{"optionValues": [{"optionName": "Size", "name": s}, {"optionName": "Color", "name": c}],
                 **draw(variant_extras)} for s, c in chosen]
    if draw(st.integers(0, 9)) == 0:
        variants[0]["metafields"] = [{"namespace": "custom", "key": "fit", "type": "single_line_text_field",
                                      "value": "slim"}]
    if shape != "plain" and shape != "variants-without-options":
        product["productOptions"] = options
    if shape in ("options-and-variants", "variants-without-options"):
        product["variants"] = variants
    return product


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    """A productSet line: a create, an update by id (of a product that may exist), identified by handle, or
    with an identifier that is not exactly one of its fields."""
    product = draw(product_inputs())
    how = draw(st.sampled_from(["create"] * 6 + ["by-id", "by-handle", "not-one-of"]))
    if how == "by-id":
        return {"input": {**product, "id": f"gid://shopify/Product/{draw(st.integers(1, 6))}"}}
    if how == "not-one-of":  # ProductSetIdentifiers is @oneOf: graphql-core refuses these
        return {"input": product, "identifier": draw(st.sampled_from([
            {}, {"handle": None}, {"handle": "coat", "id": "gid://shopify/Product/1"}]))}
    if how == "by-handle":
        return {"input": product, "identifier": {"handle": draw(st.sampled_from(["coat", "coat-1", "new-one"]))}}
    return {"input": product}


chunks = st.lists(lines(), min_size=1, max_size=6)
COMMAS_QUOTES_AND_EMOJI = [
    {"input": {"title": 'Coat, "warm" \\ 😀', "tags": ["wool, warm", "a,,b"], "vendor": "",
               "productOptions": [{"name": "Size, EU", "values": [{"name": "S, M"}, {"name": "😀"}]},
                                  {"name": "Color", "values": [{"name": "Black"}]}],
               "variants": [{"optionValues": [{"optionName": "Size, EU", "name": "S, M"},
                                              {"optionName": "Color", "name": "Black"}], "sku": "a,\"b\"",
                             "price": "12.50", "inventoryItem": {"tracked": True}},
                            {"optionValues": [{"optionName": "Size, EU", "name": "😀"},
                                              {"optionName": "Color", "name": "Black"}], "barcode": ""}],
               "metafields": [{"namespace": "custom", "key": "care", "type": "single_line_text_field",
                               "value": "wash, \"cold\" 😀"},
                              {"namespace": "custom", "key": "material", "type": "json", "value": '{"a": "b, c"}'}]}},
    {"input": {"title": "é" * 255, "handle": "coat", "descriptionHtml": "😀" * 300}},
    {"input": {"title": "Coat again"}, "identifier": {"handle": "coat"}},
    {"input": {"title": "New", "productOptions": [{"name": "Size", "values": [{"name": "S"}]}]},
     "identifier": {"handle": "new-one"}},
]
"""Always tried: text every writer must store as given; a handle identifying the product just created."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


def test_productSet_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(SET_EVERY_WRITTEN_FIELD), batched.executor(SET_EVERY_WRITTEN_FIELD)
    assert isinstance(fast, ProductSetChunks), "the document should take the batched path"
    written = count_batched_products(fast)

    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(COMMAS_QUOTES_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert batched.rows() == one_by_one.rows()
    assert written["batched"] >= 25, f"too few products went through the batched writer: {written}"


def test_a_product_with_three_variants_two_options_and_two_metafields_is_written_by_the_batch(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    executor = batched.executor(SET_IDS)
    written = count_batched_products(executor)
    line = {"input": {
        "title": "Tee", "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]},
                                           {"name": "Color", "values": [{"name": "Red"}, {"name": "Blue"}]}],
        "variants": [{"optionValues": [{"optionName": "Size", "name": s}, {"optionName": "Color", "name": c}],
                      "price": "9.99", "sku": f"TEE-{s}-{c}"} for s, c in (("S", "Red"), ("M", "Red"), ("M", "Blue"))],
        "metafields": [{"namespace": "custom", "key": key, "type": "single_line_text_field", "value": "x"}
                       for key in ("material", "care")]}}

    batched.run(executor, [line, {"input": {**line["input"], "title": "Tee 2"}}])

    assert written["batched"] == 2
    products, options, variants, owned, _ = batched.rows()
    assert [(p.id, p.handle) for p in products] == [(1, "tee"), (2, "tee-2")]
    assert [(v.product_id, v.title, v.sku, v.position) for v in variants] == [
        (1, "S / Red", "TEE-S-Red", 1), (1, "M / Red", "TEE-M-Red", 2), (1, "M / Blue", "TEE-M-Blue", 3),
        (2, "S / Red", "TEE-S-Red", 1), (2, "M / Red", "TEE-M-Red", 2), (2, "M / Blue", "TEE-M-Blue", 3)]
    assert [(o.product_id, o.name) for o in options] == [(1, "Size"), (1, "Color"), (2, "Size"), (2, "Color")]
    assert [(m.owner_id, m.key) for m in owned] == [(1, "material"), (1, "care"), (2, "material"), (2, "care")]


def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line(
        one_by_one_and_batched: tuple[Side, Side]) -> None:
    _, batched = one_by_one_and_batched
    reads_variants = ("mutation set($input: ProductSetInput!) { productSet(input: $input) "
                      "{ product { id variants(first: 5) { nodes { id } } } userErrors { field message } } }")
    constant_input = ('mutation { productSet(input: {title: "Coat"}) { product { id } userErrors { field } } }')

    assert not isinstance(batched.executor(reads_variants), ProductSetChunks)
    assert not isinstance(batched.executor(constant_input), ProductSetChunks)

"""metafieldsSet has one set of write rules, whichever way a line is written.

A bulk line is set either one at a time (graphql-core, the resolver, ``set_many`` of one call) or batched
(``MetafieldsSetChunks``: the chunk's calls checked against owners and metafields read once, written with one
INSERT and one UPDATE per flush). Generated calls full of text that has tripped writers before (commas, quotes,
backslashes, unicode, emoji, empty and over-long strings), keys set twice in a call and in a chunk, stale and
malformed digests, owners that do not exist and malformed ids must leave the same rows and answer the same
result bytes on both; ``set_many`` of many calls must write what the same calls one by one write.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select

from bulkops.db.tables import metafields
from bulkops.domain.metafields.rules import NOT_GIVEN, MetafieldInput, compare_digest, set_many
from bulkops.graphql.bindings.metafields import MetafieldsSetChunks
from bulkops.graphql.schema import schema_for_version
from bulkops.protocol.errors import UserErrors
from tests.graphql.test_compiled_plan import VERSION, Side
from tests.graphql.test_customer_create_paths import tricky_text, writer_for
from tests.graphql.written_runs import count_written_lines, one_by_one_and_batched_sides

SET_EVERY_FIELD = """
mutation set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id legacyResourceId namespace key value type jsonValue compareDigest ownerType createdAt updatedAt
                 description __typename }
    userErrors { field message code elementIndex }
  }
}
"""
SET_ID_ONLY = ("mutation set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) "
               "{ metafields { id } userErrors { field message code } } }")

SEED = [
    ("mutation c($p: ProductCreateInput!) { productCreate(product: $p) { product { id } } }",
     [{"p": {"title": f"Board {n}"}} for n in range(3)]),
    ("mutation c($input: CustomerInput!) { customerCreate(input: $input) { customer { id } } }",
     [{"input": {"email": f"owner{n}@example.com"}} for n in range(2)]),
    ("mutation c($input: CollectionInput!) { collectionCreate(input: $input) { collection { id } } }",
     [{"input": {"title": "Boards"}}]),
]
"""Owners both databases get, in the same order (so with the same ids): 3 products with their variants, 2
customers, 1 collection, and the shop."""

owners = st.sampled_from([
    "gid://shopify/Product/1", "gid://shopify/Product/2", "gid://shopify/Product/3", "gid://shopify/ProductVariant/1",
    "gid://shopify/ProductVariant/3", "gid://shopify/Customer/1", "gid://shopify/Customer/2",
    "gid://shopify/Collection/1", "gid://shopify/Shop/1", "gid://shopify/Product/99", "gid://shopify/Order/1",
    "gid://shopify/Thing/1",
])
namespaces = st.one_of(st.sampled_from(["custom", "my_fields", "specs-2", "ab", "bad ns!", "n" * 256]), st.none())
keys = st.sampled_from(["color", "size", "material", "length", "a", "k" * 65, "ünï", "with space"])
text_values = st.fixed_dictionaries({"value": tricky_text, "type": st.sampled_from(
    ["single_line_text_field", "multi_line_text_field"])})
typed_values = st.sampled_from([
    {"value": "12", "type": "number_integer"}, {"value": "1.5", "type": "number_integer"},
    {"value": "true", "type": "boolean"}, {"value": '{"a": [1, "b, c"]}', "type": "json"},
    {"value": '["x", "y"]', "type": "list.single_line_text_field"}, {"value": "{", "type": "json"},
    {"value": "gid://shopify/Product/2", "type": "product_reference"},
    {"value": "gid://shopify/Product/98", "type": "product_reference"}, {"value": "x", "type": "bogus"},
    {"value": "no type given"}, {"value": "", "type": "single_line_text_field"},
])
digests = st.one_of(st.none(), st.sampled_from(["nope", "0" * 64]),
                    st.builds(lambda v: compare_digest("single_line_text_field", v), st.sampled_from(["", "a", "x"])))
metafield_inputs = st.builds(
    lambda owner, namespace, key, value, digest: {
        "ownerId": owner, "key": key, **value, **({} if namespace is None else {"namespace": namespace}),
        **({} if digest == "omit" else {"compareDigest": digest})},
    owners, namespaces, keys, st.one_of(text_values, text_values, typed_values),
    st.one_of(st.just("omit"), st.just("omit"), st.just("omit"), digests))
calls = st.one_of(st.lists(metafield_inputs, min_size=1, max_size=4), st.lists(metafield_inputs, min_size=26,
                                                                               max_size=26))
lines = st.lists(st.one_of(st.fixed_dictionaries({"metafields": calls}), calls.map(lambda c: {"metafields": c}),
                           st.sampled_from([{"metafields": [{"ownerId": "not-a-gid", "key": "color", "value": "x"}]},
                                            {"metafields": [{"key": "color", "value": "x"}]}])),
               min_size=1, max_size=6)

COMMAS_QUOTES_AND_EMOJI = [
    {"metafields": [
        {"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "color", "value": 'Red, "dark" \\ 😀',
         "type": "single_line_text_field"},
        {"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "color", "value": "é" * 300,
         "type": "multi_line_text_field"},
        {"ownerId": "gid://shopify/Customer/1", "key": "notes", "value": "a, b\nc 👍🏽", "type": "multi_line_text_field"},
        {"ownerId": "gid://shopify/Shop/1", "namespace": "my_fields", "key": "motto", "value": "日本, ok",
         "type": "single_line_text_field"}]},
    {"metafields": [{"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "color", "value": "blue",
                     "compareDigest": None}]},
    {"metafields": [{"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "color", "value": "green",
                     "compareDigest": compare_digest("multi_line_text_field", "é" * 300)}]},
    {"metafields": [{"ownerId": "gid://shopify/Product/abc", "key": "color", "value": "x", "type": "boolean"}]},
    {"metafields": [{"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "color", "value": ""}]},
    {"metafields": [{"ownerId": "gid://shopify/ProductVariant/1", "namespace": "custom", "key": "size",
                     "value": "gid://shopify/Product/2", "type": "product_reference"}]},
]
"""Always tried: text stored as given, a key set twice in a call and then again in later lines (with a digest
of the value before), a malformed owner id (a top-level error), an update without its type."""


def seeded(data_dir: Path, compiled: bool, database_url: str | None = None) -> Side:
    side = Side(data_dir, compiled=compiled, database_url=database_url)
    for document, variables in SEED:
        side.run(side.executor(document), variables)
    return side


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    with one_by_one_and_batched_sides(tmp_path, seeded) as sides:
        yield sides


@pytest.mark.parametrize("document", [SET_EVERY_FIELD, SET_ID_ONLY], ids=["every-field", "id"])
def test_metafieldsSet_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side], document: str) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(document), batched.executor(document)
    assert isinstance(fast, MetafieldsSetChunks), "the document should take the batched path"
    written = count_written_lines(fast)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(lines)
    @example(COMMAS_QUOTES_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert metafield_rows(batched) == metafield_rows(one_by_one)
    assert written["lines"] >= 40, f"too few lines went through the batched writer: {written}"



def metafield_rows(side: Side) -> list[list[Any]]:
    with side.runtime.db.read() as conn:
        return [list(row) for row in conn.exec_driver_sql("SELECT * FROM metafields ORDER BY id")]


def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line() -> None:
    schema = schema_for_version(VERSION)
    with_owner = ("mutation s($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) "
                  "{ metafields { id owner { id } } userErrors { field } } }")
    constant = ('mutation { metafieldsSet(metafields: [{ownerId: "gid://shopify/Product/1", key: "ab", value: "x"}]) '
                "{ userErrors { field } } }")
    assert writer_for(schema, SET_ID_ONLY) is writer_for(schema, SET_EVERY_FIELD) is MetafieldsSetChunks
    assert writer_for(schema, with_owner) is None
    assert writer_for(schema, constant) is None


NOW = datetime(2026, 12, 3, 12, 0)
"""Naive UTC, as the clocks give it (bulkops.clock)."""


def test_set_many_answers_and_writes_what_the_same_calls_one_at_a_time_do(tmp_path: Path) -> None:
    one, many = seeded(tmp_path / "one", False), seeded(tmp_path / "many", False)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.lists(metafield_inputs, min_size=1, max_size=4), min_size=1, max_size=6))
    def check(raw_calls: list[list[dict[str, Any]]]) -> None:
        inputs = [[domain_input(m) for m in call] for call in raw_calls]
        with one.runtime.db.write() as conn:
            singly = [answer_as_stored(conn, set_many(conn, one.shop.id, [call], NOW)[0]) for call in inputs]
        with many.runtime.db.write() as conn:
            together = [answer_of(a) for a in set_many(conn, many.shop.id, inputs, NOW)]
        assert together == singly

    try:
        check()
        assert metafield_rows(many) == metafield_rows(one)
    finally:
        one.runtime.db.dispose()
        many.runtime.db.dispose()


def domain_input(raw: dict[str, Any]) -> MetafieldInput:
    owner_type, number = raw["ownerId"].split("/")[-2:]
    return MetafieldInput(owner_type, int(number), raw.get("namespace"), raw["key"], raw["value"], raw.get("type"),
                          raw["compareDigest"] if "compareDigest" in raw else NOT_GIVEN)


def answer_as_stored(conn: Connection, answer: list[Any] | UserErrors) -> Any:
    """The answer, checked to be the rows as the database holds them right after the call."""
    if not isinstance(answer, UserErrors):
        stored = {row.id: tuple(row) for row in conn.execute(select(metafields).where(
            metafields.c.id.in_([row.id for row in answer])))}
        assert [tuple(row) for row in answer] == [stored[row.id] for row in answer]
    return answer_of(answer)


def answer_of(answer: list[Any] | UserErrors) -> Any:
    if isinstance(answer, UserErrors):
        return [e.as_dict() for e in answer.errors]
    return [tuple(row) for row in answer]

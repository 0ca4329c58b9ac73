"""A compiled bulk plan answers every line with exactly the bytes graphql-core would, and writes the same rows.

Two databases start identical; the same generated lines run through the importer with graphql-core in one
and with the compiled plan in the other. Valid lines, invalid ones (which the plan hands to graphql-core)
and lines the resolver rejects must all come out byte-for-byte the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkops.app.bootstrap import build_runtime
from bulkops.app.deployment import secret_box
from bulkops.clock import FrozenClock
from bulkops.config import Settings
from bulkops.domain.publications.rules import ONLINE_STORE, set_auto_publish, shop_publications
from bulkops.domain.shops.rules import create_shop
from bulkops.engine import operations as ops
from bulkops.engine.importer import Batch, run_batch
from bulkops.engine.runtime import Runtime
from bulkops.graphql.execution import line_executor_factory, prepare
from bulkops.graphql.planner import executor as plan_executor
from bulkops.graphql.planner.executor import PlanExecutor, ProductCreateChunks
from bulkops.graphql.planner.mutation_plan import compile_plan
from bulkops.graphql.schema import schema_for_version

VERSION = "2026-10"

CREATE_PRODUCT = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title handle } userErrors { field message } } }"
)

CREATE_PRODUCT_WIDE = """
mutation call($product: ProductCreateInput!) {
  made: productCreate(product: $product) {
    __typename
    product {
      ...Core
      handle
      short: description(truncateAt: 4)
      descriptionHtml
      tags
      status
      createdAt
      options { name values }
      variants(first: 3) { nodes { title price selectedOptions { name value } } }
    }
    userErrors { field message }
    problems: userErrors { message }
  }
}
fragment Core on Product { id title vendor ... on Product { productType } }
"""

CREATE_PRODUCT_TIMESTAMPS = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id handle createdAt publishedAt tags isGiftCard } userErrors { field message } } }"
)
"""Batched, but presented by present_product (timestamps are no plain reads of the row)."""

CREATE_PRODUCT_LEGACY_INPUT = (
    "mutation call($input: ProductInput!) { productCreate(input: $input) "
    "{ product { id title vendor } userErrors { field message } } }"
)

texts = st.text(alphabet="abcAB -é<&/", max_size=8)
well_typed_products = st.fixed_dictionaries({}, optional={
    "title": st.one_of(texts, st.just("   "), st.none()),
    "handle": st.one_of(st.sampled_from(["board", "Board One", "ünï", "!!", ""]), st.none()),
    "vendor": st.one_of(texts, st.just("v" * 256)),
    "productType": texts,
    "status": st.sampled_from(["ACTIVE", "DRAFT", "ARCHIVED"]),
    "tags": st.one_of(st.lists(texts, max_size=3), texts),
    "descriptionHtml": st.one_of(texts, st.just("<p>Hello & <b>bye</b></p>")),
    "giftCard": st.booleans(),
    "seo": st.fixed_dictionaries({}, optional={"title": texts, "description": texts}),
    "productOptions": st.lists(st.fixed_dictionaries(
        {"name": st.sampled_from(["Size", "Color", ""])},
        optional={"values": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["S", "M", "Black"])}),
                                     max_size=3)}), max_size=4),
    "metafields": st.lists(st.fixed_dictionaries({
        "namespace": st.sampled_from(["custom", "ab", "my_fields"]),
        "key": st.sampled_from(["material", "k", "warranty"]),
        "type": st.sampled_from(["single_line_text_field", "number_integer", "bogus"]),
        "value": st.sampled_from(["12", "Merino", ""]),
    }), max_size=3),
})
"""Inputs graphql-core accepts (the resolver may still answer userErrors): these run through the plan."""

ill_typed_products = st.one_of(*(well_typed_products.map(lambda p, k=k, v=v: {**p, k: v}) for k, v in (
    ("title", 3), ("status", "archived"), ("tags", [1]), ("giftCard", 1), ("seo", {"bogus": 1}),
    ("notAField", 1), ("productOptions", [{"values": []}]),
)))
"""Inputs graphql-core rejects: the plan must hand them over, so the error is graphql-core's."""

line_variables = st.one_of(
    st.fixed_dictionaries({"product": well_typed_products}),
    st.fixed_dictionaries({"product": well_typed_products}),
    st.fixed_dictionaries({"input": well_typed_products}),
    st.fixed_dictionaries({"product": ill_typed_products}),
    st.fixed_dictionaries({"input": ill_typed_products}),
    st.sampled_from([{}, {"product": None}, {"product": "a string"}, {"product": {}, "extra": 1}]),
)
lines = st.lists(line_variables, min_size=1, max_size=6)


class Side:
    """A runtime with its own database, a shop, and an operation whose lines it runs."""

    def __init__(self, data_dir: Path, compiled: bool, helpers: bool = False, database_url: str | None = None) -> None:
        settings = Settings(data_dir=data_dir, helper_processes=1 if helpers else 0, helper_min_input_bytes=0,
                            database_url=database_url)
        self.runtime: Runtime = build_runtime(settings, clock=FrozenClock())
        self.compiled = compiled
        if self.runtime.helpers is not None:
            self.runtime.helpers.start()
            self.runtime.helpers.submit(int).result()  # warm: from now on the executor waits for the helper
        with self.runtime.db.write() as conn:
            self.shop = create_shop(conn, "plan-diff", self.runtime.clock.now(), secret_box(settings))
            for publication in shop_publications(conn, self.shop.id):
                if publication.name == ONLINE_STORE:  # new products then get published, as shops usually do
                    set_auto_publish(conn, publication.id, True)
        self.chunks = 0

    def executor(self, document: str) -> Any:
        with self.runtime.db.write() as conn:
            op = ops.insert_operation(
                conn, shop_id=self.shop.id, type="MUTATION", status="RUNNING", query=document,
                client_identifier=None, group_objects=False, api_version=VERSION, staged_upload_path="tmp/x",
                input_size=1, created_at=self.runtime.clock.now())
        self.op_id = op.id
        return line_executor_factory(self.runtime, compiled=self.compiled)(op, self.runtime.engine.helpers_for(op))

    def run(self, executor: Any, variables: list[Any]) -> bytes:
        batch = Batch(0, [(n, orjson.dumps(v) + b"\n") for n, v in enumerate(variables)], 0)
        if hasattr(executor, "look_ahead"):  # as the engine does, one chunk before running it
            executor.look_ahead([raw for _, raw in batch.lines])
        with self.runtime.db.write() as conn:
            data, _ = run_batch(conn, executor, batch, self.shop.id, self.op_id, self.chunks)
        self.chunks += 1
        return data

    def rows(self) -> list[list[Any]]:
        """Every row as stored (the driver's values, before any type processing)."""
        tables = {"products": "id", "product_options": "id", "product_variants": "id", "metafields": "id",
                  "resource_publications": "publication_id, resource_type, resource_id"}
        with self.runtime.db.read() as conn:
            return [list(conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY {order}"))
                    for table, order in tables.items()]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Side, Side]]:
    graphql_core = Side(tmp_path_factory.mktemp("graphql-core"), compiled=False)
    plan = Side(tmp_path_factory.mktemp("plan"), compiled=True)
    yield graphql_core, plan
    graphql_core.runtime.db.dispose()
    plan.runtime.db.dispose()


@pytest.fixture()
def with_helper(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    """graphql-core on one side; on the other, the plan with its lines checked in a helper process."""
    graphql_core = Side(tmp_path / "graphql-core", compiled=False)
    helped = Side(tmp_path / "helped", compiled=True, helpers=True)
    yield graphql_core, helped
    assert helped.runtime.helpers is not None
    helped.runtime.helpers.stop()
    graphql_core.runtime.db.dispose()
    helped.runtime.db.dispose()


@pytest.mark.parametrize("document", [CREATE_PRODUCT, CREATE_PRODUCT_WIDE, CREATE_PRODUCT_LEGACY_INPUT,
                                      CREATE_PRODUCT_TIMESTAMPS],
                         ids=["plain", "aliases-fragments-nested", "legacy-input", "timestamps"])
def test_the_plan_writes_the_same_result_bytes_and_rows_as_graphql_core(sides: tuple[Side, Side],
                                                                         document: str) -> None:
    reference, compiled = sides
    slow, fast = reference.executor(document), compiled.executor(document)
    assert isinstance(fast, PlanExecutor), "the document should compile to a plan"
    counts = {"lines": 0, "graphql-core": 0}
    fallback = fast.slow

    def counted_fallback(conn: Any, variables: Any) -> Any:
        counts["graphql-core"] += 1
        return fallback(conn, variables)

    fast.slow = counted_fallback

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(lines)
    def check(variables: list[Any]) -> None:
        if "$input" in document:
            variables = [{"input" if k == "product" else k: v for k, v in line.items()} for line in variables]
        counts["lines"] += len(variables)
        assert compiled.run(fast, variables) == reference.run(slow, variables)

    check()
    assert compiled.rows() == reference.rows()
    assert counts["lines"] - counts["graphql-core"] >= 5, f"too few lines went through the plan: {counts}"


def test_a_valid_line_runs_through_the_plan_and_an_invalid_one_through_graphql_core(sides: tuple[Side, Side]
                                                                                      ) -> None:
    _, compiled = sides
    executor = compiled.executor(CREATE_PRODUCT)
    fallbacks: list[Any] = []
    slow = executor.slow
    executor.slow = lambda conn, variables: fallbacks.append(variables) or slow(conn, variables)

    valid = compiled.run(executor, [{"product": {"title": "Plan board", "tags": ["a"]}}])
    invalid = compiled.run(executor, [{"product": {"title": 5}}])

    assert fallbacks == [{"product": {"title": 5}}]
    assert orjson.loads(valid)["data"]["productCreate"]["product"]["title"] == "Plan board"
    assert orjson.loads(invalid)["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def test_documents_outside_the_planned_shapes_are_left_to_graphql_core() -> None:
    schema = schema_for_version(VERSION)
    unplanned = {
        "a directive": "mutation call($p: ProductCreateInput!, $s: Boolean!) { productCreate(product: $p) "
                       "{ product @include(if: $s) { id } } }",
        "a variable default": "mutation call($p: ProductCreateInput = {title: \"x\"}) { productCreate(product: $p) "
                              "{ product { id } } }",
        "an abstract type": "mutation call($p: ProductCreateInput!) { productCreate(product: $p) "
                            "{ product { id } userErrors { ... on UserError { message } } } }",
    }
    planned = prepare(schema, CREATE_PRODUCT)
    assert compile_plan(schema, planned.document, planned.operation) is not None
    for reason, text in unplanned.items():
        prepared = prepare(schema, text)
        assert not prepared.errors, reason
        plan = compile_plan(schema, prepared.document, prepared.operation)
        if reason == "an abstract type":
            assert plan is not None  # a fragment on the field's own object type is fine
        else:
            assert plan is None, reason


def test_a_chunk_of_valid_productCreate_lines_is_written_without_the_per_line_path(tmp_path: Path) -> None:
    reference, compiled = Side(tmp_path / "graphql-core", compiled=False), Side(tmp_path / "plan", compiled=True)
    executor = compiled.executor(CREATE_PRODUCT)
    assert isinstance(executor, ProductCreateChunks)
    per_line: list[Any] = []
    run_chunk = executor.run_chunk
    executor.run_chunk = lambda conn, raws, run_line: run_chunk(  # type: ignore[method-assign]
        conn, raws, lambda raw: per_line.append(raw) or run_line(raw))
    variables = [{"product": {"title": "Chunk board", "metafields": [
        {"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "Wood"}]}}] * 3

    data = compiled.run(executor, [*variables, {"product": {"title": ""}}])

    assert len(per_line) == 1, "only the line answering userErrors should take the per-line path"
    handles = [orjson.loads(line)["data"]["productCreate"]["product"]["handle"] for line in data.splitlines()[:3]]
    assert handles[1:] == [f"{handles[0]}-1", f"{handles[0]}-2"]
    assert data == reference.run(reference.executor(CREATE_PRODUCT), [*variables, {"product": {"title": ""}}])


HANDLE_CLASHES = [
    [{"product": {"title": "Board", "handle": "board"}}, {"product": {"title": "Other", "handle": "Board"}}],
    [{"product": {"title": "Board"}}, {"product": {"title": "Board"}}, {"product": {"title": "Board", "handle": "board-1"}}],
    [{"product": {"title": "Board", "handle": "board-2"}}, {"product": {"title": "Board"}}, {"product": {"title": ""}},
     {"product": {"title": "Board"}}, {"product": {"title": "Board", "handle": "board"}}],
]


def test_handles_taken_earlier_in_the_chunk_or_in_an_earlier_chunk_answer_as_graphql_core_does(tmp_path: Path
                                                                                                 ) -> None:
    reference, compiled = Side(tmp_path / "graphql-core", compiled=False), Side(tmp_path / "plan", compiled=True)
    slow, fast = reference.executor(CREATE_PRODUCT), compiled.executor(CREATE_PRODUCT)
    for chunk in [*HANDLE_CLASHES, *HANDLE_CLASHES]:
        assert compiled.run(fast, chunk) == reference.run(slow, chunk)
    assert compiled.rows() == reference.rows()


def test_lines_checked_in_a_helper_process_write_the_same_result_bytes_and_rows(with_helper: tuple[Side, Side]
                                                                                ) -> None:
    reference, helped = with_helper
    for document in (CREATE_PRODUCT, CREATE_PRODUCT_TIMESTAMPS):
        slow, fast = reference.executor(document), helped.executor(document)
        assert isinstance(fast, ProductCreateChunks) and fast.elsewhere is not None
        check_helped_lines(reference, helped, slow, fast)
    assert helped.rows() == reference.rows()


def check_helped_lines(reference: Side, helped: Side, slow: Any, fast: ProductCreateChunks) -> None:
    chunks = 0

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(lines)
    def check(variables: list[Any]) -> None:
        nonlocal chunks
        chunks += 1
        assert helped.run(fast, variables) == reference.run(slow, variables)

    check()
    for chunk in HANDLE_CLASHES:
        chunks += 1
        assert helped.run(fast, chunk) == reference.run(slow, chunk)
    assert (fast.chunks_checked_elsewhere, fast.chunks_checked_here) == (chunks, 0)


def test_a_helper_that_does_not_answer_is_given_up_on_and_the_lines_are_checked_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference, compiled = Side(tmp_path / "graphql-core", compiled=False), Side(tmp_path / "plan", compiled=True)
    executor = compiled.executor(CREATE_PRODUCT)
    assert isinstance(executor, ProductCreateChunks)

    class Silent:
        ready, processes = True, 1

        def submit(self, lines: list[bytes]) -> Future[Any]:
            return Future()  # never answered

    executor.elsewhere = Silent()
    monkeypatch.setattr(plan_executor, "HELPER_PATIENCE_S", 0.05)
    variables = [{"product": {"title": f"Patient {i}"}} for i in range(3)]

    assert compiled.run(executor, variables) == reference.run(reference.executor(CREATE_PRODUCT), variables)
    assert executor.elsewhere is None and executor.chunks_checked_here == 1

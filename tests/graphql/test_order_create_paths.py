"""orderCreate has one set of write rules, whichever way a line is written.

A bulk line is created either one at a time (graphql-core, the resolver, ``create_many`` of one input) or
batched (``OrderCreateChunks``: ``OrderBatch`` writing the chunk's orders with one statement per table).
Generated orders (good and bad lines, tricky text, customers associated, created and found again by email,
lines that must run the ordinary way) must leave the same rows and answer the same result bytes on both, and
``create_many`` of many inputs must write what the same inputs one by one write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from bulkops.domain.orders.batch import OrderBatch, create_many
from bulkops.graphql.bindings.orders import OrderCreateChunks, order_input
from bulkops.protocol.errors import UserErrors
from tests.graphql import test_customer_create_paths as customer_paths
from tests.graphql.test_compiled_plan import VERSION, Side
from tests.graphql.test_customer_create_paths import tricky_text, writer_for

one_by_one_and_batched = customer_paths.one_by_one_and_batched
two_shops = customer_paths.two_shops
"""The customer paths' fixtures: two runtimes, one writing line by line, the other batched (or both by rules)."""

CREATE_WITH_CHILDREN = """
mutation call($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order {
      id legacyResourceId name number email phone note tags poNumber sourceName processedAt createdAt
      displayFinancialStatus displayFulfillmentStatus discountCodes subtotalLineItemsQuantity totalWeight
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } } totalReceivedSet { shopMoney { amount } }
      taxLines { title rate priceSet { shopMoney { amount } } } customAttributes { key value }
      billingAddress { address1 city countryCodeV2 formatted }
      lineItems(first: 5) { nodes { id name quantity sku originalTotalSet { shopMoney { amount } } } }
      shippingLine { title } transactions { kind status amountSet { shopMoney { amount } } }
      fulfillments { name status }
    }
    userErrors { field message code }
  }
}
"""
"""Every column an order writes, with its children: the result bytes show each."""
CREATE_ID_ONLY = ("mutation call($order: OrderCreateOrderInput!) { orderCreate(order: $order) "
                  "{ order { id } userErrors { field message code } } }")


def usd(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Good values four times in five: enough lines pass for the batch to write many orders."""
    return st.integers(0, 4).flatmap(lambda n: bad if n == 0 else good)


amounts = mostly(st.sampled_from(["0", "5", "10.50", "0.005", "1e3", "99999.99"]), st.sampled_from(["-1", "abc"]))
rates = mostly(st.sampled_from([0.05, 0.2, "0.125"]), st.sampled_from(["", "x"]))
tax_lines = st.lists(st.fixed_dictionaries({"title": tricky_text, "rate": rates}), max_size=2)
custom_item = st.fixed_dictionaries({
    "quantity": mostly(st.integers(1, 3), st.integers(-1, 0)), "title": mostly(tricky_text.filter(bool), st.just(""))
}, optional={
    "priceSet": amounts.map(usd), "sku": tricky_text, "vendor": tricky_text, "variantTitle": tricky_text,
    "taxLines": tax_lines, "requiresShipping": st.booleans(),
    "properties": st.lists(st.fixed_dictionaries({"name": tricky_text, "value": tricky_text}), max_size=2),
    "fulfillmentService": mostly(st.just("manual"), st.just("acme")),
    "weight": st.fixed_dictionaries({"value": st.sampled_from([0.5, 2.0]),
                                     "unit": st.sampled_from(["GRAMS", "POUNDS"])}),
})
unknown_variant = st.just({"quantity": 1, "variantId": "gid://shopify/ProductVariant/424242"})
line_items = st.lists(mostly(custom_item, unknown_variant), min_size=1, max_size=3)
emails = st.sampled_from(["ann@example.com", "ANN@example.com", "bob@example.com", "nope", ""])
customers = st.one_of(
    st.fixed_dictionaries({"toUpsert": st.fixed_dictionaries({"email": emails}, optional={
        "firstName": tricky_text, "tags": st.lists(tricky_text, max_size=2)})}),
    st.fixed_dictionaries({"toAssociate": st.fixed_dictionaries({"email": emails})}),
    st.fixed_dictionaries({"toAssociate": st.fixed_dictionaries({"id": st.just("gid://shopify/Customer/1")})}),
)
orders = st.fixed_dictionaries({"lineItems": line_items}, optional={
    "name": tricky_text, "email": mostly(st.sampled_from(["ann@example.com", "x@example.org"]), tricky_text), "note": tricky_text, "phone": tricky_text,
    "tags": st.lists(tricky_text, max_size=3), "poNumber": tricky_text, "sourceName": tricky_text,
    "processedAt": mostly(st.just("2025-01-01T00:00:00Z"), st.just("2999-01-01T00:00:00Z")),
    "financialStatus": st.sampled_from(["PAID", "PENDING", "REFUNDED"]),
    "fulfillmentStatus": st.sampled_from(["FULFILLED", "PARTIAL"]),
    "taxLines": tax_lines, "taxesIncluded": st.booleans(),
    "shippingLines": st.lists(st.fixed_dictionaries({"title": tricky_text, "priceSet": amounts.map(usd)}), max_size=2),
    "transactions": st.lists(st.fixed_dictionaries({"amountSet": amounts.map(usd)}, optional={
        "kind": st.sampled_from(["SALE", "AUTHORIZATION", "REFUND"]), "gateway": tricky_text}), max_size=2),
    "discountCode": st.one_of(
        st.fixed_dictionaries({"itemPercentageDiscountCode": st.fixed_dictionaries({
            "code": tricky_text, "percentage": mostly(st.just(10.0), st.just(150.0))})}),
        st.fixed_dictionaries({"freeShippingDiscountCode": st.fixed_dictionaries({"code": tricky_text})})),
    "customAttributes": st.lists(st.fixed_dictionaries({"key": tricky_text, "value": tricky_text}), max_size=2),
    "billingAddress": st.fixed_dictionaries({"address1": tricky_text, "countryCode": st.sampled_from(["CA", "US"])}),
    "customer": customers,
    "metafields": st.just([{"namespace": "custom", "key": "ref", "type": "single_line_text_field", "value": "A1"}]),
    "fulfillment": st.fixed_dictionaries({"locationId": mostly(st.just("gid://shopify/Location/1"),
                                                               st.just("gid://shopify/Location/999"))}),
})
good_amounts = st.sampled_from(["0", "5", "10.50", "0.005", "99999.99"])
good_item = st.fixed_dictionaries({
    "quantity": st.integers(1, 3), "title": tricky_text.filter(bool), "priceSet": good_amounts.map(usd),
}, optional={
    "sku": tricky_text, "vendor": tricky_text, "variantTitle": tricky_text, "requiresShipping": st.booleans(),
    "properties": st.lists(st.fixed_dictionaries({"name": tricky_text, "value": tricky_text}), max_size=2),
    "taxLines": st.lists(st.fixed_dictionaries({"title": tricky_text, "rate": st.sampled_from([0.05, "0.125"])}),
                         max_size=2),
})
good_orders = st.fixed_dictionaries({"lineItems": st.lists(good_item, min_size=1, max_size=3)}, optional={
    "name": tricky_text, "note": tricky_text, "tags": st.lists(tricky_text, max_size=3), "poNumber": tricky_text,
    "taxesIncluded": st.booleans(), "financialStatus": st.sampled_from(["PAID", "PENDING"]),
    "shippingLines": st.lists(st.fixed_dictionaries({"title": tricky_text, "priceSet": good_amounts.map(usd)}),
                              max_size=2),
    "transactions": st.lists(st.fixed_dictionaries({"amountSet": good_amounts.map(usd)}), max_size=2),
    "customAttributes": st.lists(st.fixed_dictionaries({"key": tricky_text, "value": tricky_text}), max_size=2),
    "customer": st.fixed_dictionaries({"toUpsert": st.fixed_dictionaries({"email": st.sampled_from(
        ["ann@example.com", "bob@example.com"])})}),
})
"""Orders that pass every check: the batch writes them (text still tricky)."""
chunks = st.lists(st.fixed_dictionaries({"order": mostly(good_orders, orders)}), min_size=1, max_size=6)
CUSTOMERS_FOUND_AGAIN = [
    {"order": {"lineItems": [{"title": "Mug, \"big\" 😀", "quantity": 2, "priceSet": usd("7.50")}],
               "customer": {"toUpsert": {"email": "ann@example.com", "firstName": "Ann"}}}},
    {"order": {"lineItems": [{"title": "Mug", "quantity": 1}], "customer": {"toAssociate": {"email": "ANN@example.com"}},
               "transactions": [{"amountSet": usd("1")}]}},
    {"order": {"lineItems": [{"title": "", "quantity": 0}], "processedAt": "2999-01-01T00:00:00Z"}},
    {"order": {"lineItems": [{"title": "Tea", "quantity": 1, "priceSet": usd("3")}], "name": "#1001"}},
]
"""Always tried: a customer created by one line and associated by email on the next, a bad line, a given name."""


@pytest.mark.parametrize("document", [CREATE_WITH_CHILDREN, CREATE_ID_ONLY], ids=["every-field", "id"])
def test_orderCreate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side], document: str) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(document), batched.executor(document)
    assert isinstance(fast, OrderCreateChunks), "the document should take the batched path"
    written = count_batched_orders(fast)

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(CUSTOMERS_FOUND_AGAIN)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert order_rows(batched) == order_rows(one_by_one)
    assert written["batched"] >= 20, f"too few orders went through the batched writer: {written}"


def count_batched_orders(executor: OrderCreateChunks) -> dict[str, int]:
    """How many orders the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    flush = OrderBatch.flush

    def counted_flush(batch: OrderBatch, out: list[Any]) -> None:
        written["batched"] += len(batch._kept)
        flush(batch, out)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(OrderBatch, "flush", counted_flush)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


TABLES = ("orders", "order_line_items", "order_shipping_lines", "order_transactions", "customers", "metafields")


def order_rows(side: Side) -> list[list[Any]]:
    """Every order, child, customer and metafield row as stored (the driver's values; customer address ids are
    random, and none are written here)."""
    with side.runtime.db.read() as conn:
        return [[table, *row] for table in TABLES
                for row in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line() -> None:
    from bulkops.graphql.schema import schema_for_version

    schema = schema_for_version(VERSION)
    with_customer = ("mutation c($order: OrderCreateOrderInput!) { orderCreate(order: $order) "
                     "{ order { id customer { firstName } } userErrors { field } } }")
    constant = 'mutation { orderCreate(order: {lineItems: [{title: "a", quantity: 1}]}) { order { id } } }'
    assert writer_for(schema, CREATE_ID_ONLY) is writer_for(schema, CREATE_WITH_CHILDREN) is OrderCreateChunks
    assert writer_for(schema, with_customer) is None
    assert writer_for(schema, constant) is None


NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC).replace(tzinfo=None)


def test_create_many_answers_and_writes_what_the_same_inputs_one_at_a_time_do(two_shops: tuple[Side, Side]) -> None:
    one, many = two_shops

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(CUSTOMERS_FOUND_AGAIN)
    def check(variables: list[Any]) -> None:
        inputs = [order_input(v["order"]) for v in variables]
        with one.runtime.db.write() as conn:
            singly = [create_many(conn, one.shop.id, [order], NOW)[0] for order in inputs]
        with many.runtime.db.write() as conn:
            together = create_many(conn, many.shop.id, inputs, NOW)
        assert [answer_of(a) for a in together] == [answer_of(a) for a in singly]

    check()
    assert order_rows(many) == order_rows(one)


def answer_of(created: int | UserErrors) -> Any:
    return [(e.field, e.message, e.code) for e in created.errors] if isinstance(created, UserErrors) else created

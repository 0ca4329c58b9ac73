"""customerUpdate has one set of write rules, whichever way a line is written.

A bulk line is updated either one at a time (graphql-core, the resolver, ``update_many`` of one input) or
batched (``CustomerUpdateChunks``: the chunk's customers and contacts read once, the updates written with one
statement per set of changed columns). Generated inputs full of text that has tripped writers before (commas,
quotes, backslashes, unicode, emoji, empty and over-long strings), emails and phones other customers hold or
an earlier line just gave up, the same customer updated several times in a chunk, customers that do not exist
and malformed ids must leave the same rows and answer the same result bytes on both; ``update_many`` of many
inputs must write what the same inputs one by one write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bulkops.domain.customers.batch import update_many
from bulkops.graphql.bindings.customers import CustomerUpdateChunks, customer_fields
from bulkops.graphql.schema import schema_for_version
from bulkops.protocol.errors import UserErrors
from tests.graphql.test_compiled_plan import VERSION, Side
from tests.graphql.test_customer_create_paths import ADDRESS_FIELDS, NOW, customer_rows, customers, writer_for
from tests.graphql.written_runs import count_written_lines, one_by_one_and_batched_sides

UPDATE_EVERY_WRITTEN_FIELD = f"""
mutation call($input: CustomerInput!) {{
  customerUpdate(input: $input) {{
    customer {{
      id legacyResourceId firstName lastName displayName email phone note tags locale taxExempt taxExemptions
      state verifiedEmail multipassIdentifier createdAt updatedAt validEmailAddress numberOfOrders
      emailMarketingConsent {{ marketingState marketingOptInLevel consentUpdatedAt }}
      smsMarketingConsent {{ marketingState marketingOptInLevel consentUpdatedAt consentCollectedFrom }}
      defaultEmailAddress {{ emailAddress marketingState }}
      defaultPhoneNumber {{ phoneNumber marketingState marketingCollectedFrom }}
      addresses {{ {ADDRESS_FIELDS} }}
      defaultAddress {{ {ADDRESS_FIELDS} }}
    }}
    userErrors {{ field message }}
  }}
}}
"""
UPDATE_ID_ONLY = ("mutation call($input: CustomerInput!) { customerUpdate(input: $input) "
                  "{ customer { id } userErrors { field message } } }")

SEED = [{"input": {"email": "ann@example.com", "phone": "+16135550101", "firstName": "Ann"}},
        {"input": {"email": "bob@example.com", "lastName": "Bob", "tags": ["vip"]}},
        {"input": {"phone": "+16135550102", "note": "n"}},
        {"input": {"email": "cy@example.com", "addresses": [{"city": "Ottawa", "countryCode": "CA"}]}}]
"""Customers 1-4 in both databases (ann's email and phone and bob's email are among the generated ones)."""
CREATE = "mutation c($input: CustomerInput!) { customerCreate(input: $input) { customer { id } } }"

ids = st.sampled_from(["gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3",
                       "gid://shopify/Customer/4", "gid://shopify/Customer/99", "gid://shopify/Product/1", ""])
updates = st.builds(lambda number, fields, drop: {"id": number, **{k: v for k, v in fields.items() if k not in drop}},
                    ids, customers, st.sets(st.sampled_from(["email", "emailMarketingConsent",
                                                             "smsMarketingConsent"])))
chunks = st.lists(st.one_of(st.fixed_dictionaries({"input": updates}), st.sampled_from([
    {"input": {"id": "gid://shopify/Customer/x", "note": "malformed id"}}, {"input": {"note": "no id"}}])),
    min_size=1, max_size=6)
SWAPS_AND_EMOJI = [
    {"input": {"id": "gid://shopify/Customer/1", "email": "new-ann@example.com", "firstName": 'Ann, "the" 😀'}},
    {"input": {"id": "gid://shopify/Customer/2", "email": "ANN@example.com ", "phone": "613-555-0101",
               "tags": "a,,b, é"}},
    {"input": {"id": "gid://shopify/Customer/1", "phone": "", "note": "😀" * 300}},
    {"input": {"id": "gid://shopify/Customer/3", "phone": "(613) 555 0101", "lastName": ""}},
    {"input": {"id": "gid://shopify/Customer/x", "note": "malformed"}},
    {"input": {"id": "gid://shopify/Customer/4", "emailMarketingConsent": {"marketingState": "SUBSCRIBED"}}},
    {"input": {"id": "gid://shopify/Customer/4", "addresses": [{"address1": "1 Rue, \"Haute\"", "zip": ""}]}},
]
"""Always tried: an email given up and taken by the next line (in other case and spaces), a phone given up and
taken, one customer updated twice, a malformed id among batched lines, a refused consent change."""


def seeded(data_dir: Path, compiled: bool, database_url: str | None = None) -> Side:
    side = Side(data_dir, compiled=compiled, database_url=database_url)
    side.run(side.executor(CREATE), SEED)
    return side


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    with one_by_one_and_batched_sides(tmp_path, seeded) as sides:
        yield sides


@pytest.mark.parametrize("document", [UPDATE_EVERY_WRITTEN_FIELD, UPDATE_ID_ONLY], ids=["every-field", "id"])
def test_customerUpdate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side], document: str) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(document), batched.executor(document)
    assert isinstance(fast, CustomerUpdateChunks), "the document should take the batched path"
    written = count_written_lines(fast)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(SWAPS_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert customer_rows(batched) == customer_rows(one_by_one)
    assert written["lines"] >= 40, f"too few lines went through the batched writer: {written}"



def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line() -> None:
    schema = schema_for_version(VERSION)
    with_metafields = ("mutation c($input: CustomerInput!) { customerUpdate(input: $input) "
                       "{ customer { id metafields(first: 1) { nodes { id } } } userErrors { field } } }")
    constant = 'mutation { customerUpdate(input: {id: "gid://shopify/Customer/1"}) { customer { id } } }'
    assert writer_for(schema, UPDATE_ID_ONLY) is writer_for(schema, UPDATE_EVERY_WRITTEN_FIELD) is CustomerUpdateChunks
    assert writer_for(schema, with_metafields) is None
    assert writer_for(schema, constant) is None


def test_update_many_answers_and_writes_what_the_same_inputs_one_at_a_time_do(tmp_path: Path) -> None:
    one, many = seeded(tmp_path / "one", False), seeded(tmp_path / "many", False)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(updates, min_size=1, max_size=6))
    def check(raw: list[dict[str, Any]]) -> None:
        inputs = [(int(u["id"].rsplit("/", 1)[1]) if "/Customer/" in u["id"] else None, customer_fields(u))
                  for u in raw]
        with one.runtime.db.write() as conn:
            singly = [answer_of(update_many(conn, one.shop.id, [item], NOW)[0]) for item in inputs]
        with many.runtime.db.write() as conn:
            together = [answer_of(a) for a in update_many(conn, many.shop.id, inputs, NOW)]
        assert together == singly

    try:
        check()
        assert customer_rows(many) == customer_rows(one)
    finally:
        one.runtime.db.dispose()
        many.runtime.db.dispose()


def answer_of(answer: Any) -> Any:
    if isinstance(answer, UserErrors):
        return [(e.field, e.message) for e in answer.errors]
    return answer.id, answer.email, answer.phone, answer.tags, answer.note

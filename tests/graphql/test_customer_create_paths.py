"""customerCreate has one set of write rules, whichever way a line is written.

A bulk line is created either one at a time (graphql-core, the resolver, ``create_many`` of one input) or
batched (``CustomerCreateChunks``: ``CustomerCreateBatch`` writing the chunk's customers in one statement).
Generated inputs full of text that has tripped writers before (commas, quotes, backslashes, unicode, emoji,
empty and over-long strings) and emails and phones given twice must leave the same rows and answer the same
result bytes on both; ``create_many`` of many inputs must write what the same inputs one by one write.

A new address gets a random id (``rules._address``), so address ids are compared by position only.
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

from bulkops.domain.customers.batch import CustomerCreateBatch, create_many
from bulkops.graphql.bindings.customers import CustomerCreateChunks, customer_fields
from bulkops.graphql.execution import prepare
from bulkops.graphql.planner.mutation_plan import compile_plan
from bulkops.graphql.registry import batched_writer_for
from bulkops.graphql.schema import schema_for_version
from bulkops.protocol.errors import UserErrors
from tests.graphql.test_compiled_plan import VERSION, Side

ADDRESS_FIELDS = ("firstName lastName company address1 address2 city province provinceCode country countryCodeV2 "
                  "zip phone name formattedArea formatted(withName: true)")
CREATE_EVERY_WRITTEN_FIELD = f"""
mutation call($input: CustomerInput!) {{
  customerCreate(input: $input) {{
    customer {{
      id legacyResourceId firstName lastName displayName email phone note tags locale taxExempt taxExemptions
      state verifiedEmail multipassIdentifier createdAt updatedAt validEmailAddress numberOfOrders
      amountSpent {{ amount currencyCode }}
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
"""Selects every column a create writes (address ids aside: they are random), so the result bytes show each."""

CREATE_ID_ONLY = ("mutation call($input: CustomerInput!) { customerCreate(input: $input) "
                  "{ customer { id } userErrors { field message } } }")

short_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("aB ,\"'\\/é日😀<&\t")), max_size=12),
    st.sampled_from(["", " ", "wool, warm", "a,,b", ",", " , ", "\\,", '"', "😀👍🏽"]),
    st.text(max_size=16),
)
long_text = st.sampled_from(["x" * 256, "é" * 300, "😀" * 256, "a, b " * 60])
tricky_text = st.one_of(short_text, long_text)
"""Commas, quotes, backslashes, unicode, emoji, empty strings, strings over 255 characters, any text."""

fresh_emails = st.builds(lambda u: f"user-{u.hex}@example.com", st.uuids())
emails = st.integers(0, 3).flatmap(lambda n: st.sampled_from([
    "ann@example.com", "Ann@Example.com ", "bob@example.com", "", "not-an-email", "é😀@exämple.com",
    'q"uote@example.com', "a,b@example.com"]) if n == 0 else fresh_emails)
"""Mostly new; now and then one a chunk or the shop already has (also differing only in case and spaces)."""
fresh_phones = st.builds(lambda u: f"+1{u.int % 10**10:010d}", st.uuids())
phones = st.integers(0, 3).flatmap(lambda n: st.sampled_from([
    "+16135550101", "613-555-0101", "(613) 555 0102", "+44 20 7946 0958", "", "12", "abc"]) if n == 0 else fresh_phones)
consent_states = st.sampled_from(["SUBSCRIBED", "NOT_SUBSCRIBED", "PENDING", "UNSUBSCRIBED", "SUBSCRIBED", "REDACTED"])
email_consent = st.fixed_dictionaries({"marketingState": consent_states}, optional={
    "marketingOptInLevel": st.sampled_from(["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"])})
sms_consent = st.fixed_dictionaries({"marketingState": consent_states})
addresses = st.lists(st.fixed_dictionaries({}, optional={
    key: tricky_text for key in ("firstName", "lastName", "company", "address1", "address2", "city", "province",
                                 "zip", "phone")} | {
    "countryCode": st.sampled_from(["CA", "US", "FR", "JP"]), "provinceCode": st.sampled_from(["ON", "QC", ""])}),
    max_size=2)
customers = st.fixed_dictionaries({"email": emails}, optional={
    "firstName": tricky_text, "lastName": tricky_text, "phone": phones, "note": tricky_text,
    "tags": st.one_of(st.lists(st.one_of(st.sampled_from(["vip, gold", "a,b,,c", " x ,"]), tricky_text), max_size=4),
                      tricky_text),
    "locale": st.sampled_from(["en", "fr", "日本"]), "taxExempt": st.booleans(),
    "taxExemptions": st.lists(st.sampled_from(["CA_STATUS_CARD_EXEMPTION", "US_CO_RESELLER_EXEMPTION"]), max_size=2),
    "multipassIdentifier": tricky_text, "emailMarketingConsent": email_consent, "smsMarketingConsent": sms_consent,
    "addresses": addresses,
})
chunks = st.lists(st.fixed_dictionaries({"input": customers}), min_size=1, max_size=6)
COMMAS_QUOTES_AND_EMOJI = [
    {"input": {"firstName": 'Ann, "the" \\ 😀', "email": "ann@example.com", "tags": ["vip, gold", "a,,b", ' "q" ,'],
               "phone": "+16135550101", "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
               "smsMarketingConsent": {"marketingState": "SUBSCRIBED"},
               "addresses": [{"address1": "1 Rue, \"Haute\" 😀", "city": "Québec", "countryCode": "CA",
                              "provinceCode": "QC", "zip": ""}]}},
    {"input": {"lastName": "é" * 300, "email": "ANN@example.com ", "note": "😀" * 300}},
    {"input": {"firstName": "", "email": "", "phone": "613-555-0101"}},
    {"input": {"firstName": "Bob", "email": "bob@example.com", "phone": "(613) 555 0101"}},
    {"input": {"firstName": "Bob", "email": "bob@example.com"}},
]
"""Always tried: text every writer must store as given, and an email and phones given twice in one chunk."""


@pytest.fixture()
def one_by_one_and_batched(tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    one_by_one = Side(tmp_path / "one-by-one", compiled=False)
    batched = Side(tmp_path / "batched", compiled=True)
    yield one_by_one, batched
    one_by_one.runtime.db.dispose()
    batched.runtime.db.dispose()


@pytest.mark.parametrize("document", [CREATE_EVERY_WRITTEN_FIELD, CREATE_ID_ONLY], ids=["every-field", "id"])
def test_customerCreate_lines_leave_the_same_rows_and_result_bytes_one_by_one_and_batched(
        one_by_one_and_batched: tuple[Side, Side], document: str) -> None:
    one_by_one, batched = one_by_one_and_batched
    slow, fast = one_by_one.executor(document), batched.executor(document)
    assert isinstance(fast, CustomerCreateChunks), "the document should take the batched path"
    written = count_batched_customers(fast)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(chunks)
    @example(COMMAS_QUOTES_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        assert batched.run(fast, variables) == one_by_one.run(slow, variables)

    check()
    assert customer_rows(batched) == customer_rows(one_by_one)
    assert written["batched"] >= 25, f"too few customers went through the batched writer: {written}"


def count_batched_customers(executor: CustomerCreateChunks) -> dict[str, int]:
    """How many customers the executor's batches write (the test is only as good as this number)."""
    written = {"batched": 0}
    flush = CustomerCreateBatch.flush

    def counted_flush(batch: CustomerCreateBatch, out: list[Any]) -> None:
        written["batched"] += len(batch._rows)
        flush(batch, out)

    run_chunk = executor.run_chunk

    def run_chunk_counting(conn: Connection, lines: list[bytes], run_line: Any) -> list[dict[str, Any]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(CustomerCreateBatch, "flush", counted_flush)
            return run_chunk(conn, lines, run_line)

    executor.run_chunk = run_chunk_counting  # type: ignore[method-assign]
    return written


def customer_rows(side: Side) -> list[list[Any]]:
    """Every customer and metafield row as stored (the driver's values), address ids by position."""
    with side.runtime.db.read() as conn:
        stored = [list(row) for row in conn.exec_driver_sql("SELECT * FROM customers ORDER BY id")]
        stored += [list(row) for row in conn.exec_driver_sql("SELECT * FROM metafields ORDER BY id")]
    for row in stored:
        for place, value in enumerate(row):
            if isinstance(value, str) and value.startswith('[{"'):
                row[place] = orjson.dumps([{**a, "id": n} if "id" in a else a
                                           for n, a in enumerate(orjson.loads(value))])
    return stored


def test_documents_the_writer_cannot_shape_with_certainty_run_line_by_line() -> None:
    schema = schema_for_version(VERSION)
    with_metafields = ("mutation c($input: CustomerInput!) { customerCreate(input: $input) "
                       "{ customer { id metafields(first: 1) { nodes { id } } } userErrors { field } } }")
    constant = 'mutation { customerCreate(input: {email: "a@example.com"}) { customer { id } } }'
    assert writer_for(schema, CREATE_ID_ONLY) is writer_for(schema, CREATE_EVERY_WRITTEN_FIELD) is CustomerCreateChunks
    assert writer_for(schema, with_metafields) is None
    assert writer_for(schema, constant) is None


def writer_for(schema: Any, text: str) -> Any:
    prepared = prepare(schema, text)
    plan = compile_plan(schema, prepared.document, prepared.operation)
    return None if plan is None else batched_writer_for(plan)


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
    @example(COMMAS_QUOTES_AND_EMOJI)
    def check(variables: list[Any]) -> None:
        inputs = [customer_fields(v["input"]) for v in variables]
        with one.runtime.db.write() as conn:
            singly = [create_many(conn, one.shop.id, [fields], NOW)[0] for fields in inputs]
        with many.runtime.db.write() as conn:
            together = create_many(conn, many.shop.id, inputs, NOW)
        assert [answer_of(a) for a in together] == [answer_of(a) for a in singly]

    check()
    assert customer_rows(many) == customer_rows(one)


def answer_of(created: int | UserErrors) -> Any:
    return [(e.field, e.message) for e in created.errors] if isinstance(created, UserErrors) else created

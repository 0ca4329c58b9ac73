"""A bounded fuzzer over every route a client reaches: the GraphQL endpoint (documents generated from the
served schema, with hostile arguments, and raw bodies), the staged-upload routes and the download route.
Whatever it sends, the server answers without a 5xx or an INTERNAL_SERVER_ERROR, and is alive afterwards.

Bounded by example counts (about 20 s here in all); ``BULKOPS_FUZZ_EXAMPLES`` scales them for a longer hunt."""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulkops.domain.shops.rules import Shop
from bulkops.graphql.schema import schema_for_version
from bulkops.storage.local import download_message, put_message
from tests.server import InProcessServer

SCALE = float(os.environ.get("BULKOPS_FUZZ_EXAMPLES", "1"))
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.filter_too_much])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=max(1, int(examples * SCALE)))
VERSION = "2026-01"
MAX_DEPTH = 3


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InProcessServer, Shop, httpx.Client]]:
    with InProcessServer(tmp_path_factory.mktemp("fuzz")) as server, httpx.Client(timeout=60) as http:
        yield server, server.new_shop("fuzz"), http
        assert_alive(server, http)


def assert_alive(server: InProcessServer, http: httpx.Client) -> None:
    shop = server.new_shop("after-fuzz")
    assert http.get(f"{server.base_url}/healthz").status_code == 200
    answer = http.post(f"{server.base_url}/admin/api/{VERSION}/graphql.json", json={"query": "{ shop { name } }"},
                       headers={"X-Shopify-Access-Token": shop.access_token})
    assert answer.json() == {"data": {"shop": {"name": shop.name}}, "extensions": answer.json()["extensions"]}


def assert_answered(response: httpx.Response) -> None:
    """No 5xx, and no GraphQL error that says the server broke."""
    assert response.status_code < 500, (response.status_code, response.text[:2000])
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        codes = [e.get("extensions", {}).get("code") for e in errors if isinstance(e, dict)] \
            if isinstance(errors, list) else []
        assert "INTERNAL_SERVER_ERROR" not in codes, response.text[:2000]


# ---- values a hostile client writes -----------------------------------------------------------------

texts = st.one_of(st.text(max_size=24), st.sampled_from(["", " ", "é", "😀", "\x00", "a\nb", "%00", "../..", "\\",
                                                          "'", '"', "*", "null", "-1", "1e999"]))
huge_ints = st.one_of(st.integers(-3, 300), st.integers(), st.sampled_from([2**31, 2**63, 2**64, -(2**63) - 1]))
search_words = st.sampled_from(["id:", "title:", "status:", "tag:", "created_at:", "updated_at:", "sku:", "vendor:",
                                "handle:", ">", "<", ">=", "<=", "-", "*", " OR ", " AND ", "(", ")", "'", '"',
                                "9" * 30, str(2**64), "2026-01-01", "gid://shopify/Product/1", "not:", ":"])
searches = st.lists(st.one_of(search_words, texts), max_size=6).map("".join)
cursor_values = st.one_of(texts, huge_ints, st.none(), st.booleans(), st.lists(st.integers(), max_size=2),
                          st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.floats())
cursors = st.one_of(
    texts,
    st.fixed_dictionaries({}, optional={"last_id": cursor_values, "last_value": cursor_values}).map(
        lambda d: base64.b64encode(json.dumps(d).encode()).decode()),  # json: any integer, NaN
)
gid_types = st.sampled_from(["Product", "ProductVariant", "Collection", "Customer", "BulkOperation", "Metafield",
                             "Location", "InventoryItem", "Order", "Nope", ""])
gids = st.one_of(st.builds(lambda t, n: f"gid://shopify/{t}/{n}", gid_types, st.one_of(huge_ints, texts)), texts)


def graphql_string(text: str) -> str:
    return orjson.dumps(text).decode()


def literal(data: st.DataObject, type_: Any, name: str, depth: int = 0) -> str:
    """A GraphQL literal for an argument of ``type_``: usually of the right kind, now and then not."""
    if isinstance(type_, GraphQLNonNull):
        return literal(data, type_.of_type, name, depth)
    if data.draw(st.integers(0, 19)) == 0:  # the wrong kind altogether
        return data.draw(st.sampled_from(["null", "1", "true", '"x"', "[]", "{}", "9" * 5000, "1.5e308", "NOPE"]))
    if isinstance(type_, GraphQLList):
        items = data.draw(st.integers(0, 2))
        return "[" + ", ".join(literal(data, type_.of_type, name, depth + 1) for _ in range(items)) + "]"
    if isinstance(type_, GraphQLInputObjectType):
        if depth >= MAX_DEPTH:
            return "{}"
        fields = sorted(type_.fields.items())
        chosen = data.draw(st.lists(st.sampled_from(fields), max_size=3, unique_by=lambda f: f[0])) if fields else []
        required = [f for f in fields if isinstance(f[1].type, GraphQLNonNull)]
        picked = {n: f for n, f in [*required, *chosen]}
        return "{" + ", ".join(f"{n}: {literal(data, f.type, n, depth + 1)}" for n, f in picked.items()) + "}"
    if isinstance(type_, GraphQLEnumType):
        return data.draw(st.one_of(st.sampled_from(sorted(type_.values)), st.just("NOT_A_VALUE")))
    return scalar_literal(data, type_.name, name)


def scalar_literal(data: st.DataObject, scalar: str, name: str) -> str:
    if scalar == "Int":
        return str(data.draw(huge_ints))
    if scalar == "Float":
        return data.draw(st.sampled_from(["0", "1.5", "-1e10", "1e400", "NaN"]))
    if scalar == "Boolean":
        return data.draw(st.sampled_from(["true", "false"]))
    if name in ("after", "before"):
        return graphql_string(data.draw(cursors))
    if name == "query":
        return graphql_string(data.draw(searches))
    if scalar == "ID" or name.endswith("Id") or name == "id":
        return graphql_string(data.draw(gids))
    return graphql_string(data.draw(st.one_of(texts, st.sampled_from(["2026-01-01T00:00:00Z", "12.50", "{}", "[]"]))))


def arguments(data: st.DataObject, field: GraphQLField) -> str:
    given_args = []
    for name, arg in sorted(field.args.items()):
        if isinstance(arg.type, GraphQLNonNull) or data.draw(st.integers(0, 2)) == 0:
            given_args.append(f"{name}: {literal(data, arg.type, name)}")
    return f"({', '.join(given_args)})" if given_args else ""


def selection(data: st.DataObject, schema: GraphQLSchema, parent: Any, depth: int) -> str:
    """Some fields of ``parent`` (an object, interface or union), each with arguments and a sub-selection."""
    if isinstance(parent, GraphQLUnionType) or depth >= MAX_DEPTH:
        return "__typename"
    assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
    fields = sorted(parent.fields.items())
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique_by=lambda f: f[0]))
    parts = []
    for name, field in chosen:
        named = get_named_type(field.type)
        inner = "" if is_leaf_type(named) else " { " + selection(data, schema, named, depth + 1) + " }"
        parts.append(f"{name}{arguments(data, field)}{inner}")
    return " ".join(parts)


def document(data: st.DataObject, schema: GraphQLSchema) -> str:
    mutation = schema.mutation_type is not None and data.draw(st.integers(0, 3)) == 0
    root = schema.mutation_type if mutation else schema.query_type
    return ("mutation " if mutation else "") + "{ " + selection(data, schema, root, 0) + " }"


# ---- the GraphQL endpoint ---------------------------------------------------------------------------

@fuzz(120)
@given(data=st.data())
def test_generated_documents_never_break_the_graphql_endpoint(fuzzed: tuple[InProcessServer, Shop, httpx.Client],
                                                              data: st.DataObject) -> None:
    server, shop, http = fuzzed
    query = document(data, schema_for_version(VERSION))
    body: dict[str, Any] = {"query": query}
    if data.draw(st.integers(0, 4)) == 0:
        body["operationName"] = data.draw(st.one_of(st.none(), texts, st.lists(st.integers(), max_size=2)))

    response = http.post(f"{server.base_url}/admin/api/{VERSION}/graphql.json", content=json.dumps(body).encode(),
                         headers={"X-Shopify-Access-Token": shop.access_token, "Content-Type": "application/json"})

    assert_answered(response)


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), texts,
                                     st.floats(allow_nan=False, allow_infinity=False)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.fixed_dictionaries({"query": st.one_of(texts, st.just("{ shop { name } }"), json_values)},
                          optional={"variables": json_values, "operationName": json_values}).map(orjson.dumps),
)


@fuzz(80)
@given(body=raw_bodies, content_type=st.sampled_from(["application/json", "application/graphql", "text/plain",
                                                      "multipart/form-data", ""]),
       version=st.sampled_from([VERSION, "2024-10", "unstable", "2099-13", "x"]), with_token=st.booleans())
def test_raw_bodies_never_break_the_graphql_endpoint(fuzzed: tuple[InProcessServer, Shop, httpx.Client],
                                                     body: bytes, content_type: str, version: str,
                                                     with_token: bool) -> None:
    server, shop, http = fuzzed
    headers = {"Content-Type": content_type, "X-Shopify-Access-Token": shop.access_token if with_token else "x"}

    response = http.post(f"{server.base_url}/admin/api/{version}/graphql.json", content=body, headers=headers)

    assert_answered(response)


# ---- uploads and downloads --------------------------------------------------------------------------

path_segments = st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                                           max_size=12),
                                   st.sampled_from(["..", ".", "bulk", "a" * 300, "%2F", "x.jsonl"])),
                         min_size=1, max_size=4).map("/".join)
expiries = st.one_of(st.integers(0, 2**40).map(str), texts, st.just("²"))


def signed(server: InProcessServer, message: str) -> str:
    """A signature the server's own key makes: the fuzzer also reaches what lies past the signature check."""
    assert server.runtime is not None
    return server.runtime.signer.sign(message)


@fuzz(60)
@given(rest=path_segments, expires=expiries, signature=texts, sign=st.booleans(), body=st.binary(max_size=64))
def test_puts_never_break_the_upload_route(fuzzed: tuple[InProcessServer, Shop, httpx.Client], rest: str,
                                          expires: str, signature: str, sign: bool, body: bytes) -> None:
    server, _, http = fuzzed
    key = "tmp/" + rest
    if sign:
        signature = signed(server, put_message(key, expires))
    url = f"{server.base_url}/{urllib.parse.quote(key)}?" + urllib.parse.urlencode(
        {"Expires": expires, "Signature": signature})

    assert_answered(http.put(url, content=body))


@fuzz(60)
@given(key=path_segments, expires=expiries, signature=texts, disposition=texts, sign=st.booleans())
def test_gets_never_break_the_download_route(fuzzed: tuple[InProcessServer, Shop, httpx.Client], key: str,
                                             expires: str, signature: str, disposition: str, sign: bool) -> None:
    server, _, http = fuzzed
    if sign:
        signature = signed(server, download_message(key, expires, disposition))
    url = f"{server.base_url}/files/{urllib.parse.quote(key)}?" + urllib.parse.urlencode(
        {"Expires": expires, "Signature": signature, "response-content-disposition": disposition})

    assert_answered(http.get(url))


policies = st.one_of(texts, json_values.map(lambda v: base64.b64encode(orjson.dumps(v)).decode()),
                     st.fixed_dictionaries({"conditions": json_values, "expiration": json_values}).map(
                         lambda v: base64.b64encode(orjson.dumps(v)).decode()))


@fuzz(60)
@given(fields=st.dictionaries(st.sampled_from(["key", "policy", "x-goog-signature", "Content-Type", "acl",
                                               "success_action_status", "file", "other"]), texts, max_size=6),
       policy=policies, sign=st.booleans(), file=st.one_of(st.none(), st.binary(max_size=64)))
def test_forms_never_break_the_upload_route(fuzzed: tuple[InProcessServer, Shop, httpx.Client],
                                            fields: dict[str, str], policy: str, sign: bool,
                                            file: bytes | None) -> None:
    server, _, http = fuzzed
    fields = {**fields, "policy": policy}
    if sign:
        fields["x-goog-signature"] = signed(server, policy)
    files = {"file": ("vars.jsonl", file, "text/jsonl")} if file is not None else None

    assert_answered(http.post(f"{server.base_url}/staged-uploads", data=fields, files=files))

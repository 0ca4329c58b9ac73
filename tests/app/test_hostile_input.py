"""Malformed or hostile input a client may send: each is answered with a 4xx or Shopify's error shape, never
an HTTP 500 or an INTERNAL_SERVER_ERROR (issue 14)."""

from __future__ import annotations

import base64
import errno
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import orjson
import pytest

from bulkops.domain.shops.rules import Shop
from bulkops.storage.local import download_message, put_message
from tests.server import InProcessServer

STAGE = """
mutation stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""
RUN = ("mutation run($path: String!) { bulkOperationRunMutation(mutation: \"mutation call($product: "
       "ProductCreateInput!) { productCreate(product: $product) { product { id } } }\", stagedUploadPath: $path) "
       "{ bulkOperation { id } userErrors { field message code } } }")
OPERATION = "query op($id: ID!) { bulkOperation(id: $id) { status url partialDataUrl } }"
PRODUCTS_AFTER = "query page($after: String) { products(first: 2, after: $after, sortKey: %s) { nodes { id } } }"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    with InProcessServer(tmp_path_factory.mktemp("hostile")) as server:
        yield server


@pytest.fixture(scope="module")
def shop(hostile_server: InProcessServer) -> Shop:
    return hostile_server.new_shop("hostile")


def post_graphql(server: InProcessServer, shop: Shop, body: bytes, content_type: str = "application/json"
                 ) -> httpx.Response:
    return httpx.post(f"{server.base_url}/admin/api/2026-01/graphql.json", content=body,
                      headers={"X-Shopify-Access-Token": shop.access_token, "Content-Type": content_type})


def graphql(server: InProcessServer, shop: Shop, query: str, variables: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    response = post_graphql(server, shop, orjson.dumps({"query": query, "variables": variables or {}}))
    assert response.status_code == 200, response.text
    return orjson.loads(response.content)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# ---- signatures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("route", ["GET /files/results/1/bulk-1.jsonl", "PUT /tmp/1/bulk/x/vars.jsonl"])
def test_a_signature_with_non_ascii_characters_is_a_mismatch(hostile_server: InProcessServer, route: str) -> None:
    method, path = route.split(" ")

    response = httpx.request(method, f"{hostile_server.base_url}{path}",
                             params={"Expires": "9999999999", "Signature": "é" * 64}, content=b"x")

    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_a_form_signature_with_non_ascii_characters_is_a_mismatch(hostile_server: InProcessServer) -> None:
    response = httpx.post(f"{hostile_server.base_url}/staged-uploads",
                          data={"key": "tmp/1/x", "policy": "e30=", "x-goog-signature": "ü"},
                          files={"file": ("vars.jsonl", b"{}\n", "text/jsonl")})

    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text


# ---- the GraphQL request body ----------------------------------------------------------------------

@pytest.mark.parametrize("name", [["a"], {"a": 1}, 7])
def test_an_operation_name_that_is_no_string_is_a_bad_request(hostile_server: InProcessServer, shop: Shop,
                                                              name: object) -> None:
    response = post_graphql(hostile_server, shop, orjson.dumps({"query": "{ shop { name } }", "operationName": name}))

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "`operationName` must be a string."


def test_invalid_utf8_in_an_application_graphql_body_is_a_bad_request(hostile_server: InProcessServer,
                                                                      shop: Shop) -> None:
    response = post_graphql(hostile_server, shop, b"{ shop { name \xff\xfe } }", "application/graphql")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The request body is not valid UTF-8."


def test_an_enum_literal_where_a_string_is_expected_is_an_argument_error(hostile_server: InProcessServer,
                                                                        shop: Shop) -> None:
    body = graphql(hostile_server, shop,
                   'mutation { bulkOperationRunMutation(mutation: NOPE, stagedUploadPath: "") { userErrors { message } } }')

    assert error_codes(body) == ["argumentLiteralsIncompatible"] and "data" not in body
    assert body["errors"][0]["message"] == (
        "Argument 'mutation' on Field 'bulkOperationRunMutation' has an invalid value (NOPE). Expected type 'String!'.")


def test_a_custom_scalar_written_inline_is_accepted(hostile_server: InProcessServer, shop: Shop) -> None:
    """The SDL's own scalars (URL here) read their literals as a variable's value would be read."""
    body = graphql(hostile_server, shop, 'mutation { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH, '
                   'webhookSubscription: {callbackUrl: "https://example.com/hooks", format: JSON}) '
                   '{ webhookSubscription { id } userErrors { message } } }')

    assert "errors" not in body, body
    assert body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["id"].startswith(
        "gid://shopify/WebhookSubscription/")


def test_a_first_of_thousands_of_digits_is_an_argument_error(hostile_server: InProcessServer, shop: Shop) -> None:
    body = graphql(hostile_server, shop, "{ products(first: %s) { nodes { id } } }" % ("9" * 5000))

    assert error_codes(body) == ["argumentLiteralsIncompatible"]
    assert body["errors"][0]["message"].startswith("Argument 'first' on Field 'products' has an invalid value (9999")
    assert body["errors"][0]["message"].endswith("). Expected type 'Int'.")


# ---- cursors and searches ------------------------------------------------------------------------

def cursor(payload: object) -> str:
    text = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return base64.b64encode(text).decode()


@pytest.mark.parametrize(("payload", "sort_key"), [
    ({"last_id": [1], "last_value": "2026-01-01 00:00:00"}, "CREATED_AT"),
    ({"last_id": {"a": 1}}, "ID"),
    ({"last_id": True}, "ID"),
    (b'{"last_id": %d}' % 2**70, "ID"),
    ({"last_id": 1, "last_value": "not a date"}, "CREATED_AT"),
    ({"last_id": 1, "last_value": ["2026-01-01"]}, "UPDATED_AT"),
    ({"last_id": 1, "last_value": {"x": 1}}, "TITLE"),
    ({"last_id": 1, "last_value": 5}, "TITLE"),
])
def test_a_cursor_the_server_never_gave_is_invalid(hostile_server: InProcessServer, shop: Shop,
                                                  payload: object, sort_key: str) -> None:
    given = cursor(payload)

    body = graphql(hostile_server, shop, PRODUCTS_AFTER % sort_key, {"after": given})

    assert error_codes(body) == ["BAD_REQUEST"]
    assert body["errors"][0]["message"] == f"Invalid cursor: {given}"


@pytest.mark.parametrize(("search", "matches"), [
    (f"id:{2**63}", False), (f"id:{2**70}", False), (f"id:>{2**64}", False), (f"id:<{2**64}", True),
    (f"id:<={2**64}", True), (f"id:>-{2**64}", True), (f"id:<-{2**64}", False), ("id:" + "9" * 5000, False),
])
def test_an_id_search_beyond_64_bits_matches_every_product_or_none(hostile_server: InProcessServer, shop: Shop,
                                                                  search: str, matches: bool) -> None:
    created = graphql(hostile_server, shop, "mutation { productCreate(product: {title: \"Huge\"}) "
                      "{ product { id } } }")["data"]["productCreate"]["product"]["id"]

    body = graphql(hostile_server, shop, "query q($q: String) { products(first: 250, query: $q) { nodes { id } } }",
                   {"q": search})

    assert "errors" not in body, body
    assert (created in [n["id"] for n in body["data"]["products"]["nodes"]]) is matches


# ---- staged uploads -------------------------------------------------------------------------------

def stage(server: InProcessServer, shop: Shop, filename: str, method: str = "PUT") -> dict[str, Any]:
    return graphql(server, shop, STAGE, {"input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": filename,
                                                    "mimeType": "text/jsonl", "httpMethod": method}]}
                   )["data"]["stagedUploadsCreate"]


def staged_path(put_target: dict[str, Any]) -> str:
    """A PUT target's stagedUploadPath: its URL's path (spec 2.3)."""
    return urllib.parse.unquote(urllib.parse.urlsplit(put_target["url"]).path).lstrip("/")


@pytest.mark.parametrize("filename", ["a" * 201 + ".jsonl", "é" * 150, "two\nlines.jsonl", "tab\there", "cr\r"])
def test_a_filename_no_store_can_keep_is_refused_when_staging(hostile_server: InProcessServer, shop: Shop,
                                                             filename: str) -> None:
    staged = stage(hostile_server, shop, filename)

    assert staged["stagedTargets"] == [{"url": None, "resourceUrl": None, "parameters": []}]
    assert staged["userErrors"] == [{"field": ["input", "0", "filename"],
                                     "message": f"{filename}: is not a valid filename"}]


def test_the_longest_filename_taken_can_be_uploaded_and_run(hostile_server: InProcessServer, shop: Shop) -> None:
    target = stage(hostile_server, shop, "b" * 194 + ".jsonl")["stagedTargets"][0]

    put = httpx.put(target["url"], content=b'{"product": {"title": "Long"}}\n')
    run = graphql(hostile_server, shop, RUN, {"path": staged_path(target)})["data"]["bulkOperationRunMutation"]

    assert put.status_code == 200 and run["userErrors"] == []


def test_a_directory_is_no_staged_file(hostile_server: InProcessServer, shop: Shop) -> None:
    target = stage(hostile_server, shop, "vars.jsonl")["stagedTargets"][0]
    assert httpx.put(target["url"], content=b'{"product": {"title": "x"}}\n').status_code == 200
    directory = staged_path(target).rsplit("/", 1)[0]

    for path in (directory, directory.rsplit("/", 1)[0], f"tmp/{shop.id}/" + "x" * 300):
        run = graphql(hostile_server, shop, RUN, {"path": path})["data"]["bulkOperationRunMutation"]
        assert [e["code"] for e in run["userErrors"]] == ["NO_SUCH_FILE"], path


def no_room(*_: object) -> int:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_on_an_upload_asks_the_client_to_retry_later(hostile_server: InProcessServer, shop: Shop,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    put_target = stage(hostile_server, shop, "vars.jsonl")["stagedTargets"][0]
    post_target = stage(hostile_server, shop, "vars.jsonl", "POST")["stagedTargets"][0]
    assert hostile_server.runtime is not None
    monkeypatch.setattr(hostile_server.runtime.store, "put", no_room)

    put = httpx.put(put_target["url"], content=b"{}\n")
    post = httpx.post(post_target["url"], data={p["name"]: p["value"] for p in post_target["parameters"]},
                      files={"file": ("vars.jsonl", b"{}\n", "text/jsonl")})

    for response in (put, post):
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert "<Code>ServiceUnavailable</Code>" in response.text


def test_a_key_too_long_for_the_file_system_is_a_client_error(hostile_server: InProcessServer, shop: Shop,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = stage(hostile_server, shop, "vars.jsonl")["stagedTargets"][0]
    assert hostile_server.runtime is not None

    def name_too_long(_key: str, _data: BinaryIO) -> int:
        raise OSError(errno.ENAMETOOLONG, "File name too long")

    monkeypatch.setattr(hostile_server.runtime.store, "put", name_too_long)

    response = httpx.put(target["url"], content=b"{}\n")

    assert response.status_code == 400 and "<Code>KeyTooLongError</Code>" in response.text


# ---- an expired operation -------------------------------------------------------------------------

def test_an_expired_operation_shows_no_url(tmp_path: Path) -> None:
    with InProcessServer(tmp_path) as server:
        shop = server.new_shop("expiring")
        client = server.client(shop)
        done = client.wait(client.run_mutation(
            "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }",
            client.stage(b'{"product": {"title": "x"}}\n'))["bulkOperation"]["id"])
        assert done["url"]
        assert server.runtime is not None
        server.advance(server.settings.result_url_ttl_s + 1)
        assert server.runtime.engine.expire_due() == 1

        expired = graphql(server, shop, OPERATION, {"id": done["id"]})["data"]["bulkOperation"]
        client.close()

    assert expired == {"status": "EXPIRED", "url": None, "partialDataUrl": None}


def test_current_bulk_operation_of_type_null_is_the_default_type(hostile_server: InProcessServer,
                                                                shop: Shop) -> None:
    body = graphql(hostile_server, shop, "{ currentBulkOperation(type: null) { id } }")

    assert body["data"] == {"currentBulkOperation": None} and "errors" not in body


def test_signed_urls_for_keys_no_file_can_have_are_client_errors(hostile_server: InProcessServer) -> None:
    assert hostile_server.runtime is not None
    signer, expires = hostile_server.runtime.signer, "9999999999"
    too_long, not_plain = "results/" + "x" * 300, "tmp//x.jsonl"

    get = httpx.get(f"{hostile_server.base_url}/files/{too_long}", params={
        "Expires": expires, "Signature": signer.sign(download_message(too_long, expires, "")),
        "response-content-disposition": ""})
    put = httpx.put(f"{hostile_server.base_url}/{not_plain}", content=b"{}\n", params={
        "Expires": expires, "Signature": signer.sign(put_message(not_plain, expires))})

    assert get.status_code == 404 and "<Code>NoSuchKey</Code>" in get.text
    assert put.status_code == 400 and "<Code>InvalidArgument</Code>" in put.text


@pytest.mark.parametrize("policy", [{"conditions": None, "expiration": True}, {"conditions": [], "expiration": 1},
                                    {"conditions": [["content-length-range", "a", []]], "expiration": "2099-01-01"},
                                    [1, 2]])
def test_a_signed_policy_of_another_shape_is_an_invalid_policy(hostile_server: InProcessServer,
                                                               policy: object) -> None:
    assert hostile_server.runtime is not None
    raw = base64.b64encode(orjson.dumps(policy)).decode()

    response = httpx.post(f"{hostile_server.base_url}/staged-uploads",
                          data={"policy": raw, "x-goog-signature": hostile_server.runtime.signer.sign(raw)},
                          files={"file": ("vars.jsonl", b"{}\n", "text/jsonl")})

    assert response.status_code == 400 and "<Code>InvalidPolicyDocument</Code>" in response.text

"""stagedUploadsCreate and the upload endpoints (spec 2, 7.1)."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from bulkops.client import BulkClient
from tests.server import InProcessServer, ServerProcess

STAGE = """
mutation stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""
BULK_INPUT = {"resource": "BULK_MUTATION_VARIABLES", "filename": "vars.jsonl", "mimeType": "text/jsonl",
              "httpMethod": "POST"}
CREATE = "mutation call($product: ProductCreateInput!) { productCreate(product: $product) { product { id } } }"


def stage(client: BulkClient, **overrides: object) -> dict:
    return client.graphql(STAGE, {"input": [{**BULK_INPUT, **overrides}]})["data"]["stagedUploadsCreate"]


def form_of(target: dict) -> list[tuple[str, str]]:
    return [(p["name"], p["value"]) for p in target["parameters"]]


def upload(target: dict, data: bytes, fields: list[tuple[str, str]] | None = None) -> httpx.Response:
    return httpx.post(target["url"], data=dict(fields or form_of(target)),
                      files={"file": ("vars.jsonl", data, "text/jsonl")})


def test_a_bulk_target_points_at_this_server_with_a_shop_scoped_key_and_a_signed_policy(
        server: ServerProcess) -> None:
    shop = server.new_shop()
    payload = stage(server.client(shop))

    target = payload["stagedTargets"][0]
    fields = dict(form_of(target))
    assert payload["userErrors"] == []
    assert target["url"] == f"{server.base_url}/staged-uploads"
    assert re.fullmatch(rf"tmp/{shop.id}/bulk/[0-9a-f-]{{36}}/vars\.jsonl", fields["key"])
    assert [name for name, _ in form_of(target)][:4] == ["Content-Type", "success_action_status", "acl", "key"]
    assert fields["x-goog-algorithm"] == "GOOG4-RSA-SHA256", "Shopify's value, passed through by clients"
    policy = orjson.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, 104857600] in policy["conditions"]
    assert policy["expiration"].endswith("Z")


def test_uploading_the_form_fields_then_the_file_answers_201_with_the_storage_xml(shop_client: BulkClient) -> None:
    target = stage(shop_client)["stagedTargets"][0]
    key = dict(form_of(target))["key"]

    response = upload(target, b'{"product": {"title": "x"}}\n')

    assert response.status_code == 201
    assert response.text.startswith("<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>")
    assert f"<Key>{key}</Key>" in response.text
    assert re.search(r"<ETag>\"[0-9a-f]{32}\"</ETag>", response.text)


def test_an_upload_with_a_forged_signature_is_refused(shop_client: BulkClient) -> None:
    target = stage(shop_client)["stagedTargets"][0]
    fields = [(n, "0" * 64 if n == "x-goog-signature" else v) for n, v in form_of(target)]

    response = upload(target, b"{}\n", fields)

    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_an_upload_to_a_key_other_than_the_signed_one_is_refused(server: ServerProcess) -> None:
    mine, theirs = server.new_shop(), server.new_shop()
    my_target = stage(server.client(mine))["stagedTargets"][0]
    their_key = dict(form_of(stage(server.client(theirs))["stagedTargets"][0]))["key"]
    fields = [(n, their_key if n == "key" else v) for n, v in form_of(my_target)]

    response = upload(my_target, b"{}\n", fields)

    assert response.status_code == 403
    assert "Policy Condition failed" in response.text


def test_the_file_must_be_the_last_field(shop_client: BulkClient) -> None:
    target = stage(shop_client)["stagedTargets"][0]
    fields = form_of(target)
    parts = [("file", ("vars.jsonl", b"{}\n", "text/jsonl")), *[(n, (None, v.encode())) for n, v in fields]]

    response = httpx.post(target["url"], files=parts)

    assert response.status_code == 400
    assert "must be the last field" in response.text


def test_an_empty_upload_is_refused_by_the_policy(shop_client: BulkClient) -> None:
    target = stage(shop_client)["stagedTargets"][0]

    response = upload(target, b"")

    assert response.status_code == 400
    assert "<Code>EntityTooSmall</Code>" in response.text


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """A server with a 1 KB upload limit (in this process: its setting is all it needs)."""
    process = InProcessServer(Path(tmp_path_factory.mktemp("strict")), {"upload_max_bytes": 1024}).start()
    yield process
    process.stop()


def test_an_upload_over_the_limit_is_refused(strict_server: InProcessServer) -> None:
    client = strict_server.client(strict_server.new_shop())
    target = stage(client)["stagedTargets"][0]

    response = upload(target, b"x" * 2000)

    assert response.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in response.text


def test_an_upload_after_the_policy_expired_is_refused(clocked_server: InProcessServer) -> None:
    client = clocked_server.client(clocked_server.new_shop())
    target = stage(client)["stagedTargets"][0]
    ttl = clocked_server.settings.staged_upload_ttl_s
    clocked_server.advance(ttl)
    in_time = upload(target, b"{}\n")
    expired_target = stage(client)["stagedTargets"][0]

    clocked_server.advance(ttl + 1)
    response = upload(expired_target, b"{}\n")

    assert in_time.status_code == 201, "at its expiration to the second, the policy still holds"
    assert response.status_code == 403
    assert "Policy expired" in response.text


def test_a_file_over_the_limit_put_through_a_signed_url_fails_the_run_with_the_size_message(
        strict_server: InProcessServer) -> None:
    client = strict_server.client(strict_server.new_shop())
    target = stage(client, httpMethod="PUT")["stagedTargets"][0]
    put = httpx.put(target["url"], content=b'{"product": {"title": "x"}}\n' * 50,
                    headers={"Content-Type": "text/jsonl"})
    path = httpx.URL(target["url"]).path.removeprefix("/")

    outcome = client.run_mutation(CREATE, path)

    assert put.status_code == 200
    assert outcome["bulkOperation"] is None
    assert outcome["userErrors"] == [{"field": None, "code": "INVALID_STAGED_UPLOAD_FILE",
                                      "message": "The input file size exceeds the maximum allowed size of 0.000976562 MB."}]


def test_a_put_target_is_a_signed_url_whose_path_is_the_staged_upload_path(shop_client: BulkClient) -> None:
    target = stage(shop_client, httpMethod="PUT")["stagedTargets"][0]

    response = httpx.put(target["url"], content=b'{"product": {"title": "Put"}}\n',
                         headers={"Content-Type": "text/jsonl"})
    path = httpx.URL(target["url"]).path.removeprefix("/")
    run = shop_client.run_mutation(CREATE, path)

    assert response.status_code == 200
    assert target["resourceUrl"] == target["url"]
    assert form_of(target) == [("content_type", "text/jsonl"), ("acl", "private")]
    assert shop_client.wait(run["bulkOperation"]["id"])["status"] == "COMPLETED"


def test_a_bulk_target_needs_the_jsonl_mime_type(shop_client: BulkClient) -> None:
    payload = stage(shop_client, mimeType="image/png")

    assert payload["stagedTargets"] == [{"url": None, "resourceUrl": None, "parameters": []}]
    assert payload["userErrors"] == [{"field": ["input", "0", "mimeType"],
                                      "message": "vars.jsonl: (image/png) is not a recognized format"}]


def test_a_video_target_needs_a_file_size(shop_client: BulkClient) -> None:
    payload = stage(shop_client, resource="VIDEO", filename="clip.mp4", mimeType="video/mp4")

    assert payload["userErrors"] == [{"field": ["input", "0", "fileSize"],
                                      "message": "file size is required for video resources"}]


def test_an_unknown_resource_is_an_invalid_variable(shop_client: BulkClient) -> None:
    body = shop_client.graphql(STAGE, {"input": [{**BULK_INPUT, "resource": "BANANA"}]})

    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def test_a_put_far_over_the_limit_is_cut_off(strict_server: InProcessServer) -> None:
    client = strict_server.client(strict_server.new_shop())
    target = stage(client, httpMethod="PUT")["stagedTargets"][0]

    response = httpx.put(target["url"], content=b"x" * 5000, headers={"Content-Type": "text/jsonl"})

    assert response.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in response.text

"""The GraphQL endpoint as Shopify serves it: auth, versions, bodies, error envelopes, cost (spec 1)."""

from __future__ import annotations

import httpx
import orjson

from bulkops.client import BulkClient
from tests.server import ServerProcess

SHOP_QUERY = "{ shop { name myshopifyDomain } }"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def post(server: ServerProcess, version: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.base_url}/admin/api/{version}/graphql.json", content=body, headers=headers)


def test_a_request_without_a_token_gets_shopifys_401_body(server: ServerProcess) -> None:
    response = post(server, "2026-10", orjson.dumps({"query": SHOP_QUERY}), {"Content-Type": "application/json"})

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_a_request_with_an_unknown_token_gets_shopifys_401_body(server: ServerProcess) -> None:
    response = post(server, "2026-10", orjson.dumps({"query": SHOP_QUERY}),
                    {"Content-Type": "application/json", "X-Shopify-Access-Token": "shpat_" + "0" * 32})

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_tokens_look_like_shopify_admin_tokens_and_identify_their_shop(server: ServerProcess) -> None:
    shop = server.new_shop()
    client = server.client(shop)

    body = client.graphql(SHOP_QUERY)

    assert shop.access_token.startswith("shpat_") and len(shop.access_token) == 6 + 32
    assert body["data"]["shop"] == {"name": shop.name, "myshopifyDomain": shop.domain}


def test_an_unknown_version_is_a_404(server: ServerProcess) -> None:
    shop = server.new_shop()
    response = post(server, "2026-13", orjson.dumps({"query": SHOP_QUERY}),
                    {"Content-Type": "application/json", "X-Shopify-Access-Token": shop.access_token})

    assert response.status_code == 404


def test_every_served_version_answers_and_reports_itself(server: ServerProcess) -> None:
    shop = server.new_shop()
    for version in ("2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10", "unstable"):
        response = post(server, version, orjson.dumps({"query": SHOP_QUERY}),
                        {"Content-Type": "application/json", "X-Shopify-Access-Token": shop.access_token})
        assert response.status_code == 200, version
        assert response.headers["X-Shopify-API-Version"] == version


def test_a_retired_version_falls_forward_to_the_oldest_supported(server: ServerProcess) -> None:
    shop = server.new_shop()
    response = post(server, "2024-01", orjson.dumps({"query": SHOP_QUERY}),
                    {"Content-Type": "application/json", "X-Shopify-Access-Token": shop.access_token})

    assert response.status_code == 200
    assert response.headers["X-Shopify-API-Version"] == "2025-01"


def test_a_raw_application_graphql_body_is_accepted(server: ServerProcess) -> None:
    shop = server.new_shop()
    response = post(server, "2026-10", SHOP_QUERY.encode(),
                    {"Content-Type": "application/graphql", "X-Shopify-Access-Token": shop.access_token})

    assert response.json()["data"]["shop"]["name"] == shop.name


def test_responses_carry_extensions_cost_in_shopifys_shape(shop_client: BulkClient) -> None:
    body = shop_client.graphql("{ bulkOperations(first: 1) { edges { node { id } } } }")

    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 3
    assert cost["actualQueryCost"] == 3
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_a_syntax_error_is_a_parse_error_with_its_position(shop_client: BulkClient) -> None:
    body = shop_client.graphql("{ shop { name ")

    assert body["errors"][0]["extensions"]["code"] == "PARSE_ERROR"
    assert body["errors"][0]["message"].startswith("syntax error, unexpected end of file at [1, ")
    assert "data" not in body


def test_an_unknown_field_is_worded_as_shopify_words_it(shop_client: BulkClient) -> None:
    body = shop_client.graphql("{ bulkOperations(first: 1) { edges { node { code } } } }")

    assert body["errors"][0]["message"] == "Field 'code' doesn't exist on type 'BulkOperation'"
    assert body["errors"][0]["extensions"]["code"] == "undefinedField"


def test_an_unknown_argument_is_worded_as_shopify_words_it(shop_client: BulkClient) -> None:
    body = shop_client.graphql('mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }", '
                               'clientIdentifier: "abcdefghijkl") { userErrors { message } } }')

    assert body["errors"][0]["message"] == "Field 'bulkOperationRunQuery' doesn't accept argument 'clientIdentifier'"
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"


def test_a_missing_required_argument_is_worded_as_shopify_words_it(shop_client: BulkClient) -> None:
    body = shop_client.graphql("{ bulkOperation { id } }")

    assert body["errors"][0]["message"] == "Field 'bulkOperation' is missing required arguments: id"
    assert body["errors"][0]["extensions"]["code"] == "missingRequiredArguments"


def test_public_api_versions_lists_the_supported_versions(shop_client: BulkClient) -> None:
    versions = shop_client.graphql("{ publicApiVersions { handle supported } }")["data"]["publicApiVersions"]

    supported = [v["handle"] for v in versions if v["supported"]]
    assert supported[0] == "2025-01" and supported[-1] == "2026-10"
    assert {"handle": "unstable", "supported": False} in versions


def test_a_get_on_the_endpoint_serves_graphiql(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}/admin/api/2026-10/graphql.json")

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_mutations_cost_ten_and_a_selected_list_of_targets_one_more(shop_client: BulkClient) -> None:
    stage = ('mutation { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, filename: "a.jsonl", '
             'mimeType: "text/jsonl", httpMethod: POST}]) { %s userErrors { message } } }')

    with_targets = shop_client.graphql(stage % "stagedTargets { url }")["extensions"]["cost"]["requestedQueryCost"]
    without = shop_client.graphql(stage % "")["extensions"]["cost"]["requestedQueryCost"]

    assert (with_targets, without) == (11, 10)

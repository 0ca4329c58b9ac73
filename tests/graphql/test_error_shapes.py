"""Request-level errors written exactly as Shopify's GraphQL layer writes them (spec 1.4, 2.4, 3.3, 5.2-5.5).

Each recorded shape is compared whole (message, locations, path, extensions, and whether ``data`` is there)
over HTTP, as a JSON body and, where the document has no variables, as an ``application/graphql`` body, on a
version before 2026-01 and after where the field exists in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from bulkops.testing import InProcessServer

OLD, NEW = "2025-01", "2026-04"
BOTH = pytest.mark.parametrize("version", [OLD, NEW])
RESOURCES = ("COLLECTION_IMAGE, FILE, IMAGE, MODEL_3D, PRODUCT_IMAGE, SHOP_IMAGE, VIDEO, BULK_MUTATION_VARIABLES, "
             "RETURN_LABEL, URL_REDIRECT_IMPORT, DISPUTE_FILE_UPLOAD")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, token) of one in-process server for this module; nothing here runs a bulk operation."""
    process = InProcessServer(Path(tmp_path_factory.mktemp("error-shapes")), {"workers": 0}).start()
    shop = process.new_shop()
    yield process.base_url, shop.access_token
    process.stop()


def post_json(endpoint: tuple[str, str], version: str, query: str, variables: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    base_url, token = endpoint
    body: dict[str, Any] = {"query": query, **({"variables": variables} if variables is not None else {})}
    response = httpx.post(f"{base_url}/admin/api/{version}/graphql.json", content=orjson.dumps(body),
                          headers={"Content-Type": "application/json", "X-Shopify-Access-Token": token})
    assert response.status_code == 200
    return response.json()


def post_graphql(endpoint: tuple[str, str], version: str, query: str) -> dict[str, Any]:
    base_url, token = endpoint
    response = httpx.post(f"{base_url}/admin/api/{version}/graphql.json", content=query.encode(),
                          headers={"Content-Type": "application/graphql", "X-Shopify-Access-Token": token})
    assert response.status_code == 200
    return response.json()


def both_bodies(endpoint: tuple[str, str], version: str, query: str) -> dict[str, Any]:
    """The answer to ``query``, the same whether sent as JSON or as ``application/graphql``."""
    as_json = post_json(endpoint, version, query)
    assert post_graphql(endpoint, version, query) == as_json
    return as_json


# ---- static validation (spec 1.4) -------------------------------------------------------------------
@BOTH
def test_a_syntax_error_points_at_the_last_token_read(endpoint: tuple[str, str], version: str) -> None:
    body = both_bodies(endpoint, version, "query GraphqlBaseValidationInvalidSyntax {\n  shop {\n    id\n")

    assert body == {"errors": [{"message": "syntax error, unexpected end of file at [3, 5]",
                                "locations": [{"line": 3, "column": 5}], "extensions": {"code": "PARSE_ERROR"}}]}


@BOTH
def test_an_object_field_without_selections(endpoint: tuple[str, str], version: str) -> None:
    body = both_bodies(endpoint, version, "query GraphqlBaseValidationMissingSubselection {\n  shop\n}\n")

    assert body == {"errors": [{
        "message": "Field must have selections (field 'shop' returns Shop but has no selections. "
                   "Did you mean 'shop { ... }'?)",
        "locations": [{"line": 2, "column": 3}],
        "path": ["query GraphqlBaseValidationMissingSubselection", "shop"],
        "extensions": {"code": "selectionMismatch", "nodeName": "field 'shop'", "typeName": "Shop"}}]}


@BOTH
@pytest.mark.parametrize(("document", "type_name", "field"), [
    ("query GraphqlBaseValidationUnknownQueryRoot {\n  definitelyNotAShopifyQueryRoot {\n    id\n  }\n}\n",
     "QueryRoot", "definitelyNotAShopifyQueryRoot"),
    ("mutation GraphqlBaseValidationUnknownMutationRoot {\n  definitelyNotAShopifyMutationRoot(input: {}) {\n"
     "    id\n  }\n}\n", "Mutation", "definitelyNotAShopifyMutationRoot"),
])
def test_an_unknown_root_field(endpoint: tuple[str, str], version: str, document: str, type_name: str,
                               field: str) -> None:
    label = document.split(" {")[0]
    body = both_bodies(endpoint, version, document)

    assert body == {"errors": [{
        "message": f"Field '{field}' doesn't exist on type '{type_name}'",
        "locations": [{"line": 2, "column": 3}], "path": [label, field],
        "extensions": {"code": "undefinedField", "typeName": type_name, "fieldName": field}}]}


@BOTH
def test_an_unknown_field_deep_in_the_selection(endpoint: tuple[str, str], version: str) -> None:
    document = ("query GraphqlBaseValidationUnknownProductField {\n  products(first: 1) {\n    nodes {\n      id\n"
                "      definitelyNotAProductField\n    }\n  }\n}\n")
    body = both_bodies(endpoint, version, document)

    assert body == {"errors": [{
        "message": "Field 'definitelyNotAProductField' doesn't exist on type 'Product'",
        "locations": [{"line": 5, "column": 7}],
        "path": ["query GraphqlBaseValidationUnknownProductField", "products", "nodes", "definitelyNotAProductField"],
        "extensions": {"code": "undefinedField", "typeName": "Product", "fieldName": "definitelyNotAProductField"}}]}


@BOTH
def test_selecting_code_on_user_error(endpoint: tuple[str, str], version: str) -> None:
    document = ('mutation StageCode {\n  stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, '
                'filename: "a.jsonl", mimeType: "text/jsonl"}]) {\n    userErrors { field message code }\n  }\n}')
    body = both_bodies(endpoint, version, document)

    assert body == {"errors": [{
        "message": "Field 'code' doesn't exist on type 'UserError'",
        "locations": [{"line": 3, "column": 32}],
        "path": ["mutation StageCode", "stagedUploadsCreate", "userErrors", "code"],
        "extensions": {"code": "undefinedField", "typeName": "UserError", "fieldName": "code"}}]}


def test_bulk_operation_before_2026_01_does_not_exist(endpoint: tuple[str, str]) -> None:
    document = 'query ReadOne {\n  bulkOperation(id: "gid://shopify/BulkOperation/1") {\n    id\n  }\n}'
    body = both_bodies(endpoint, OLD, document)

    assert body == {"errors": [{
        "message": "Field 'bulkOperation' doesn't exist on type 'QueryRoot'",
        "locations": [{"line": 2, "column": 3}], "path": ["query ReadOne", "bulkOperation"],
        "extensions": {"code": "undefinedField", "typeName": "QueryRoot", "fieldName": "bulkOperation"}}]}


@pytest.mark.parametrize(("version", "document", "label", "field"), [
    (NEW, "query BulkOperationMissingIdValidation {\n  bulkOperation {\n    id\n  }\n}\n",
     "query BulkOperationMissingIdValidation", "bulkOperation"),
    (OLD, "mutation {\n  bulkOperationCancel {\n    userErrors { message }\n  }\n}", "mutation", "bulkOperationCancel"),
    (NEW, "mutation {\n  bulkOperationCancel {\n    userErrors { message }\n  }\n}", "mutation", "bulkOperationCancel"),
])
def test_a_missing_required_id(endpoint: tuple[str, str], version: str, document: str, label: str,
                               field: str) -> None:
    body = both_bodies(endpoint, version, document)

    assert body == {"errors": [{
        "message": f"Field '{field}' is missing required arguments: id",
        "locations": [{"line": 2, "column": 3}], "path": [label, field],
        "extensions": {"code": "missingRequiredArguments", "className": "Field", "name": field, "arguments": "id"}}]}


@BOTH
def test_an_unknown_argument_and_the_variable_it_leaves_unused(endpoint: tuple[str, str], version: str) -> None:
    document = ("mutation RunWithClientIdentifier($query: String!, $clientIdentifier: String) {\n"
                "  bulkOperationRunQuery(query: $query, clientIdentifier: $clientIdentifier) {\n"
                "    userErrors { message }\n  }\n}")
    body = post_json(endpoint, version, document, {"query": "{ products { edges { node { id } } } }",
                                                   "clientIdentifier": "abcdefghijkl"})

    label = "mutation RunWithClientIdentifier"
    assert body == {"errors": [
        {"message": "Field 'bulkOperationRunQuery' doesn't accept argument 'clientIdentifier'",
         "locations": [{"line": 2, "column": 40}], "path": [label, "bulkOperationRunQuery", "clientIdentifier"],
         "extensions": {"code": "argumentNotAccepted", "name": "bulkOperationRunQuery", "typeName": "Field",
                        "argumentName": "clientIdentifier"}},
        {"message": "Variable $clientIdentifier is declared by RunWithClientIdentifier but not used",
         "locations": [{"line": 1, "column": 51}], "path": [label],
         "extensions": {"code": "variableNotUsed", "variableName": "clientIdentifier"}},
    ]}


def test_an_unknown_argument_and_a_missing_one_are_both_reported(endpoint: tuple[str, str]) -> None:
    body = both_bodies(endpoint, NEW, 'mutation {\n  bulkOperationRunQuery(clientIdentifier: "abcdefghijkl") {\n'
                                      "    userErrors { message }\n  }\n}")

    assert [(e["extensions"]["code"], e["path"]) for e in body["errors"]] == [
        ("missingRequiredArguments", ["mutation", "bulkOperationRunQuery"]),
        ("argumentNotAccepted", ["mutation", "bulkOperationRunQuery", "clientIdentifier"]),
    ]
    assert "data" not in body


def test_an_enum_literal_that_is_not_a_value(endpoint: tuple[str, str]) -> None:
    document = "query SortById {\n  bulkOperations(first: 1, sortKey: ID) {\n    nodes { id }\n  }\n}"
    body = both_bodies(endpoint, NEW, document)

    assert body == {"errors": [{
        "message": "Argument 'sortKey' on Field 'bulkOperations' has an invalid value (ID). "
                   "Expected type 'BulkOperationsSortKeys'.",
        "locations": [{"line": 2, "column": 3}], "path": ["query SortById", "bulkOperations", "sortKey"],
        "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "Field", "argumentName": "sortKey"}}]}


@BOTH
def test_a_required_input_field_left_out_of_a_literal(endpoint: tuple[str, str], version: str) -> None:
    document = ("mutation StageWithoutFilename {\n  stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES, "
                'mimeType: "text/jsonl"}]) {\n    userErrors { field message }\n  }\n}')
    body = both_bodies(endpoint, version, document)

    assert body == {"errors": [{
        "message": "Argument 'filename' on InputObject 'StagedUploadInput' is required. Expected type String!",
        "locations": [{"line": 2, "column": 31}],
        "path": ["mutation StageWithoutFilename", "stagedUploadsCreate", "input", "filename"],
        "extensions": {"code": "missingRequiredInputObjectAttribute", "argumentName": "filename",
                       "argumentType": "String!", "inputObjectType": "StagedUploadInput"}}]}


def test_a_malformed_gid_literal(endpoint: tuple[str, str]) -> None:
    document = '#graphql\nquery BulkOperationMalformedInlineIdValidation {\n  bulkOperation(id: "not-a-gid") {\n' \
               "    id\n  }\n}\n"
    body = both_bodies(endpoint, NEW, document)

    assert body == {"errors": [{
        "message": "Invalid global id 'not-a-gid'", "locations": [{"line": 3, "column": 3}],
        "path": ["query BulkOperationMalformedInlineIdValidation", "bulkOperation", "id"],
        "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}}]}


# ---- variables (spec 1.4, 2.4, 5.2) ----------------------------------------------------------------------
def test_a_malformed_gid_variable(endpoint: tuple[str, str]) -> None:
    document = "#graphql\n  query BulkOperationByIdCapture($id: ID!) {\n    bulkOperation(id: $id) {\n      id\n    }\n  }\n"
    body = post_json(endpoint, NEW, document, {"id": "not-a-shopify-gid"})

    assert body == {"errors": [{
        "message": "Variable $id of type ID! was provided invalid value",
        "locations": [{"line": 2, "column": 34}],
        "extensions": {"code": "INVALID_VARIABLE", "value": "not-a-shopify-gid", "problems": [{
            "path": [], "explanation": "Invalid global id 'not-a-shopify-gid'",
            "message": "Invalid global id 'not-a-shopify-gid'"}]}}]}


@BOTH
def test_an_enum_variable_lists_the_enums_values(endpoint: tuple[str, str], version: str) -> None:
    """In Shopify's order, not the SDL's (sorted). 2025-01 is served by the 2025-10 schema here, which has
    DISPUTE_FILE_UPLOAD (Shopify's 2025-01 lacks it)."""
    document = ("mutation StageBanana($input: [StagedUploadInput!]!) {\n  stagedUploadsCreate(input: $input) {\n"
                "    stagedTargets { url }\n    userErrors { field message }\n  }\n}")
    sent = [{"resource": "BANANA", "filename": "x", "mimeType": "x/x"}]
    body = post_json(endpoint, version, document, {"input": sent})

    explanation = f'Expected "BANANA" to be one of: {RESOURCES}'
    assert body == {"errors": [{
        "message": f"Variable $input of type [StagedUploadInput!]! was provided invalid value for 0.resource "
                   f"({explanation})",
        "locations": [{"line": 1, "column": 22}],
        "extensions": {"code": "INVALID_VARIABLE", "value": sent,
                       "problems": [{"path": [0, "resource"], "explanation": explanation}]}}]}


@BOTH
def test_a_required_variable_left_out(endpoint: tuple[str, str], version: str) -> None:
    document = ("mutation GraphqlBaseValidationMissingRequiredVariable($product: ProductCreateInput!) {\n"
                "  productCreate(product: $product) {\n    product {\n      id\n    }\n    userErrors {\n"
                "      field\n      message\n    }\n  }\n}\n")
    body = post_json(endpoint, version, document, {})

    assert body == {"errors": [{
        "message": "Variable $product of type ProductCreateInput! was provided invalid value",
        "locations": [{"line": 1, "column": 55}],
        "extensions": {"code": "INVALID_VARIABLE", "value": None,
                       "problems": [{"path": [], "explanation": "Expected value to not be null"}]}}]}


@BOTH
def test_an_input_field_the_type_does_not_have(endpoint: tuple[str, str], version: str) -> None:
    document = ("mutation Unknown($input: StagedUploadInput!) {\n  stagedUploadsCreate(input: [$input]) {\n"
                "    userErrors { message }\n  }\n}")
    sent = {"resource": "FILE", "filename": "a", "mimeType": "text/plain", "myfavoriteaddress": "test1"}
    body = post_json(endpoint, version, document, {"input": sent})

    assert body == {"errors": [{
        "message": "Variable $input of type StagedUploadInput! was provided invalid value for myfavoriteaddress "
                   "(Field is not defined on StagedUploadInput)",
        "locations": [{"line": 1, "column": 18}],
        "extensions": {"code": "INVALID_VARIABLE", "value": sent, "problems": [
            {"path": ["myfavoriteaddress"], "explanation": "Field is not defined on StagedUploadInput"}]}}]}


# ---- resolver errors (spec 5.2, 5.3) ---------------------------------------------------------------------
def test_a_connection_without_first_or_last(endpoint: tuple[str, str]) -> None:
    document = "#graphql\nquery BulkOperationsMissingWindowValidation {\n  bulkOperations {\n    nodes {\n      id\n" \
               "    }\n  }\n}\n"
    body = post_json(endpoint, NEW, document)

    assert body["errors"] == [{"message": "you must provide one of first or last",
                               "locations": [{"line": 3, "column": 3}], "extensions": {"code": "BAD_REQUEST"},
                               "path": ["bulkOperations"]}]
    assert body["data"] is None


def test_a_gid_of_another_type(endpoint: tuple[str, str]) -> None:
    document = '#graphql\nquery BulkOperationNonBulkOperationGidValidation {\n  bulkOperation(id: ' \
               '"gid://shopify/Product/1") {\n    id\n  }\n}\n'
    body = post_json(endpoint, NEW, document)

    assert body["errors"] == [{"message": "Invalid id: gid://shopify/Product/1",
                               "locations": [{"line": 3, "column": 3}], "extensions": {"code": "RESOURCE_NOT_FOUND"},
                               "path": ["bulkOperation"]}]
    assert body["data"] == {"bulkOperation": None}


# ---- bulk document checks (spec 3.3) ---------------------------------------------------------------------
@BOTH
def test_an_unparseable_bulk_mutation_points_at_the_last_token_read(endpoint: tuple[str, str], version: str
                                                                    ) -> None:
    document = ('mutation {\n  bulkOperationRunMutation(mutation: "mutation { not parseable", '
                'stagedUploadPath: "tmp/1/bulk/x/none.jsonl") {\n    bulkOperation { id }\n'
                "    userErrors { field message code }\n  }\n}")
    body = both_bodies(endpoint, version, document)

    assert body["data"]["bulkOperationRunMutation"] == {"bulkOperation": None, "userErrors": [{
        "field": None, "code": "INVALID_MUTATION",
        "message": "Failed to parse the mutation - syntax error, unexpected end of file at [1, 16]"}]}

"""metaobjectDefinitionCreate and metaobjectUpsert (by type and handle), read back through metaobjects(type:)."""

from __future__ import annotations

from bulkops.client import BulkClient
from tests.domain.shop_data_bulk import run_bulk

DEFINE = """mutation define($definition: MetaobjectDefinitionCreateInput!) {
  metaobjectDefinitionCreate(definition: $definition) {
    metaobjectDefinition { id type name displayNameKey fieldDefinitions { key name required type { name } } }
    userErrors { field message code elementKey elementIndex }
  }
}"""
UPSERT = """mutation upsert($handle: MetaobjectHandleInput!, $metaobject: MetaobjectUpsertInput!) {
  metaobjectUpsert(handle: $handle, metaobject: $metaobject) {
    metaobject { id handle type displayName fields { key value type } }
    userErrors { field message code elementKey elementIndex }
  }
}"""
LIST = """query list($type: String!, $query: String) {
  metaobjects(type: $type, first: 10, query: $query) {
    nodes { handle displayName field(key: "author") { value reference { ... on Customer { email } } }
            title: field(key: "title") { value } definition { type metaobjectsCount } }
  }
}"""
BOOK_DEFINITION = {
    "type": "book", "name": "Book", "displayNameKey": "title",
    "fieldDefinitions": [
        {"key": "title", "name": "Title", "type": "single_line_text_field", "required": True},
        {"key": "pages", "type": "number_integer"},
        {"key": "author", "type": "customer_reference"},
    ],
}


def define(client: BulkClient, definition: dict) -> dict:
    return client.graphql(DEFINE, {"definition": definition})["data"]["metaobjectDefinitionCreate"]


def upsert(client: BulkClient, at_handle: str, fields: list[dict], **metaobject: object) -> dict:
    return client.graphql(UPSERT, {"handle": {"type": "book", "handle": at_handle},
                                   "metaobject": {"fields": fields, **metaobject}})["data"]["metaobjectUpsert"]


def test_a_definition_is_created_once_per_type(shop_client: BulkClient) -> None:
    created = define(shop_client, BOOK_DEFINITION)
    again = define(shop_client, BOOK_DEFINITION)

    assert created["userErrors"] == []
    definition = created["metaobjectDefinition"]
    assert (definition["type"], definition["name"], definition["displayNameKey"]) == ("book", "Book", "title")
    assert [(f["key"], f["name"], f["required"], f["type"]["name"]) for f in definition["fieldDefinitions"]] == [
        ("title", "Title", True, "single_line_text_field"), ("pages", "Pages", False, "number_integer"),
        ("author", "Author", False, "customer_reference")]
    assert again == {"metaobjectDefinition": None, "userErrors": [{
        "field": ["definition", "type"], "message": "Type has already been taken", "code": "TAKEN",
        "elementKey": None, "elementIndex": None}]}


def test_a_definition_checks_its_type_keys_field_types_and_display_key(shop_client: BulkClient) -> None:
    payload = define(shop_client, {"type": "bk", "displayNameKey": "nope", "fieldDefinitions": [
        {"key": "x", "type": "single_line_text_field"}, {"key": "name", "type": "text"},
        {"key": "name", "type": "single_line_text_field"}]})

    assert [(e["field"], e["code"], e["elementKey"]) for e in payload["userErrors"]] == [
        (["definition", "type"], "TOO_SHORT", None),
        (["definition", "fieldDefinitions", "0", "key"], "TOO_SHORT", "x"),
        (["definition", "fieldDefinitions", "1", "type"], "FIELD_TYPE_INVALID", "name"),
        (["definition", "fieldDefinitions", "2", "key"], "DUPLICATE_FIELD_INPUT", "name"),
        (["definition", "displayNameKey"], "INVALID", None),
    ]


def test_upsert_creates_then_updates_the_same_metaobject_by_handle(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    created = upsert(shop_client, "dune", [{"key": "title", "value": "Dune"}, {"key": "pages", "value": "412"}])
    updated = upsert(shop_client, "dune", [{"key": "pages", "value": "600"}])

    assert created["userErrors"] == [] and updated["userErrors"] == []
    assert updated["metaobject"]["id"] == created["metaobject"]["id"]
    assert updated["metaobject"]["displayName"] == "Dune"
    assert updated["metaobject"]["fields"] == [
        {"key": "title", "value": "Dune", "type": "single_line_text_field"},
        {"key": "pages", "value": "600", "type": "number_integer"},
        {"key": "author", "value": None, "type": "customer_reference"}]


def test_required_fields_are_reported_with_OBJECT_FIELD_REQUIRED_and_their_key(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    payload = upsert(shop_client, "untitled", [{"key": "pages", "value": "10"}])

    assert payload == {"metaobject": None, "userErrors": [{
        "field": ["metaobject", "fields"], "message": "Title can't be blank", "code": "OBJECT_FIELD_REQUIRED",
        "elementKey": "title", "elementIndex": None}]}


def test_field_values_are_checked_against_the_definitions_types(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    payload = upsert(shop_client, "bad", [
        {"key": "title", "value": "Bad"}, {"key": "pages", "value": "many"},
        {"key": "author", "value": "gid://shopify/Customer/999999999"}, {"key": "isbn", "value": "123"}])

    assert [(e["field"], e["code"], e["elementKey"], e["message"]) for e in payload["userErrors"]] == [
        (["metaobject", "fields", "1"], "INVALID_VALUE", "pages", "Value must be an integer."),
        (["metaobject", "fields", "2"], "INVALID_VALUE", "author",
         "Value references non-existent resource gid://shopify/Customer/999999999."),
        (["metaobject", "fields", "3"], "UNDEFINED_OBJECT_FIELD", "isbn", 'Field definition "isbn" does not exist'),
    ]


def test_renaming_to_a_handle_in_use_is_TAKEN_and_unknown_types_are_refused(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    upsert(shop_client, "one", [{"key": "title", "value": "One"}])
    upsert(shop_client, "two", [{"key": "title", "value": "Two"}])

    rename = upsert(shop_client, "two", [], handle="one")
    unknown = shop_client.graphql(UPSERT, {"handle": {"type": "movie", "handle": "x"}, "metaobject": {}})

    assert rename["userErrors"] == [{"field": ["metaobject", "handle"], "message": "Handle has already been taken",
                                     "code": "TAKEN", "elementKey": None, "elementIndex": None}]
    assert unknown["data"]["metaobjectUpsert"]["userErrors"][0]["code"] == "UNDEFINED_OBJECT_TYPE"


def test_metaobjects_are_listed_by_type_with_references_resolved(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    author = shop_client.graphql('mutation { customerCreate(input: {email: "frank@example.com"}) '
                                 "{ customer { id } } }")["data"]["customerCreate"]["customer"]["id"]
    upsert(shop_client, "dune", [{"key": "title", "value": "Dune"}, {"key": "author", "value": author}])
    upsert(shop_client, "emma", [{"key": "title", "value": "Emma"}])

    books = shop_client.graphql(LIST, {"type": "book"})["data"]["metaobjects"]["nodes"]
    filtered = shop_client.graphql(LIST, {"type": "book", "query": "handle:emma"})["data"]["metaobjects"]["nodes"]

    assert [(b["handle"], b["title"]["value"]) for b in books] == [("dune", "Dune"), ("emma", "Emma")]
    assert books[0]["field"]["reference"] == {"email": "frank@example.com"}
    assert books[0]["definition"] == {"type": "book", "metaobjectsCount": 2}
    assert [b["handle"] for b in filtered] == ["emma"]
    assert shop_client.graphql(LIST, {"type": "movie"})["data"]["metaobjects"]["nodes"] == []


def test_bulk_metaobjectUpsert_lines_create_update_and_report_errors(shop_client: BulkClient) -> None:
    define(shop_client, BOOK_DEFINITION)
    lines = run_bulk(
        shop_client, UPSERT,
        {"handle": {"type": "book", "handle": "a"}, "metaobject": {"fields": [{"key": "title", "value": "A"}]}},
        {"handle": {"type": "book", "handle": "a"}, "metaobject": {"fields": [{"key": "pages", "value": "5"}]}},
        {"handle": {"type": "book", "handle": "b"}, "metaobject": {"fields": [{"key": "pages", "value": "5"}]}},
    )

    payloads = [line["data"]["metaobjectUpsert"] for line in lines]
    assert payloads[0]["metaobject"]["id"] == payloads[1]["metaobject"]["id"]
    assert payloads[1]["metaobject"]["fields"][:2] == [
        {"key": "title", "value": "A", "type": "single_line_text_field"},
        {"key": "pages", "value": "5", "type": "number_integer"}]
    assert payloads[2]["userErrors"][0]["code"] == "OBJECT_FIELD_REQUIRED"
    books = shop_client.graphql(LIST, {"type": "book"})["data"]["metaobjects"]["nodes"]
    assert [b["handle"] for b in books] == ["a"]

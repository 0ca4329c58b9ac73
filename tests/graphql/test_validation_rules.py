"""Every validation rule reports in graphql-ruby's words (graphql/validation.py's table), in process.

The recorded shapes are pinned over HTTP in test_error_shapes.py; these pin the rules without a recording, so a
change to their wording is a decision, not an accident.
"""

from __future__ import annotations

import pytest

from bulkops.graphql.execution import prepare
from bulkops.graphql.schema import schema_for_version

CASES = [
    ("query Q { shop { id } } fragment F on Shop { id }",
     "useAndDefineFragment", "Fragment F was defined, but not used", ["fragment F"]),
    ("query Q { shop { ...F } }", "useAndDefineFragment", "Fragment F was used, but not defined",
     ["query Q", "shop", "... F"]),
    ("query Q { shop { ...F } } fragment F on Nope { id }",
     "undefinedType", "No such type Nope, so it can't be a fragment condition", ["fragment F"]),
    ("query Q { shop { ...F } } fragment F on String { id }",
     "fragmentOnNonCompositeType", "Invalid fragment on type String (must be Union, Interface or Object)",
     ["fragment F"]),
    ("query Q { shop { ...F } } fragment F on Shop { id } fragment F on Shop { name }",
     "fragmentNotUnique", 'Fragment name "F" must be unique', ["fragment F"]),
    ("query Q { shop { ...F } } fragment F on Product { id }",
     "cannotSpreadFragment", "Fragment F on Product can't be spread inside Shop", ["query Q", "shop", "... F"]),
    ("query Q { shop { ... on Product { id } } }",
     "cannotSpreadFragment", "Fragment unknown on Product can't be spread inside Shop",
     ["query Q", "shop", "... on Product"]),
    ("query Q { shop { ...A } } fragment A on Shop { ...B } fragment B on Shop { ...A }",
     "infiniteLoop", "Fragment A contains an infinite loop", ["fragment A"]),
    ("query Q { shop { id } } query Q { shop { name } }",
     "uniquelyNamedOperations", 'Operation name "Q" must be unique', ["query Q"]),
    ("{ shop { id } } query Q { shop { name } }",
     "uniquelyNamedOperations", "Operation name is required when multiple operations are present", ["query"]),
    ("subscription S { shop { id } }",
     "missingSubscriptionConfiguration", "Schema is not configured for subscriptions", ["subscription S"]),
    ("query Q($a: Shop) { shop { id } }",
     "variableRequiresValidType", "Shop isn't a valid input type (on $a)", ["query Q"]),
    ("query Q($a: Int, $a: Int) { products(first: $a) { nodes { id } } }",
     "variableNotUnique", 'There can only be one variable named "a"', ["query Q"]),
    ("query Q { products(first: $n) { nodes { id } } }",
     "variableNotDefined", "Variable $n is used by Q but not declared", ["query Q", "products", "first"]),
    ("query($a: Int) { shop { id } }",
     "variableNotUsed", "Variable $a is declared by anonymous query but not used", ["query"]),
    ("query Q($id: ID) { product(id: $id) { id } }",
     "variableMismatch", "Nullability mismatch on variable $id and argument id (ID / ID!)",
     ["query Q", "product", "id"]),
    ("query Q($n: String) { products(first: $n) { nodes { id } } }",
     "variableMismatch", "Type mismatch on variable $n and argument first (String / Int)",
     ["query Q", "products", "first"]),
    ('query Q($n: Int = "x") { products(first: $n) { nodes { id } } }',
     "defaultValueInvalidType", "Default value for $n doesn't match type Int", ["query Q"]),
    ("query Q { shop @nope { id } }",
     "undefinedDirective", "Directive @nope is not defined", ["query Q", "shop", "@nope"]),
    ("query Q @include(if: true) { shop { id } }", "directiveCannotBeApplied",
     "'@include' can't be applied to queries (allowed: fields, fragment spreads, inline fragments)",
     ["query Q", "@include"]),
    ("query Q { shop @include(if: true) @include(if: true) { id } }",
     "directiveNotUniqueForLocation", 'The directive "include" can only be used once at this location.',
     ["query Q", "shop"]),
    ("query Q { shop @include { id } }",
     "missingRequiredArguments", "Directive 'include' is missing required arguments: if",
     ["query Q", "shop", "@include"]),
    ("query Q { shop @include(if: true, x: 1) { id } }",
     "argumentNotAccepted", "Directive 'include' doesn't accept argument 'x'", ["query Q", "shop", "@include", "x"]),
    ("query Q { products(first: 1, first: 2) { nodes { id } } }",
     "argumentNotUnique", 'There can be only one argument named "first"', ["query Q", "products"]),
    ('mutation M { stagedUploadsCreate(input: [{resource: FILE, filename: "a", filename: "b", mimeType: "c"}]) '
     "{ userErrors { field } } }", "inputFieldNotUnique", 'There can be only one input field named "filename"',
     ["mutation M", "stagedUploadsCreate", "input", "filename"]),
    ('mutation M { stagedUploadsCreate(input: [{resource: FILE, filename: "a", mimeType: "c", nope: 1}]) '
     "{ userErrors { field } } }", "argumentNotAccepted", "InputObject 'StagedUploadInput' doesn't accept argument "
     "'nope'", ["mutation M", "stagedUploadsCreate", "input", "nope"]),
    ("query Q { shop { id: name id } }",
     "fieldConflict", "Field 'id' has a field conflict: name or id?", ["query Q", "shop"]),
    ("query Q { products(first: 1) { nodes { id } } products(first: 2) { nodes { id } } }",
     "fieldConflict", "Field 'products' has an argument conflict: {first: 1} or {first: 2}?", ["query Q"]),
    ("query Q { product(id: null) { id } }", "argumentLiteralsIncompatible",
     "Argument 'id' on Field 'product' has an invalid value (null). Expected type 'ID!'.",
     ["query Q", "product", "id"]),
    ('query Q { products(first: "1") { nodes { id } } }', "argumentLiteralsIncompatible",
     "Argument 'first' on Field 'products' has an invalid value (\"1\"). Expected type 'Int'.",
     ["query Q", "products", "first"]),
    ("query Q { shop { id { x } } }", "selectionMismatch",
     "Selections can't be made on scalars (field 'id' returns ID but has selections [x])", ["query Q", "shop", "id"]),
    ("query Q { shop { currencyCode { x } } }", "selectionMismatch",
     "Selections can't be made on enums (field 'currencyCode' returns CurrencyCode but has selections [x])",
     ["query Q", "shop", "currencyCode"]),
    ("query Q { shop { ... on Shop { nope } } }",
     "undefinedField", "Field 'nope' doesn't exist on type 'Shop'", ["query Q", "shop", "... on Shop", "nope"]),
    ("query Q { shop { ...F } } fragment F on Shop { nope }",
     "undefinedField", "Field 'nope' doesn't exist on type 'Shop'", ["fragment F", "nope"]),
    ("query Q { product(id: 1) { id } }", "argumentLiteralsIncompatible", "Invalid global id '1'",
     ["query Q", "product", "id"]),
]


@pytest.mark.parametrize(("document", "code", "message", "path"), CASES)
def test_a_rule_reports_in_graphql_rubys_words(document: str, code: str, message: str, path: list[str]) -> None:
    errors = prepare(schema_for_version("2026-04"), document).errors

    first = errors[0]
    assert (first["extensions"]["code"], first["message"], first["path"]) == (code, message, path)
    assert first["locations"]


def test_an_input_field_at_fault_is_reported_instead_of_the_argument_holding_it() -> None:
    document = ('mutation M { stagedUploadsCreate(input: [{resource: FILE, filename: 1, mimeType: "c"}, '
                '{resource: NOPE, filename: "b", mimeType: "d"}]) { userErrors { field } } }')

    errors = prepare(schema_for_version("2026-04"), document).errors

    assert [e["message"] for e in errors] == [
        "Argument 'filename' on InputObject 'StagedUploadInput' has an invalid value (1). Expected type 'String!'.",
        "Argument 'resource' on InputObject 'StagedUploadInput' has an invalid value (NOPE). "
        "Expected type 'StagedUploadTargetGenerateUploadResource!'.",
    ]
    assert [e["locations"] for e in errors] == [[{"line": 1, "column": 42}], [{"line": 1, "column": 88}]]

"""``bulkops coverage``: per object type of the served schema and per field, where the value comes from, read from
the registries the server answers with (field maps, export listings, bindings, loaded documents)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
import pytest
from graphql import GraphQLNonNull, Undefined, get_named_type, is_leaf_type
from typer.testing import CliRunner, Result

from bulkops.cli import app
from bulkops.db.tables import metadata
from bulkops.graphql.planner.export_plan import UnsupportedExport, compile_plan
from bulkops.graphql.schema import schema_for_version
from tests.engine.inprocess import VERSION, InProcessBulk


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["coverage", *args])


@cache
def sources_of(type_name: str) -> dict[str, tuple[str, str]]:
    """Field -> (source, detail) of one type, from the command's JSON."""
    result = run("--type", type_name, "--json")
    assert result.exit_code == 0, result.output
    [found] = orjson.loads(result.stdout)
    return {f["field"]: (f["source"], f["detail"]) for f in found["fields"]}


def test_a_field_its_map_reads_from_one_column_names_the_table_and_column() -> None:
    assert sources_of("Product")["title"] == ("column", "products.title")
    assert sources_of("Order")["name"] == ("column", "orders.name")
    assert sources_of("Product")["createdAt"] == ("column", "products.created_at (time)")


def test_a_field_its_map_computes_names_the_function() -> None:
    assert sources_of("Product")["defaultCursor"] == ("computed", "bulkops.domain.products.fields._default_cursor")
    assert sources_of("Order")["statusPageUrl"] == ("computed", "bulkops.domain.orders.fields._status_page_url")


def test_a_child_connection_names_the_listing_it_reads() -> None:
    assert sources_of("Product")["variants"] == ("child connection", "product_variants by product_id")
    assert sources_of("Order")["lineItems"][0] == "child connection"


def test_a_field_only_a_binding_answers_names_its_resolver() -> None:
    assert sources_of("Product")["totalInventory"] == (
        "resolver", "bulkops.graphql.bindings.products.resolve_total_inventory")


def test_a_placeholder_is_answered_by_the_loaded_document_else_its_constant() -> None:
    assert sources_of("Product")["onlineStoreUrl"] == ("document", "else null")
    assert sources_of("Order")["riskLevel"] == ("document", "else 'LOW'")


def test_a_non_null_field_nothing_answers_is_refused_like_the_export_planner_refuses_it() -> None:
    assert sources_of("Product")["contextualPricing"] == (
        "refused", "non-null, and nothing answers it: a bulk query selecting it is refused at creation")
    assert sources_of("Shop")["createdAt"] == (
        "refused", "non-null, and nothing answers it: a query selecting it gets a not-implemented error")


def test_every_leaf_of_product_it_says_is_refused_at_creation_the_export_planner_refuses_and_a_column_it_accepts(
        tmp_path: Path) -> None:
    product = schema_for_version(VERSION).get_type("Product")
    refused = [name for name, (source, detail) in sources_of("Product").items()
               if source == "refused" and detail.endswith("refused at creation")
               and is_leaf_type(get_named_type(product.fields[name].type))
               and not any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
                           for a in product.fields[name].args.values())]
    bulk = InProcessBulk(tmp_path)
    try:
        with bulk.db.read() as conn:
            def plan(field: str) -> object:
                return compile_plan(schema_for_version(VERSION), f"{{ products {{ edges {{ node {{ {field} }} }} }} }}",
                                    conn, bulk.shop.id)

            assert refused, "the served Product type has non-null leaves nothing answers"
            for name in refused:
                with pytest.raises(UnsupportedExport, match=f"'Product.{name}'"):
                    plan(name)
            plan("title")
    finally:
        bulk.close()


def test_a_field_the_shop_keeps_nothing_for_is_the_schemas_empty_value_and_a_fixed_one_a_constant() -> None:
    assert sources_of("Shop")["description"] == ("empty", "null")
    assert sources_of("Shop")["domains"] == ("empty", "[]")
    assert sources_of("Shop")["currencyCode"] == ("constant", "'USD'")


def test_an_object_values_fields_come_with_it_and_a_type_without_a_map_from_its_binding() -> None:
    assert sources_of("MoneyV2")["amount"][0] == "nested"
    assert sources_of("Location")["name"][0] == "presenter"


def test_the_text_form_lists_each_type_then_its_fields_indented() -> None:
    result = run("--type", "Product")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Product"
    assert all(line.startswith("  ") for line in lines[1:])
    assert any(line.split() == ["title", "column", "products.title"] for line in lines)


def test_without_a_type_every_object_type_reachable_from_query_root_is_listed_root_first() -> None:
    result = run("--json")

    assert result.exit_code == 0, result.output
    types = [t["type"] for t in orjson.loads(result.stdout)]
    assert types[0] == "QueryRoot"
    assert {"Product", "ProductVariant", "Order", "MoneyV2", "Shop"} <= set(types)
    assert "ProductInput" not in types and "__Type" not in types


def test_the_json_form_gives_each_type_its_fields_with_source_and_detail() -> None:
    result = run("--type", "ProductVariant", "--json")

    [variant] = orjson.loads(result.stdout)
    assert set(variant) == {"type", "fields"}
    assert variant["type"] == "ProductVariant"
    assert all(set(f) == {"field", "source", "detail"} for f in variant["fields"])
    assert {"field": "sku", "source": "column", "detail": "product_variants.sku"} in variant["fields"]


def test_an_unknown_type_is_a_clear_error_and_exit_code_2() -> None:
    result = run("--type", "Prodcut")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: No object type named 'Prodcut' is reachable from QueryRoot in the served schema.")
    assert result.stdout == ""


def test_every_column_it_names_is_a_column_of_that_table() -> None:
    result = run("--json")
    named = {f["detail"].split()[0] for t in orjson.loads(result.stdout) for f in t["fields"]
             if f["source"] == "column" and "." in f["detail"].split()[0]}

    assert "products.title" in named
    assert [n for n in named if n.split(".")[1] not in metadata.tables[n.split(".")[0]].c] == []

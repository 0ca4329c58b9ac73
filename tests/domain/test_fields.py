"""Field maps (domain/<resource>/fields.py): each field's source written once, the presenters derived."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from bulkops.db import tables
from bulkops.domain.collections.fields import COLLECTION
from bulkops.domain.customers.fields import CUSTOMER
from bulkops.domain.fields import Computed, FieldMap, Plain
from bulkops.domain.metafields.fields import METAFIELD
from bulkops.domain.orders.fields import LINE_ITEM, ORDER, SHIPPING_LINE, TRANSACTION
from bulkops.domain.products.fields import INVENTORY_ITEM, PRODUCT, VARIANT

MAPS = [(PRODUCT, tables.products), (VARIANT, tables.product_variants), (INVENTORY_ITEM, tables.product_variants),
        (CUSTOMER, tables.customers), (METAFIELD, tables.metafields), (COLLECTION, tables.collections),
        (ORDER, tables.orders), (LINE_ITEM, tables.order_line_items), (SHIPPING_LINE, tables.order_shipping_lines),
        (TRANSACTION, tables.order_transactions)]

PRODUCT_ROW = SimpleNamespace(
    id=7, title="Board", handle="board", description_html="<p>Wax <b>on</b></p>", vendor="Acme",
    product_type="Snow", status="ACTIVE", tags=["a", "b"], template_suffix=None, seo_title="S", seo_description=None,
    gift_card=False, requires_selling_plan=True, created_at=datetime(2026, 1, 2, 3, 4, 5, 678),
    updated_at=datetime(2026, 1, 3), published_at=None,
)


@pytest.mark.parametrize(("field_map", "table"), MAPS, ids=[m.type_name for m, _ in MAPS])
def test_every_plain_field_names_a_column_of_its_table(field_map: FieldMap, table: tables.Table) -> None:
    plain = [source.column for source in field_map.fields.values() if isinstance(source, Plain)]

    assert plain and [column for column in plain if column not in table.c] == []


def test_a_presenter_gives_each_field_as_its_source_reads_it() -> None:
    presented = PRODUCT.presenter()(PRODUCT_ROW)

    assert presented["id"] == "gid://shopify/Product/7" and presented["legacyResourceId"] == "7"
    assert presented["createdAt"] == "2026-01-02T03:04:05Z" and presented["publishedAt"] is None
    assert presented["seo"] == {"title": "S", "description": None}
    assert presented["description"](None, truncateAt=3) == "Wax"
    assert presented["__typename"] == "Product" and presented["_pk"] == 7
    for name, source in PRODUCT.fields.items():
        if isinstance(source, Plain):
            assert presented[name] == PRODUCT.reader(name)(PRODUCT_ROW), name


def test_child_connections_are_left_to_their_listings() -> None:
    presented = PRODUCT.presenter()(PRODUCT_ROW)

    assert "variants" not in presented and "metafields" not in presented
    assert set(PRODUCT.children()) == {"variants", "metafields"}


def test_cheap_reads_are_the_plain_fields_that_need_no_formatting() -> None:
    assert set(PRODUCT.cheap_reads()) == {
        "__typename", "id", "_pk", "legacyResourceId", "title", "handle", "descriptionHtml", "bodyHtml", "vendor",
        "productType", "status", "tags", "templateSuffix", "isGiftCard", "requiresSellingPlan"}


def test_plain_fields_for_the_export_leave_out_keys_that_are_no_graphql_fields() -> None:
    assert "_pk" not in PRODUCT.plain() and PRODUCT.plain()["publishedAt"] == Plain("published_at", "time")


def test_a_field_only_the_graphql_layer_answers_needs_its_reader() -> None:
    with pytest.raises(ValueError, match=r"Metafield: no reader given for \['owner'\]"):
        METAFIELD.presenter({"reference": lambda row: None})


def test_a_computed_field_may_answer_with_a_callable_taking_arguments() -> None:
    addresses = CUSTOMER.reader("addresses")(SimpleNamespace(addresses=[{"id": 1, "city": "Oslo"},
                                                                        {"id": 2, "city": "Bergen"}]))

    assert isinstance(CUSTOMER.fields["addresses"], Computed)
    assert [a["city"] for a in addresses(None, first=1)] == ["Oslo"]

"""CSV input: a spreadsheet export goes in with one command, converted row by row to the mutation's variables
(the mapping in docs/client-csv.md), and comes back out of a bulk export as it went in."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from bulkops.cli import app
from bulkops.client.csv_input import CsvError, customer_lines, inventory_lines, product_lines
from bulkops.testing import InProcessServer

PRODUCTS_CSV = """\
Handle,Title,Body (HTML),Vendor,Type,Tags,Status,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,Variant Compare At Price,Variant Taxable
snow-board,Snow Board,<p>Fast</p>,Acme,Boards,"winter, sale",active,Size,S,Colour,Red,SB-S-R,199.00,249.00,TRUE
snow-board,,,,,,,,M,,Red,SB-M-R,209.00,,TRUE
snow-board,,,,,,,,M,,Blue,SB-M-B,209.00,,FALSE
wax,Board Wax,,Acme,Care,,draft,,,,,WAX-1,9.50,,
"""
EXPORT = ("{ products { edges { node { id handle title vendor productType tags status options { name values } "
          "variants { edges { node { sku price compareAtPrice taxable selectedOptions { name value } } } } } } } }")


def rows(text: str) -> list[tuple[int, dict[str, str]]]:
    lines = text.splitlines()
    header = lines[0].split(",")
    return [(number, dict(zip(header, line.split(","), strict=False))) for number, line in enumerate(lines[1:], 2)]


def bulkops(*args: str | Path, env: dict[str, str]) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def test_a_products_csv_imports_and_exports_back_as_it_went_in(tmp_path: Path, client_server: InProcessServer
                                                               ) -> None:
    env = {"BULKOPS_URL": client_server.base_url, "BULKOPS_TOKEN": client_server.new_shop("csv").access_token}
    (tmp_path / "products.csv").write_text(PRODUCTS_CSV)

    imported = bulkops("import", tmp_path / "products.csv", "--csv", "products", "--poll-interval", "0.02", env=env)
    exported = bulkops("export", "--query-text", EXPORT, "--out", tmp_path / "out.jsonl", "--poll-interval", "0.02",
                       env=env)

    assert imported.exit_code == 0, imported.output
    assert "products.csv: converted to 2 lines of products variables." in imported.stdout
    assert exported.exit_code == 0, exported.output
    lines = [orjson.loads(raw) for raw in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    products = {p["id"]: p for p in lines if "__parentId" not in p}
    board = next(p for p in products.values() if p["handle"] == "snow-board")
    wax = next(p for p in products.values() if p["handle"] == "wax")
    assert (board["title"], board["vendor"], board["productType"], sorted(board["tags"]), board["status"]) == \
        ("Snow Board", "Acme", "Boards", ["sale", "winter"], "ACTIVE")
    assert board["options"] == [{"name": "Size", "values": ["S", "M"]}, {"name": "Colour", "values": ["Red", "Blue"]}]
    variants = sorted((v for v in lines if v.get("__parentId") == board["id"]), key=lambda v: v["sku"])
    assert [(v["sku"], v["price"], v["compareAtPrice"], v["taxable"],
             [o["value"] for o in v["selectedOptions"]]) for v in variants] == [
        ("SB-M-B", "209.00", None, False, ["M", "Blue"]),
        ("SB-M-R", "209.00", None, True, ["M", "Red"]),
        ("SB-S-R", "199.00", "249.00", True, ["S", "Red"]),
    ]
    assert (wax["title"], wax["status"], wax["options"]) == \
        ("Board Wax", "DRAFT", [{"name": "Title", "values": ["Default Title"]}])


def test_a_cell_that_cannot_convert_stops_before_upload_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "products.csv").write_text(PRODUCTS_CSV.replace("209.00,,TRUE", "cheap,,TRUE", 1))

    run = bulkops("import", tmp_path / "products.csv", "--csv", "products", env={"BULKOPS_URL": "", "BULKOPS_TOKEN": ""})

    assert run.exit_code == 2
    assert "error: products.csv: row 3: Variant Price must be a number, not 'cheap'" in run.stderr


def test_a_csv_without_its_kind_is_refused_with_the_choices(tmp_path: Path) -> None:
    (tmp_path / "products.csv").write_text(PRODUCTS_CSV)

    run = bulkops("import", tmp_path / "products.csv", env={})

    assert run.exit_code == 2 and "--csv products, customers or inventory" in run.output


def test_customer_rows_become_customer_create_inputs() -> None:
    text = ("First Name,Last Name,Email,Accepts Email Marketing,Default Address City,Default Address Country Code,"
            "Tags,Tax Exempt\nAda,Lovelace,ada@example.com,yes,London,GB,vip,no\n")

    lines = list(customer_lines(rows(text)))

    assert lines == [{"input": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
                                "tags": ["vip"], "taxExempt": False,
                                "emailMarketingConsent": {"marketingState": "SUBSCRIBED"},
                                "addresses": [{"city": "London", "countryCode": "GB"}]}}]


def test_inventory_rows_set_quantities_without_a_compare_check() -> None:
    text = "Inventory Item ID,Location ID,Quantity\n11,gid://shopify/Location/2,7\n"

    lines = list(inventory_lines(rows(text)))

    assert lines == [{"input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": "gid://shopify/InventoryItem/11", "locationId": "gid://shopify/Location/2",
         "quantity": 7, "changeFromQuantity": None}]}}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Handle,Title\n,Hat\n", "row 2: Handle is empty"),
        ("Handle,Title,Option1 Name,Option1 Value\nhat,Hat,Size,\n", "row 2: Option1 Value is empty"),
        ("Handle,Title,Variant Taxable\nhat,Hat,maybe\n", "row 2: Variant Taxable must be TRUE or FALSE"),
        ("Handle,Title\nhat,\n", "row 2: Title is empty on the first row of product 'hat'"),
    ],
)
def test_product_rows_that_cannot_convert_name_their_row(text: str, message: str) -> None:
    with pytest.raises(CsvError, match=message):
        list(product_lines(rows(text)))

"""CSV input for the common imports, converted row by row to the JSONL of variables a bulk mutation takes, so a
spreadsheet export goes in with one command (``bulkops import FILE.csv --csv products``). The column mapping
is documented in ``docs/client-csv.md``; columns it does not name are ignored.

* ``products``: Shopify's product CSV (``Handle``, ``Title``, ``Option1 Name`` …, ``Variant Price`` …), one
  ``productSet`` line a product: consecutive rows with the same ``Handle`` are its variants, the first row
  carries the product's fields. Upserts by handle, so a fixed file can be imported again.
* ``customers``: Shopify's customer CSV (``First Name``, ``Email``, ``Default Address City`` …), one
  ``customerCreate`` line a row.
* ``inventory``: ``Inventory Item ID``, ``Location ID``, ``Quantity`` (and optional ``Name``, ``Reason``), one
  ``inventorySetQuantities`` line a row.

Conversion streams: at most one product's rows are held at a time. A cell that cannot convert (a price that is
not a number, a missing handle) stops it with the CSV row's number, before anything is uploaded."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from bulkops.client.inputs import open_input

PRODUCT_SET = (
    "mutation set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) { "
    "productSet(identifier: $identifier, input: $input, synchronous: true) { "
    "product { id handle } userErrors { field message code } } }"
)
CUSTOMER_CREATE = (
    "mutation create($input: CustomerInput!) { customerCreate(input: $input) { "
    "customer { id email } userErrors { field message } } }"
)
INVENTORY_SET = (
    "mutation set($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { "
    "inventoryAdjustmentGroup { reason } userErrors { field message code } } }"
)
OPTIONS = 3
"""Shopify's product CSV has three option columns."""
DEFAULT_OPTION = ("Title", "Default Title")
"""What Shopify's CSV gives a product without options (one variant)."""
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0", ""}


class CsvError(ValueError):
    """A row that cannot convert, with its row number in the file (the header is row 1, as a spreadsheet counts)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"row {row}: {message}")
        self.row = row


Row = dict[str, str]


def _cell(row: Row, column: str) -> str:
    return (row.get(column) or "").strip()


def _flag(row: Row, column: str, number: int) -> bool | None:
    value = _cell(row, column).lower()
    if not value:
        return None
    if value in TRUE or value in FALSE:
        return value in TRUE
    raise CsvError(number, f"{column} must be TRUE or FALSE, not {value!r}")


def _decimal(row: Row, column: str, number: int) -> str | None:
    """A money or decimal cell as the API's string (``"19.99"``); None when empty."""
    value = _cell(row, column).replace(",", "")
    if not value:
        return None
    try:
        float(value)
    except ValueError:
        raise CsvError(number, f"{column} must be a number, not {value!r}") from None
    return value


def _integer(row: Row, column: str, number: int) -> int:
    value = _cell(row, column)
    try:
        return int(value)
    except ValueError:
        raise CsvError(number, f"{column} must be a whole number, not {value!r}") from None


def _tags(row: Row, column: str = "Tags") -> list[str] | None:
    value = _cell(row, column)
    return [tag.strip() for tag in value.split(",") if tag.strip()] if value else None


def _gid(kind: str, value: str) -> str:
    return value if value.startswith("gid://") else f"gid://shopify/{kind}/{value}"


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", []):
        target[key] = value


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, Row]]:
    """Each data row with its row number (header = 1); a UTF-8 byte-order mark, as Excel writes, is dropped."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    for index, row in enumerate(csv.DictReader(text), start=2):
        yield index, {(key or "").strip(): value or "" for key, value in row.items()}


def product_lines(rows: Iterable[tuple[int, Row]]) -> Iterator[dict[str, Any]]:
    """One ``productSet`` variables object a product: its consecutive rows by ``Handle``."""
    group: list[tuple[int, Row]] = []
    for number, row in rows:
        handle = _cell(row, "Handle")
        if not handle:
            raise CsvError(number, "Handle is empty: every row names its product's handle")
        if group and _cell(group[0][1], "Handle") != handle:
            yield product_variables(group)
            group = []
        group.append((number, row))
    if group:
        yield product_variables(group)


def product_variables(group: list[tuple[int, Row]]) -> dict[str, Any]:
    first_number, first = group[0]
    handle = _cell(first, "Handle")
    names = [_cell(first, f"Option{i} Name") for i in range(1, OPTIONS + 1)]
    names = [name for name in names if name] or [DEFAULT_OPTION[0]]
    values: dict[str, list[str]] = {name: [] for name in names}
    variants = [variant_input(number, row, names, values) for number, row in group]
    product: dict[str, Any] = {"handle": handle}
    for column, key in (("Title", "title"), ("Body (HTML)", "descriptionHtml"), ("Vendor", "vendor"),
                        ("Type", "productType")):
        _set(product, key, _cell(first, column))
    _set(product, "tags", _tags(first))
    _set(product, "status", _cell(first, "Status").upper())
    seo: dict[str, Any] = {}
    _set(seo, "title", _cell(first, "SEO Title"))
    _set(seo, "description", _cell(first, "SEO Description"))
    _set(product, "seo", seo)
    product["productOptions"] = [{"name": name, "values": [{"name": value} for value in values[name]]}
                                 for name in names]
    product["variants"] = variants
    if "title" not in product:
        raise CsvError(first_number, f"Title is empty on the first row of product {handle!r}")
    return {"identifier": {"handle": handle}, "input": product}


def variant_input(number: int, row: Row, names: list[str], values: dict[str, list[str]]) -> dict[str, Any]:
    """One row's variant; its option values join the product's options in the order they first appear."""
    chosen = []
    for index, name in enumerate(names, start=1):
        value = _cell(row, f"Option{index} Value") or (DEFAULT_OPTION[1] if name == DEFAULT_OPTION[0] else "")
        if not value:
            raise CsvError(number, f"Option{index} Value is empty: a variant names a value of each option")
        if value not in values[name]:
            values[name].append(value)
        chosen.append({"optionName": name, "name": value})
    variant: dict[str, Any] = {"optionValues": chosen}
    _set(variant, "sku", _cell(row, "Variant SKU"))
    _set(variant, "price", _decimal(row, "Variant Price", number))
    _set(variant, "compareAtPrice", _decimal(row, "Variant Compare At Price", number))
    _set(variant, "barcode", _cell(row, "Variant Barcode"))
    _set(variant, "taxable", _flag(row, "Variant Taxable", number))
    _set(variant, "inventoryPolicy", _cell(row, "Variant Inventory Policy").upper())
    shipping = _flag(row, "Variant Requires Shipping", number)
    if shipping is not None:
        variant["inventoryItem"] = {"requiresShipping": shipping}
    return variant


def customer_lines(rows: Iterable[tuple[int, Row]]) -> Iterator[dict[str, Any]]:
    """One ``customerCreate`` variables object a row."""
    for number, row in rows:
        customer: dict[str, Any] = {}
        for column, key in (("First Name", "firstName"), ("Last Name", "lastName"), ("Email", "email"),
                            ("Phone", "phone"), ("Note", "note")):
            _set(customer, key, _cell(row, column))
        _set(customer, "tags", _tags(row))
        _set(customer, "taxExempt", _flag(row, "Tax Exempt", number))
        accepts = _flag(row, "Accepts Email Marketing", number)
        if accepts is not None and "email" in customer:
            customer["emailMarketingConsent"] = {"marketingState": "SUBSCRIBED" if accepts else "NOT_SUBSCRIBED"}
        address: dict[str, Any] = {}
        for column, key in (("Company", "company"), ("Address1", "address1"), ("Address2", "address2"),
                            ("City", "city"), ("Province Code", "provinceCode"), ("Country Code", "countryCode"),
                            ("Zip", "zip"), ("Phone", "phone")):
            _set(address, key, _cell(row, f"Default Address {column}"))
        _set(customer, "addresses", [address] if address else None)
        if not customer:
            raise CsvError(number, "the row is empty")
        yield {"input": customer}


def inventory_lines(rows: Iterable[tuple[int, Row]]) -> Iterator[dict[str, Any]]:
    """One ``inventorySetQuantities`` variables object a row, with no compare check (``changeFromQuantity:
    null``: set the quantity whatever it was)."""
    for number, row in rows:
        item, location = _cell(row, "Inventory Item ID"), _cell(row, "Location ID")
        if not item or not location:
            raise CsvError(number, "Inventory Item ID and Location ID are both needed")
        quantity = {"inventoryItemId": _gid("InventoryItem", item), "locationId": _gid("Location", location),
                    "quantity": _integer(row, "Quantity", number), "changeFromQuantity": None}
        yield {"input": {"name": _cell(row, "Name") or "available", "reason": _cell(row, "Reason") or "correction",
                         "quantities": [quantity]}}


KINDS: dict[str, tuple[Callable[[Iterable[tuple[int, Row]]], Iterator[dict[str, Any]]], str]] = {
    "products": (product_lines, PRODUCT_SET),
    "customers": (customer_lines, CUSTOMER_CREATE),
    "inventory": (inventory_lines, INVENTORY_SET),
}


def default_mutation(kind: str) -> str:
    """The mutation a kind's lines are variables of."""
    return KINDS[kind][1]


def convert(source: Path, kind: str, destination: Path) -> int:
    """Write ``source`` (CSV, or gzip CSV) as JSONL of ``kind``'s variables to ``destination``; the line count."""
    convert_lines, _ = KINDS[kind]
    count = 0
    with open_input(source) as stream, destination.open("wb") as out:
        for variables in convert_lines(_rows(stream)):
            out.write(orjson.dumps(variables) + b"\n")
            count += 1
    return count

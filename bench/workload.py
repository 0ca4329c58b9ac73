"""What the benchmark feeds the server: a realistic productCreate, productSet, customerCreate, metafieldsSet or
productVariantsBulkUpdate JSONL of a given size, and the documents (``WORKLOADS``: mutation -> its document and
its file writer)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import orjson

PRODUCT_CREATE = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title handle } userErrors { field message } } }"
)

PRODUCT_SET = (
    "mutation call($input: ProductSetInput!, $identifier: ProductSetIdentifiers) "
    "{ productSet(input: $input, identifier: $identifier, synchronous: true) "
    "{ product { id title handle } userErrors { field message code } } }"
)

CUSTOMER_CREATE = (
    "mutation call($input: CustomerInput!) { customerCreate(input: $input) "
    "{ customer { id email } userErrors { field message } } }"
)

METAFIELDS_SET = (
    "mutation call($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) "
    "{ metafields { id key } userErrors { field message code } } }"
)
VARIANTS_BULK_UPDATE = (
    "mutation call($productId: ID!, $variants: [ProductVariantsBulkInput!]!) "
    "{ productVariantsBulkUpdate(productId: $productId, variants: $variants) "
    "{ productVariants { id price } userErrors { field message code } } }"
)
VARIANTS_PER_SEEDED_PRODUCT = 3
"""productVariantsBulkUpdate's lines change the variants of products seeded first, one product per line (ids
from 1, as ``bulkops seed`` gives them in a fresh shop)."""

EXPORT_PRODUCTS_WITH_VARIANTS = """
{
  products {
    edges {
      node {
        id
        title
        handle
        vendor
        variants {
          edges {
            node { id title sku price }
          }
        }
      }
    }
  }
}"""

_ADJECTIVES = ("Sweet", "Classic", "Rugged", "Light", "Pro", "Vintage", "Urban", "Alpine", "Coastal", "Midnight",
               "Solar", "Arctic", "Feather", "Granite", "Velvet", "Crimson")
_NOUNS = ("Snowboard", "Jacket", "Backpack", "Helmet", "Goggles", "Boots", "Gloves", "Beanie", "Board Bag",
          "Wax Kit", "Bindings", "Hoodie")
_VENDORS = ("JadedPixel", "Burton", "Nordic Gear", "Peak Supply", "Hydrogen Outfitters", "Sierra Works")
_TYPES = ("Snowboard", "Outerwear", "Accessories", "Bags", "Protection")
_TAGS = ("winter", "sale", "new", "bestseller", "eco", "limited", "gift", "outdoor", "unisex", "premium")
_WORDS = ("durable", "waterproof", "lightweight", "shell", "with", "for", "the", "mountain", "all-day", "comfort",
          "and", "a", "recycled", "fabric", "fit", "built", "to", "last", "season", "after")


def _description(rng: random.Random) -> str:
    """About 200 characters of HTML, as a shop's product descriptions are."""
    text = ""
    while len(text) < 186:
        text += rng.choice(_WORDS) + " "
    return f"<p>{text[:186].strip().capitalize()}.</p>"[:200].ljust(200, " ")


def product_line(rng: random.Random, number: int) -> dict[str, object]:
    title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {number}"
    return {"product": {
        "title": title,
        "handle": f"bench-{number}-{title.lower().replace(' ', '-')}",
        "vendor": rng.choice(_VENDORS),
        "productType": rng.choice(_TYPES),
        "status": "ACTIVE",
        "tags": rng.sample(_TAGS, 3),
        "descriptionHtml": _description(rng),
        "productOptions": [
            {"name": "Size", "values": [{"name": s} for s in ("S", "M", "L")]},
            {"name": "Color", "values": [{"name": c} for c in ("Black", "Snow", "Moss")]},
        ],
        "metafields": [
            {"namespace": "custom", "key": "material", "type": "single_line_text_field",
             "value": rng.choice(("Recycled polyester", "Merino wool", "Nylon ripstop"))},
            {"namespace": "custom", "key": "warranty_years", "type": "number_integer", "value": str(rng.randint(1, 5))},
        ],
    }}


def product_set_line(rng: random.Random, number: int) -> dict[str, object]:
    """A catalog sync's product: 2 options, 3 variants (price, SKU, inventory item), 2 metafields."""
    product = product_line(rng, number)["product"]
    assert isinstance(product, dict)
    colors = ("Black", "Snow", "Moss")
    price = rng.randint(20, 400)
    product["variants"] = [
        {"optionValues": [{"optionName": "Size", "name": size}, {"optionName": "Color", "name": rng.choice(colors)}],
         "price": f"{price}.{rng.randint(0, 99):02d}", "sku": f"BENCH-{number}-{size}",
         "inventoryItem": {"tracked": True}}
        for size in ("S", "M", "L")]
    return {"input": product}


def variants_update_line(rng: random.Random, number: int) -> dict[str, object]:
    """A price list sync: every variant of one seeded product gets a price, a compare-at price, a barcode and its
    inventory item's SKU."""
    first = number * VARIANTS_PER_SEEDED_PRODUCT + 1
    variants = []
    for variant in range(first, first + VARIANTS_PER_SEEDED_PRODUCT):
        price = rng.randint(20, 400)
        variants.append({"id": f"gid://shopify/ProductVariant/{variant}", "price": f"{price}.{rng.randint(0, 99):02d}",
                         "compareAtPrice": f"{price + 50}.00", "barcode": f"{rng.randint(10**11, 10**12 - 1)}",
                         "inventoryItem": {"sku": f"BENCH-{variant}", "tracked": True}})
    return {"productId": f"gid://shopify/Product/{number + 1}", "variants": variants}


def write_titles(path: Path, lines: int, seed: int = 6) -> int:
    """``lines`` productCreate inputs holding only a title (the README's own format): each handle is derived
    from its title, so the server looks for a free one per line. Deterministic per seed."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for number in range(lines):
            title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {number}"
            out.write(orjson.dumps({"product": {"title": title}}) + b"\n")
    return lines


_FIRST_NAMES = ("Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hana", "Ivan", "Józef", "Kai", "Lena")
_LAST_NAMES = ("Smith", "Nguyen", "García", "O'Brien", "Müller", "Tanaka", "Dubois", "Kowalski", "Rossi", "Khan")
_CITIES = (("Ottawa", "ON", "CA", "K1A 0B1"), ("Montréal", "QC", "CA", "H2X 1Y4"), ("Denver", "CO", "US", "80202"),
           ("Portland", "OR", "US", "97205"), ("Lyon", None, "FR", "69002"))


def customer_line(rng: random.Random, number: int) -> dict[str, object]:
    """A customer with an address and email and SMS marketing consent, as a CRM export would give it."""
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    city, province, country, postcode = rng.choice(_CITIES)
    phone = f"+1613{number:07d}"
    return {"input": {
        "firstName": first, "lastName": last, "email": f"{first.lower()}.{number}@example.com", "phone": phone,
        "tags": rng.sample(_TAGS, 2), "note": "Imported from the old shop",
        "addresses": [{"firstName": first, "lastName": last, "address1": f"{rng.randint(1, 999)} Main Street",
                       "city": city, "provinceCode": province, "countryCode": country, "zip": postcode,
                       "phone": phone}],
        "emailMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"},
        "smsMarketingConsent": {"marketingState": rng.choice(("SUBSCRIBED", "NOT_SUBSCRIBED"))},
    }}


_METAFIELD_KINDS = (
    ("single_line_text_field", lambda rng: rng.choice(("Recycled polyester", "Merino wool", "Nylon ripstop"))),
    ("multi_line_text_field", lambda rng: "Machine wash cold.\nHang to dry; do not iron."),
    ("number_integer", lambda rng: str(rng.randint(1, 500))),
    ("number_decimal", lambda rng: f"{rng.uniform(0, 100):.2f}"),
    ("boolean", lambda rng: rng.choice(("true", "false"))),
    ("json", lambda rng: orjson.dumps({"fit": rng.choice(("slim", "regular")), "sizes": ["S", "M"]}).decode()),
)
METAFIELD_KEYS = tuple(f"{word}_{n}" for n, word in enumerate(
    ("material", "care", "weight_g", "rating", "eco", "specs", "origin", "fit", "season", "layers", "warranty",
     "waterproof", "stock_hint", "lining", "notes", "score", "vegan", "extra", "length", "width", "height",
     "volume", "colourway", "collab", "batch")))
"""25 keys, the benchmark's metafields per line."""


def metafields_line(rng: random.Random, number: int) -> dict[str, object]:
    """25 metafields on product ``number + 1`` (the bench seeds one product per line first), as a PIM sync
    would send them."""
    owner = f"gid://shopify/Product/{number + 1}"
    return {"metafields": [
        {"ownerId": owner, "namespace": "custom", "key": key, "type": kind, "value": value(rng)}
        for key, (kind, value) in zip(METAFIELD_KEYS, (_METAFIELD_KINDS * 5)[:25], strict=True)]}


def write_metafields(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write metafieldsSet lines (25 metafields each) until the file reaches ``target_bytes``."""
    return write_lines(path, target_bytes, metafields_line, seed)


def write_products(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write productCreate lines until the file reaches ``target_bytes``; returns the line count."""
    return write_lines(path, target_bytes, product_line, seed)


def write_product_sets(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write productSet lines until the file reaches ``target_bytes``; returns the line count."""
    return write_lines(path, target_bytes, product_set_line, seed)


def write_customers(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write customerCreate lines until the file reaches ``target_bytes``; returns the line count."""
    return write_lines(path, target_bytes, customer_line, seed)


def write_variant_updates(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write productVariantsBulkUpdate lines until the file reaches ``target_bytes``; returns the line count
    (the count of products to seed first)."""
    return write_lines(path, target_bytes, variants_update_line, seed)


def write_lines(path: Path, target_bytes: int, make_line: Callable[[random.Random, int], dict[str, object]],
                seed: int = 6) -> int:
    """Write lines until the file reaches ``target_bytes``; returns the line count. Deterministic per seed."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    lines = 0
    with path.open("wb") as out:
        while written < target_bytes:
            line = orjson.dumps(make_line(rng, lines)) + b"\n"
            out.write(line)
            written += len(line)
            lines += 1
    return lines


WORKLOADS: dict[str, tuple[str, Callable[[Path, int], int]]] = {
    "productCreate": (PRODUCT_CREATE, write_products),
    "productSet": (PRODUCT_SET, write_product_sets),
    "customerCreate": (CUSTOMER_CREATE, write_customers),
    "metafieldsSet": (METAFIELDS_SET, write_metafields),
    "productVariantsBulkUpdate": (VARIANTS_BULK_UPDATE, write_variant_updates),
}
"""Mutation -> (its document, the writer of its JSONL)."""
OWNS_PRODUCTS = frozenset({"metafieldsSet"})
"""Workloads whose line ``n`` names product ``n + 1``: the shop is seeded with one product per line first."""

"""What the benchmark feeds the server: a realistic productCreate JSONL of a given size, and the documents."""

from __future__ import annotations

import random
from pathlib import Path

import orjson

PRODUCT_CREATE = (
    "mutation call($product: ProductCreateInput!) { productCreate(product: $product) "
    "{ product { id title handle } userErrors { field message } } }"
)

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


def write_products(path: Path, target_bytes: int, seed: int = 6) -> int:
    """Write lines until the file reaches ``target_bytes``; returns the line count. Deterministic per seed."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    lines = 0
    with path.open("wb") as out:
        while written < target_bytes:
            line = orjson.dumps(product_line(rng, lines)) + b"\n"
            out.write(line)
            written += len(line)
            lines += 1
    return lines

"""Realistic demo data, fast: products with options and variants, and customers, written with multi-row
inserts a block at a time (ids assigned here, so children need no read-back). For demos, tests and benchmarks.

The data is deterministic for a given seed and starting point, and never collides with what the shop holds
(handles, emails and phones carry the new row's id).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from bulkops.db.database import Database
from bulkops.db.tables import customers, product_options, product_variants, products
from bulkops.domain.customers.rules import ADDRESS_KEYS
from bulkops.domain.orders.batch import next_number
from bulkops.domain.orders.seed import seed_orders
from bulkops.domain.shops.rules import Shop, development_shop, shop_by_name
from bulkops.domain.shops.secrets import SecretBox

ADDRESS_ID_BASE = 2 * 10**11
"""Seeded address ids sit above the random ones the customer rules assign (below 10**11), one per customer."""
BLOCK = 5_000
"""Products (or customers) per transaction."""

ADJECTIVES = ("Classic", "Vintage", "Organic", "Ultralight", "Heritage", "Alpine", "Coastal", "Urban", "Merino",
              "Recycled", "Waxed", "Everyday", "Summit", "Harbor", "Nordic", "Desert")
NOUNS = ("Snowboard", "Jacket", "Backpack", "Beanie", "Water Bottle", "Sweater", "Tote", "Sunglasses", "Mug",
         "Candle", "Notebook", "Sneakers", "Scarf", "Tent", "Lantern", "Blanket")
VENDORS = ("Snowdevil", "Hydrogen Vendor", "Northwind Goods", "Acme Outfitters", "Fjord & Co", "Blue Harbor")
TYPES = ("Snowboard", "Outerwear", "Bags", "Accessories", "Home", "Footwear", "Stationery", "Camping")
TAGS = ("new", "sale", "winter", "summer", "bestseller", "eco", "limited", "gift")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLORS = ("Black", "White", "Red", "Navy", "Olive", "Sand", "Grey", "Teal")
FIRST_NAMES = ("Ava", "Liam", "Noah", "Emma", "Mia", "Lucas", "Zoe", "Omar", "Ines", "Yuki", "Kofi", "Sara")
LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Tanaka", "Silva", "Kowalski", "Haddad")


@dataclass(frozen=True)
class SeedReport:
    products: int
    variants: int
    customers: int
    orders: int = 0


def _next_id(conn: Connection, table: Table) -> int:
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def _option_axes(variants_per_product: int) -> list[tuple[str, list[str]]]:
    """Size alone for up to 6 variants, Size × Color beyond (up to 48)."""
    if variants_per_product <= len(SIZES):
        return [("Size", list(SIZES[:variants_per_product]))]
    colors = -(-variants_per_product // len(SIZES))
    if colors > len(COLORS):
        raise ValueError(f"at most {len(SIZES) * len(COLORS)} variants per product can be seeded")
    return [("Size", list(SIZES)), ("Color", list(COLORS[:colors]))]


def _combinations(axes: list[tuple[str, list[str]]], count: int) -> list[list[tuple[str, str]]]:
    combos: list[list[tuple[str, str]]] = [[]]
    for name, values in axes:
        combos = [[*c, (name, v)] for c in combos for v in values]
    return combos[:count]


def product_rows(rng: random.Random, shop_id: int, first_id: int, count: int, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        pid = first_id + n
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {pid}"
        created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        rows.append({
            "id": pid, "shop_id": shop_id, "title": title, "handle": f"seed-{pid}",
            "description_html": f"<p>The {title.lower()}: made to last, ready for every season.</p>",
            "vendor": rng.choice(VENDORS), "product_type": rng.choice(TYPES), "status": "ACTIVE",
            "tags": sorted(rng.sample(TAGS, rng.randrange(0, 3))), "gift_card": False,
            "requires_selling_plan": False, "created_at": created, "updated_at": created,
        })
    return rows


def children_rows(rng: random.Random, shop_id: int, product_ids: list[int], per_product: int, first_variant: int,
                  now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Options and variants for each product (one default variant when ``per_product`` is 0 or 1)."""
    axes = _option_axes(per_product) if per_product > 1 else []
    combos = _combinations(axes, per_product) if axes else [[]]
    options: list[dict[str, Any]] = []
    variants: list[dict[str, Any]] = []
    vid = first_variant
    for pid in product_ids:
        for position, (name, values) in enumerate(axes, start=1):
            options.append({"product_id": pid, "name": name, "position": position, "values": values})
        base_price = rng.randrange(5, 400)
        for position, combo in enumerate(combos, start=1):
            selected = [{"name": k, "value": v} for k, v in combo] or [{"name": "Title", "value": "Default Title"}]
            variants.append({
                "id": vid, "shop_id": shop_id, "product_id": pid,
                "title": " / ".join(v for _, v in combo) or "Default Title", "position": position,
                "selected_options": selected, "price": f"{base_price + position - 1}.00",
                "compare_at_price": f"{base_price + 20}.00" if rng.random() < 0.2 else None,
                "sku": f"SKU-{pid}-{position}", "barcode": None, "taxable": True,
                "inventory_quantity": rng.randrange(0, 100), "inventory_policy": "DENY",
                "created_at": now, "updated_at": now,
            })
            vid += 1
    return options, variants


def address(customer_id: int, first: str, last: str) -> dict[str, Any]:
    """One address in the stored shape (every address key, and a stable id as the customer rules give)."""
    given = {"firstName": first, "lastName": last, "address1": f"{customer_id} Main Street", "city": "Springfield",
             "province": "Illinois", "provinceCode": "IL", "zip": f"{10000 + customer_id % 89999}",
             "country": "US", "countryCode": "US"}
    return {**{key: given.get(key) for key in ADDRESS_KEYS}, "id": ADDRESS_ID_BASE + customer_id}


def customer_rows(rng: random.Random, shop_id: int, first_id: int, count: int, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        cid = first_id + n
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append({
            "id": cid, "shop_id": shop_id, "first_name": first, "last_name": last,
            "email": f"{first}.{last}.{cid}@example.com".lower(), "phone": f"+1555{cid:07d}",
            "note": None, "tags": sorted(rng.sample(TAGS, rng.randrange(0, 2))), "state": "ENABLED",
            "verified_email": True, "tax_exempt": False, "locale": "en",
            "addresses": [address(cid, first, last)],
            "created_at": now, "updated_at": now,
        })
    return rows


def seed_shop(db: Database, shop_id: int, *, products_count: int = 0, variants_per_product: int = 1,
              customers_count: int = 0, orders_count: int = 0, now: datetime, seed: int = 1,
              progress: Callable[[str, int], None] | None = None) -> SeedReport:
    """Add ``products_count`` products (each with ``variants_per_product`` variants) and ``customers_count``
    customers to a shop, then ``orders_count`` orders (of those variants and customers), ``BLOCK`` at a time,
    each block in its own transaction."""
    _option_axes(max(variants_per_product, 1))
    rng = random.Random(seed)
    variants_total = 0
    done = 0
    while done < products_count:
        count = min(BLOCK, products_count - done)
        with db.write() as conn:
            first = _next_id(conn, products)
            rows = product_rows(rng, shop_id, first, count, now)
            options, variants = children_rows(rng, shop_id, [r["id"] for r in rows], variants_per_product,
                                              _next_id(conn, product_variants), now)
            conn.execute(insert(products), rows)
            if options:
                conn.execute(insert(product_options), options)
            conn.execute(insert(product_variants), variants)
        done += count
        variants_total += len(variants)
        if progress:
            progress("products", done)
    done = 0
    while done < customers_count:
        count = min(BLOCK, customers_count - done)
        with db.write() as conn:
            conn.execute(insert(customers), customer_rows(rng, shop_id, _next_id(conn, customers), count, now))
        done += count
        if progress:
            progress("customers", done)
    done = 0
    while done < orders_count:
        count = min(BLOCK, orders_count - done)
        with db.write() as conn:
            seed_orders(conn, shop_id, next_number(conn, shop_id), count, rng, now)
        done += count
        if progress:
            progress("orders", done)
    return SeedReport(products_count, variants_total, customers_count, orders_count)


def shop_to_seed(db: Database, name: str | None, now: datetime, box: SecretBox) -> Shop | None:
    """The shop called ``name`` (or ``name.myshopify.com``); the development shop when no name is given."""
    with db.write() as conn:
        if name is None:
            return development_shop(conn, now, box)[0]
        return shop_by_name(conn, name)

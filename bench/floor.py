"""What the machine allows, measured on the same file in the same run: no GraphQL, no database."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import orjson


def import_floor(source: Path, sink: Path) -> tuple[int, float]:
    """Read each line, decode it, write a result line of the same size; (lines, seconds)."""
    started = time.perf_counter()
    lines = 0
    with source.open("rb") as stream, sink.open("wb") as out:
        for raw in stream:
            value = orjson.loads(raw)
            out.write(orjson.dumps(value) + b"\n")
            lines += 1
    return lines, time.perf_counter() - started


def export_floor(database: Path, shop_id: int, sink: Path) -> tuple[int, float]:
    """Stream the rows an export of products with their variants selects straight from SQLite to JSONL,
    children after their parent with ``__parentId``; (objects, seconds)."""
    started = time.perf_counter()
    objects = 0
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT p.id, p.title, p.handle, p.vendor, v.id, v.title, v.sku, v.price FROM products p "
            "LEFT JOIN product_variants v ON v.product_id = p.id WHERE p.shop_id = ? ORDER BY p.id, v.position",
            (shop_id,),
        )
        with sink.open("wb") as out:
            current = None
            for pid, title, handle, vendor, vid, vtitle, sku, price in rows:
                parent = f"gid://shopify/Product/{pid}"
                if pid != current:
                    out.write(orjson.dumps({"id": parent, "title": title, "handle": handle, "vendor": vendor}) + b"\n")
                    objects += 1
                    current = pid
                if vid is not None:
                    out.write(orjson.dumps({"id": f"gid://shopify/ProductVariant/{vid}", "title": vtitle, "sku": sku,
                                            "price": price, "__parentId": parent}) + b"\n")
                    objects += 1
    finally:
        conn.close()
    return objects, time.perf_counter() - started

"""Variants of a product: Shopify's rules for creating, updating, deleting and ordering them in bulk.

A product with no options has one standalone variant titled "Default Title" (option "Title"). Each other
variant is one combination of the product's option values, unique within the product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from bulkops.db.tables import metafields, product_options, product_variants, products
from bulkops.domain.common import in_savepoint
from bulkops.protocol.errors import UserError, UserErrors

MAX_VARIANTS = 2048
MAX_OPTIONS = 3
DEFAULT_TITLE = "Default Title"
DEFAULT_SELECTED = [{"name": "Title", "value": DEFAULT_TITLE}]


@dataclass(frozen=True)
class VariantSpec:
    """What a variant input says (None = not given); ``option_values`` pairs are (option name, value)."""

    option_values: list[tuple[str, str]] | None = None
    id: int | None = None
    price: str | None = None
    compare_at_price: str | None = None
    sku: str | None = None
    barcode: str | None = None
    taxable: bool | None = None
    inventory_policy: str | None = None
    position: int | None = None
    inventory_item: dict[str, Any] | None = None
    inventory_quantity: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        values = {"price": self.price, "compare_at_price": self.compare_at_price, "sku": self.sku,
                  "barcode": self.barcode, "taxable": self.taxable, "inventory_policy": self.inventory_policy,
                  "inventory_item": self.inventory_item, "inventory_quantity": self.inventory_quantity}
        return {k: v for k, v in values.items() if v is not None}


# ---- reading -----------------------------------------------------------------------------------------
def options_of(conn: Connection, product_id: int) -> list[Any]:
    return list(conn.execute(select(product_options).where(product_options.c.product_id == product_id)
                             .order_by(product_options.c.position)))


def variants_of(conn: Connection, product_id: int) -> list[Any]:
    return list(conn.execute(select(product_variants).where(product_variants.c.product_id == product_id)
                             .order_by(product_variants.c.position, product_variants.c.id)))


def combo(selected: list[dict[str, str]]) -> tuple[str, ...]:
    return tuple(s["value"] for s in selected)


def _selected(option_names: list[str], pairs: dict[str, str]) -> list[dict[str, str]]:
    if not option_names:
        return list(DEFAULT_SELECTED)
    return [{"name": n, "value": pairs[n]} for n in option_names]


def _title(selected: list[dict[str, str]]) -> str:
    return " / ".join(s["value"] for s in selected) or DEFAULT_TITLE


def _label(selected: list[dict[str, str]]) -> str:
    return " / ".join(s["value"] for s in selected)


def _bad_price(raw: str | None) -> bool:
    if raw is None:
        return False
    try:
        return Decimal(raw) < 0
    except (InvalidOperation, ValueError):
        return False


# ---- writing -----------------------------------------------------------------------------------------
def option_rows(product_id: int | None, options: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """A product's option rows, positioned in input order (``product_id`` None: the writer fills it in)."""
    return [{"product_id": product_id, "name": name, "position": i + 1, "values": list(values)}
            for i, (name, values) in enumerate(options)]


def write_options(conn: Connection, product_id: int, options: list[tuple[str, list[str]]]) -> None:
    conn.execute(delete(product_options).where(product_options.c.product_id == product_id))
    if options:
        conn.execute(insert(product_options), option_rows(product_id, options))


NO_INPUT = VariantSpec()
"""A variant input that says nothing (a new product's first variant): every column takes Shopify's default."""


def variant_row(shop_id: int | None, product_id: int | None, option_names: list[str], chosen: dict[str, str],
                spec: VariantSpec, position: int, now: datetime | None) -> dict[str, Any]:
    """A new variant's columns: its ``chosen`` option values, what the input says, Shopify's defaults for the
    rest (None ids and time: the writer fills them in)."""
    selected = _selected(option_names, chosen)
    return {
        "shop_id": shop_id, "product_id": product_id, "title": _title(selected), "position": position,
        "selected_options": selected, "price": spec.price or "0.00", "compare_at_price": spec.compare_at_price,
        "sku": spec.sku, "barcode": spec.barcode, "taxable": True if spec.taxable is None else spec.taxable,
        "inventory_quantity": spec.inventory_quantity or 0, "inventory_policy": spec.inventory_policy or "DENY",
        "inventory_item": spec.inventory_item, "created_at": now, "updated_at": now,
    }


def first_variant(options: list[tuple[str, list[str]]]) -> tuple[list[str], dict[str, str]]:
    """A new product's one variant: each option's first value (a product without options gets Shopify's
    standalone "Default Title" variant). Returns the option names it is made of, and its values by name."""
    chosen = {name: values[0] for name, values in options if values}
    return list(chosen), chosen


def insert_variants(conn: Connection, shop_id: int, product_id: int, option_names: list[str],
                    specs: list[VariantSpec], first_position: int, now: datetime) -> list[int]:
    """New variant rows in the given order; returns their ids in that order."""
    if not specs:
        return []
    rows = [variant_row(shop_id, product_id, option_names, dict(spec.option_values or []), spec,
                        first_position + offset, now) for offset, spec in enumerate(specs)]
    result = conn.execute(insert(product_variants).returning(product_variants.c.id, sort_by_parameter_order=True),
                          rows)
    return [r.id for r in result]


def delete_variants(conn: Connection, variant_ids: list[int]) -> None:
    if not variant_ids:
        return
    conn.execute(delete(metafields).where(metafields.c.owner_type == "ProductVariant",
                                          metafields.c.owner_id.in_(variant_ids)))
    conn.execute(delete(product_variants).where(product_variants.c.id.in_(variant_ids)))


def _renumber(conn: Connection, product_id: int, ordered_ids: list[int]) -> None:
    for position, variant_id in enumerate(ordered_ids, start=1):
        conn.execute(update(product_variants).where(product_variants.c.id == variant_id).values(position=position))


def touch_product(conn: Connection, product_id: int, now: datetime) -> None:
    conn.execute(update(products).where(products.c.id == product_id).values(updated_at=now))


def _add_values(options: list[tuple[str, list[str]]], pairs: dict[str, str]) -> None:
    for name, values in options:
        if name in pairs and pairs[name] not in values:
            values.append(pairs[name])


# ---- productVariantsBulkCreate ---------------------------------------------------------------------
def bulk_create(conn: Connection, shop_id: int, product_id: int, specs: list[VariantSpec], strategy: str,
                now: datetime) -> list[int]:
    """New variants; option values new to an option are added to it. A product that has only its standalone
    default variant gets its options from the new variants. ``strategy`` decides the standalone variant's fate."""
    existing = variants_of(conn, product_id)
    current: list[tuple[str, list[str]]] = [(o.name, list(o.values)) for o in options_of(conn, product_id)]
    before = [(name, list(values)) for name, values in current]
    errors: list[UserError] = []
    if not current:
        names = list(dict.fromkeys(n for s in specs for n, _ in s.option_values or []))
        if len(names) > MAX_OPTIONS:
            errors.append(UserError(f"Can only specify a maximum of {MAX_OPTIONS} options", ["variants"],
                                    "INVALID_INPUT"))
        options: list[tuple[str, list[str]]] = [(n, []) for n in names]
    else:
        options = current
    names = [n for n, _ in options]
    for index, spec in enumerate(specs):
        at = ["variants", str(index)]
        given = [n for n, _ in spec.option_values or []]
        unknown = [j for j, n in enumerate(given) if n not in names]
        if unknown:
            # ProductVariantsBulkCreateUserErrorCode has no OPTION_DOES_NOT_EXIST: an unknown name is INVALID_INPUT.
            code = "OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS" if len(given) > len(names) else "INVALID_INPUT"
            message = ("Variant options are more than the product options." if len(given) > len(names)
                       else "Option does not exist")
            errors.append(UserError(message, [*at, "optionValues", str(unknown[0])], code))
        elif len(set(given)) < len(names):
            errors.append(UserError("Variant options are not enough.", [*at, "optionValues"],
                                    "NEED_TO_ADD_OPTION_VALUES"))
        if _bad_price(spec.price):
            errors.append(UserError("Price must be greater than or equal to 0", [*at, "price"],
                                    "GREATER_THAN_OR_EQUAL_TO"))
    if errors:
        raise UserErrors(errors)

    standalone = existing[0] if len(existing) == 1 else None
    is_default = standalone is not None and not current
    removed = standalone if standalone is not None and (strategy == "REMOVE_STANDALONE_VARIANT"
                                                        or (strategy == "DEFAULT" and is_default)) else None
    kept = [v for v in existing if removed is None or v.id != removed.id]
    for spec in specs:
        _add_values(options, dict(spec.option_values or []))
    reassigned: dict[int, list[dict[str, str]]] = {}
    if not current and names and kept:
        # UNCONFIRMED: a preserved "Default Title" variant keeps that value under the first new option.
        options[0][1].insert(0, DEFAULT_TITLE)
        first = {n: (DEFAULT_TITLE if i == 0 else values[0]) for i, (n, values) in enumerate(options)}
        reassigned = {v.id: _selected(names, first) for v in kept}
    taken = {combo(reassigned.get(v.id, v.selected_options)) for v in kept}
    for index, spec in enumerate(specs):
        selected = _selected(names, dict(spec.option_values or []))
        key = combo(selected)
        if key in taken:
            errors.append(UserError(f"The variant '{_label(selected)}' already exists.", ["variants", str(index)],
                                    "VARIANT_ALREADY_EXISTS"))
        taken.add(key)
    if len(kept) + len(specs) > MAX_VARIANTS:
        errors.append(UserError(f"Can only have a maximum of {MAX_VARIANTS} variants per product.", ["variants"],
                                "INVALID_INPUT"))
    if errors:
        raise UserErrors(errors)

    if removed is not None:
        delete_variants(conn, [removed.id])
    if options != before:  # options keep their ids when no value is new (as Shopify's do)
        write_options(conn, product_id, options)
    for variant_id, selected in reassigned.items():
        conn.execute(update(product_variants).where(product_variants.c.id == variant_id).values(
            selected_options=selected, title=_title(selected), updated_at=now))
    _renumber(conn, product_id, [v.id for v in kept])
    ids = insert_variants(conn, shop_id, product_id, names, specs, len(kept) + 1, now)
    touch_product(conn, product_id, now)
    return ids


@dataclass(frozen=True)
class VariantsCreateInput:
    """One productVariantsBulkCreate input, its product identified (the caller checked that it exists)."""

    product_id: int
    specs: list[VariantSpec]
    strategy: str = "DEFAULT"


class VariantsCreated(NamedTuple):
    """An input's new variants' ids, in input order; ``product`` and ``variants`` are the rows as the input left
    them, when the batch read them."""

    variant_ids: list[int]
    product: Any = None
    variants: list[Any] | None = None


@dataclass
class _ProductVariants:
    """What the create batch knows of a product: its option names and values, its variants' combinations."""

    options: dict[str, list[str]]
    combos: set[tuple[str, ...]]
    count: int


class VariantsCreateBatch:
    """productVariantsBulkCreate for a chunk's inputs. An input it can vouch for (its product has options, every
    new variant gives each of them a value it already has, no combination is taken, no negative price, no
    standalone variant to remove, positions already 1..n) becomes variant rows, written with the chunk's others
    by one ``INSERT ... RETURNING`` (ids in line order) at the flush, which comes before any other input runs.
    The chunk's products' options and variants are read in two queries; a product an ordinary input changes
    is not vouched for again in the chunk."""

    def __init__(self, conn: Connection, shop_id: int, read_rows: bool = False, read_products: bool = True) -> None:
        self.conn = conn
        self.shop_id = shop_id
        self.read_rows = read_rows
        self.read_products = read_rows and read_products
        self._rows: list[dict[str, Any]] = []
        self._kept: list[tuple[int, VariantsCreateInput, int]] = []
        self._known: dict[int, _ProductVariants] = {}

    def run(self, items: Sequence[VariantsCreateInput | None], now: datetime,
            ordinary: Callable[[int], R]) -> list[VariantsCreated | R]:
        """Each input written by the batch when it can vouch for it; any other answered by ``ordinary(index)``
        at its turn, after the inputs before it are written."""
        out: list[Any] = [None] * len(items)
        self._known = self._read_products({i.product_id for i in items if i is not None})
        for index, item in enumerate(items):
            rows = None if item is None else self._new_rows(item, now)
            if rows is None:
                self.flush(out)
                out[index] = ordinary(index)
                if item is not None:
                    self._known.pop(item.product_id, None)
                continue
            self._kept.append((index, item, len(rows)))  # type: ignore[arg-type]
            self._rows.extend(rows)
        self.flush(out)
        return out

    def _read_products(self, product_ids: set[int]) -> dict[int, _ProductVariants]:
        """The products with options whose variants are positioned 1..n (others: the ordinary way)."""
        wanted = sorted(product_ids)
        known: dict[int, _ProductVariants] = {}
        positions: dict[int, list[int]] = {}
        for start in range(0, len(wanted), _LOOKUP_SIZE):
            some = wanted[start:start + _LOOKUP_SIZE]
            for option in self.conn.execute(select(product_options).where(product_options.c.product_id.in_(some))
                                            .order_by(product_options.c.position)):
                known.setdefault(option.product_id, _ProductVariants({}, set(), 0)).options[option.name] = \
                    list(option.values)
            for variant in self.conn.execute(
                    select(product_variants.c.product_id, product_variants.c.position,
                           product_variants.c.selected_options).where(
                        product_variants.c.shop_id == self.shop_id, product_variants.c.product_id.in_(some))
                    .order_by(product_variants.c.position, product_variants.c.id)):
                positions.setdefault(variant.product_id, []).append(variant.position)
                if variant.product_id in known:
                    known[variant.product_id].combos.add(combo(variant.selected_options))
                    known[variant.product_id].count += 1
        return {pid: state for pid, state in known.items()
                if positions.get(pid) == list(range(1, state.count + 1))}

    def _new_rows(self, item: VariantsCreateInput, now: datetime) -> list[dict[str, Any]] | None:
        """The input's variant rows, or None: create them the ordinary way."""
        state = self._known.get(item.product_id)
        if state is None or not item.specs or (state.count == 1 and item.strategy == "REMOVE_STANDALONE_VARIANT"):
            return None
        if state.count + len(item.specs) > MAX_VARIANTS:
            return None
        names = list(state.options)
        combos: list[tuple[str, ...]] = []
        for spec in item.specs:
            pairs = dict(spec.option_values or [])
            if (len(pairs) != len(spec.option_values or []) or pairs.keys() != set(names)
                    or any(pairs[n] not in state.options[n] for n in names) or _bad_price(spec.price)):
                return None
            combos.append(tuple(pairs[n] for n in names))
        if len(set(combos)) < len(combos) or state.combos & set(combos):
            return None
        rows = [variant_row(self.shop_id, item.product_id, names, dict(spec.option_values or []), spec,
                            state.count + offset, now) for offset, spec in enumerate(item.specs, start=1)]
        state.combos |= set(combos)
        state.count += len(rows)
        return rows

    def flush(self, out: list[Any]) -> None:
        """Write the kept variants in one statement, touch their products; then, when asked, read the rows."""
        if not self._kept:
            return
        result = self.conn.execute(
            insert(product_variants).returning(product_variants.c.id, sort_by_parameter_order=True), self._rows)
        ids = [row.id for row in result]
        product_ids = sorted({item.product_id for _, item, _ in self._kept})
        self.conn.execute(update(products).where(products.c.id.in_(product_ids)).values(
            updated_at=self._rows[0]["updated_at"]))
        product_rows = rows_by_id(self.conn, products, self.shop_id, product_ids) if self.read_products else {}
        variant_rows = rows_by_id(self.conn, product_variants, self.shop_id, ids) if self.read_rows else {}
        taken = 0
        for index, item, count in self._kept:
            mine = ids[taken:taken + count]
            taken += count
            out[index] = VariantsCreated(mine, product_rows.get(item.product_id),
                                         [variant_rows[i] for i in mine] if self.read_rows else None)
        self._rows, self._kept = [], []


def create_many(conn: Connection, shop_id: int, inputs: Sequence[VariantsCreateInput], now: datetime
                ) -> list[VariantsCreated | UserErrors]:
    """productVariantsBulkCreate for any number of inputs, in order (the synchronous mutation is a batch of
    one): each answers its new variants' ids, or its errors (then it wrote nothing)."""
    batch = VariantsCreateBatch(conn, shop_id)
    return batch.run(inputs, now, lambda index: _create_one(conn, shop_id, inputs[index], now))


def _create_one(conn: Connection, shop_id: int, item: VariantsCreateInput, now: datetime
                ) -> VariantsCreated | UserErrors:
    def create_input() -> VariantsCreated:
        return VariantsCreated(bulk_create(conn, shop_id, item.product_id, item.specs, item.strategy, now))

    return in_savepoint(conn, create_input)


# ---- productVariantsBulkUpdate ---------------------------------------------------------------------
def bulk_update(conn: Connection, shop_id: int, product_id: int, specs: list[VariantSpec], allow_partial: bool,
                now: datetime) -> tuple[list[int], list[UserError]]:
    """Update variants by id. Atomic: any error leaves everything unchanged (raised), unless
    ``allow_partial``, where the valid variants are saved and the errors returned."""
    existing = {v.id: v for v in variants_of(conn, product_id)}
    options = [(o.name, list(o.values)) for o in options_of(conn, product_id)]
    names = [n for n, _ in options]
    selections = {v.id: list(v.selected_options) for v in existing.values()}
    errors: list[UserError] = []
    valid: list[tuple[int, VariantSpec, list[dict[str, str]] | None]] = []
    for index, spec in enumerate(specs):
        at = ["variants", str(index)]
        if spec.id is None:
            # UNCONFIRMED wording (code PRODUCT_VARIANT_ID_MISSING is Shopify's).
            errors.append(UserError("Product variant is missing ID attribute", [*at, "id"],
                                    "PRODUCT_VARIANT_ID_MISSING"))
            continue
        if spec.id not in existing:
            errors.append(UserError("Product variant does not exist", [*at, "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST"))
            continue
        if _bad_price(spec.price):
            errors.append(UserError("Price must be greater than or equal to 0", [*at, "price"],
                                    "GREATER_THAN_OR_EQUAL_TO"))
            continue
        selected = None
        if spec.option_values:
            unknown = [j for j, (n, _) in enumerate(spec.option_values) if n not in names]
            if unknown:
                errors.append(UserError("Option does not exist", [*at, "optionValues", str(unknown[0])],
                                        "OPTION_DOES_NOT_EXIST"))
                continue
            pairs = {s["name"]: s["value"] for s in selections[spec.id]} | dict(spec.option_values)
            selected = _selected(names, pairs)
            clash = [vid for vid, sel in selections.items() if vid != spec.id and combo(sel) == combo(selected)]
            if clash:
                errors.append(UserError(f"The variant '{_label(selected)}' already exists.", at,
                                        "VARIANT_ALREADY_EXISTS"))
                continue
            selections[spec.id] = selected
        valid.append((spec.id, spec, selected))
    if errors and not allow_partial:
        raise UserErrors(errors)
    for variant_id, spec, selected in valid:
        values = {**spec.columns(), "updated_at": now}
        if selected is not None:
            _add_values(options, {s["name"]: s["value"] for s in selected})
            values |= {"selected_options": selected, "title": _title(selected)}
        conn.execute(update(product_variants).where(product_variants.c.id == variant_id).values(**values))
    if any(selected is not None for _, _, selected in valid):
        write_options(conn, product_id, options)
    if valid:
        touch_product(conn, product_id, now)
    return [variant_id for variant_id, _, _ in valid], errors


@dataclass(frozen=True)
class VariantsUpdateInput:
    """One productVariantsBulkUpdate input, its product identified (the caller checked that it exists)."""

    product_id: int
    specs: list[VariantSpec]
    allow_partial: bool = False


class VariantsUpdated(NamedTuple):
    """An input's answer: the variants it updated, in input order, and (``allowPartialUpdates``) the errors of
    those it did not. ``product`` and ``variants`` are the rows as the input left them, when the batch read them."""

    variant_ids: list[int]
    errors: list[UserError]
    product: Any = None
    variants: list[Any] | None = None


R = TypeVar("R")
_LOOKUP_SIZE = 500
"""Ids per ``IN (...)`` lookup (well under SQLite's and PostgreSQL's parameter limits)."""
_ID = "updated_variant_id"
"""The parameter naming the variant to update (the others are the columns set)."""


class VariantsUpdateBatch:
    """productVariantsBulkUpdate for a chunk's inputs: an input it can vouch for (every variant named by an id
    of its product, each once, no option values, no negative price) is kept as parameter rows, and the kept
    rows setting the same columns are written by one ``executemany`` of ``UPDATE product_variants ... WHERE
    id = ?`` at the flush, which comes before any other input runs and before a variant is updated twice (so
    each answer shows the rows as its input left them). The chunk's variants are looked up in one query:
    an update adds and removes no variant, so what it says holds for the whole chunk."""

    def __init__(self, conn: Connection, shop_id: int, read_rows: bool = False, read_products: bool = True) -> None:
        self.conn = conn
        self.shop_id = shop_id
        self.read_rows = read_rows
        self.read_products = read_rows and read_products
        self._groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        self._kept: list[tuple[int, VariantsUpdateInput]] = []
        self._ids: set[int] = set()
        self._owners: dict[int, int] = {}

    def run(self, items: Sequence[VariantsUpdateInput | None], now: datetime,
            ordinary: Callable[[int], R]) -> list[VariantsUpdated | R]:
        """Each input written by the batch when it can vouch for it; any other answered by ``ordinary(index)``
        at its turn, after the inputs before it are written."""
        out: list[Any] = [None] * len(items)
        self._owners = self._products_of({s.id for i in items if i is not None for s in i.specs if s.id})
        for index, item in enumerate(items):
            rows = None if item is None else self._rows(item, now)
            if rows is None:
                self.flush(out)
                out[index] = ordinary(index)
                continue
            if any(row[_ID] in self._ids for row in rows):
                self.flush(out)
            for row in rows:
                self._groups.setdefault(frozenset(row), []).append(row)
                self._ids.add(row[_ID])
            self._kept.append((index, item))  # type: ignore[arg-type]
        self.flush(out)
        return out

    def _products_of(self, variant_ids: set[int]) -> dict[int, int]:
        wanted, found = sorted(variant_ids), dict[int, int]()
        for start in range(0, len(wanted), _LOOKUP_SIZE):
            found |= {row.id: row.product_id for row in self.conn.execute(
                select(product_variants.c.id, product_variants.c.product_id).where(
                    product_variants.c.shop_id == self.shop_id,
                    product_variants.c.id.in_(wanted[start:start + _LOOKUP_SIZE])))}
        return found

    def _rows(self, item: VariantsUpdateInput, now: datetime) -> list[dict[str, Any]] | None:
        """The input's parameter rows, or None: update it the ordinary way (it has errors to word, or option
        values to check against its siblings)."""
        ids = [spec.id for spec in item.specs]
        if not ids or len(set(ids)) < len(ids) or any(self._owners.get(i) != item.product_id for i in ids):  # type: ignore[arg-type]
            return None
        if any(spec.option_values or _bad_price(spec.price) for spec in item.specs):
            return None
        return [{**spec.columns(), "updated_at": now, _ID: spec.id} for spec in item.specs]

    def flush(self, out: list[Any]) -> None:
        """Write the kept updates (each variant at most once): one executemany per set of columns, one touch
        of their products; then, when asked, read the rows they left."""
        if not self._kept:
            return
        for rows in self._groups.values():
            self.conn.execute(update(product_variants).where(product_variants.c.id == bindparam(_ID)), rows)
        now = next(iter(self._groups.values()))[0]["updated_at"]
        product_ids = sorted({item.product_id for _, item in self._kept})
        self.conn.execute(update(products).where(products.c.id.in_(product_ids)).values(updated_at=now))
        product_rows, variant_rows = self._written_rows(product_ids)
        for index, item in self._kept:
            ids = [spec.id for spec in item.specs]
            out[index] = VariantsUpdated(ids, [], product_rows.get(item.product_id),  # type: ignore[arg-type]
                                         [variant_rows[i] for i in ids] if self.read_rows else None)  # type: ignore[index]
        self._groups, self._kept, self._ids = {}, [], set()

    def _written_rows(self, product_ids: list[int]) -> tuple[dict[int, Any], dict[int, Any]]:
        if not self.read_rows:
            return {}, {}
        product_rows = rows_by_id(self.conn, products, self.shop_id, product_ids) if self.read_products else {}
        return product_rows, rows_by_id(self.conn, product_variants, self.shop_id, self._ids)


def update_many(conn: Connection, shop_id: int, inputs: Sequence[VariantsUpdateInput], now: datetime
                ) -> list[VariantsUpdated | UserErrors]:
    """productVariantsBulkUpdate for any number of inputs, in order (the synchronous mutation is a batch of
    one): each answers the variants it updated, or its errors (then it wrote nothing)."""
    batch = VariantsUpdateBatch(conn, shop_id)
    return batch.run(inputs, now, lambda index: _update_one(conn, shop_id, inputs[index], now))


def _update_one(conn: Connection, shop_id: int, item: VariantsUpdateInput, now: datetime
                ) -> VariantsUpdated | UserErrors:
    def update_input() -> VariantsUpdated:
        return VariantsUpdated(*bulk_update(conn, shop_id, item.product_id, item.specs, item.allow_partial, now))

    return in_savepoint(conn, update_input)


def rows_by_id(conn: Connection, table: Any, shop_id: int, ids: Iterable[int]) -> dict[int, Any]:
    """The shop's rows of ``table`` with these ids, by id (a query per 500 ids)."""
    wanted = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), _LOOKUP_SIZE):
        found |= {row.id: row for row in conn.execute(select(table).where(
            table.c.shop_id == shop_id, table.c.id.in_(wanted[start:start + _LOOKUP_SIZE])))}
    return found


# ---- productVariantsBulkDelete ---------------------------------------------------------------------
def bulk_delete(conn: Connection, product_id: int, variant_ids: list[int | None], now: datetime) -> None:
    existing = variants_of(conn, product_id)
    ids = {v.id for v in existing}
    if any(i not in ids for i in variant_ids):
        # UNCONFIRMED wording (the code is Shopify's; its description reads "The variant does not exist.").
        raise UserError("At least one variant does not belong to the product", ["variantsIds"],
                        "AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT")
    doomed = {i for i in variant_ids if i is not None}  # all of them: None belongs to no product
    remaining = [v for v in existing if v.id not in doomed]
    if not remaining:
        raise UserError("Cannot delete default variant.", ["variantsIds"], "CANNOT_DELETE_LAST_VARIANT")
    delete_variants(conn, list(doomed))
    _renumber(conn, product_id, [v.id for v in remaining])
    options = options_of(conn, product_id)
    used = [{s["name"]: s["value"] for s in v.selected_options} for v in remaining]
    write_options(conn, product_id, [
        (o.name, [value for value in o.values if any(u.get(o.name) == value for u in used)]) for o in options
    ])
    touch_product(conn, product_id, now)


# ---- productVariantsBulkReorder --------------------------------------------------------------------
def bulk_reorder(conn: Connection, product_id: int, positions: list[tuple[int | None, int]], now: datetime) -> None:
    """Each variant moves to its 1-based position (past the end means last); the others keep their order."""
    existing = variants_of(conn, product_id)
    ids = [v.id for v in existing]
    errors: list[UserError] = []
    seen: set[int] = set()
    for index, (variant_id, position) in enumerate(positions):
        at = ["positions", str(index)]
        if variant_id not in ids:
            errors.append(UserError("Product variant does not exist.", [*at, "id"], "MISSING_VARIANT"))
        elif variant_id in seen:
            errors.append(UserError("Product variant IDs must be unique.", [*at, "id"], "DUPLICATED_VARIANT_ID"))
        elif position < 1:
            errors.append(UserError("Product variant position cannot be zero or negative number.",
                                    [*at, "position"], "INVALID_POSITION"))
        if variant_id is not None:
            seen.add(variant_id)
    if errors:
        raise UserErrors(errors)
    moves = sorted(positions, key=lambda p: p[1])
    order = [i for i in ids if i not in seen]
    for variant_id, position in moves:
        order.insert(min(position - 1, len(order)), variant_id)
    _renumber(conn, product_id, order)
    touch_product(conn, product_id, now)


# ---- productSet ------------------------------------------------------------------------------------
def sync_variants(conn: Connection, shop_id: int, product_id: int, options: list[tuple[str, list[str]]],
                  specs: list[VariantSpec], now: datetime) -> list[int]:
    """productSet: the product ends with exactly these variants, in this order. A spec matches an existing
    variant by id, else by its option values (so re-sending the same catalog keeps variant ids); variants
    matched by neither are deleted. Returns the variant ids in spec order."""
    names = [n for n, _ in options]
    existing = variants_of(conn, product_id)
    by_combo = {combo(v.selected_options): v.id for v in existing}
    existing_ids = {v.id for v in existing}
    matched: list[int | None] = []
    for spec in specs:
        key = combo(_selected(names, dict(spec.option_values or [])))
        matched.append(spec.id if spec.id in existing_ids else by_combo.get(key))
    claimed = {m for m in matched if m is not None}
    delete_variants(conn, [v.id for v in existing if v.id not in claimed])
    ids: list[int] = []
    for position, (spec, variant_id) in enumerate(zip(specs, matched, strict=True), start=1):
        if variant_id is None:
            ids.extend(insert_variants(conn, shop_id, product_id, names, [spec], position, now))
            continue
        selected = _selected(names, dict(spec.option_values or []))
        conn.execute(update(product_variants).where(product_variants.c.id == variant_id).values(
            **spec.columns(), selected_options=selected, title=_title(selected), position=position, updated_at=now))
        ids.append(variant_id)
    return ids


def check_set_variants(options: list[tuple[str, list[str]]], specs: list[VariantSpec], owned_ids: set[int],
                       prefix: list[str]) -> list[UserError]:
    """productSet's variant checks: every option valued, known variant ids, unique combinations."""
    errors: list[UserError] = []
    if len(specs) > MAX_VARIANTS:
        return [UserError(f"Can only have a maximum of {MAX_VARIANTS} variants per product.", prefix,
                          "VARIANTS_OVER_LIMIT")]
    names = [n for n, _ in options]
    seen: set[tuple[str, ...]] = set()
    for index, spec in enumerate(specs):
        at = [*prefix, str(index)]
        if spec.id is not None and spec.id not in owned_ids:
            errors.append(UserError("Product variant does not exist", [*at, "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST"))
            continue
        pairs = dict(spec.option_values or [])
        if sorted(pairs) != sorted(names) and (names or pairs):
            errors.append(UserError("The variant must have a value for every option of the product.",
                                    [*at, "optionValues"], "INVALID_VARIANT"))
            continue
        unknown = [v for n, v in pairs.items() if v not in dict(options).get(n, [])]
        if unknown:
            errors.append(UserError(f"Option value '{unknown[0]}' does not exist.", [*at, "optionValues"],
                                    "OPTION_VALUE_DOES_NOT_EXIST"))
            continue
        key = combo(_selected(names, pairs))
        if key in seen:
            errors.append(UserError(
                f"The variant '{_label(_selected(names, pairs))}' already exists. Please change at least one "
                "option value.", at, "INVALID_VARIANT"))
        seen.add(key)
    return errors

"""Collections: custom ones hold a chosen list of products, smart ones a rule set matched against products.

Smart collection membership is computed when read (there are no sales or inventory events to react to), so
``collection.products`` and ``products(query: "collection_id:…")`` always agree with the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import collection_products, collections, product_variants, products
from bulkops.domain.common import MAX_NAME, handleize, unique_handle
from bulkops.protocol.errors import UserError, UserErrors

SORT_ORDERS = ("ALPHA_ASC", "ALPHA_DESC", "BEST_SELLING", "CREATED", "CREATED_DESC", "MANUAL", "PRICE_ASC",
               "PRICE_DESC")
TEXT_COLUMNS = {"TITLE", "TYPE", "VENDOR", "VARIANT_TITLE", "TAG"}
NUMBER_COLUMNS = {"VARIANT_PRICE", "VARIANT_COMPARE_AT_PRICE", "VARIANT_INVENTORY", "VARIANT_WEIGHT"}


@dataclass(frozen=True)
class Rule:
    column: str
    relation: str
    condition: str


@dataclass(frozen=True)
class RuleSet:
    applied_disjunctively: bool
    rules: list[Rule]

    def as_json(self) -> dict[str, Any]:
        return {"appliedDisjunctively": self.applied_disjunctively,
                "rules": [{"column": r.column, "relation": r.relation, "condition": r.condition} for r in self.rules]}


@dataclass(frozen=True)
class CollectionFields:
    title: str | None = None
    handle: str | None = None
    description_html: str | None = None
    sort_order: str | None = None
    template_suffix: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _check(fields: CollectionFields, creating: bool) -> None:
    errors: list[UserError] = []
    if (creating and not (fields.title or "").strip()) or (fields.title is not None and not fields.title.strip()):
        errors.append(UserError("Title can't be blank", ["title"]))
    if fields.title is not None and len(fields.title) > MAX_NAME:
        errors.append(UserError(f"Title is too long (maximum is {MAX_NAME} characters)", ["title"]))
    if fields.handle is not None and len(fields.handle) > MAX_NAME:
        errors.append(UserError(f"Handle is too long (maximum is {MAX_NAME} characters)", ["handle"]))
    if errors:
        raise UserErrors(errors)


def _check_rules(rule_set: RuleSet) -> None:
    errors = []
    for index, rule in enumerate(rule_set.rules):
        at = ["ruleSet", "rules", str(index)]
        if not rule.condition.strip() and rule.relation not in ("IS_SET", "IS_NOT_SET"):
            errors.append(UserError("Condition can't be blank", [*at, "condition"]))
        elif rule.column in NUMBER_COLUMNS and rule.relation not in ("IS_SET", "IS_NOT_SET") \
                and _number(rule.condition) is None:
            # UNCONFIRMED wording: Shopify rejects non-numeric conditions on numeric columns.
            errors.append(UserError("Condition must be a number", [*at, "condition"]))
        elif rule.column == "TAG" and rule.relation != "EQUALS":
            errors.append(UserError("Relation is not valid for the tag column", [*at, "relation"]))
    if errors:
        raise UserErrors(errors)


def _handle(conn: Connection, shop_id: int, wanted: str | None, title: str, current_id: int | None) -> str:
    if wanted:
        handle = handleize(wanted) or wanted
        clash = conn.execute(select(collections.c.id).where(
            collections.c.shop_id == shop_id, collections.c.handle == handle)).first()
        if clash and clash.id != current_id:
            raise UserError(f"Handle '{handle}' already in use. Please provide a new handle.", ["handle"])
        return handle
    return unique_handle(conn, collections.c.handle, collections.c.shop_id, shop_id, handleize(title) or "collection")


def create_collection(conn: Connection, shop_id: int, fields: CollectionFields, product_ids: list[int] | None,
                      rule_set: RuleSet | None, now: datetime) -> int:
    """A custom collection (with ``product_ids`` in that order) or a smart one (with ``rule_set``)."""
    _check(fields, creating=True)
    if rule_set is not None:
        _check_rules(rule_set)
        if product_ids:
            # UNCONFIRMED wording: a smart collection's products come from its rules only.
            raise UserError("Products cannot be added to a smart collection.", ["products"])
    values = {"description_html": "", "sort_order": "BEST_SELLING", **fields.given(),
              "handle": _handle(conn, shop_id, fields.handle, fields.title or "", None), "shop_id": shop_id,
              "rule_set": rule_set.as_json() if rule_set else None, "created_at": now, "updated_at": now}
    collection_id = inserted_id(conn.execute(insert(collections).values(**values)))
    if product_ids:
        _require_products(conn, shop_id, product_ids, ["products"])
        add_products(conn, collection_id, product_ids)
    return collection_id


def update_collection(conn: Connection, shop_id: int, collection_id: int, fields: CollectionFields,
                      rule_set: RuleSet | None, now: datetime) -> None:
    row = get_collection(conn, shop_id, collection_id)
    if row is None:
        raise UserError("Collection does not exist", ["id"])
    _check(fields, creating=False)
    values = fields.given()
    if fields.handle is not None:
        values["handle"] = _handle(conn, shop_id, fields.handle, row.title, collection_id)
    if rule_set is not None:
        if row.rule_set is None:
            # UNCONFIRMED wording: Shopify does not turn a custom collection into a smart one.
            raise UserError("Cannot update rule set of a custom collection", ["ruleSet"])
        _check_rules(rule_set)
        values["rule_set"] = rule_set.as_json()
    conn.execute(update(collections).where(collections.c.id == collection_id).values(**values, updated_at=now))


def _require_products(conn: Connection, shop_id: int, product_ids: list[int], field: list[str]) -> None:
    found = {r.id for r in conn.execute(select(products.c.id).where(
        products.c.shop_id == shop_id, products.c.id.in_(product_ids)))}
    if len(found) != len(set(product_ids)):
        raise UserError("Product does not exist", field)


def add_products(conn: Connection, collection_id: int, product_ids: list[int]) -> None:
    """Append products not already in the collection, keeping their given order."""
    present = {r.product_id for r in conn.execute(select(collection_products.c.product_id).where(
        collection_products.c.collection_id == collection_id))}
    last = conn.execute(select(func.max(collection_products.c.position)).where(
        collection_products.c.collection_id == collection_id)).scalar() or 0
    rows = []
    for product_id in dict.fromkeys(product_ids):
        if product_id not in present:
            last += 1
            rows.append({"collection_id": collection_id, "product_id": product_id, "position": last})
    if rows:
        conn.execute(insert(collection_products), rows)


def remove_product(conn: Connection, collection_id: int, product_id: int) -> None:
    conn.execute(delete(collection_products).where(
        collection_products.c.collection_id == collection_id, collection_products.c.product_id == product_id))


def require_custom_collections(conn: Connection, shop_id: int, collection_ids: list[int | None],
                               field: list[str]) -> list[int]:
    """The ids, checked to be this shop's custom collections (a smart collection's products come from rules)."""
    rows = {r.id: r for r in conn.execute(select(collections.c.id, collections.c.rule_set).where(
        collections.c.shop_id == shop_id, collections.c.id.in_([i for i in collection_ids if i is not None])))}
    for index, collection_id in enumerate(collection_ids):
        row = rows.get(collection_id) if collection_id is not None else None
        if row is None:
            raise UserError("Collection does not exist", [*field, str(index)])
        if row.rule_set is not None:
            raise UserError("Products cannot be added to a smart collection.", [*field, str(index)])
    return [i for i in collection_ids if i is not None]


def set_product_collections(conn: Connection, shop_id: int, product_id: int, collection_ids: list[int]) -> None:
    """productSet's ``collections``: the product ends up in exactly these custom collections."""
    current = {r.collection_id for r in conn.execute(select(collection_products.c.collection_id).where(
        collection_products.c.product_id == product_id))}
    for collection_id in current - set(collection_ids):
        remove_product(conn, collection_id, product_id)
    for collection_id in collection_ids:
        if collection_id not in current:
            add_products(conn, collection_id, [product_id])


def get_collection(conn: Connection, shop_id: int, collection_id: int) -> Any | None:
    return conn.execute(select(collections).where(
        collections.c.id == collection_id, collections.c.shop_id == shop_id)).first()


def get_collections(conn: Connection, shop_id: int, collection_ids: list[int]) -> dict[int, Any]:
    """The shop's collections with these ids, by id (in one query per 500)."""
    wanted = sorted(set(collection_ids))
    out: dict[int, Any] = {}
    for start in range(0, len(wanted), 500):
        out |= {row.id: row for row in conn.execute(select(collections).where(
            collections.c.shop_id == shop_id, collections.c.id.in_(wanted[start:start + 500])))}
    return out


def rule_set_of(row: Any) -> RuleSet | None:
    if row.rule_set is None:
        return None
    return RuleSet(bool(row.rule_set.get("appliedDisjunctively")),
                   [Rule(r["column"], r["relation"], r["condition"]) for r in row.rule_set.get("rules", [])])


def member_ids(conn: Connection, shop_id: int, row: Any) -> list[int]:
    """The collection's product ids: in manual order for a custom collection, by id for a smart one."""
    rule_set = rule_set_of(row)
    if rule_set is None:
        return [r.product_id for r in conn.execute(select(collection_products.c.product_id).where(
            collection_products.c.collection_id == row.id).order_by(collection_products.c.position))]
    return matching_products(conn, shop_id, rule_set)


def collection_ids_of_product(conn: Connection, shop_id: int, product_id: int) -> list[int]:
    custom = [r.collection_id for r in conn.execute(select(collection_products.c.collection_id).where(
        collection_products.c.product_id == product_id))]
    smart = [(r.id, rule_set) for r in conn.execute(select(collections).where(
        collections.c.shop_id == shop_id, collections.c.rule_set.isnot(None)))
        if (rule_set := rule_set_of(r)) is not None]
    matched = [i for i, rule_set in smart if product_id in set(matching_products(conn, shop_id, rule_set))]
    return sorted(set(custom) | set(matched))


# ---- smart collection rules -------------------------------------------------------------------------
def _number(raw: Any) -> Decimal | None:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None


def _text_matches(value: str | None, relation: str, condition: str) -> bool:
    text, wanted = (value or "").lower(), condition.lower()
    return {
        "EQUALS": text == wanted, "NOT_EQUALS": text != wanted, "CONTAINS": wanted in text,
        "NOT_CONTAINS": wanted not in text, "STARTS_WITH": text.startswith(wanted),
        "ENDS_WITH": text.endswith(wanted), "IS_SET": bool(text), "IS_NOT_SET": not text,
    }.get(relation, False)


def _number_matches(value: Any, relation: str, condition: str) -> bool:
    number, wanted = _number(value), _number(condition)
    if relation in ("IS_SET", "IS_NOT_SET"):
        return (number is not None) == (relation == "IS_SET")
    if number is None or wanted is None:
        return False
    return {"EQUALS": number == wanted, "NOT_EQUALS": number != wanted, "GREATER_THAN": number > wanted,
            "LESS_THAN": number < wanted}.get(relation, False)


def _rule_matches(rule: Rule, product: Any, variants: list[Any]) -> bool:
    if rule.column == "TAG":
        return any(tag.lower() == rule.condition.lower() for tag in product.tags or [])
    if rule.column in ("TITLE", "TYPE", "VENDOR"):
        value = {"TITLE": product.title, "TYPE": product.product_type, "VENDOR": product.vendor}[rule.column]
        return _text_matches(value, rule.relation, rule.condition)
    variant_value = {
        "VARIANT_TITLE": lambda v: v.title, "VARIANT_PRICE": lambda v: v.price,
        "VARIANT_COMPARE_AT_PRICE": lambda v: v.compare_at_price,
        "VARIANT_INVENTORY": lambda v: v.inventory_quantity,
        "VARIANT_WEIGHT": lambda v: ((v.inventory_item or {}).get("measurement") or {}).get("weight", {}).get("value"),
    }.get(rule.column)
    if variant_value is None:
        return False
    if rule.column == "VARIANT_TITLE":
        return any(_text_matches(variant_value(v), rule.relation, rule.condition) for v in variants)
    return any(_number_matches(variant_value(v), rule.relation, rule.condition) for v in variants)


def matching_products(conn: Connection, shop_id: int, rule_set: RuleSet) -> list[int]:
    if not rule_set.rules:
        return []
    rows = list(conn.execute(select(products).where(products.c.shop_id == shop_id).order_by(products.c.id)))
    variants: dict[int, list[Any]] = {}
    for v in conn.execute(select(product_variants).where(product_variants.c.shop_id == shop_id)):
        variants.setdefault(v.product_id, []).append(v)
    combine = any if rule_set.applied_disjunctively else all
    return [p.id for p in rows if combine(_rule_matches(r, p, variants.get(p.id, [])) for r in rule_set.rules)]

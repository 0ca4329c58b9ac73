"""Metaobject definitions and metaobjects: typed field sets, created or updated by (type, handle).

Field values are checked with the metafield type system; required fields must hold a value. Error codes are
Shopify's ``MetaobjectUserErrorCode``; wordings Shopify does not document are UNCONFIRMED and kept short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bulkops.db.inserted import inserted_id
from bulkops.db.tables import metaobject_definitions, metaobjects
from bulkops.domain.common import handleize
from bulkops.domain.metafields.rules import resource_exists
from bulkops.domain.metafields.types import check_value, is_known_type
from bulkops.protocol.errors import UserError, UserErrors

MAX_FIELD_DEFINITIONS = 40
_TYPE = re.compile(r"^(\$app:)?[A-Za-z0-9_-]+$")
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class FieldDefinition:
    key: str
    type: str
    name: str | None = None
    required: bool = False
    description: str | None = None
    validations: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DefinitionSpec:
    type: str
    field_definitions: list[FieldDefinition]
    name: str | None = None
    description: str | None = None
    display_name_key: str | None = None
    access: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)


def _err(message: str, path: list[str], code: str, key: str | None = None, index: int | None = None) -> UserError:
    return UserError(message, path, code, {"elementKey": key, "elementIndex": index})


def _definition_errors(conn: Connection, shop_id: int, spec: DefinitionSpec) -> list[UserError]:
    errors: list[UserError] = []
    at = ["definition"]
    if len(spec.type) < 3:
        errors.append(_err("Type is too short (minimum is 3 characters)", [*at, "type"], "TOO_SHORT"))
    elif len(spec.type) > 255:
        errors.append(_err("Type is too long (maximum is 255 characters)", [*at, "type"], "TOO_LONG"))
    elif not _TYPE.match(spec.type):
        errors.append(_err("Type contains one or more invalid characters.", [*at, "type"], "INVALID"))
    elif definition_by_type(conn, shop_id, spec.type) is not None:
        errors.append(_err("Type has already been taken", [*at, "type"], "TAKEN"))
    if len(spec.field_definitions) > MAX_FIELD_DEFINITIONS:
        errors.append(_err(f"Field definitions exceeds the maximum of {MAX_FIELD_DEFINITIONS} fields.",
                           [*at, "fieldDefinitions"], "INPUT_LIMIT_EXCEEDED"))
    seen: set[str] = set()
    for index, definition in enumerate(spec.field_definitions):
        path = [*at, "fieldDefinitions", str(index)]
        if not 2 <= len(definition.key) <= 64:
            word = "short (minimum is 2" if len(definition.key) < 2 else "long (maximum is 64"
            errors.append(_err(f"Key is too {word} characters)", [*path, "key"],
                               "TOO_SHORT" if len(definition.key) < 2 else "TOO_LONG", definition.key, index))
        elif not _KEY.match(definition.key):
            errors.append(_err("Key contains one or more invalid characters.", [*path, "key"], "INVALID",
                               definition.key, index))
        elif definition.key in seen:
            errors.append(_err(f'Field "{definition.key}" duplicates other inputs', [*path, "key"],
                               "DUPLICATE_FIELD_INPUT", definition.key, index))
        seen.add(definition.key)
        if not is_known_type(definition.type):
            errors.append(_err(f"Type '{definition.type}' is not a valid field type.", [*path, "type"],
                               "FIELD_TYPE_INVALID", definition.key, index))
    if spec.display_name_key is not None and spec.display_name_key not in seen:
        errors.append(_err("Display name key must be the key of one of the field definitions.",
                           [*at, "displayNameKey"], "INVALID"))
    return errors


def create_definition(conn: Connection, shop_id: int, spec: DefinitionSpec, now: datetime) -> int:
    errors = _definition_errors(conn, shop_id, spec)
    if errors:
        raise UserErrors(errors)
    fields = [{"key": d.key, "type": d.type, "name": d.name or d.key.replace("_", " ").capitalize(),
               "required": d.required, "description": d.description, "validations": d.validations}
              for d in spec.field_definitions]
    return inserted_id(conn.execute(insert(metaobject_definitions).values(
        shop_id=shop_id, type=spec.type, name=spec.name or spec.type, description=spec.description,
        display_name_key=spec.display_name_key, field_definitions=fields,
        access={"admin": "PUBLIC_READ_WRITE", "storefront": "NONE", "customerAccount": "NONE", **spec.access},
        capabilities=spec.capabilities, created_at=now, updated_at=now,
    )))


def definition_by_type(conn: Connection, shop_id: int, type_name: str) -> Any | None:
    return conn.execute(select(metaobject_definitions).where(
        metaobject_definitions.c.shop_id == shop_id, metaobject_definitions.c.type == type_name)).first()


def get_definition(conn: Connection, shop_id: int, definition_id: int) -> Any | None:
    return conn.execute(select(metaobject_definitions).where(
        metaobject_definitions.c.shop_id == shop_id, metaobject_definitions.c.id == definition_id)).first()


def _field_errors(conn: Connection, shop_id: int, definition: Any, given: list[tuple[str, str]],
                  merged: dict[str, str]) -> list[UserError]:
    errors: list[UserError] = []
    by_key = {d["key"]: d for d in definition.field_definitions}
    seen: set[str] = set()
    for index, (key, value) in enumerate(given):
        path = ["metaobject", "fields", str(index)]
        if key in seen:
            errors.append(_err(f'Field "{key}" duplicates other inputs', path, "DUPLICATE_FIELD_INPUT", key, index))
            continue
        seen.add(key)
        if key not in by_key:
            errors.append(_err(f'Field definition "{key}" does not exist', path, "UNDEFINED_OBJECT_FIELD", key,
                               index))
            continue
        if value == "":
            continue
        problem = check_value(by_key[key]["type"], value,
                              lambda type_name, number: resource_exists(conn, shop_id, type_name, number))
        if problem:
            errors.append(_err(problem, path, "INVALID_VALUE", key, index))
    for definition_field in definition.field_definitions:
        if definition_field["required"] and not merged.get(definition_field["key"]):
            errors.append(_err(f"{definition_field['name']} can't be blank", ["metaobject", "fields"],
                               "OBJECT_FIELD_REQUIRED", definition_field["key"]))
    return errors


def upsert_metaobject(conn: Connection, shop_id: int, type_name: str, handle: str, new_handle: str | None,
                      fields: list[tuple[str, str]] | None, status: str | None, now: datetime) -> int:
    """Create the (type, handle) metaobject, or update it: given fields replace, others stay."""
    definition = definition_by_type(conn, shop_id, type_name)
    if definition is None:
        raise _err(f'No metaobject definition exists for type "{type_name}"', ["handle", "type"],
                   "UNDEFINED_OBJECT_TYPE")
    handle = handleize(handle) or handle
    existing = by_handle(conn, shop_id, type_name, handle)
    target = handleize(new_handle) if new_handle else handle
    errors: list[UserError] = []
    if target != (existing.handle if existing is not None else None):
        clash = by_handle(conn, shop_id, type_name, target)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors.append(_err("Handle has already been taken", ["metaobject", "handle"], "TAKEN"))
    given = fields or []
    merged = {**(existing.fields if existing is not None else {}), **dict(given)}
    errors += _field_errors(conn, shop_id, definition, given, merged)
    if errors:
        raise UserErrors(errors)
    merged = {k: v for k, v in merged.items() if v != ""}
    if existing is not None:
        conn.execute(update(metaobjects).where(metaobjects.c.id == existing.id).values(
            handle=target, fields=merged, status=status or existing.status, updated_at=now))
        return existing.id
    return inserted_id(conn.execute(insert(metaobjects).values(
        shop_id=shop_id, definition_id=definition.id, type=type_name, handle=target, fields=merged,
        status=status or "ACTIVE", created_at=now, updated_at=now,
    )))


def by_handle(conn: Connection, shop_id: int, type_name: str, handle: str) -> Any | None:
    return conn.execute(select(metaobjects).where(
        metaobjects.c.shop_id == shop_id, metaobjects.c.type == type_name, metaobjects.c.handle == handle)).first()


def get_metaobject(conn: Connection, shop_id: int, metaobject_id: int) -> Any | None:
    return conn.execute(select(metaobjects).where(
        metaobjects.c.shop_id == shop_id, metaobjects.c.id == metaobject_id)).first()

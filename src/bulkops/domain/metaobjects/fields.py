"""MetaobjectDefinition, its field definitions, Metaobject and its fields: each field's source, once
(domain/fields.py). A field's ``reference`` is another node, and a metaobject's fields carry it: the GraphQL
layer answers both."""

from __future__ import annotations

from typing import Any, NamedTuple

from bulkops.domain.fields import APP, Computed, Const, FieldMap, Plain, Resolved, columns
from bulkops.domain.metafields.types import category, json_value, value_type
from bulkops.domain.metaobjects.rules import FieldDefinition


def stored_definition(raw: dict[str, Any]) -> FieldDefinition:
    """A field definition as the definition's row stores it (JSON)."""
    return FieldDefinition(raw["key"], raw["type"], raw["name"], raw["required"], raw.get("description"),
                           raw.get("validations") or [])


FIELD_DEFINITION = FieldMap("MetaobjectFieldDefinition", {
    **columns(key="key", name="name", required="required", description="description"),
    "type": Computed(lambda d: {"name": d.type, "category": category(d.type), "supportsDefinitionMigrations": False,
                                "valueType": value_type(d.type)}),
    "validations": Computed(lambda d: [{"name": v["name"], "value": v["value"], "type": "single_line_text_field"}
                                       for v in d.validations]),
})
"""Read from a :class:`FieldDefinition`."""

present_field_definition = FIELD_DEFINITION.presenter()

DEFINITION = FieldMap("MetaobjectDefinition", {
    "id": Plain("id", "gid"), "_pk": Plain("id"),
    **columns(type="type", name="name", description="description", displayNameKey="display_name_key",
              access="access"),
    "fieldDefinitions": Computed(lambda row: [present_field_definition(stored_definition(f))
                                              for f in row.field_definitions]),
    "hasThumbnailField": Computed(lambda row: any(f["type"] == "color" for f in row.field_definitions)),
    "createdByApp": Const(APP), "createdByStaff": Const(None), "standardTemplate": Const(None),
})

present_definition = DEFINITION.presenter()


class FieldValue(NamedTuple):
    """One field of a metaobject: its definition and its stored value (None: not set)."""

    definition: FieldDefinition
    value: str | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def type(self) -> str:
        return self.definition.type


METAOBJECT_FIELD = FieldMap("MetaobjectField", {
    **columns(key="key", type="type", value="value"),
    "jsonValue": Computed(lambda f: json_value(f.type, f.value) if f.value is not None else None),
    "definition": Computed(lambda f: present_field_definition(f.definition)),
    "reference": Resolved(), "references": Const(None), "thumbnail": Const(None),
})
"""Read from a :class:`FieldValue`."""


class Metaobject(NamedTuple):
    """A metaobject's row with its definition's (its display name, fields and capabilities read both)."""

    id: int
    handle: str
    type: str
    fields: dict[str, str]
    status: str | None
    created_at: Any
    updated_at: Any
    definition: Any

    def values(self) -> list[FieldValue]:
        """Its fields, in its definition's order."""
        return [FieldValue(stored_definition(f), self.fields.get(f["key"])) for f in self.definition.field_definitions]


def metaobject_of(row: Any, definition: Any) -> Metaobject:
    return Metaobject(row.id, row.handle, row.type, row.fields, row.status, row.created_at, row.updated_at,
                      definition)


def _display_name(m: Metaobject) -> str:
    key = m.definition.display_name_key
    display = m.fields.get(key) if key else None
    return display or f"{m.definition.name} #{m.id}"


def _capabilities(m: Metaobject) -> dict[str, Any]:
    publishable = (m.definition.capabilities.get("publishable") or {}).get("enabled")
    return {"publishable": {"status": m.status} if publishable else None, "onlineStore": None}


METAOBJECT = FieldMap("Metaobject", {
    "id": Plain("id", "gid"), **columns(handle="handle", type="type"),
    "displayName": Computed(_display_name),
    "fields": Resolved(), "field": Resolved(),
    "definition": Computed(lambda m: present_definition(m.definition)),
    "capabilities": Computed(_capabilities),
    "createdAt": Plain("created_at", "time"), "updatedAt": Plain("updated_at", "time"),
    "createdBy": Const(APP), "createdByApp": Const(APP), "createdByStaff": Const(None), "staffMember": Const(None),
    "thumbnailField": Const(None),
})
"""Read from a :class:`Metaobject`; its ``fields`` and ``field(key:)`` are MetaobjectFields (METAOBJECT_FIELD),
whose references the GraphQL layer loads."""

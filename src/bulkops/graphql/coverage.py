"""``bulkops coverage``: for each object type the served schema reaches from ``QueryRoot``, where each field's
value comes from. Read from the registries the server answers with (the schema's bound resolvers, the domain's
field maps, the export's listings, ``answered_by_document`` and the export planner's refusal rule), never from a
table of its own, so it cannot drift from what the server does."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

import bulkops.domain
from bulkops.domain import listing as domain_listing
from bulkops.domain.documents.listing import from_documents
from bulkops.domain.fields import EMPTY_CONNECTION, Child, Computed, Const, FieldMap, Plain, Resolved, no_rows
from bulkops.graphql.documents import answered_by_document
from bulkops.graphql.planner.export_sources import ROOTS, WITHIN_OBJECTS, refused_field, source_for
from bulkops.protocol.mutation_document import connection_node_type, is_connection_type

KINDS = ("column", "computed", "child connection", "resolver", "document", "constant", "empty", "nested", "presenter",
         "refused")
"""Where a value can come from; ``constant``: the same value for every node (``Shop.currencyCode``); ``nested``:
a field of an object value its parent field gives whole (``MoneyV2.amount`` of a computed price); ``presenter``:
a node type with no field map, whose binding presents a dict of its own (``Location``)."""


@dataclass(frozen=True)
class FieldCoverage:
    field: str
    source: str
    detail: str


@dataclass(frozen=True)
class TypeCoverage:
    type: str
    fields: list[FieldCoverage]

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "fields": [asdict(f) for f in self.fields]}


class UnknownType(LookupError):
    """``--type`` names no object type the served schema reaches from QueryRoot."""


def field_maps() -> dict[str, FieldMap]:
    """Every field map of the domain (``domain/<resource>/fields.py``), by GraphQL type: the ones the
    presenters are compiled from."""
    found: dict[str, FieldMap] = {}
    for module_info in pkgutil.walk_packages(bulkops.domain.__path__, "bulkops.domain."):
        if not module_info.name.endswith(".fields"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else [value]
            for candidate in values:
                if not name.startswith("_") and isinstance(candidate, FieldMap):
                    found.setdefault(candidate.type_name, candidate)
    return found


def tables_of(maps: dict[str, FieldMap]) -> dict[str, str]:
    """Type -> the table its rows are read from, as its listings say (a root's, or a child connection's)."""
    listings = [*ROOTS.values(), *(child.listing for m in maps.values() for child in m.children().values())]
    tables = {rows.type_name: rows.table.name for rows in listings if isinstance(rows, domain_listing.Listing)}
    for (parent, _field), inner in WITHIN_OBJECTS.items():
        if parent in tables:
            tables.setdefault(inner, tables[parent])
    return tables


def reachable_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    """The object types a query can reach from QueryRoot (an interface or union: each of its object types)."""
    assert schema.query_type is not None
    seen: dict[str, GraphQLObjectType] = {}
    pending: list[Any] = [schema.query_type]
    while pending:
        named = pending.pop()
        objects = schema.get_possible_types(named) if isinstance(named, GraphQLAbstractType) else [named]
        for object_type in objects:
            if object_type.name in seen or object_type.name.startswith("__"):
                continue
            seen[object_type.name] = object_type
            pending += [get_named_type(f.type) for f in object_type.fields.values()
                        if not _is_leaf(get_named_type(f.type))]
    return sorted(seen.values(), key=lambda t: (t is not schema.query_type, t.name))


def _is_leaf(named: Any) -> bool:
    return not isinstance(named, GraphQLObjectType | GraphQLAbstractType)


def coverage(schema: GraphQLSchema, only: str | None = None) -> list[TypeCoverage]:
    """Each reachable object type's fields and their sources (only ``only``'s when given: UnknownType if the
    schema reaches no object type of that name)."""
    types = reachable_types(schema)
    if only is not None:
        types = [t for t in types if t.name == only]
        if not types:
            raise UnknownType(f"No object type named {only!r} is reachable from QueryRoot in the served schema.")
    maps = field_maps()
    classify = _Classifier(schema, maps, tables_of(maps))
    return [TypeCoverage(t.name, [classify.field(t, name, d) for name, d in t.fields.items()]) for t in types]


@dataclass
class _Classifier:
    schema: GraphQLSchema
    maps: dict[str, FieldMap]
    tables: dict[str, str]

    def field(self, owner: GraphQLObjectType, name: str, definition: GraphQLField) -> FieldCoverage:
        source, detail = self._source(owner, name, definition)
        return FieldCoverage(name, source, detail)

    def _source(self, owner: GraphQLObjectType, name: str, definition: GraphQLField) -> tuple[str, str]:
        named = get_named_type(definition.type)
        if is_connection_type(named):
            found = self._connection(owner, name, named)
            if found is not None:
                return found
        mapped = self.maps.get(owner.name)
        if mapped is not None and name in mapped.fields:
            return self._mapped(owner, name, mapped.fields[name], definition)
        resolver = _resolver(definition)
        if resolver is not None:
            exported = not is_connection_type(named)
            return "resolver", resolver if exported else f"{resolver} (queries; the bulk export refuses it)"
        if _unimplemented(definition):
            return "refused", "not implemented by this server (the request's error names it)"
        return self._unbound(owner, name, definition, mapped)

    def _unbound(self, owner: GraphQLObjectType, name: str, definition: GraphQLField,
                 mapped: FieldMap | None) -> tuple[str, str]:
        """A field no map entry, listing nor resolver answers: the document, the schema's empty value, the
        parent's object or the type's own presenter; or refused."""
        if refused_field(owner.name, name, definition):
            return "refused", "non-null, and nothing answers it: a bulk query selecting it is refused at creation"
        if answered_by_document(owner.name, name):
            fallback = "a not-implemented error" if _required_single(definition) else _empty_value(definition)
            return "document", f"else {fallback}"
        if mapped is not None and _required_single(definition):
            return "refused", "non-null, and nothing answers it: a query selecting it gets a not-implemented error"
        if mapped is not None or owner is self.schema.query_type:
            return "empty", _empty_value(definition)
        if not _is_node(owner):
            return "nested", "part of the object value its parent field gives"
        if from_documents(owner.name):
            return "document", "the node as loaded (no table keeps this type)"
        return "presenter", "the dict its binding presents (this type has no field map)"

    def _connection(self, owner: GraphQLObjectType, name: str, named: Any) -> tuple[str, str] | None:
        node = connection_node_type(named)
        builder = source_for(owner.name, name, node.name if node else None, isinstance(node, GraphQLAbstractType))
        if builder is None:
            return None
        mapped = self.maps.get(owner.name)
        child = mapped.fields.get(name) if mapped is not None else None
        if isinstance(child, Child):
            return "child connection", _listing_name(child.listing)
        described = _builder_name(builder)
        if described.startswith("documents_"):
            return "document", f"the {node.name if node else '?'} nodes loaded ({described}), else an empty connection"
        return "child connection", described

    def _mapped(self, owner: GraphQLObjectType, name: str, source: Any, definition: GraphQLField) -> tuple[str, str]:
        if isinstance(source, Plain):
            table = self.tables.get(owner.name)
            column = f"{table}.{source.column}" if table else source.column
            return "column", column if source.form == "value" else f"{column} ({source.form})"
        if isinstance(source, Computed):
            return "computed", _function_name(source.read)
        if isinstance(source, Child):
            return "child connection", f"{_listing_name(source.listing)} (queries; the bulk export refuses it)"
        if isinstance(source, Resolved):
            return "resolver", _resolver(definition) or "the reader its binding gives the presenter"
        assert isinstance(source, Const)
        value = _const(source.value)
        if answered_by_document(owner.name, name):
            return "document", f"else {value}"
        if source.value is None or source.value == [] or source.value is no_rows or source.value is EMPTY_CONNECTION:
            return "empty", value
        return "constant", value


def _resolver(definition: GraphQLField) -> str | None:
    """The binding's resolver of a field, when one is bound (the root's "not implemented" guard is none)."""
    resolve = definition.resolve
    if resolve is None or _unimplemented(definition):
        return None
    return _function_name(resolve)


def _unimplemented(definition: GraphQLField) -> bool:
    """A root field no binding binds: the schema's guard answers "not implemented"."""
    resolve = definition.resolve
    return resolve is not None and getattr(resolve, "__qualname__", "").startswith("_unimplemented.")


def _function_name(function: Any) -> str:
    """``module.name``; a lambda or a closure by its module and line (``bulkops.domain.x.fields:42``)."""
    target = inspect.unwrap(function)
    module = getattr(target, "__module__", None) or type(target).__module__
    qualname = getattr(target, "__qualname__", type(target).__qualname__)
    if "<lambda>" in qualname or "<locals>" in qualname:
        code = getattr(target, "__code__", None)
        outer = qualname.split(".<locals>")[0]
        where = f"{module}:{code.co_firstlineno}" if code is not None else module
        return where if outer == "<lambda>" else f"{where} ({outer})"
    return f"{module}.{qualname}"


def _listing_name(rows: Any) -> str:
    if isinstance(rows, domain_listing.Listing):
        parent = f" by {rows.parent.name}" if rows.parent is not None else ""
        return f"{rows.table.name}{parent}"
    return f"{type(rows).__module__}.{type(rows).__qualname__}"


def _builder_name(builder: Any) -> str:
    """An export listing builder by the function that made it and what it reads (its domain listing or its
    per-parent reader)."""
    qualname = builder.__qualname__.split(".<locals>")[0]
    inner = inspect.getclosurevars(builder).nonlocals
    for value in inner.values():
        if isinstance(value, domain_listing.Listing):
            return _listing_name(value)
    reader = inner.get("rows_by_parent")
    if reader is not None:
        return f"{qualname} {_function_name(reader)}"
    node = inner.get("type_name")
    if isinstance(node, str):
        return f"{qualname}({node})"
    flags = ", ".join(f"{name}={value}" for name, value in inner.items() if isinstance(value, bool))
    return f"{builder.__module__}.{qualname}" + (f"({flags})" if flags else "")


def _is_node(object_type: GraphQLObjectType) -> bool:
    return any(i.name == "Node" for i in object_type.interfaces)


def _required_single(definition: GraphQLField) -> bool:
    """Non-null and not a list (a list's empty value is ``[]``)."""
    return isinstance(definition.type, GraphQLNonNull) and not isinstance(definition.type.of_type, GraphQLList)


def _empty_value(definition: GraphQLField) -> str:
    if is_connection_type(get_named_type(definition.type)):
        return "an empty connection"
    inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
    return "[]" if isinstance(inner, GraphQLList) else "null"


def _const(value: Any) -> str:
    if value is no_rows or value is EMPTY_CONNECTION:
        return "an empty connection"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def lines(report: list[TypeCoverage]) -> Iterator[str]:
    """The text form: a type's name, then one indented line per field."""
    for type_coverage in report:
        yield type_coverage.type
        width = max((len(f.field) for f in type_coverage.fields), default=0)
        for f in type_coverage.fields:
            yield f"  {f.field:<{width}}  {f.source}{' ' + f.detail if f.detail else ''}"

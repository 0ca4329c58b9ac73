"""Field maps: for each GraphQL object type, where each of its fields comes from, written once.

A field is a stored column (``Plain``, in one of four forms), a function of the row (``Computed``), a
constant (``Const``), a child connection (``Child``, read through a listing), or a field only the GraphQL
layer can answer (``Resolved``: another node, the request's shop). Everything that reads rows for a type
derives from its map: the presenters the resolvers return, the export's plain columns, the bulk importer's
cheap row reads. Plain data only: nothing here knows GraphQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bulkops.clock import iso_z

Presenter = Callable[[Any], dict[str, Any]]
Read = Callable[[Any], Any]

EMPTY_CONNECTION: Mapping[str, Any] = {
    "edges": [], "nodes": [],
    "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
}
"""A connection this server keeps nothing in (an image's metafields, a gift card's transactions)."""


def no_rows(info: Any, **_: Any) -> Mapping[str, Any]:
    """A connection field (it takes paging arguments) that this server keeps nothing in: ``Const(no_rows)``."""
    return EMPTY_CONNECTION


APP: Mapping[str, Any] = {
    "__typename": "App", "id": "gid://shopify/App/1", "title": "bulkops", "handle": "bulkops", "apiKey": "bulkops",
    "developerName": "bulkops", "embedded": False, "published": False, "shopifyDeveloped": False, "features": [],
    "previouslyInstalled": False,
}
"""The app that made what this server's API made (a metaobject definition, a marketing activity)."""


@dataclass(frozen=True)
class Plain:
    """A field that is one column of the row: the column's value, or its ``gid``
    (``gid://shopify/<Type>/<value>``), ``text`` (``str``) or ``time`` (Shopify's DateTime) form."""

    column: str
    form: str = "value"


@dataclass(frozen=True)
class Computed:
    """A field computed from the whole row (several columns, a format, or a callable taking arguments)."""

    read: Read


@dataclass(frozen=True)
class Const:
    """A field this server answers the same for every row (an immutable value)."""

    value: Any


@dataclass(frozen=True)
class Child:
    """A child connection, read through its listing (``<resource>/listing.py``: a ``domain.listing.Listing``,
    or a resource's own kind, as a collection's members)."""

    listing: Any


@dataclass(frozen=True)
class Resolved:
    """A field the GraphQL layer answers (it needs the request): the binding gives its reader."""


Source = Plain | Computed | Const | Child | Resolved


@dataclass(frozen=True)
class FieldMap:
    """One GraphQL type's fields -> their sources. Names starting with ``_`` are not GraphQL fields: they
    carry the row's keys to the resolvers of child fields."""

    type_name: str
    fields: Mapping[str, Source]

    def plain(self) -> dict[str, Plain]:
        """The GraphQL fields that are one column each (the export reads these straight from the driver)."""
        return {name: source for name, source in self.fields.items()
                if isinstance(source, Plain) and not name.startswith("_")}

    def children(self) -> dict[str, Child]:
        return {name: source for name, source in self.fields.items() if isinstance(source, Child)}

    def reader(self, name: str) -> Read:
        """The field read from a row (a Plain, Computed or Const field, or ``__typename``)."""
        if name == "__typename":
            type_name = self.type_name
            return lambda _row: type_name
        return source_reader(self.type_name, self.fields[name])

    def cheap_reads(self) -> dict[str, Read]:
        """``__typename`` and the fields read from the row as it is (no formatting): the ones worth presenting
        alone when a selection asks for nothing else."""
        cheap = [name for name, source in self.fields.items() if isinstance(source, Plain) and source.form != "time"]
        return {name: self.reader(name) for name in ["__typename", *cheap]}

    def presenter(self, resolved: Mapping[str, Read] | None = None) -> Presenter:
        """Row -> the dict the resolvers return: every field but child connections; ``resolved`` gives the
        readers of the ``Resolved`` fields. Compiled into one dict display (as fast as a hand-written one)."""
        resolved = dict(resolved or {})
        missing = {name for name, source in self.fields.items() if isinstance(source, Resolved)} - resolved.keys()
        if missing:
            raise ValueError(f"{self.type_name}: no reader given for {sorted(missing)}")
        entries: list[tuple[str, Source | Read]] = [("__typename", Const(self.type_name))]
        for name, source in self.fields.items():
            if isinstance(source, Resolved):
                entries.append((name, resolved[name]))
            elif not isinstance(source, Child):
                entries.append((name, source))
        return _compile(self.type_name, entries)


def form_of(plain: Plain, type_name: str) -> Callable[[Any], Any] | None:
    """The field's form applied to the column's value (None: the value as it is)."""
    if plain.form == "gid":
        prefix = f"gid://shopify/{type_name}/"
        return lambda value: prefix + str(value)
    if plain.form == "text":
        return str
    if plain.form == "time":
        return iso_z
    return None


def source_reader(type_name: str, source: Source) -> Read:
    """A Plain, Computed or Const field read from a row."""
    if isinstance(source, Computed):
        return source.read
    if isinstance(source, Const):
        value = source.value
        return lambda _row: value
    if not isinstance(source, Plain):
        raise TypeError(f"{type_name}: a {type(source).__name__} field is not read from the row")
    form, column = form_of(source, type_name), source.column
    if form is None:
        return lambda row: getattr(row, column)
    return lambda row: form(getattr(row, column))


def _compile(type_name: str, entries: list[tuple[str, Source | Read]]) -> Presenter:
    """``lambda row: {"id": f0(row.id), "title": row.title, "seo": c5(row), …}``: one dict display."""
    names: dict[str, Any] = {}
    items = []
    for number, (key, source) in enumerate(entries):
        if isinstance(source, Plain):
            if not source.column.isidentifier():
                raise ValueError(f"{type_name}: column {source.column!r} is not a name")
            form = form_of(source, type_name)
            names[f"f{number}"] = form
            value = f"row.{source.column}" if form is None else f"f{number}(row.{source.column})"
        elif isinstance(source, Const):
            names[f"k{number}"] = source.value
            value = f"k{number}"
        else:
            names[f"c{number}"] = source.read if isinstance(source, Computed) else source
            value = f"c{number}(row)"
        items.append(f"{key!r}: {value}")
    present = eval(f"lambda row: {{{', '.join(items)}}}", names)  # noqa: S307 - keys are repr()'d, the rest ours
    present.__module__ = __name__
    present.__qualname__ = present.__name__ = f"FieldMap({type_name}).presenter"  # named so (bulkops coverage)
    return present


def common(with_created: bool = True) -> dict[str, Source]:
    """The fields most types share: ``id``, ``legacyResourceId``, ``createdAt``, ``updatedAt``."""
    fields: dict[str, Source] = {"id": Plain("id", "gid"), "legacyResourceId": Plain("id", "text")}
    if with_created:
        fields["createdAt"] = Plain("created_at", "time")
    fields["updatedAt"] = Plain("updated_at", "time")
    return fields


def columns(**fields: str) -> dict[str, Source]:
    """Fields that are their column's value as it is: ``columns(productType="product_type")``."""
    return {name: Plain(column) for name, column in fields.items()}

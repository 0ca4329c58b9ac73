"""A schema for checking one document, built in tens of milliseconds from the part of the Admin SDL that the
document reaches, instead of parsing the whole SDL (about 0.7 s): the client checks an import before upload
with it, so ``bulkops import`` starts fast.

For that document it answers as the full SDL does (validation messages and their suggestions, variable
coercion, connection counts; ``tests/protocol/test_check_schema.py`` compares them):
- every input, enum and scalar type reachable from a kept type is defined in full;
- every object, interface or union the document selects on, names, or spreads into is defined in full, with
  the interfaces it implements and, for an interface or union the document selects on, all its possible types;
- every other type stands as a bare scalar of the same name: nothing in the document reaches it, yet the
  "Unknown type ... Did you mean" suggestions still list every name;
- a root type keeps only the fields the document names, unless the document reaches the root type itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from graphql import (
    DefinitionNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLNamedType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    ScalarTypeDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_ast_schema,
    get_named_type,
    parse,
    print_ast,
    visit,
)

from bulkops.protocol.sdl import admin_sdl, is_modern

_DEFINITION = re.compile(
    r"^(?:extend\s+)?(?:(schema)\b|directive\s+@\w+|(type|input|enum|interface|union|scalar)\s+(\w+))", re.M)
_IMPLEMENTS = re.compile(r"^(?:extend\s+)?(?:type|interface)\s+(\w+)\s+implements\s+([\w \t&,]+)", re.M)
_UNION = re.compile(r"^(?:extend\s+)?union\s+(\w+)\s*=([\w \t|]+)", re.M)
_NAME = re.compile(r"[_A-Za-z]\w*")
_STRING = re.compile(r'"[^"]*"')
_ROOTS = re.compile(r"^\s*(query|mutation|subscription)\s*:\s*(\w+)", re.M)
_TRAILING_DESCRIPTION = re.compile(r'\s*(?:"""(?:[^"]|"(?!""))*"""|"[^"\n]*")\s*\Z')
"""The next definition's description, which a cut at that definition's keyword leaves at the end of a chunk."""
_OUTPUT_KINDS = frozenset({"type", "interface", "union"})


@dataclass
class _Sdl:
    """The SDL cut into its top-level definitions, read with regular expressions instead of a parser."""

    types: dict[str, list[str]] = field(default_factory=dict)
    """Each type's definition and extensions, as text."""
    outputs: set[str] = field(default_factory=set)
    """Object, interface and union types: kept in full only when the document reaches them."""
    fixed: list[str] = field(default_factory=list)
    """The ``schema`` block and the directive definitions: always kept."""
    roots: set[str] = field(default_factory=set)
    possible: dict[str, set[str]] = field(default_factory=dict)
    """Interface or union to the types that can stand for it."""
    interfaces: dict[str, set[str]] = field(default_factory=dict)
    """Object or interface type to the interfaces it implements."""

    _references: dict[str, frozenset[str]] = field(default_factory=dict)
    _parsed: dict[str, tuple[DefinitionNode, ...]] = field(default_factory=dict)

    def definitions(self, name: str) -> tuple[DefinitionNode, ...]:
        """A type's definition and extensions, parsed once: the checks of one document rebuild their schema a
        few times as they find more of what it reaches."""
        if name not in self._parsed:
            self._parsed[name] = tuple(parse("\n".join(self.types[name])).definitions)
        return self._parsed[name]

    def references(self, name: str) -> frozenset[str]:
        """Type names a type's definition mentions, outside its strings (a word that merely looks like a type
        name counts too: a superset does no harm)."""
        if name not in self._references:
            self._references[name] = frozenset(
                word for text in self.types[name] for word in _NAME.findall(_STRING.sub("", text)) if word in self.types)
        return self._references[name]

    def root_fields(self, name: str, wanted: set[str]) -> list[str]:
        """The field definitions of root type ``name`` whose field is in ``wanted``, as SDL text (parsed: a field
        may span several lines, with its arguments' descriptions)."""
        return [print_ast(field) for node in self.definitions(name)
                for field in getattr(node, "fields", None) or () if field.name.value in wanted]


@cache
def _cut(modern: bool) -> _Sdl:
    text = admin_sdl(modern)
    sdl = _Sdl()
    starts = list(_DEFINITION.finditer(text))
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        chunk = _TRAILING_DESCRIPTION.sub("", text[match.start():following.start() if following else len(text)])
        kind, name = match.group(2), match.group(3)
        if name:
            sdl.types.setdefault(name, []).append(chunk)
            if kind in _OUTPUT_KINDS:
                sdl.outputs.add(name)
        else:
            sdl.fixed.append(chunk)
        if match.group(1):
            sdl.roots = {root for _, root in _ROOTS.findall(chunk)}
    for name, interfaces in _IMPLEMENTS.findall(text):
        for interface in _NAME.findall(interfaces):
            sdl.possible.setdefault(interface, set()).add(name)
            sdl.interfaces.setdefault(name, set()).add(interface)
    for name, members in _UNION.findall(text):
        sdl.possible.setdefault(name, set()).update(_NAME.findall(members))
    return sdl


def check_schema(version: str, document: DocumentNode | None) -> GraphQLSchema:
    """The schema to check ``document`` against for an API ``version`` (None: a document that did not parse)."""
    sdl = _cut(is_modern(version))
    words = set() if document is None else set(_document_words(document))
    wanted = {word for word in words if word in sdl.types}
    while True:
        schema = _build(sdl, words, wanted)
        reached = set() if document is None else set(_types_reached(schema, document, sdl))
        if reached <= wanted:
            return schema
        wanted |= reached


def _document_words(document: DocumentNode) -> Iterable[str]:
    """Every name in the document: the root fields and the types it names are among them."""
    text = document.loc.source.body if document.loc is not None else print_ast(document)
    return _NAME.findall(text)


def _build(sdl: _Sdl, words: set[str], wanted: set[str]) -> GraphQLSchema:
    root_lines = {name: sdl.root_fields(name, words) for name in sdl.roots}
    named = {word for lines in root_lines.values() for line in lines for word in _NAME.findall(_STRING.sub("", line))}
    kept = _closure(sdl, wanted | (named & sdl.types.keys()) - (sdl.roots - wanted))
    pruned_roots = [_pruned_root(name, root_lines[name]) for name in sorted(sdl.roots - kept)]
    mentioned = {ref for name in kept for ref in sdl.references(name)} - kept - sdl.roots
    text = "\n".join([*sdl.fixed, *pruned_roots])
    definitions = [*parse(text).definitions, *(node for name in sorted(kept) for node in sdl.definitions(name)),
                   *(ScalarTypeDefinitionNode(name=NameNode(value=name)) for name in sorted(mentioned))]
    built = build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
    stubs = [GraphQLScalarType(name) for name in sdl.types if name not in built.type_map]
    return GraphQLSchema(query=built.query_type, mutation=built.mutation_type, subscription=built.subscription_type,
                         types=[*built.type_map.values(), *stubs], directives=built.directives)


def _pruned_root(name: str, lines: list[str]) -> str:
    """A root type with only the fields the document names (one stand-in field keeps it a valid type)."""
    return f"type {name} {{\n" + "\n".join(lines or ["  _: Boolean"]) + "\n}\n"


def _closure(sdl: _Sdl, seeds: set[str]) -> set[str]:
    """The types defined in full: the seeds, the interfaces each implements, and every input, enum and scalar
    type they reach; an object, interface or union they mention but that is not a seed stays a stand-in."""
    kept: set[str] = set()
    pending = list(seeds)
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept.add(name)
        pending.extend(sdl.interfaces.get(name, ()))
        pending.extend(ref for ref in sdl.references(name) if ref not in sdl.outputs and ref not in kept)
    return kept


def _types_reached(schema: GraphQLSchema, document: DocumentNode, sdl: _Sdl) -> Iterable[str]:
    """Output types the document selects on, spreads into or selects a field of, and the possible types of
    each interface or union among them (they decide which spreads are allowed and what is suggested)."""
    type_info = TypeInfo(schema)
    found: set[str] = set()

    def note(named: GraphQLNamedType | None) -> None:
        if named is not None and named.name in sdl.types:
            found.add(named.name)
            found.update(sdl.possible.get(named.name, ()))

    def note_parent() -> None:
        """A root type as the parent of root fields keeps its pruned form: the document names those fields."""
        parent = type_info.get_parent_type()
        if parent is not None and parent.name not in sdl.roots:
            note(parent)

    class _Collector(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            note_parent()
            field_type = type_info.get_type()
            note(get_named_type(field_type) if field_type is not None else None)

        def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
            note_parent()
            if node.type_condition is not None:
                note(schema.get_type(node.type_condition.name.value))

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
            note(schema.get_type(node.type_condition.name.value))

    visit(document, TypeInfoVisitor(type_info, _Collector()))
    return found

"""Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax), parsed into a tree of terms that
each resource maps to its own columns: ``title:foo status:active``, quoted values in single or double quotes
(``updated_at:>='2025-11-01T00:00:00+00:00'``), comparators ``:>`` ``:>=`` ``:<`` ``:<=``, connectives ``AND``
(implied between terms) and ``OR``, modifiers ``NOT`` and ``-``, parentheses, ``field:*`` (has a value) and
``value*`` (prefix). ``\\`` escapes the special characters ``: \\ ( )`` and a quote inside quotes.

A query never fails to parse: a stray parenthesis or a dangling connective is skipped, as Shopify ignores it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):")
_COMPARATORS = (">=", "<=", ">", "<")
_CONNECTIVES = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Term:
    """One ``[-]field:[comparator]value`` (``field`` None for a bare word); ``value`` has its quotes removed."""

    field: str | None
    comparator: str
    value: str
    negated: bool = False
    quoted: bool = False

    @property
    def exists(self) -> bool:
        """``field:*``: the field has any value."""
        return self.field is not None and self.value == "*" and not self.quoted

    @property
    def prefix(self) -> str | None:
        """``value*`` (unquoted): the text the value starts with."""
        if self.quoted or len(self.value) < 2 or not self.value.endswith("*"):
            return None
        return self.value[:-1]

    def negate(self) -> Term:
        return replace(self, negated=not self.negated)


@dataclass(frozen=True)
class AllOf:
    """Every part holds (``AND``, also between terms with no connective)."""

    parts: tuple[Query, ...]


@dataclass(frozen=True)
class AnyOf:
    """Some part holds (``OR``)."""

    parts: tuple[Query, ...]


Query = Term | AllOf | AnyOf
"""A parsed search with its negations pushed down to the terms (``NOT (a OR b)`` is ``-a AND -b``)."""


@dataclass(frozen=True)
class _Word:
    """A lexical token: an operator (``(``, ``)``, ``-``, a connective) or a term."""

    kind: str
    term: Term | None = None


def parse_query(query: str | None) -> Query | None:
    """The search tree of ``query``; None when it holds no term."""
    if not query:
        return None
    return _Parser(list(_tokens(query))).expression(top=True)


def parse_search(query: str | None) -> list[Term]:
    """Every term of a search, connectives dropped (for filters that read each term on its own)."""
    return list(terms_of(parse_query(query)))


def terms_of(node: Query | None) -> Iterator[Term]:
    if node is None:
        return
    if isinstance(node, Term):
        yield node
        return
    for part in node.parts:
        yield from terms_of(part)


def _tokens(text: str) -> Iterator[_Word]:
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Word(char)
            i += 1
        elif char == "-":
            if i + 1 < len(text) and not text[i + 1].isspace():
                yield _Word("-")
            i += 1
        else:
            term, i = _term(text, i)
            if term.field is None and not term.quoted and term.value in _CONNECTIVES:
                yield _Word(term.value)
            else:
                yield _Word("term", term)


def _term(text: str, i: int) -> tuple[Term, int]:
    """The term starting at ``i`` and where it ends: ``field:`` if any, a comparator, then a value."""
    field = None
    named = _FIELD.match(text, i)
    if named:
        field, i = named.group(1).lower(), named.end()
    comparator = "="
    if field is not None:
        comparator = next((c for c in _COMPARATORS if text.startswith(c, i)), "=")
        i += 0 if comparator == "=" else len(comparator)
    if i < len(text) and text[i] in "'\"":
        value, i = _quoted(text, i)
        return Term(field, comparator, value, quoted=True), i
    value, i = _bare(text, i)
    return Term(field, comparator, value), i


def _quoted(text: str, i: int) -> tuple[str, int]:
    """A quoted value (an unclosed quote runs to the end of the query)."""
    quote, out, i = text[i], [], i + 1
    while i < len(text) and text[i] != quote:
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i + 1


def _bare(text: str, i: int) -> tuple[str, int]:
    """An unquoted value: up to whitespace or an unescaped parenthesis."""
    out = []
    while i < len(text) and not text[i].isspace() and text[i] not in "()":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i


class _Parser:
    """``expression := any ([AND] any)*``, ``any := unary (OR unary)*``, ``unary := (NOT|-) unary | ( expression )
    | term``: ``OR`` binds tighter than the implied ``AND`` (``vendor:a tag:x OR tag:y`` is ``vendor:a AND (tag:x OR
    tag:y)``), as Shopify's ``bob OR norman AND Shopify`` reads."""

    def __init__(self, words: list[_Word]) -> None:
        self.words = words
        self.at = 0

    def _peek(self) -> str | None:
        return self.words[self.at].kind if self.at < len(self.words) else None

    def expression(self, top: bool = False) -> Query | None:
        """Terms up to the end (or, inside parentheses, the closing one); at the top a stray ``)`` is skipped."""
        parts: list[Query] = []
        while self._peek() is not None and (top or self._peek() != ")"):
            if self._peek() in ("AND", "OR", ")"):
                self.at += 1
                continue
            part = self._any()
            if part is not None:
                parts.append(part)
        return _joined(AllOf, parts)

    def _any(self) -> Query | None:
        parts = [self._unary()]
        while self._peek() == "OR":
            self.at += 1
            if self._peek() in (None, ")", "AND", "OR"):
                break
            parts.append(self._unary())
        return _joined(AnyOf, [p for p in parts if p is not None])

    def _unary(self) -> Query | None:
        word = self.words[self.at]
        self.at += 1
        if word.kind in ("NOT", "-"):
            if self._peek() in (None, ")", "AND", "OR"):
                return None
            inner = self._unary()
            return _negated(inner) if inner is not None else None
        if word.kind == "(":
            inner = self.expression()
            if self._peek() == ")":
                self.at += 1
            return inner
        if word.kind == ")":
            return None
        return word.term


def _joined(kind: type[AllOf] | type[AnyOf], parts: list[Query]) -> Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _negated(node: Query) -> Query:
    """``NOT node`` with the negation moved onto the terms (De Morgan)."""
    if isinstance(node, Term):
        return node.negate()
    flipped = AnyOf if isinstance(node, AllOf) else AllOf
    return flipped(tuple(_negated(part) for part in node.parts))

"""Limits on one GraphQL request, so that one token holder cannot take the server's memory or CPU: requested
cost (Shopify's ``MAX_COST_EXCEEDED``, spec 1.4), selection depth and alias count (checked before validation,
whose time grows with a selection's width), and the parser's token count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from bulkops.config import Settings

RATE_LIMITS_DOCUMENTATION = "https://shopify.dev/api/usage/rate-limits"
MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({max_cost}).\n\n"
    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
    "cost of a query is calculated.\n\n"
    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
    "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
)
"""Shopify's message, as real responses carry it (spec 1.4 shows its first sentence)."""

@dataclass(frozen=True)
class QueryLimits:
    """0 lifts a limit."""

    max_cost: int = 1000
    max_depth: int = 25
    max_aliases: int = 1000
    max_tokens: int = 50_000

    @classmethod
    def of(cls, settings: Settings) -> QueryLimits:
        return cls(settings.max_query_cost, settings.max_query_depth, settings.max_query_aliases,
                   settings.max_query_tokens)


def cost_problem(cost: int, limits: QueryLimits) -> dict[str, Any] | None:
    """Shopify's ``MAX_COST_EXCEEDED`` error for a requested cost above the ceiling, else None (``cost`` as
    ``requested_cost`` reports it: capped where JSON stops holding integers exactly)."""
    if not limits.max_cost or cost <= limits.max_cost:
        return None
    return {
        "message": MAX_COST_MESSAGE.format(cost=cost, max_cost=limits.max_cost),
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": limits.max_cost,
                       "documentation": RATE_LIMITS_DOCUMENTATION},
    }


def shape_problems(document: DocumentNode, limits: QueryLimits) -> list[dict[str, Any]]:
    """Depth and alias errors for the document's deepest and most aliased operation.

    Shopify documents neither limit (UNCONFIRMED); the messages follow graphql-ruby's ``max_depth`` (which
    Shopify's GraphQL server is built on), and each carries an ``extensions.code`` a client can match on."""
    try:
        measured = [_Measure(document).selection_set(o.selection_set)
                    for o in document.definitions if isinstance(o, OperationDefinitionNode)]
    except RecursionError:
        measured = [(limits.max_depth + 1, 0)]  # fragments spread through thousands of fragments
    depth = max((d for d, _ in measured), default=0)
    aliases = max((a for _, a in measured), default=0)
    problems = []
    if limits.max_depth and depth > limits.max_depth:
        problems.append({
            "message": f"Query has depth of {depth}, which exceeds max depth of {limits.max_depth}",
            "extensions": {"code": "MAX_DEPTH_EXCEEDED", "depth": depth, "maxDepth": limits.max_depth},
        })
    if limits.max_aliases and aliases > limits.max_aliases:
        problems.append({
            "message": f"Query has {aliases} aliases, which exceeds the max of {limits.max_aliases}",
            "extensions": {"code": "MAX_ALIASES_EXCEEDED", "aliases": aliases, "maxAliases": limits.max_aliases},
        })
    return problems


class _Measure:
    """(depth, aliases) of selection sets, fragments expanded where spread (each measured once)."""

    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.measured: dict[str, tuple[int, int]] = {}
        self.open: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                inner_depth, inner_aliases = self.selection_set(selection.selection_set)
                depth = max(depth, inner_depth + 1)
                aliases += inner_aliases + (selection.alias is not None)
            elif isinstance(selection, InlineFragmentNode):
                inner_depth, inner_aliases = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, inner_depth), aliases + inner_aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner_depth, inner_aliases = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner_depth), aliases + inner_aliases
        return depth, aliases

    def fragment(self, name: str) -> tuple[int, int]:
        """An unknown fragment or a cycle measures nothing here: validation reports them."""
        if name in self.measured:
            return self.measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.open:
            return 0, 0
        self.open.add(name)
        self.measured[name] = self.selection_set(fragment.selection_set)
        self.open.discard(name)
        return self.measured[name]

"""The layout is the architecture: imports point downward only.

    protocol/   what server and client share (graphql-core only)
       ^
    engine/  domain/   lifecycle, runner, ports  |  one folder per resource: rules, fields, listing
       ^
    graphql/  rest/  workers/  webhooks/   schema, bindings, planners  |  REST shapes  |  in-process, Celery...
       ^
    app/        the composition root, HTTP routes, server commands (imported by entry points only)

    client/     the SDK and the client CLI, standing alone beside protocol/

Each rule fails naming the offending module and import, so the fix is obvious.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "bulkops"
ENTRY_POINTS = {"bulkops.cli", "bulkops.testing", "bulkops.__main__"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(tree: ast.AST) -> Iterator[str]:
    """Imported module names; ``TYPE_CHECKING`` blocks never run, so they are left out."""
    body = list(ast.iter_child_nodes(tree))
    while body:
        node = body.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            body.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        body.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    modules = {
        _module_name(path): path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set(_imports(ast.parse(path.read_text())))
        graph[name] = {m for m in found if m in modules or not m.startswith("bulkops")}
    return graph


def _offences(graph: dict[str, set[str]], importer: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module == importer or module.startswith(importer + ".")
        for target in targets
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    )


GRAPH = _graph()
"""Module -> what it imports, wherever the import statement is (a function-level import still ties them)."""


def test_engine_and_domain_know_no_graphql() -> None:
    forbidden = ("graphql", "ariadne", "bulkops.graphql", "bulkops.app", "bulkops.workers", "bulkops.client",
                 "bulkops.rest")
    assert _offences(GRAPH, "bulkops.engine", forbidden) == []
    assert _offences(GRAPH, "bulkops.domain", forbidden) == []


def test_domain_does_not_reach_into_the_engine_runner() -> None:
    assert _offences(GRAPH, "bulkops.domain", ("bulkops.engine", "bulkops.webhooks")) == []


def test_protocol_and_client_import_no_server_module() -> None:
    server = ("sqlalchemy", "bulkops.engine", "bulkops.domain", "bulkops.app", "bulkops.graphql", "bulkops.workers",
              "bulkops.db", "bulkops.storage", "bulkops.webhooks", "bulkops.config")
    assert _offences(GRAPH, "bulkops.protocol", (*server, "bulkops.client")) == []
    assert _offences(GRAPH, "bulkops.client", server) == []


def test_only_entry_points_import_the_app() -> None:
    importers = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if not module.startswith("bulkops.app") and module not in ENTRY_POINTS
        for target in targets
        if target.startswith("bulkops.app")
    )
    assert importers == []


def test_graphql_and_workers_stay_apart_from_each_other() -> None:
    assert _offences(GRAPH, "bulkops.workers", ("bulkops.graphql",)) == []


SQL = ("sqlalchemy", "bulkops.db.tables", "bulkops.db.pagination")


def test_bindings_run_no_sql_of_their_own() -> None:
    """A binding translates arguments, calls the domain and shapes the answer: reading and writing a resource's
    tables (search filters, sort keys, pages included) happens in domain/<resource>/."""
    assert _offences(GRAPH, "bulkops.graphql.bindings", SQL) == []


def test_rest_resources_are_thin_bindings_beside_graphql() -> None:
    """``bulkops.rest`` shapes Shopify's REST resources as graphql/bindings shape GraphQL types: it reads through
    domain/<resource>/, runs no SQL of its own, and knows neither GraphQL nor HTTP (app/rest.py serves it)."""
    assert _offences(GRAPH, "bulkops.rest", (*SQL, "graphql", "ariadne", "bulkops.graphql", "starlette")) == []
    assert _offences(GRAPH, "bulkops.graphql", ("bulkops.rest",)) == []


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        module, path = stack.pop()
        for target in sorted(graph.get(module, ())):
            if target == start:
                return [*path, start]
            if target in graph and target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_module_imports_itself_back_not_even_from_inside_a_function() -> None:
    internal = {m: {t for t in ts if t in GRAPH and t != m} for m, ts in GRAPH.items()}
    cycles = {" -> ".join(c) for m in internal if (c := _cycle_from(internal, m))}
    assert sorted(cycles) == []

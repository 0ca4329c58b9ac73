"""Shared resolver helpers: payload errors, connections, global ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from bulkops.domain.listing import Listing
from bulkops.domain.paging import Page, Window, read_page
from bulkops.graphql.context import RequestContext
from bulkops.protocol.errors import RequestError, UserError, UserErrors
from bulkops.protocol.ids import InvalidGlobalId, parse_gid

Resolver = Callable[..., Any]
"""An Ariadne field resolver: ``(obj, info, **arguments)``."""


def user_errors(error: UserError | UserErrors) -> list[dict[str, Any]]:
    items = error.errors if isinstance(error, UserErrors) else [error]
    return [e.as_dict() for e in items]


def guarded(payload_on_error: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> Callable[[Resolver], Resolver]:
    """A mutation resolver that runs in a savepoint and whose UserError(s) become the payload's ``userErrors``:
    when it answers userErrors none of its writes stay (over HTTP and on a bulk line alike), as at Shopify
    where a mutation with errors changes nothing."""

    def wrap(resolver: Resolver) -> Resolver:
        def run(obj: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
            savepoint = info.context.conn.begin_nested()
            try:
                result = resolver(obj, info, **kwargs)
            except (UserError, UserErrors) as error:
                savepoint.rollback()
                return payload_on_error(user_errors(error))
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            return result

        run.__name__ = resolver.__name__
        return run

    return wrap


def require_id(raw: str, type_name: str, field: list[str] | None = None) -> int | None:
    """The number of a gid of ``type_name``; None for another type; an error for a malformed id."""
    try:
        kind, number = parse_gid(raw)
    except InvalidGlobalId as exc:
        raise RequestError(str(exc), "argumentLiteralsIncompatible", typeName="CoercionError") from exc
    return number if kind == type_name else None


def page_args(first: int | None, last: int | None) -> None:
    if first is None and last is None:
        raise RequestError("you must provide one of first or last", "BAD_REQUEST")
    if first is not None and last is not None:
        raise RequestError("providing both first and last is not supported", "BAD_REQUEST")
    for value in (first, last):
        if value is not None and not 0 <= value <= 250:
            raise RequestError("The maximum number of items per page is 250.", "BAD_REQUEST")


def connection(page: Page, present: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    nodes = [present(row) for row in page.rows]
    return {
        "edges": [{"cursor": c, "node": n} for c, n in zip(page.cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.has_previous_page,
            "startCursor": page.start_cursor,
            "endCursor": page.end_cursor,
        },
    }


def listed(context: RequestContext, listing: Listing, stmt: Any, present: Callable[[Any], dict[str, Any]],
           window: Window) -> dict[str, Any]:
    """One page of a listing's rows (``stmt``, from ``listing.rows``) as a connection, in the listing's order."""
    page = read_page(context.conn, stmt, sort=listing.sort({"sortKey": window.sort_key}), id_col=listing.id_col,
                     window=window)
    return connection(page, present)

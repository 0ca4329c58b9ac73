"""What a resolver sees of the request: the shop, the transaction, the version, the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import GraphQLResolveInfo
from sqlalchemy import Connection

from bulkops.domain.shops.rules import Shop
from bulkops.engine.runtime import Runtime
from bulkops.graphql.documents import RequestDocuments


@dataclass
class RequestContext:
    runtime: Runtime
    shop: Shop
    conn: Connection
    api_version: str
    base_url: str
    in_bulk: bool = False
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
    documents: RequestDocuments = field(default_factory=RequestDocuments)
    """The loaded node documents this request read (graphql/documents.py)."""

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()


def ctx(info: GraphQLResolveInfo) -> RequestContext:
    context = info.context
    assert isinstance(context, RequestContext)
    return context

"""Alembic environment: runs on the connection handed in by ``Database.migrate`` (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bulkops.db.tables import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)

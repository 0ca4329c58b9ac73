"""Many rows into one table through the driver's ``executemany``, inside the caller's transaction.

It sends what SQLAlchemy Core would for ``conn.execute(insert(table), rows)`` (the column types' own bind
processors, Python-side scalar defaults for columns the rows leave out) without SQLAlchemy's per-row
parameter bookkeeping, which costs more than SQLite's insert itself on a bulk import's hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table


class RawInsert:
    def __init__(self, table: Table, keys: Sequence[str], dialect: Dialect) -> None:
        columns = [table.c[k] for k in keys]
        self.constants: list[Any] = []
        for column in table.c:
            if column.key in keys or column.default is None:
                continue
            if not column.default.is_scalar:
                raise ValueError(f"{table.name}.{column.key} has a computed default: pass it in the rows")
            columns.append(column)
            self.constants.append(column.default.arg)
        self.keys = list(keys)
        prepare = dialect.identifier_preparer
        names = ", ".join(prepare.format_column(c) for c in columns)
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in columns)
        self.sql = f"INSERT INTO {prepare.format_table(table)} ({names}) VALUES ({marks})"
        self.processors: list[Callable[[Any], Any] | None] = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns
        ]

    def params(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values = [row[k] for k in self.keys] + self.constants
        return tuple(p(v) if p is not None else v
                     for p, v in zip(self.processors, values, strict=True))

    def execute(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, [self.params(row) for row in rows])
        finally:
            cursor.close()

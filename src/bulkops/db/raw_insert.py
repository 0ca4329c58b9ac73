"""Many rows into one table through the driver's ``executemany``, inside the caller's transaction.

It sends what SQLAlchemy Core would for ``conn.execute(insert(table), rows)`` (the column types' own bind
processors, Python-side scalar defaults for columns the rows leave out) without SQLAlchemy's per-row
parameter bookkeeping, which costs more than SQLite's insert itself on a bulk import's hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Dialect, Table


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
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self.processed = [(i, p, isinstance(c.type, Date | DateTime))
                          for i, (c, p) in enumerate(zip(columns, processors, strict=True)) if p is not None]

    def params(self, row: dict[str, Any], shared: dict[int, tuple[Any, Any]]) -> list[Any]:
        """One row's parameters; ``shared`` keeps converted timestamps (a line's rows share one)."""
        values = [row[k] for k in self.keys]
        values += self.constants
        for i, process, is_time in self.processed:
            value = values[i]
            if is_time:
                hit = shared.get(id(value))
                if hit is None or hit[0] is not value:
                    hit = shared[id(value)] = (value, process(value))
                values[i] = hit[1]
            else:
                values[i] = process(value)
        return values

    def execute(self, conn: Connection, rows: list[dict[str, Any]],
                shared: dict[int, tuple[Any, Any]] | None = None) -> None:
        shared = {} if shared is None else shared
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, [self.params(row, shared) for row in rows])
        finally:
            cursor.close()

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
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self.processed = [(i, _remember_last(p)) for i, p in enumerate(processors) if p is not None]

    def params(self, row: dict[str, Any]) -> list[Any]:
        values = [row[k] for k in self.keys]
        values += self.constants
        for i, process in self.processed:
            values[i] = process(values[i])
        return values

    def execute(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, [self.params(row) for row in rows])
        finally:
            cursor.close()


def _remember_last(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Rows of one line share their timestamp object: convert it once."""
    last: list[Any] = [_NOTHING, None]

    def run(value: Any) -> Any:
        if value is not last[0] or type(value) in _MUTABLE:
            last[0], last[1] = value, process(value)
        return last[1]

    return run


_NOTHING = object()
_MUTABLE = (list, dict)

"""Many rows into one table through the driver's ``executemany``, inside the caller's transaction.

It sends what SQLAlchemy Core would for ``conn.execute(insert(table), rows)`` (the column types' own bind
processors, Python-side scalar defaults for columns the rows leave out) without SQLAlchemy's per-row
parameter bookkeeping, which costs more than SQLite's insert itself on a bulk import's hot path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii as _quoted  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table
from sqlalchemy.sql.schema import ScalarElementColumnDefault


class RawInsert:
    def __init__(self, table: Table, keys: Sequence[str], dialect: Dialect) -> None:
        columns = [table.c[k] for k in keys]
        self.constants: list[Any] = []
        for column in table.c:
            if column.key in keys or column.default is None:
                continue
            if not isinstance(column.default, ScalarElementColumnDefault):
                raise ValueError(f"{table.name}.{column.key} has a computed default: pass it in the rows")
            columns.append(column)
            self.constants.append(column.default.arg)
        self.keys = list(keys)
        prepare = dialect.identifier_preparer
        names = ", ".join(prepare.format_column(c) for c in columns)
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in columns)
        self.sql = f"INSERT INTO {prepare.format_table(table)} ({names}) VALUES ({marks})"
        processors: list[Callable[[Any], Any] | None] = [
            c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
        self.processors = [_faster_json(p) if p is not None and isinstance(c.type, JSON) else p
                           for c, p in zip(columns, processors, strict=True)]
        self.params: Callable[[dict[str, Any]], list[Any]] = self._compile_params()
        """One row's parameters: each value through its column's bind processor, defaults appended."""

    def _compile_params(self) -> Callable[[dict[str, Any]], list[Any]]:
        """A function made for this column list (a list display, no loop): rows are converted by the
        hundred thousand on a bulk import's hot path. Constant defaults are converted once, here."""
        env: dict[str, Any] = {}
        items = []
        for i, process in enumerate(self.processors):
            if i < len(self.keys):
                value = f"row[{self.keys[i]!r}]"
            else:
                constant = self.constants[i - len(self.keys)]
                env[f"c{i}"] = process(constant) if process is not None else constant
                items.append(f"c{i}")
                continue
            if process is None:
                items.append(value)
            else:
                env[f"p{i}"] = process
                items.append(f"p{i}({value})")
        source = f"def params(row):\n    return [{', '.join(items)}]\n"
        exec(compile(source, f"<params of {self.sql[:60]}>", "exec"), env)  # noqa: S102
        return env["params"]  # type: ignore[no-any-return]

    def processor(self, key: str) -> Callable[[Any], Any] | None:
        """The bind processor of column ``key`` (None: values go as they are)."""
        return self.processors[self.keys.index(key)]

    def execute(self, conn: Connection, params: list[list[Any]]) -> None:
        """Rows converted by :meth:`params` (so in this writer's column order)."""
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(self.sql, params)
        finally:
            cursor.close()


_ENCODE = (c_make_encoder(None, json.JSONEncoder().default, _quoted, None, ": ", ", ", False, False, True)
           if c_make_encoder is not None else None)


def _dumps(value: Any) -> str:
    """``json.dumps(value)``: the same C encoder with the same settings, made once instead of per call."""
    assert _ENCODE is not None
    return "".join(_ENCODE(value, 0))


_SAMPLES: list[Any] = [[], ["a", "é/<\"\n", "\u2028"], [{}, {"name": "Size", "value": "ß"}], {"a": [1, 2.5, None]}]


def _faster_json(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The JSON column's own bind processor, with lists and dicts encoded by :func:`_dumps` when that gives
    exactly the same text (it does with the default ``json.dumps`` serializer; with another one configured,
    the samples differ and the processor is kept as it is)."""
    if _ENCODE is None or any(process(sample) != _dumps(sample) for sample in _SAMPLES):
        return process

    def fast(value: Any) -> Any:
        return _dumps(value) if type(value) is list or type(value) is dict else process(value)

    return fast

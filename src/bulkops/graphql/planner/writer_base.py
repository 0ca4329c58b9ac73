"""What a batched writer whose lines are cheap to translate shares: it prepares every line in the writer's own
process (no helper look-ahead) and runs a lone line (a retry, a line the batch will not vouch for) through the
ordinary per-line executor. ``productCreate``'s writer, whose preparation runs in helper processes, does not
use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import Connection

from bulkops.domain.fields import FieldMap, Presenter
from bulkops.engine.executor import LineExecutor, LineRunner
from bulkops.graphql.context import RequestContext
from bulkops.graphql.planner.mutation_plan import Plan


class PreparedHere:
    def __init__(self, plan: Plan, make_context: Callable[[Connection], RequestContext], slow: LineExecutor,
                 elsewhere: Any = None) -> None:
        self.plan = plan
        self.make_context = make_context
        self.slow = slow

    @property
    def look_ahead_depth(self) -> int:
        return 1

    def look_ahead(self, lines: list[bytes]) -> None:
        """Translating a line is cheap: nothing is prepared in other processes."""

    def run_one(self, conn: Connection, variables: dict[str, Any]) -> dict[str, Any]:
        return self.slow(conn, variables)


def decode_variables(raw: bytes) -> dict[str, Any] | None:
    """A line's variables, or None when they are not a JSON object (the ordinary path words the error)."""
    try:
        variables = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return variables if type(variables) is dict else None


def selections_within(plan: Plan, safe: dict[tuple[str, ...], set[str]]) -> bool:
    """Every path of the payload selects only fields ``safe`` allows there (the ones a writer shapes with
    certainty after writing)."""
    for path, allowed in safe.items():
        names = plan.selected_names(*path)
        if names is not None and not names <= allowed:
            return False
    return True


def line_arguments(plan: Plan, raw: bytes) -> dict[str, Any] | None:
    """A line's root arguments when the plan vouches for them, else None (the line runs the ordinary way,
    where graphql-core words what is wrong)."""
    variables = decode_variables(raw)
    return None if variables is None else plan.arguments(variables)


class WrittenInRuns(PreparedHere):
    """A writer whose domain takes a run of prepared lines at once (``write_run``): each run of lines it could
    prepare is written together; a line it could not runs the ordinary way at its turn, after the run before
    it is written (so the next run reads what that line wrote)."""

    @staticmethod
    def prepare(plan: Plan, lines: list[bytes]) -> list[Any]:
        raise NotImplementedError

    def write_run(self, context: RequestContext, run: list[Any]) -> list[dict[str, Any]]:
        """The responses of a run of prepared lines, written together."""
        raise NotImplementedError

    def run_chunk(self, conn: Connection, lines: list[bytes], run_line: LineRunner) -> list[dict[str, Any]]:
        context = self.make_context(conn)
        out: list[dict[str, Any]] = []
        run: list[Any] = []
        for raw, item in zip(lines, self.prepare(self.plan, lines), strict=True):
            if item is not None:
                run.append(item)
                continue
            if run:
                out += self.write_run(context, run)
            run = []
            out.append(run_line(raw))
        return out + (self.write_run(context, run) if run else [])


def presenter_of(field_map: FieldMap, names: set[str] | None, full: Presenter) -> Presenter:
    """``full``, or a presenter of only the selected fields (none of them ``Resolved``): a bulk import
    selecting ``id key`` need not present every other field of every row. The row's internal keys (``_pk``...)
    are always kept: resolvers of selected fields read them."""
    if names is None:
        return full
    kept = {n: s for n, s in field_map.fields.items() if n in names or n.startswith("_")}
    return FieldMap(field_map.type_name, kept).presenter()

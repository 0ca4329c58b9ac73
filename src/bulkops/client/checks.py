"""Checks of an import before upload: what the server would refuse outright (an empty file, a
mutation document the bulk rules reject) and what would fail line by line (a line that is not a JSON object,
variables the mutation's types do not accept), each with its ``__lineNumber``.

The document rules are the server's own (``protocol.mutation_document``, spec 3.3) and the line decoding is the
runner's (``protocol.lines``), so a problem found here is worded as the result file would word it. Schema checks
use the bundled SDL, a subset of Shopify's Admin API with every input type complete, through the part of it the
mutation reaches (``protocol.check_schema``): a mutation outside it is not checked (it may exist on a real shop)
rather than refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    is_input_type,
    type_from_ast,
    validate,
)

from bulkops.client.coercion import VariablesCheck
from bulkops.client.report import describe
from bulkops.protocol.check_schema import check_schema
from bulkops.protocol.lines import decode_variables
from bulkops.protocol.mutation_document import check_bulk_mutation, main_operation, parse_document

EMPTY_FILE = "The input file is empty."
MAX_KEPT = 1000
"""Problems kept for the report; past this only ``bad_lines`` counts (a file of 500,000 bad lines)."""


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None
    """The line's ``__lineNumber`` (0-based); None for the file or the mutation document."""
    fatal: bool = False
    """The server would refuse the whole run: nothing would start."""
    subject: str = "line"
    """What the problem is about: ``line``, ``file`` or ``mutation``."""


@dataclass
class Checked:
    lines: int = 0
    """Lines the server will run (blank lines are skipped): the progress bar's total."""
    problems: list[Problem] = field(default_factory=list)
    bad_lines: int = 0
    notes: list[str] = field(default_factory=list)
    """What was not checked, and why."""

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_KEPT or problem.fatal:
            self.problems.append(problem)

    @property
    def fatal(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.bad_lines


def check_import(lines: Iterable[tuple[int, bytes]], size: int, mutation: str, client_identifier: str | None,
                 api_version: str, *, with_schema: bool = True, each_line: bool = True) -> Checked:
    """Everything that can be known about an import without the server, over its lines to run
    (``inputs.selected_lines``, streamed) and its ``size`` in bytes. ``with_schema``: check the document against
    the bundled schema (cheap); ``each_line`` too: every line's variables (a few microseconds a good line; the
    import's own failure report says the same later). A file over the upload limit is no problem: it goes up in
    parts."""
    checked = Checked()
    document, _ = parse_document(mutation)
    schema = check_schema(api_version, document)
    refused = document_problems(mutation, client_identifier, schema)
    for problem in ([Problem(EMPTY_FILE, fatal=True, subject="file")] if not size else []) + refused:
        checked.add(problem)
    validator = None
    if with_schema and document is not None and not refused:
        validator = variables_validator(schema, document, checked)
    if not each_line:
        validator = None
    check_lines(lines, validator, checked)
    if size and not checked.lines:
        checked.add(Problem("The input file has no lines to run (only blank lines).", subject="file"))
    return checked


def check_lines(lines: Iterable[tuple[int, bytes]], validator: VariablesCheck | None, checked: Checked) -> None:
    """Decode every line the server will run and, with a ``validator``, check its variables: the hot loop of a
    100 MB file, so a good line costs one JSON parse and one fast walk."""
    count = bad = 0
    for number, raw in lines:
        count += 1
        variables, undecodable = decode_variables(raw)
        if variables is None:
            messages = [str(e["message"]) for e in undecodable["errors"]] if undecodable else []
        elif validator is None or validator.surely_valid(variables):
            continue
        else:
            messages = list(validator.messages(variables))
        for message in messages:
            checked.add(Problem(message, number))
        bad += bool(messages)
    checked.lines += count
    checked.bad_lines += bad


def document_problems(mutation: str, client_identifier: str | None, schema: GraphQLSchema) -> list[Problem]:
    """The server's synchronous document rules (spec 3.3): any of these and no operation starts."""
    return [Problem(describe({**error.as_dict(), "field": None if error.field == ["mutation"] else error.field}),
                    fatal=True, subject="mutation")
            for error in check_bulk_mutation(mutation, client_identifier, schema)]


def variables_validator(schema: GraphQLSchema, document: DocumentNode, checked: Checked) -> VariablesCheck | None:
    """A per-line check of variables against the mutation's declared types, after checking the document
    itself against the schema (its problems would fail every line: Shopify reports them per line, spec 3.3).
    Takes a document the bulk rules accept: one mutation, one root field."""
    operation = main_operation(document)
    assert operation is not None and isinstance(operation.selection_set.selections[0], FieldNode)
    root = operation.selection_set.selections[0].name.value
    if schema.mutation_type is None or root not in schema.mutation_type.fields:
        checked.notes.append(f"`{root}` is not in the bundled schema (a subset of Shopify's Admin API): "
                             "the document and the variables were not checked against a schema.")
        return None
    for error in validate(schema, document):
        checked.add(Problem(error.message, subject="mutation"))
    definitions = operation.variable_definitions or ()
    unknown = [d.variable.name.value for d in definitions if not is_input_type(type_from_ast(schema, d.type))]
    if unknown:
        checked.notes.append(f"variables {', '.join('$' + n for n in unknown)} have types the bundled schema does "
                             "not know: the lines' variables were not checked.")
        return None
    return VariablesCheck(schema, operation)

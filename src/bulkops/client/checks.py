"""Checks of an import before upload: what the server would refuse outright (an empty or oversized file, a
mutation document the bulk rules reject) and what would fail line by line (a line that is not a JSON object,
variables the mutation's types do not accept), each with its ``__lineNumber``.

The document rules are the server's own (``bulk.documents``, spec 3.3) and the line decoding is the runner's
(``bulk.importer.decode_variables``), so a problem found here is worded as the result file would word it.
Schema checks use the bundled schema, a subset of Shopify's Admin API with every input type complete: a
mutation outside it is not checked (it may exist on a real shop) rather than refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    get_variable_values,
    is_input_type,
    type_from_ast,
    validate,
)

from bulkops.client.lines import numbered_lines
from bulkops.client.report import describe
from bulkops.engine.importer import decode_variables
from bulkops.protocol.mutation_document import check_bulk_mutation, main_operation, parse_document

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Shopify's upload limit since 2026-01 (104,857,600 B; spec 3.4)."""
EMPTY_FILE = "The input file is empty."
FILE_TOO_LARGE = "The input file size exceeds the maximum allowed size of 100 MB."
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


def check_import(data: bytes, mutation: str, client_identifier: str | None, schema: GraphQLSchema, *,
                 with_schema: bool = True, each_line: bool = True, max_bytes: int = MAX_FILE_BYTES) -> Checked:
    """Everything that can be known about an import without the server. ``with_schema``: check the document
    against the bundled schema (cheap); ``each_line`` too: every line's variables (~40 us a line, so about
    20 s for a 100 MB file; the import's own failure report says the same later)."""
    checked = Checked()
    refused = document_problems(mutation, client_identifier, schema)
    for problem in file_problems(data, max_bytes) + refused:
        checked.add(problem)
    document, _ = parse_document(mutation)
    validator = None
    if with_schema and document is not None and not refused:
        validator = variables_validator(schema, document, checked)
    if not each_line:
        validator = None
    for number, raw in numbered_lines(data):
        checked.lines += 1
        variables, undecodable = decode_variables(raw)
        messages = [str(e["message"]) for e in undecodable["errors"]] if undecodable else []
        if variables is not None and validator is not None:
            messages = list(validator(variables))
        for message in messages:
            checked.add(Problem(message, number))
        checked.bad_lines += bool(messages)
    if data and not checked.lines:
        checked.add(Problem("The input file has no lines to run (only blank lines).", subject="file"))
    return checked


def file_problems(data: bytes, max_bytes: int = MAX_FILE_BYTES) -> list[Problem]:
    """The synchronous file checks of ``bulkOperationRunMutation`` (spec 3.4), in the server's words."""
    if not data:
        return [Problem(EMPTY_FILE, fatal=True, subject="file")]
    if len(data) > max_bytes:
        return [Problem(FILE_TOO_LARGE, fatal=True, subject="file")]
    return []


def document_problems(mutation: str, client_identifier: str | None, schema: GraphQLSchema) -> list[Problem]:
    """The server's synchronous document rules (spec 3.3): any of these and no operation starts."""
    return [Problem(describe({**error.as_dict(), "field": None if error.field == ["mutation"] else error.field}),
                    fatal=True, subject="mutation")
            for error in check_bulk_mutation(mutation, client_identifier, schema)]


def variables_validator(schema: GraphQLSchema, document: DocumentNode, checked: Checked) -> _Validator | None:
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
    return _Validator(schema, operation)


@dataclass(frozen=True)
class _Validator:
    schema: GraphQLSchema
    operation: OperationDefinitionNode

    def __call__(self, variables: dict[str, object]) -> Iterator[str]:
        """graphql-core's coercion messages, as ``errors`` on the result line would carry them."""
        coerced = get_variable_values(self.schema, self.operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            yield from (error.message for error in coerced)

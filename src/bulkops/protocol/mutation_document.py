"""Synchronous checks of bulk documents, with Shopify's exact wording (spec 3.3 and 4.2)."""

from __future__ import annotations

from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    Lexer,
    OperationDefinitionNode,
    OperationType,
    TokenKind,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from bulkops.protocol.errors import UserError

MAX_DOCUMENT_BYTES = 65_535


def is_connection_type(named: GraphQLNamedType) -> bool:
    """A Relay connection: an object type named ``…Connection`` with ``edges``."""
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "edges" in named.fields


def connection_node_type(named: GraphQLNamedType) -> GraphQLNamedType | None:
    """A connection type's node type (``OrderConnection`` -> ``Order``, by ``edges { node }``); None for any
    other type."""
    if not is_connection_type(named):
        return None
    assert isinstance(named, GraphQLObjectType)
    edge = get_named_type(named.fields["edges"].type)
    node = edge.fields.get("node") if isinstance(edge, GraphQLObjectType) else None
    return get_named_type(node.type) if node is not None else None
FORBIDDEN_BULK_ROOTS = frozenset({"bulkOperationRunMutation", "bulkOperationRunQuery"})


_TOKEN_NAMES = {
    TokenKind.BRACE_L: "LCURLY", TokenKind.BRACE_R: "RCURLY", TokenKind.PAREN_L: "LPAREN",
    TokenKind.PAREN_R: "RPAREN", TokenKind.BRACKET_L: "LBRACKET", TokenKind.BRACKET_R: "RBRACKET",
    TokenKind.COLON: "COLON", TokenKind.BANG: "BANG", TokenKind.DOLLAR: "VAR_SIGN", TokenKind.AT: "DIR_SIGN",
    TokenKind.EQUALS: "EQUALS", TokenKind.SPREAD: "ELLIPSIS", TokenKind.PIPE: "PIPE", TokenKind.AMP: "AMP",
    TokenKind.NAME: "IDENTIFIER", TokenKind.INT: "INT", TokenKind.FLOAT: "FLOAT", TokenKind.STRING: "STRING",
    TokenKind.BLOCK_STRING: "STRING",
}


def ruby_style_syntax_error(error: GraphQLError) -> str:
    """A syntax error as Shopify's parser words it: ``syntax error, unexpected end of file at [1, 16]``.

    At the end of the input the position is the start of the last token read (recorded in both recordings of
    spec 3.3 and in a top-level PARSE_ERROR); another unexpected token is named with its text at its own
    position (that wording is UNCONFIRMED)."""
    line, column, what = unexpected_token(error)
    return f"syntax error, unexpected {what} at [{line}, {column}]"


def unexpected_token(error: GraphQLError) -> tuple[int, int, str]:
    """(line, column, description) of what the parser could not take, found by lexing the source again; the
    top-level PARSE_ERROR's ``locations`` is this position."""
    if error.source is None or not error.positions:
        return 1, 1, "end of file"
    position = next(iter(error.positions))
    lexer = Lexer(error.source)
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF and token.start < position:
            token = lexer.advance()
    except GraphQLError:
        character = error.source.body[position:position + 1]
        what = f'"{character}"' if character else "end of file"
        where = error.locations[0] if error.locations else None
        return (where.line, where.column, what) if where else (1, 1, what)
    if token.kind == TokenKind.EOF:
        last = lexer.last_token
        if last.kind == TokenKind.SOF:
            return 1, 1, "end of file"
        return last.line, last.column, "end of file"
    text = token.value if token.value is not None else token.kind.value
    return token.line, token.column, f'{_TOKEN_NAMES.get(token.kind, token.kind.name)} ("{text}")'


@lru_cache(maxsize=32)
def parse_document(text: str) -> tuple[DocumentNode | None, GraphQLError | None]:
    """Parsed once per process: a bulk document is checked when the operation is created, then run by a worker
    (often the same process) and by its helper processes. Bounded: documents are at most 64 KB."""
    try:
        return parse(text, no_location=False), None
    except GraphQLError as error:
        return None, error


def main_operation(document: DocumentNode) -> OperationDefinitionNode | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition
    return None


def _root_fields(operation: OperationDefinitionNode) -> list[FieldNode]:
    return [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]


def count_connections(schema: GraphQLSchema, document: DocumentNode) -> int:
    """Fields anywhere in the document whose type is a ``…Connection`` (unknown fields are not counted)."""
    type_info = TypeInfo(schema)
    found = 0

    class _Counter(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            field_type = type_info.get_type()
            if field_type is not None and is_connection_type(get_named_type(field_type)):
                found += 1

    visit(document, TypeInfoVisitor(type_info, _Counter()))
    return found


def check_bulk_mutation(text: str, client_identifier: str | None, schema: GraphQLSchema) -> list[UserError]:
    """Spec 3.3, in Shopify's order; the first failing document rule wins."""
    size = len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        return [UserError(f"is too large ({size} bytes; maximum is {MAX_DOCUMENT_BYTES} bytes)", ["query"],
                          "INVALID_MUTATION")]
    document, syntax = parse_document(text)
    if syntax is not None or document is None:
        message = ruby_style_syntax_error(syntax) if syntax else "syntax error, unexpected end of file at [1, 1]"
        return [UserError(f"Failed to parse the mutation - {message}", None, "INVALID_MUTATION")]
    operation = main_operation(document)
    if operation is None or operation.operation != OperationType.MUTATION:
        return [UserError("Invalid operation type. Only `mutation` operations are supported.", None,
                          "INVALID_MUTATION")]
    roots = _root_fields(operation)
    if len(operation.selection_set.selections) != 1 or len(roots) != 1:
        return [UserError("You must specify a single top level mutation.", ["mutation"])]
    if roots[0].name.value in FORBIDDEN_BULK_ROOTS:
        return [UserError("You must use an allowed mutation name.", ["mutation"])]
    if count_connections(schema, document) > 1:
        return [UserError("Bulk mutations cannot contain more than 1 connection.", ["mutation"])]
    return check_client_identifier(client_identifier)


def check_client_identifier(client_identifier: str | None) -> list[UserError]:
    if client_identifier is None:
        return []
    if len(client_identifier) < 10:
        return [UserError("is too short (minimum is 10 characters)", ["clientIdentifier"], "INVALID_MUTATION")]
    if len(client_identifier) > 255:
        return [UserError("is too long (maximum is 255 characters)", ["clientIdentifier"], "INVALID_MUTATION")]
    return []

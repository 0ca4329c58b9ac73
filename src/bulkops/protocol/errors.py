"""Errors with Shopify's exact wording, raised where a rule fails and shaped for the wire in one place.

    UserFacingError
    ├── UserError          -> an entry of a payload's ``userErrors`` (field, message, optional code)
    └── RequestError       -> a top-level GraphQL ``errors`` entry (message, extensions.code)
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


class UserFacingError(Exception):
    pass


@dataclass
class UserError(UserFacingError):
    message: str
    field: list[str] | None = None
    code: str | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "code": self.code, **self.extra}


class UserErrors(UserFacingError):
    """Several user errors found together (validation that reports everything at once)."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class RequestError(UserFacingError):
    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extensions = extensions


class NotImplementedByServer(RequestError):
    def __init__(self, field_name: str) -> None:
        super().__init__(
            f"The field '{field_name}' is not implemented by this bulkops server yet.",
            "NOT_IMPLEMENTED",
        )

"""One exception hierarchy for the whole product.

Every error a user can cause maps to one JSON shape in the API
(``{"error": {"code", "message", "detail"}}``) and to a one-line message
with a non-zero exit code in the CLI, so each class carries its HTTP
status and exit code.
"""
from __future__ import annotations

from typing import Any


class PeelgraphError(Exception):
    """The base: a code for the API's error shape, an HTTP status and a CLI exit code."""

    code = "error"
    status = 500
    exit_code = 1

    def __init_subclass__(cls, code: str = "", status: int = 0, exit_code: int = 0, **kwargs: Any) -> None:
        """A subclass names what differs in its class line; what it leaves out it inherits."""
        super().__init_subclass__(**kwargs)
        if code:
            cls.code = code
        if status:
            cls.status = status
        if exit_code:
            cls.exit_code = exit_code

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail}}


class BadInput(PeelgraphError, code="bad_input", status=400, exit_code=2):
    """The request or file is malformed (empty query, unreadable file...)."""


class UnsupportedFormat(BadInput, code="unsupported_format", status=415):
    """A file of a type no loader reads."""


class TooLarge(BadInput, code="too_large", status=413):
    """An upload or request over its size limit."""


class InvalidParameter(BadInput, code="invalid_parameter", status=422):
    """A parameter outside what the command accepts."""


class NotFound(PeelgraphError, code="not_found", status=404, exit_code=3):
    """No report, passage or node with that id."""


class Forbidden(PeelgraphError, code="forbidden", status=403, exit_code=4):
    """The server is read-only or the API key is missing or wrong."""


class StoreError(PeelgraphError, code="store_error", status=500, exit_code=5):
    """The store cannot be opened or read (wrong schema version, corrupt file)."""

"""One exception hierarchy for the whole product.

Every error a user can cause maps to one JSON shape in the API
(``{"error": {"code", "message", "detail"}}``) and to a one-line message
with a non-zero exit code in the CLI, so each class carries its HTTP
status and exit code.
"""
from __future__ import annotations

from typing import Any


class PeelgraphError(Exception):
    code = "error"
    status = 500
    exit_code = 1

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail}}


class BadInput(PeelgraphError):
    """The request or file is malformed (empty query, unreadable file...)."""

    code = "bad_input"
    status = 400
    exit_code = 2


class UnsupportedFormat(BadInput):
    code = "unsupported_format"
    status = 415


class TooLarge(BadInput):
    code = "too_large"
    status = 413


class InvalidParameter(BadInput):
    code = "invalid_parameter"
    status = 422


class NotFound(PeelgraphError):
    code = "not_found"
    status = 404
    exit_code = 3


class Forbidden(PeelgraphError):
    code = "forbidden"
    status = 403
    exit_code = 4


class StoreError(PeelgraphError):
    """The store cannot be opened or read (wrong schema version, corrupt file)."""

    code = "store_error"
    status = 500
    exit_code = 5

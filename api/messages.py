"""Error messages a reader understands: the one JSON error shape and plain words for invalid requests."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# what a request field is called in a sentence ("Your question is too long ...")
_NAMES = {"q": "search", "question": "question", "query": "query", "from": "starting point", "to": "end point",
          "topic": "topic", "k": "number of results", "limit": "page size", "offset": "offset", "file": "file",
          "depth": "depth", "year": "year", "force": "force"}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def _name(loc: Sequence[Any]) -> str:
    fields = [str(x) for x in loc if x not in ("body", "query", "path", "header") and not isinstance(x, int)]
    return _NAMES.get(fields[-1], fields[-1].replace("_", " ")) if fields else "request"


def _one(error: dict[str, Any]) -> str:
    """One pydantic error in a plain sentence; an unknown kind falls back to pydantic's own words."""
    name, kind, ctx = _name(error.get("loc", ())), error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Your {name} is too long (at most {ctx.get('max_length')} characters)."
    if kind == "string_too_short":
        return f"Your {name} is empty." if ctx.get("min_length") == 1 else \
            f"Your {name} is too short (at least {ctx.get('min_length')} characters)."
    if kind == "missing":
        return f"Please give a {name}."
    if kind in ("greater_than_equal", "greater_than"):
        return f"The {name} must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"The {name} must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind in ("int_parsing", "int_type"):
        return f"The {name} must be a whole number."
    if kind == "literal_error":
        return f"The {name} must be one of {ctx.get('expected')}."
    if kind in ("too_long", "list_too_long"):
        return f"Too many values for {name} (at most {ctx.get('max_length')})."
    return f"{name}: {error.get('msg', 'invalid value')}"


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    return " ".join(dict.fromkeys(_one(e) for e in errors)) or "The request is not valid."

"""SQLite statements as PostgreSQL runs them, and rows that read like ``sqlite3.Row``.

The graph and embedding hooks write through the connection the store's write
transaction hands them, in SQLite's dialect. ``translate`` is the one place
that dialect is turned into PostgreSQL's, so those hooks run unchanged.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graph.errors import StoreError

# a quoted literal or identifier (left alone), or a placeholder / percent sign outside them
_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")
_INSERT_OR_RE = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\b", re.IGNORECASE)
# "a NOT IN (SELECT b FROM t)": once t outgrows work_mem, PostgreSQL checks it row by row (quadratic; 47 s per
# ingest at 220 reports for the orphan clean-up). The same question as an anti-join is linear (0.15 s); the
# two differ only when b can be NULL, which no such statement here reads.
_NOT_IN_RE = re.compile(r"\b(DELETE\s+FROM\s+(\w+)\s+WHERE\s+)(\w+)\s+NOT\s+IN\s*"
                        r"\(\s*SELECT\s+(\w+)\s+FROM\s+(\w+)\s*\)", re.IGNORECASE)


def translate(sql: str, has_params: bool = True) -> str:
    """PostgreSQL for one SQLite statement: ``?`` -> ``%s``, ``INSERT OR IGNORE`` -> ``ON CONFLICT DO NOTHING``,
    ``DELETE ... WHERE a NOT IN (SELECT b FROM t)`` -> ``NOT EXISTS`` (an anti-join).

    Identifiers already quoted for SQLite ("end") are valid PostgreSQL as they are.
    """
    sql = _NOT_IN_RE.sub(r"\1NOT EXISTS (SELECT 1 FROM \5 WHERE \5.\4 = \2.\3)", sql)
    m = _INSERT_OR_RE.match(sql)
    if m:
        if m.group(1).upper() == "REPLACE":
            raise StoreError("INSERT OR REPLACE has no PostgreSQL translation; write an explicit upsert")
        sql = "INSERT INTO" + sql[m.end():].rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    if not has_params:
        return sql

    def sub(t: re.Match[str]) -> str:
        tok = t.group(0)
        if tok == "?":
            return "%s"
        if tok == "%":
            return "%%"
        return tok.replace("%", "%%")  # psycopg reads % inside literals too once there are parameters

    return _TOKEN_RE.sub(sub, sql)


class Row(tuple):
    """A result row read by position, by column name, or as ``dict(row)``, as ``sqlite3.Row`` is.

    Each query makes a subclass holding its column names, so a row costs no more than its tuple.
    """

    __slots__ = ()
    _names: tuple[str, ...] = ()

    @classmethod
    def factory(cls, names: tuple[str, ...]) -> type[Row]:
        """The row class of one query's columns."""
        return type("Row", (cls,), {"__slots__": (), "_names": names})

    def keys(self) -> list[str]:
        return list(self._names)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._names.index(key))
            except ValueError:
                raise IndexError(f"no such column: {key}") from None
        return tuple.__getitem__(self, key)


def row_factory(cursor: Any) -> Any:
    """psycopg row factory making ``Row`` objects."""
    return Row.factory(tuple(c.name for c in cursor.description or ()))


class Result:
    """One statement's rows, read as a sqlite3 cursor is (iterate, fetchone, fetchall).

    Rows are made as they are read from the fetched result, not all at once, so iterating a
    large table (the graph build does) holds one result, not a list of Python rows; the
    connection itself may meanwhile serve other statements.
    """

    def __init__(self, cursor: Any = None, rowcount: int = -1) -> None:
        self._cursor = cursor if cursor is not None and cursor.description else None
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Row]:
        return iter(self._cursor) if self._cursor is not None else iter(())

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor is not None else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor is not None else []

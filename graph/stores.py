"""Which store to open: the embedded SQLite one, or PostgreSQL when a database URL is given."""
from __future__ import annotations

from pathlib import Path

from graph.store import Store


def open_store(directory: str | Path, database_url: str | None = None, vector_search: str = "exact",
               read_url: str | None = None) -> Store:
    """SQLite under ``directory`` by default; ``database_url`` (postgresql://...) chooses PostgreSQL, where
    ``vector_search="hnsw"`` has search ask pgvector's index for the nearest passages and ``read_url``
    (a read replica) serves the reads."""
    if not database_url:
        return Store(directory)
    from graph.pg.store import (
        PgStore,  # psycopg is only needed when PostgreSQL is chosen
    )

    return PgStore(database_url, vector_search=vector_search, read_url=read_url)

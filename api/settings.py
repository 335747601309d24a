"""One settings object for the CLI and the service (environment prefix PEELGRAPH_)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEELGRAPH_", extra="ignore")

    store: Path = ROOT / "data" / "build"
    # postgresql://user:password@host/db chooses the PostgreSQL store (graph/pg/); unset: SQLite under `store`
    database_url: str | None = None
    # PostgreSQL only: "exact" scores every passage vector in memory; "hnsw" asks pgvector's HNSW index instead
    vector_search: str = "exact"
    # PostgreSQL only: a read replica (hot standby) of database_url; every read outside a write goes there
    database_read_url: str | None = None
    corpus: Path = ROOT / "data" / "corpus"
    # "minilm" is the bundled all-MiniLM-L6-v2; "hash" is a small deterministic encoder for fast unit tests
    encoder: str = "minilm"
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    cors_origins: list[str] = []
    max_upload_bytes: int = 40 * 1024 * 1024
    max_query_chars: int = 1000
    max_k: int = 100
    max_page: int = 500
    max_export_nodes: int = 300
    # optional: an OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1) that rewrites answers into prose
    llm_url: str | None = None
    llm_model: str = "local"
    llm_api_key: str | None = None
    sparql_timeout: float = 10.0
    sparql_rows: int = 1000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

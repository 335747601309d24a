"""The PostgreSQL store: the same interface as ``graph.store.Store`` for many workers sharing one database."""

"""The embedded store's tables, as one SQLite script (PostgreSQL translates the same tables)."""
from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    report_id TEXT PRIMARY KEY, source TEXT NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL,
    title TEXT NOT NULL, force TEXT, year TEXT, year_end INTEGER, programme TEXT,
    text TEXT NOT NULL, ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_sha ON reports(sha256);
CREATE TABLE IF NOT EXISTS passages (
    passage_id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, question TEXT, paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    page INTEGER, footnote_refs TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_report ON passages(report_id, ordinal);
CREATE INDEX IF NOT EXISTS passages_kind ON passages(kind);
CREATE TABLE IF NOT EXISTS items (
    item_id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, kind TEXT NOT NULL, question TEXT, text TEXT NOT NULL, passage_id TEXT,
    carried_over_from TEXT, grade TEXT, lead TEXT, overall INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_report ON items(report_id, kind);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, section, content='passages', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text, section) VALUES (new.rowid, new.text, new.section);
END;
CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text, section) VALUES ('delete', old.rowid, old.text, old.section);
END;
CREATE TABLE IF NOT EXISTS embeddings (
    text_sha TEXT NOT NULL, model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (text_sha, model)
);
-- knowledge graph (graph/build.py): nodes are shared across reports; per-report rows cascade
CREATE TABLE IF NOT EXISTS entities (
    entity_id TEXT PRIMARY KEY, type TEXT NOT NULL, label TEXT NOT NULL, kind TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS entities_type ON entities(type);
CREATE TABLE IF NOT EXISTS entity_aliases (
    entity_id TEXT NOT NULL, report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    alias TEXT NOT NULL, PRIMARY KEY (entity_id, report_id, alias)
);
CREATE TABLE IF NOT EXISTS mentions (
    entity_id TEXT NOT NULL, report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    passage_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, surface TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE INDEX IF NOT EXISTS mentions_report ON mentions(report_id);
CREATE TABLE IF NOT EXISTS relations (
    relation_id TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    polarity TEXT NOT NULL, rule TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS evidence (
    relation_id TEXT NOT NULL, report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    passage_id TEXT NOT NULL, quote TEXT NOT NULL, polarity TEXT NOT NULL, rule TEXT NOT NULL,
    PRIMARY KEY (relation_id, passage_id, quote)
);
CREATE INDEX IF NOT EXISTS evidence_report ON evidence(report_id);
CREATE TABLE IF NOT EXISTS findings (
    finding_id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    passage_id TEXT NOT NULL, question TEXT, polarity TEXT NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, themes TEXT NOT NULL, entities TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_report ON findings(report_id);
CREATE TABLE IF NOT EXISTS passage_themes (
    passage_id TEXT NOT NULL, report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE,
    theme TEXT NOT NULL, score REAL NOT NULL, rule TEXT NOT NULL, PRIMARY KEY (passage_id, theme)
);
CREATE INDEX IF NOT EXISTS passage_themes_theme ON passage_themes(theme);
"""
# Added since schema 2 (older code ignores them), made on open where missing: the change log (which report each
# write changed), indexes per-report updates look up by, and a trigger dropping a relation with its last evidence.
ADDITIONS = ("CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, report_id TEXT NOT NULL, "
             "op TEXT NOT NULL, PRIMARY KEY (generation, report_id))",
             *(f"CREATE INDEX IF NOT EXISTS {t}_{c} ON {t}({c})" for t, c in (
                 ("relations", "source"), ("relations", "target"), ("passage_themes", "report_id"),
                 ("entity_aliases", "report_id"))), "CREATE TRIGGER IF NOT EXISTS evidence_orphans AFTER DELETE ON "
             "evidence WHEN NOT EXISTS (SELECT 1 FROM evidence WHERE relation_id = old.relation_id) BEGIN "
             "DELETE FROM relations WHERE relation_id = old.relation_id; END")
SCHEMA += "".join(f"{stmt};\n" for stmt in ADDITIONS)


def statements(script: str) -> list[str]:
    """Split the schema script into statements (triggers contain semicolons)."""
    out, cur = [], []
    for line in script.strip().splitlines():
        cur.append(line)
        joined = "\n".join(cur).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined)
            cur = []
    return out

# the knowledge-graph tables as the store writes and reads them (rows of graph.build's tables)
GRAPH_INSERTS = {
    "passage_themes": "INSERT OR IGNORE INTO passage_themes VALUES (?,?,?,?,?)",
    "entities": "INSERT OR IGNORE INTO entities VALUES (?,?,?,?,?)",
    "entity_aliases": "INSERT OR IGNORE INTO entity_aliases VALUES (?,?,?)",
    "mentions": "INSERT INTO mentions VALUES (?,?,?,?,?,?)",
    "findings": "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?)",
    "relations": "INSERT OR IGNORE INTO relations VALUES (?,?,?,?,?,?)",
    "evidence": "INSERT OR IGNORE INTO evidence VALUES (?,?,?,?,?,?)",
}
GRAPH_SELECTS = {
    "passage_themes": "SELECT passage_id, theme FROM passage_themes ORDER BY passage_id, score DESC, theme",
    "entity_aliases": "SELECT DISTINCT entity_id, alias FROM entity_aliases",
    "mentions": 'SELECT entity_id, report_id, passage_id, start, "end", surface FROM mentions '
                'ORDER BY entity_id, report_id, passage_id, start, "end", surface',  # total: the same on both stores
    "entities": "SELECT entity_id, type, label, kind, data FROM entities ORDER BY entity_id",
    "findings": 'SELECT finding_id, report_id, passage_id, question, polarity, text, start, "end", themes, entities '
                'FROM findings ORDER BY finding_id',
    "evidence": "SELECT relation_id, passage_id, report_id, quote FROM evidence "
                "ORDER BY relation_id, report_id, passage_id, quote",
    "relations": "SELECT relation_id, type, source, target, polarity, rule FROM relations ORDER BY relation_id",
}

"""The dependency direction of DESIGN.md: ontology <- ingest <- store <- extract <- graph <- {search, export} <- api."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# DESIGN.md's order, finest first: a module may import only from its own layer or a lower one.
# search and graph.export are peers: neither imports the other.
LAYERS: list[tuple[str, int]] = [
    ("ontology", 0),
    ("graph.records", 1), ("graph.errors", 1), ("graph.text", 1),
    ("graph.ingest", 2),
    ("graph.schema", 3), ("graph.store", 3), ("graph.pg", 3), ("graph.stores", 3),
    ("graph.extract", 4),
    ("graph", 5),
    ("graph.export", 6), ("search", 6),
    ("api", 7),
]
PEER_LEVEL = 6
BUNDLED_WORDS = ("Cleveland", "Teesside", "VEMT", "Hartlepool", "Middlesbrough")


def _layer(module: str) -> tuple[str, int] | None:
    """The most specific layer a dotted module name belongs to."""
    best = None
    for prefix, level in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, level)
    return best


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_no_upward_imports() -> None:
    bad = []
    for top in ("ontology", "graph", "search", "api"):
        for path in (ROOT / top).rglob("*.py"):
            mine = _layer(_module(path))
            assert mine is not None, path
            for name in _imports(path):
                theirs = _layer(name)
                if theirs is None or theirs[0] == mine[0] or mine[0].startswith(theirs[0] + "."):
                    continue
                peers = theirs[1] == mine[1] == PEER_LEVEL
                if (theirs[1] > mine[1] or peers) and not theirs[0].startswith(mine[0] + "."):
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_product_code_names_nothing_from_the_bundled_reports() -> None:
    hits = []
    for pkg in ("graph", "search", "api"):
        for path in (ROOT / pkg).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".js", ".html", ".css"}:
                text = path.read_text(encoding="utf-8", errors="ignore")
                hits += [f"{path.relative_to(ROOT)}: {w}" for w in BUNDLED_WORDS if w in text]
    for path in (ROOT / "ontology").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        hits += [f"{path.relative_to(ROOT)}: {w}" for w in BUNDLED_WORDS if w in text]
    assert not hits, hits

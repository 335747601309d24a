"""The dependency direction of DESIGN.md: ontology <- graph <- search <- api; nothing imports upward."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["ontology", "graph", "search", "api"]
BUNDLED_WORDS = ("Cleveland", "Teesside", "VEMT", "Hartlepool", "Middlesbrough")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_no_upward_imports() -> None:
    bad = []
    for i, pkg in enumerate(ORDER):
        for path in (ROOT / pkg).rglob("*.py"):
            upward = _imports(path) & set(ORDER[i + 1:])
            if upward:
                bad.append(f"{path.relative_to(ROOT)} imports {sorted(upward)}")
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

"""Knowledge-graph extraction benchmark: time per report and stage, graph size, and quality.

    .venv/bin/python benchmarks/extraction.py [--store DIR] [--sample 40] [--seed 7]

Quality is measured three ways, printed side by side:

- on examples annotated by hand from the bundled reports (below; benchmarks
  may name the bundled reports, product code never does): entity recall by
  label or alias, entity precision over the judged extractions, metric
  recall and relation recall;
- on documents written for this benchmark in other forces' styles
  (``benchmarks/data/relations_gold.json``), run through the real loader and
  pipeline: relation recall by quote, and the share of extracted causal
  relations that an annotation accounts for;
- on the PEEL-format documents of ``benchmarks/dev/`` (rules were developed
  on them) and ``benchmarks/heldout/`` (annotated before any rule change,
  never used to fix one), through ``formats.py``: judgments, partners and
  entities with their precision, metrics and relations, per file format;
- a seeded random sample of relations from the bundled graph, printed with
  their quotes for a person to read (precision is judged by reading).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from api.service import Service  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph import build as knowledge  # noqa: E402
from graph.errors import NotFound  # noqa: E402
from graph.ingest.load import load  # noqa: E402
from graph.ingest.pipeline import build_report  # noqa: E402

# ---- gold: units, partners, programmes named in the bundled reports (surface forms as written)
GOLD_ENTITIES = [
    "neighbourhood teams", "VEMT team", "community safety team", "telephone investigations unit",
    "major investigations team", "crime investigations departments", "prisoner-handling teams",
    "integrated offender management team", "historical investigations unit", "control room",
    "protecting vulnerable people support hub", "domestic abuse team", "cybercrime unit",
    "regional organised crime unit",
    "ICMT", "surveillance unit", "technical support unit", "LPA", "multi-agency safeguarding hub",
    "Durham Constabulary", "North Yorkshire Police", "British Transport Police", "Crown Prosecution Service",
    "local authorities", "probation", "prisons", "trading standards", "children's services", "Crimestoppers",
    "National Crime Agency", "HMRC", "university", "schools",
    "MARAC", "Operation Encompass", "Operation Sentinel", "Operation Impact", "SARA", "E-CINS", "iMap system",
    "MoRiLE", "Police National Computer", "Clare's Law", "Sarah's Law", "serious and organised crime local profile",
    "4P framework", "IOM", "MAPPA", "THRIVE", "Government Agency Intelligence Network",
    "Strategic Policing Requirement",
    "Safe Car Wash app", "Modern Crime Prevention Strategy",
]
# extracted unit/partner/programme ids judged wrong (fragments, wrong type, generic phrases)
JUDGED_WRONG = {
    "unit:crime-team", "unit:multi-agency-team", "unit:telephone-unit", "unit:training-department", "unit:custody",
    "partner:private-sector",
    "programme:car-wash-app", "programme:computer-system", "programme:county-lines-criminal-network",
    "programme:county-lines-network", "programme:criminal-justice-system", "programme:mobile-data",
    "programme:serve-initiative", "programme:multi-agency-meeting", "programme:risk-management-system",
    "programme:resolution-without-deployment", "programme:scheduled-appointment",
}
# (value, words the measure must contain)
GOLD_METRICS = [
    (17.6, "increase in crime"), (12, "homicide"), (47, "crime files"), (38, "supervisors"),
    (23, "child abuse investigators"), (21, "repeat victims"), (228, "children"), (1828, "respond"),
    (25, "arrest rate"), (9.9, "arrest rate"), (28, "average"), (8.4, "rate"), (58, "Clare"), (25, "OCG"),
    (2.2, "disruptions"), (45, "officers and staff"), (77, "officers"), (1e6, "investigation teams"),
    (33, "organised crime groups"), (59, "OCGs per one million"), (85, "drug"), (64, "OCGs"),
    (42844, "incidents"), (2, "fewer incidents"), (40, "crimes"), (79.0, "satisfied"),
    (83.8, "victim satisfaction"), (48, "offending"), (140, "managed offenders"), (3, "police recorded crime"),
]
# (relation type, words in the source label or None, words in the target label)
GOLD_RELATIONS = [
    ("affects", "removal of neighbourhood officers", "disruption"),
    ("affects", "removal of neighbourhood officers", "police powers"),
    ("affects", "removal of neighbourhood officers", "prevent crime"),
    ("causes", "removal of neighbourhood officers", "neighbourhood policing model"),
    ("affects", None, "response officers"),
    ("causes", "workloads", "progress investigations"),
    ("affects", "shift pattern", "too long"),
    ("affects", "registered sex offenders", "manage the volume"),
    ("affects", "deals with calls", "vulnerability"),
    ("affects", "lack of", "warrants"),
    ("causes", "delays in the referral", "safeguarding"),
    ("causes", "calls for service", "investigations"),
    ("causes", "operation encompass", "schools"),
    ("affects", "street triage", "mental health"),
    ("affects", "not respond to all", "vulnerable victims"),
    ("partners_with", "Cleveland Police", "Durham Constabulary"),
    ("partners_with", "major crime unit", "North Yorkshire Police"),
    ("partners_with", None, "probation"),
    ("partners_with", None, "trading standards"),
    ("partners_with", None, "British Transport Police"),
    ("partners_with", None, "local authority"),
    ("responsible_for", "VEMT", "hidden harm"),
    ("responsible_for", "local policing area", "organised crime"),
    ("responsible_for", "responsible officer", "groups"),
    ("recurs", "removal of neighbourhood officers", "abstractions remove neighbourhood officers"),
]


GOLD_DOCS = ROOT / "benchmarks" / "data" / "relations_gold.json"


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z][\w'’-]*", text)}


def _has_words(label: str, words: str | None) -> bool:
    return words is None or _stems(words) <= _stems(label)


def timings(corpus: list[Path]) -> None:
    print("== extraction time per report and stage (seconds)")
    totals: dict[str, float] = defaultdict(float)
    for path in corpus:
        report = build_report(load(path))
        best: dict[str, float] | None = None
        for _ in range(3):
            g = knowledge.extract_report(report)
            if best is None or sum(g.timings.values()) < sum(best.values()):
                best = g.timings
        assert best is not None
        for k, v in best.items():
            totals[k] += v
        stages = "  ".join(f"{k} {v:.3f}" for k, v in best.items())
        print(f"{report.report_id:<50} total {sum(best.values()):.3f}  {stages}")
    print(f"{'all reports':<50} total {sum(totals.values()):.3f}  " +
          "  ".join(f"{k} {v:.3f}" for k, v in totals.items()))


def bundled_quality(svc: Service, G: Any) -> None:
    print("\n== quality on hand-annotated examples from the bundled reports")
    missed = []
    for name in GOLD_ENTITIES:
        try:
            svc._node(name)
        except NotFound:
            missed.append(name)
    found = len(GOLD_ENTITIES) - len(missed)
    print(f"entity recall (units/partners/programmes, by label or alias): {found}/{len(GOLD_ENTITIES)} = "
          f"{found / len(GOLD_ENTITIES):.2f}   missed: {', '.join(missed)}")
    typed = [n for n, d in G.nodes(data=True) if d["type"] in ("unit", "partner", "programme")]
    wrong = [n for n in typed if n in JUDGED_WRONG]
    print(f"entity precision (units/partners/programmes judged by hand): {len(typed) - len(wrong)}/{len(typed)} = "
          f"{(len(typed) - len(wrong)) / max(1, len(typed)):.2f}")
    metrics = [d for _, d in G.nodes(data=True) if d["type"] == "metric"]
    mmiss = [f"{value:g} {words}" for value, words in GOLD_METRICS
             if not any(abs(m["data"]["value"] - value) < 1e-6 and words.lower() in
                        (m["data"]["measures"] + " " + m["mentions"][0]["surface"]).lower() for m in metrics)]
    hit = len(GOLD_METRICS) - len(mmiss)
    print(f"metric recall (value + what it measures): {hit}/{len(GOLD_METRICS)} = {hit / len(GOLD_METRICS):.2f}"
          f"   missed: {', '.join(mmiss)}")
    rels = svc.relations()
    rmiss = [f"{typ}({src} -> {tgt})" for typ, src, tgt in GOLD_RELATIONS
             if not any(_bundled_match(r, typ, src, tgt) for r in rels)]
    rhit = len(GOLD_RELATIONS) - len(rmiss)
    print(f"relation recall (with the supporting sentence as evidence): {rhit}/{len(GOLD_RELATIONS)} = "
          f"{rhit / len(GOLD_RELATIONS):.2f}   missed: {'; '.join(rmiss)}")
    print(f"causal relations extracted: {sum(r['type'] in ('affects', 'causes') for r in rels)}")


def _bundled_match(r: dict[str, Any], typ: str, src: str | None, tgt: str) -> bool:
    source = (r["source"]["label"] + " " + " ".join(ev["quote"] for ev in r["evidence"])).lower()
    target = (r["target"]["label"] + " " + " ".join(ev["quote"] for ev in r["evidence"])).lower()
    return r["type"] == typ and (src is None or src.lower() in source) and tgt.lower() in target


def own_documents() -> None:
    """Relation recall by quote on the documents written for this benchmark, through the real pipeline."""
    gold = json.loads(GOLD_DOCS.read_text(encoding="utf-8"))["documents"]
    hit = total = extracted = explained = 0
    misses = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, doc in enumerate(gold):
            path = Path(tmp) / f"doc{n}.txt"
            path.write_text(f"PEEL: Police effectiveness {doc['year']}\nAn inspection of {doc['force']}\n\n"
                            + "\n\n".join(doc["paragraphs"]) + "\n", encoding="utf-8")
            g = knowledge.extract_report(build_report(load(path)))
            label = {k: e.label for k, e in g.entities.items()}
            rels = [(("causal" if r.type in ("affects", "causes") else r.type), label.get(r.source, r.source),
                     label.get(r.target, r.target), [ev.quote for ev in r.evidence]) for r in g.relations
                    if r.type in ("affects", "causes", "partners_with", "responsible_for")]
            for want in doc["relations"]:
                total += 1
                ok = any(t == want["type"] and any(want["quote"] in q for q in qs) and _has_words(s, want["source"])
                         and _has_words(d, want["target"]) for t, s, d, qs in rels)
                hit += ok
                if not ok:
                    misses.append(f"{want['type']}({want['source']} -> {want['target']})")
            causal = [x for x in rels if x[0] == "causal"]
            extracted += len(causal)
            explained += sum(any(w["type"] == "causal" and any(w["quote"] in q for q in qs) for w in doc["relations"])
                             for _, _, _, qs in causal)
    print(f"\n== relations on {len(gold)} documents written in other forces' styles ({GOLD_DOCS.name})")
    print(f"relation recall by quote: {hit}/{total} = {hit / max(1, total):.2f}   missed: {'; '.join(misses)}")
    print(f"causal relations extracted: {extracted}, accounted for by an annotation: {explained}/{extracted} = "
          f"{explained / max(1, extracted):.2f}")


def format_sets(heldout: bool) -> None:
    """The dev and held-out PEEL documents, scored by ``formats.py`` (every format)."""
    import formats

    for name in ("dev", "heldout") if heldout else ("dev",):
        folder = formats.SETS[name]
        print(f"\n== {name} documents ({folder.relative_to(ROOT)}, {len(formats.names(folder))} documents, "
              "each as txt/html/pdf/docx)")
        print(formats.table(formats.run(folder, verbose=False)))


def sample(rels: list[dict[str, Any]], k: int, seed: int) -> None:
    """A seeded random sample of relations with their quotes, for reading."""
    pool = [r for r in rels if r["type"] in ("affects", "causes", "partners_with", "responsible_for")]
    picked = random.Random(seed).sample(pool, min(k, len(pool)))
    print(f"\n== {len(picked)} relations drawn at random (seed {seed}) of {len(pool)}, to read for precision")
    for n, r in enumerate(sorted(picked, key=lambda r: (r["type"], r["source"]["label"])), 1):
        print(f"{n:2}. [{r['type']} {r['polarity']} {r['rule']}] {r['source']['label']!r} -> {r['target']['label']!r}")
        for ev in r["evidence"][:2]:
            print(f"      \"{' '.join(ev['quote'].split())[:300]}\"")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=None)
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-heldout", action="store_true",
                    help="leave out the held-out documents (while rules are being changed)")
    args = ap.parse_args()
    settings = Settings()
    timings(sorted(Path(settings.corpus).glob("*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Settings(store=Path(args.store or tmp), encoder="hash"))
        t = time.perf_counter()
        svc.build()
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        G = svc.knowledge()
        t_graph = time.perf_counter() - t
        size = knowledge.size(G)
        print(f"\n== graph: build (ingest incl. extraction, hash encoder) {t_build:.2f}s, assemble {t_graph:.3f}s")
        print(f"nodes {size['nodes']}: " + ", ".join(f"{k} {v}" for k, v in size["nodes_by_type"].items()))
        print(f"edges {size['edges']}: " + ", ".join(f"{k} {v}" for k, v in size["edges_by_type"].items()))
        t = time.perf_counter()
        knowledge.ensure_communities(G)
        print(f"communities {len({d.get('community') for _, d in G.nodes(data=True)})} "
              f"({time.perf_counter() - t:.3f}s, once per graph, on first use)")
        bundled_quality(svc, G)
        own_documents()
        format_sets(not args.no_heldout)
        sample(svc.relations(), args.sample, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

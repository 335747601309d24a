"""Knowledge-graph extraction benchmark: time per report and stage, graph size, and quality.

    .venv/bin/python benchmarks/extraction.py [--store DIR]

Quality is measured on a small set of examples annotated by hand from the
bundled reports (below; benchmarks may name the bundled reports, product code
never does): entity recall by label or alias, entity precision over the
judged extractions, metric recall (value and what it measures) and relation
recall (cause-effect, partnership, responsibility, recurrence).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
    "protecting vulnerable people support hub", "domestic abuse team", "cybercrime unit", "regional organised crime unit",
    "ICMT", "surveillance unit", "technical support unit", "LPA", "multi-agency safeguarding hub",
    "Durham Constabulary", "North Yorkshire Police", "British Transport Police", "Crown Prosecution Service",
    "local authorities", "probation", "prisons", "trading standards", "children's services", "Crimestoppers",
    "National Crime Agency", "HMRC", "university", "schools",
    "MARAC", "Operation Encompass", "Operation Sentinel", "Operation Impact", "SARA", "E-CINS", "iMap system",
    "MoRiLE", "Police National Computer", "Clare's Law", "Sarah's Law", "serious and organised crime local profile",
    "4P framework", "IOM", "MAPPA", "THRIVE", "Government Agency Intelligence Network", "Strategic Policing Requirement",
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default=None)
    args = ap.parse_args()
    settings = Settings()
    corpus = sorted(Path(settings.corpus).glob("*.txt"))

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

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store or tmp)
        svc = Service(Settings(store=store, encoder="hash"))
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
        knowledge.ensure_communities(G)
        comms = {d.get("community") for _, d in G.nodes(data=True)}
        print(f"communities {len(comms)}")

        print("\n== quality on hand-annotated examples")
        found = 0
        missed = []
        for name in GOLD_ENTITIES:
            try:
                svc._node(name)
                found += 1
            except NotFound:
                missed.append(name)
        print(f"entity recall (units/partners/programmes, by label or alias): {found}/{len(GOLD_ENTITIES)} = "
              f"{found / len(GOLD_ENTITIES):.2f}   missed: {', '.join(missed)}")
        typed = [n for n, d in G.nodes(data=True) if d["type"] in ("unit", "partner", "programme")]
        wrong = [n for n in typed if n in JUDGED_WRONG]
        print(f"entity precision (units/partners/programmes judged by hand): {len(typed) - len(wrong)}/{len(typed)} = "
              f"{(len(typed) - len(wrong)) / max(1, len(typed)):.2f}")

        metrics = [d for _, d in G.nodes(data=True) if d["type"] == "metric"]
        hit, mmiss = 0, []
        for value, words in GOLD_METRICS:
            ok = any(abs(m["data"]["value"] - value) < 1e-6 and words.lower() in
                     (m["data"]["measures"] + " " + m["mentions"][0]["surface"]).lower() for m in metrics)
            hit += ok
            if not ok:
                mmiss.append(f"{value:g} {words}")
        print(f"metric recall (value + what it measures): {hit}/{len(GOLD_METRICS)} = {hit / len(GOLD_METRICS):.2f}"
              f"   missed: {', '.join(mmiss)}")

        rels = svc.relations()
        rhit, rmiss = 0, []
        for typ, src, tgt in GOLD_RELATIONS:
            def match(r):  # type: ignore[no-untyped-def]
                s_ok = src is None or src.lower() in (r["source"]["label"] + " " + r["evidence"][-1]["quote"]).lower()
                return r["type"] == typ and s_ok and tgt.lower() in (r["target"]["label"] + " " +
                                                                     r["evidence"][0]["quote"]).lower() \
                    and (src is None or src.lower() in (r["source"]["label"] + " " + r["evidence"][0]["quote"]).lower())
            ok = any(match(r) for r in rels)
            rhit += ok
            if not ok:
                rmiss.append(f"{typ}({src} -> {tgt})")
        print(f"relation recall (with the supporting sentence as evidence): {rhit}/{len(GOLD_RELATIONS)} = "
              f"{rhit / len(GOLD_RELATIONS):.2f}   missed: {'; '.join(rmiss)}")
        causal = [r for r in rels if r["type"] in ("affects", "causes")]
        print(f"causal relations extracted: {len(causal)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

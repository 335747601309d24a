"""Compare a theme or an entity across reports: what persisted, improved or worsened.

Inputs are the plain records the service already has (reports, findings,
items, metrics) and the set of passages that are about the topic; the
comparison pairs an earlier report's findings with a later one's by shared
content words, so "neighbourhood officers moved to response work" (weakness,
2015) and "removed all constables from neighbourhood teams" (weakness,
2019) count as a weakness that persisted.
"""
from __future__ import annotations

from typing import Any

from graph.text import key_words

GRADE_RANK = {"inadequate": 0, "requires improvement": 1, "adequate": 2, "good": 3, "outstanding": 4}


def _overlap(a: str, b: str) -> float:
    wa, wb = key_words(a), key_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def compare(topic: str, reports: list[dict[str, Any]], findings: list[dict[str, Any]], items: list[dict[str, Any]],
            metrics: list[dict[str, Any]], about: set[str], threshold: float = 0.34) -> dict[str, Any]:
    """``about`` is the set of passage ids that are about the topic."""
    order = sorted(reports, key=lambda r: (r.get("year_end") or 0, r["report_id"]))
    by_report: dict[str, dict[str, Any]] = {}
    for r in order:
        by_report[r["report_id"]] = {"report_id": r["report_id"], "year": r.get("year"), "title": r.get("title"),
                                     "judgments": [], "strengths": [], "weaknesses": [], "neutral": [],
                                     "metrics": [], "recommendations": []}
    for f in findings:
        col = by_report.get(f["report_id"])
        if col is None or f.get("passage_id") not in about:
            continue
        key = {"strength": "strengths", "weakness": "weaknesses"}.get(f.get("polarity") or "", "neutral")
        col[key].append({"text": f["text"], "passage_id": f.get("passage_id")})
    topic_words = key_words(topic)
    for it in items:
        col = by_report.get(it["report_id"])
        if col is None:
            continue
        relevant = it.get("passage_id") in about or bool(topic_words & key_words(it.get("text", "")))
        if it["kind"] == "judgment":
            if topic_words & key_words(it.get("question") or "") or it.get("question") == "overall":
                col["judgments"].append({"question": it.get("question"), "grade": it.get("grade")})
        elif relevant:
            col["recommendations"].append({"kind": it["kind"], "text": it["text"], "item_id": it["item_id"],
                                           "carried_over_from": it.get("carried_over_from")})
    for m in metrics:
        col = by_report.get(m.get("report_id", ""))
        if col is not None and (m.get("passage_id") in about or topic_words & key_words(m.get("label", ""))):
            col["metrics"].append(m)
    columns = [c for c in by_report.values()]
    persisted, improved, worsened = [], [], []
    for early, late in zip(columns, columns[1:]):
        for a in early["weaknesses"]:
            for b in late["weaknesses"]:
                if _overlap(a["text"], b["text"]) >= threshold:
                    persisted.append(_pair(early, late, a, b))
            for b in late["strengths"]:
                if _overlap(a["text"], b["text"]) >= threshold:
                    improved.append(_pair(early, late, a, b))
        for a in early["strengths"]:
            for b in late["weaknesses"]:
                if _overlap(a["text"], b["text"]) >= threshold:
                    worsened.append(_pair(early, late, a, b))
        for ja in early["judgments"]:
            for jb in late["judgments"]:
                if ja["question"] == jb["question"] or _overlap(ja["question"] or "", jb["question"] or "") >= 0.6:
                    ra, rb = GRADE_RANK.get(ja["grade"] or "", -1), GRADE_RANK.get(jb["grade"] or "", -1)
                    if ra >= 0 and rb >= 0 and ra != rb:
                        (improved if rb > ra else worsened).append(
                            {"from_year": early["year"], "to_year": late["year"], "judgment": [ja, jb]})
    return {"topic": topic, "reports": columns, "persisted": _best(persisted), "improved": _best(improved),
            "worsened": _best(worsened)}


def _pair(early: dict[str, Any], late: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"from_year": early["year"], "to_year": late["year"], "before": a, "after": b,
            "overlap": round(_overlap(a["text"], b["text"]), 2)}


def _best(pairs: list[dict[str, Any]], limit: int = 10) -> list[dict[str, Any]]:
    return sorted(pairs, key=lambda p: -p.get("overlap", 1.0))[:limit]

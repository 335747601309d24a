"""Search and answer quality on the public question set, with baselines in the same run.

Scores, on the system's own passages and answers (definitions: ../shared/eval/README.md):
  search  Hit@1, Hit@5, Recall@10, MRR@10
  ask     Answer@1, Answer@3, evidence-in-first-5
for the system, BM25-only and dense-only over the system's passages, and naive
800-character chunks of the raw report text (BM25, MiniLM dense, and their
reciprocal-rank fusion, as txtai's hybrid does). Naive answers quote the
sentences of the best chunk or passage in reading order.

Settings the method chooses from (``search.tuning.GRID``) are scored by 5-fold
cross-validation: choose on four fifths, score the fifth, average the folds. The
default (the grid's first point) stays unless another point beats it on the four
fifths by more than 0.01 of the objective and hurts none of the four: the grid is
flat, and a point that wins by a question or two, or helps one fold and hurts
another, is noise (../shared/eval/README.md).

    python benchmarks/answers.py [--qa PATH] [--corpus DIR] [--store DIR] [--encoder minilm|hash] [--verbose]
                                 [--no-cv]

``--corpus`` builds the store (and the naive baselines' chunks) from another folder of reports, e.g. the
archive of many forces' reports that ``benchmarks/archive.py`` writes, with ``--qa`` its questions.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_QA = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"
_WORD = re.compile(r"\w+")


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# ------------------------------------------------------------------ metrics (eval README)


def search_scores(questions: list[dict], ranked: list[list[str]]) -> dict[str, float]:
    h1 = h5 = rec = mrr = 0.0
    for q, texts in zip(questions, ranked):
        ev = [ws(e) for e in q["evidence"]]
        texts = [ws(t) for t in texts[:10]]
        first = next((r for r, t in enumerate(texts, 1) if any(e in t for e in ev)), None)
        h1 += bool(first and first <= 1)
        h5 += bool(first and first <= 5)
        mrr += 1 / first if first else 0.0
        rec += sum(any(e in t for t in texts) for e in ev) / len(ev)
    n = len(questions) or 1
    return {"Hit@1": h1 / n, "Hit@5": h5 / n, "Recall@10": rec / n, "MRR@10": mrr / n}


def carries(sentence: str, evidence: str) -> bool:
    s, e = ws(sentence.lower()), ws(evidence.lower())
    if e in s or (len(s) > 40 and s in e):
        return True
    words = _WORD.findall(e)
    have = set(_WORD.findall(s))
    return bool(words) and sum(w in have for w in words) >= 0.75 * len(words)


def answer_scores(questions: list[dict], quoted: list[list[str]]) -> dict[str, float]:
    a1 = a3 = e5 = 0.0
    for q, sents in zip(questions, quoted):
        ev = q["evidence"]
        ok = [any(carries(s, e) for e in ev) for s in sents]
        a1 += any(ok[:1])
        a3 += any(ok[:3])
        e5 += sum(any(carries(s, e) for s in sents[:5]) for e in ev) / len(ev)
    n = len(questions) or 1
    return {"Answer@1": a1 / n, "Answer@3": a3 / n, "Ev@5": e5 / n}


# ------------------------------------------------------------------ naive baselines


def chunks(corpus: Path, size: int = 800) -> list[str]:
    """Fixed-size chunks of each report's text as its loader reads it (text of an HTML page, not its tags)."""
    from graph.ingest.load import load

    out = []
    for f in sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm", ".pdf", ".docx")):
        text = f.read_text(encoding="utf-8") if f.suffix == ".txt" else "\n".join(ln.text for ln in load(f).lines)
        out += [text[i:i + size] for i in range(0, len(text), size)]
    return out


class BM25:
    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.toks = [[w.lower() for w in _WORD.findall(d)] for d in docs]
        self.tf = [Counter(t) for t in self.toks]
        self.avg = sum(map(len, self.toks)) / max(1, len(self.toks))
        df = Counter(w for t in self.toks for w in set(t))
        n = len(docs)
        self.idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self.k1, self.b = k1, b

    def scores(self, query: str) -> np.ndarray:
        q = [w.lower() for w in _WORD.findall(query)]
        out = np.zeros(len(self.toks))
        for i, (tf, toks) in enumerate(zip(self.tf, self.toks)):
            norm = self.k1 * (1 - self.b + self.b * len(toks) / self.avg)
            out[i] = sum(self.idf.get(w, 0) * tf[w] * (self.k1 + 1) / (tf[w] + norm) for w in q if w in tf)
        return out


def rrf(*score_lists: np.ndarray, k: int = 60) -> np.ndarray:
    total = np.zeros(len(score_lists[0]))
    for s in score_lists:
        ranks = np.empty(len(s))
        ranks[np.argsort(-s)] = np.arange(len(s))
        total += 1 / (k + ranks + 1)
    return total


def naive_sentences(texts: list[str]) -> list[str]:
    from graph.text import split_sentences

    out = []
    for t in texts:
        out += [ws(t[a:b]) for a, b in split_sentences(t) if len(t[a:b].split()) >= 4]
    return out


# ------------------------------------------------------------------ the system


def sentences_of(quotes: list[str]) -> list[str]:
    """The quotes' sentences in reading order: a stricter reading, where only the lead's first sentence is first."""
    from graph.text import split_sentences

    return [q[a:b] for q in quotes for a, b in split_sentences(q)]


def system_quotes(answer: dict) -> list[str]:
    """The quoted sentences in reading order: the lead line first."""
    if "quotes" in answer:
        return [q["text"] for q in answer["quotes"]]
    out = []
    for line in answer.get("answer", "").splitlines():
        if line.startswith("- "):
            out.append(re.sub(r"\s*\[[^\]]*\]\s*$", "", line[2:]))
    return out


def run_system(service, questions: list[dict]) -> tuple[list[list[str]], list[list[str]], list[float], list[float]]:
    ranked, quoted, ts, ta = [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        hits = service.search(q["question"], k=10)["hits"]
        t1 = time.perf_counter()
        ans = service.ask(q["question"])
        t2 = time.perf_counter()
        ranked.append([h["text"] for h in hits])
        quoted.append(system_quotes(ans))
        ts.append(t1 - t0)
        ta.append(t2 - t1)
    return ranked, quoted, ts, ta


CLEAR_WIN = 0.01  # objective points a setting must gain on the training folds to replace the default


def cross_validate(service, questions: list[dict], folds: int = 5, seed: int = 7) -> tuple[dict, list[str]]:
    """Mean of the held-out folds' scores, each fold scored with the setting chosen on the other four."""
    from search.tuning import GRID, objective

    engine = service.search_engine
    default = engine.tuning
    per_setting: list[tuple[list[list[str]], list[list[str]]]] = []
    for setting in GRID:
        engine.tuning = setting
        ranked, quoted, _, _ = run_system(service, questions)
        per_setting.append((ranked, quoted))
    engine.tuning = default
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    sums: Counter = Counter()
    chosen = []
    for f in range(folds):
        train = [i for j, p in enumerate(parts) if j != f for i in p]
        test = parts[f]

        def score(idx: list[int], s: int) -> dict[str, float]:
            qs = [questions[i] for i in idx]
            r, a = per_setting[s]
            return {**search_scores(qs, [r[i] for i in idx]), **answer_scores(qs, [a[i] for i in idx])}

        fit = [objective(score(train, s)) for s in range(len(GRID))]
        best = max(range(len(GRID)), key=fit.__getitem__)
        each = [objective(score(parts[j], best)) - objective(score(parts[j], 0)) for j in range(folds) if j != f]
        if fit[best] - fit[0] <= CLEAR_WIN or min(each) < 0:
            best = 0  # a point that wins by noise, or helps one fold and hurts another, does not replace the default

        chosen.append(GRID[best].name)
        for k, v in score(test, best).items():
            sums[k] += v / folds
    return dict(sums), chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qa", default=str(DEFAULT_QA))
    ap.add_argument("--store", default=None, help="a built store (default: build the corpus in a temp dir)")
    ap.add_argument("--corpus", default=None, help="a folder of reports (default: the bundled corpus)")
    ap.add_argument("--encoder", default="minilm")
    ap.add_argument("--verbose", action="store_true", help="print each question's first quote")
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation over search.tuning.GRID")
    ap.add_argument("--database-url", default=None, help="a PostgreSQL store (postgresql://...; built if empty)")
    args = ap.parse_args(argv)

    from api.service import Service
    from api.settings import Settings

    questions = [json.loads(line) for line in open(args.qa, encoding="utf-8") if line.strip()]
    tmp = tempfile.TemporaryDirectory(prefix="peelgraph-bench-") if args.store is None else None
    store = Path(tmp.name if tmp else args.store)
    settings = Settings(store=store, encoder=args.encoder, database_url=args.database_url,
                        **({"corpus": Path(args.corpus).resolve()} if args.corpus else {}))
    service = Service(settings)
    t0 = time.perf_counter()
    if not service.reports():
        service.build()
    service.ask("warm up question about neighbourhood policing")
    print(f"store {store}: {len(service.reports())} reports, ready in {time.perf_counter() - t0:.1f} s; "
          f"{len(questions)} questions\n")

    rows: list[tuple[str, dict[str, float]]] = []
    ranked, quoted, ts, ta = run_system(service, questions)
    rows.append(("peelgraph (whole set)", {**search_scores(questions, ranked), **answer_scores(questions, quoted)}))
    if not args.no_cv:
        cv, chosen = cross_validate(service, questions)
        rows.append(("peelgraph (5-fold CV)", cv))
    for label, mode in (("BM25 only (system passages)", "keyword"), ("dense only (system passages)", "dense")):
        r = [[h["text"] for h in service.search(q["question"], k=10, mode=mode)["hits"]] for q in questions]
        rows.append((label, {**search_scores(questions, r),
                             **answer_scores(questions, [naive_sentences(x[:1]) for x in r])}))

    docs = chunks(settings.corpus)
    bm25 = BM25(docs)
    enc = service.search_engine.index.encoder
    dv = enc.encode(docs)
    for label, fn in _naive_systems(bm25, dv, enc).items():
        r = [[docs[i] for i in np.argsort(-fn(q["question"]))[:10]] for q in questions]
        rows.append((label, {**search_scores(questions, r),
                             **answer_scores(questions, [naive_sentences(x[:1]) for x in r])}))

    cols = ["Hit@1", "Hit@5", "Recall@10", "MRR@10", "Answer@1", "Answer@3", "Ev@5"]
    print(f"{'system':<36}" + "".join(f"{c:>10}" for c in cols))
    for label, s in rows:
        print(f"{label:<36}" + "".join(f"{s[c]:10.3f}" for c in cols))
    if not args.no_cv:
        print(f"\nsettings chosen per fold: {', '.join(chosen)}")
    print(f"\nin process: search p50 {1000 * float(np.median(ts)):.1f} ms, ask p50 {1000 * float(np.median(ta)):.1f} ms"
          f" (p95 {1000 * float(np.percentile(ta, 95)):.1f} ms)")
    print("targets (CV): Hit@5 >= 0.92, MRR@10 >= 0.75, Answer@1 >= 0.65, Answer@3 >= 0.85, Ev@5 >= 0.80")
    split = [sentences_of(a) for a in quoted]
    sp = answer_scores(questions, split)
    print(f"\nread sentence by sentence (each quote split into its sentences; the README reads whole quotes): "
          f"Answer@1 {sp['Answer@1']:.3f}, Answer@3 {sp['Answer@3']:.3f}, Ev@5 {sp['Ev@5']:.3f}")
    by_kind: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        by_kind.setdefault(q["kind"], []).append(i)
    print("\nby kind (whole set): " + "; ".join(
        f"{k} n={len(ix)} A@1 {answer_scores([questions[i] for i in ix], [quoted[i] for i in ix])['Answer@1']:.2f}"
        for k, ix in sorted(by_kind.items())))
    if args.verbose:
        for q, a in zip(questions, quoted):
            ok = [any(carries(s, e) for e in q["evidence"]) for s in a[:5]]
            print(f"\n{q['id']} [{q['kind']} {q['year']}] {''.join('x' if o else '.' for o in ok)} {q['question']}")
            for s in a[:3]:
                print(f"   - {s[:160]}")
    if tmp:
        tmp.cleanup()
    return 0


def _naive_systems(bm25: BM25, dv: np.ndarray, enc) -> dict[str, Callable[[str], np.ndarray]]:
    def dense(q: str) -> np.ndarray:
        return dv @ enc.encode([q])[0]

    return {
        "naive BM25 (800-char chunks)": bm25.scores,
        "naive MiniLM (800-char chunks)": dense,
        "naive hybrid RRF (800-char chunks)": lambda q: rrf(bm25.scores(q), dense(q)),
    }


if __name__ == "__main__":
    sys.exit(main())

"""The bundled corpus through the whole text pipeline: issue 2's "done when".

The sentence-integrity checks derive what the body text is from the raw
files themselves (lines, blank lines, page starts, footnote rules), not from
the pipeline's own blocks, so a pipeline bug cannot hide itself.
"""
from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

import pytest

from graph.ingest.load import load
from graph.records import HINT_RULE, Report
from graph.ingest.pipeline import build_report

BODY_KINDS = {"paragraph", "summary", "list", "list_item", "recommendation", "area_for_improvement",
              "cause_of_concern"}
PROSE_KINDS = {"paragraph", "summary", "list"}
DEV_QA = Path("/work/shared/eval/dev_qa.jsonl")
# a footnote marker glued to the word or bracket before it, as the PDF extraction leaves it
MARKER_RE = re.compile(r"(?:(?<=[A-Za-z)\]’”])|(?<=[A-Za-z)\]’”][.,;:]))\d{1,2}(?:\s\d{1,2})*(?=\s|$)")
TERMINAL_RE = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def key(text: str) -> str:
    """Text with layout differences removed: spaces, hyphens, punctuation, case."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


# ----------------------------------------------------------------------- counts (done when)


def test_two_reports_of_cleveland_police(corpus_service) -> None:  # type: ignore[no-untyped-def]
    stats = corpus_service.stats()
    reports = stats["reports"]
    assert len(reports) == 2
    assert {r["force"] for r in reports} == {"Cleveland Police"}
    assert sorted(r["year"] for r in reports) == ["2015", "2018/19"]
    assert all(r["programme"] and "PEEL" in r["programme"] and "effectiveness" in r["programme"].lower()
               for r in reports)
    assert stats["passages"] == sum(r["passages"] for r in reports) > 100


def _by_year(corpus_service, year: str) -> dict:  # type: ignore[no-untyped-def]
    return next(r for r in corpus_service.stats()["reports"] if r["year"] == year)


def test_2018_19_special_items(corpus_service) -> None:  # type: ignore[no-untyped-def]
    r = _by_year(corpus_service, "2018/19")
    assert r["causes_of_concern"] == 2
    assert r["recommendations"] == 12
    assert r["areas_for_improvement"] == 8
    afis = corpus_service.items(r["report_id"], "area_for_improvement")
    carried = sorted(it["carried_over_from"] for it in afis if it["carried_over_from"])
    assert len(carried) == 3
    assert set(carried) == {"Vulnerability 2015", "Vulnerability 2016"}
    for it in afis:
        if it["carried_over_from"]:
            assert it["carried_over_from"] in it["text"]  # the origin is read from the item itself
    # every recommendation is one bullet: one action, no bullets glued together
    for it in corpus_service.items(r["report_id"], "recommendation"):
        assert "\n" not in it["text"] and not it["text"].startswith("-")
        assert it["question"] and it["question"].startswith("How effective")
    causes = corpus_service.items(r["report_id"], "cause_of_concern")
    assert all(len(c["text"].split()) > 15 for c in causes)
    assert len({c["question"] for c in causes}) == 2


def test_2015_judgments_and_areas_for_improvement(corpus_service) -> None:  # type: ignore[no-untyped-def]
    r = _by_year(corpus_service, "2015")
    assert r["areas_for_improvement"] == 6
    judgments = {(j["question"] or "").lower(): j["grade"] for j in r["judgments"]}
    assert len(judgments) == 5
    assert judgments.pop("overall") == "requires improvement"
    expected = [("preventing crime", "requires improvement"), ("investigating crime", "good"),
                ("protecting from harm", "requires improvement"), ("serious and organised crime", "good")]
    for phrase, grade in expected:
        matches = [q for q in judgments if phrase in q]
        assert len(matches) == 1, (phrase, judgments)
        assert judgments[matches[0]] == grade, (phrase, judgments)
        assert matches[0].startswith("how effective is the force")


def test_passage_json_shape_and_sections(corpus_service) -> None:  # type: ignore[no-untyped-def]
    rows = corpus_service.passages()
    assert rows
    for p in rows:
        assert {"passage_id", "report_id", "year", "section", "paragraph", "kind", "text"} <= set(p)
        assert p["year"] in ("2015", "2018/19")
        assert isinstance(p["paragraph"], int) and p["paragraph"] >= 1
        assert p["text"].strip()
    # the heading tree: question -> section -> subsection is in the section path
    sections = {p["section"] for p in rows if p["year"] == "2018/19"}
    assert any(s.count(" > ") >= 1 and "How effective is the force at investigating crime" in s for s in sections)


# ----------------------------------------------------------------------- offsets, size, ids


@pytest.mark.parametrize("year", ["2018/19", "2015"])
def test_offsets_point_into_report_text(corpus_reports: dict[str, Report], year: str) -> None:
    rep = corpus_reports[year]
    for p in rep.passages:
        assert rep.text[p.start:p.end] == p.text
    starts = [p.start for p in rep.passages]
    assert starts == sorted(starts)
    # passages never overlap
    for a, b in zip(rep.passages, rep.passages[1:]):
        assert a.end <= b.start


@pytest.mark.parametrize("year", ["2018/19", "2015"])
def test_passages_at_most_200_words_unless_one_sentence(corpus_reports: dict[str, Report], year: str) -> None:
    from graph.text import sentences
    for p in corpus_reports[year].passages:
        words = len(p.text.split())
        if words > 210 and p.kind not in ("table", "columns"):
            assert len(sentences(p.text)) == 1, (p.passage_id, words)


def test_passage_ids_stable_across_builds(corpus_files: dict[str, Path], corpus_reports) -> None:  # type: ignore[no-untyped-def]
    for year, path in corpus_files.items():
        again = build_report(load(path))
        first = corpus_reports[year]
        assert again.report_id == first.report_id
        assert [(p.passage_id, p.text, p.start) for p in again.passages] == \
            [(p.passage_id, p.text, p.start) for p in first.passages]
        assert [(i.item_id, i.text) for i in again.items] == [(i.item_id, i.text) for i in first.items]
    ids = [p.passage_id for r in corpus_reports.values() for p in r.passages]
    assert len(ids) == len(set(ids))


# ----------------------------------------------------------------------- 2018/19: one paragraph a line


def _body_lines_2018(path: Path) -> list[str]:
    """Paragraph and bullet lines: a heading is a bare line that does not end like a sentence."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = collapse(line)
        if not line:
            continue
        if line.startswith("- "):
            out.append(line[2:])
        elif TERMINAL_RE.search(line) and not line.endswith("?"):
            out.append(line)
    return out


def _located(line: str, texts: list[str]) -> list[int] | None:
    """Indexes of the consecutive passages holding ``line`` when it is cut between sentences."""
    joined, bounds = "", []
    for t in texts:
        bounds.append(len(joined))
        joined += collapse(t) + " "
    at = joined.find(line)
    if at < 0:
        return None
    end = at + len(line)
    first = max(i for i, b in enumerate(bounds) if b <= at)
    last = max(i for i, b in enumerate(bounds) if b < end)
    return list(range(first, last + 1))


def test_2018_19_every_paragraph_in_exactly_one_passage(corpus_files, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    rep = corpus_reports["2018/19"]
    texts = [collapse(p.text) for p in rep.passages]
    raw = collapse(corpus_files["2018/19"].read_text(encoding="utf-8"))
    lines = _body_lines_2018(corpus_files["2018/19"])
    assert len(lines) > 100
    problems = []
    for line in lines:
        holders = sum(t.count(line) for t in texts)
        if holders:
            # as many passages as the raw text has copies: never duplicated
            if holders != raw.count(line):
                problems.append(("duplicated", line[:80], holders))
            continue
        span = _located(line, texts)
        if span is None or len(span) < 2:
            problems.append(("missing", line[:80]))
            continue
        for i in span[:-1]:  # each cut is between two sentences
            if not TERMINAL_RE.search(texts[i]) or not re.match(r"[A-Z0-9‘“\"'(£]", texts[i + 1]):
                problems.append(("cut mid-sentence", texts[i][-40:], texts[i + 1][:40]))
    assert not problems, problems[:10]


def test_2018_19_headings_are_not_passages(corpus_files, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    """'Summary for question N' runs into the next title: both become headings, neither body text."""
    rep = corpus_reports["2018/19"]
    paths = {" > ".join(p.section) for p in rep.passages}
    for line in corpus_files["2018/19"].read_text(encoding="utf-8").splitlines():
        m = re.match(r"Summary for question (\d+)(\S.*)$", line.strip())
        if m:
            title = m.group(2).strip()
            assert not any(title in p.text for p in rep.passages)
            assert any(path.startswith(title) or f"> {title}" in path or path.split(" > ")[0] == title
                       or title in path for path in paths), title
            assert not any(f"question {m.group(1)}{title[:5]}" in path for path in paths)


# ----------------------------------------------------------------------- 2015: PDF-extracted text


class RawPdfText:
    """The 2015 file read as a PDF extraction: pages, rule lines, chunks, footnotes."""

    def __init__(self, path: Path) -> None:
        doc = load(path)  # the loader only splits lines and marks pages/rules (tested in test_load.py)
        pages: dict[int, list] = {}
        for ln in doc.lines:
            pages.setdefault(ln.page, []).append(ln)
        self.body: list[tuple[int, str]] = []  # (page, line) with "" for blank lines
        self.notes: list[list[str]] = []  # footnotes: lines after the rule, split at numbered starts
        for page, plines in sorted(pages.items()):
            rule = next((i for i, ln in enumerate(plines) if ln.hint == HINT_RULE), len(plines))
            self.body += [(page, ln.text.strip()) for ln in plines[:rule]]
            self.body.append((page, ""))
            for ln in plines[rule + 1:]:
                t = ln.text.strip()
                if re.match(r"^\d{1,3} \S", t):
                    self.notes.append([t.split(" ", 1)[1]])
                elif t and self.notes:
                    self.notes[-1].append(t)
        self.lines = [(page, t) for page, t in self.body]
        self._chunks = self._split_chunks()
        self._headings = self._heading_lines()

    def chunks(self) -> list[list[tuple[int, str]]]:
        """Blank-line (or page) separated runs of body lines; the same objects on every call."""
        return self._chunks

    def heading_lines(self) -> set[int]:
        return self._headings

    def _split_chunks(self) -> list[list[tuple[int, str]]]:
        out, cur, page = [], [], None
        for pg, t in self.body:
            if (not t or pg != page) and cur:
                out.append(cur)
                cur = []
            page = pg
            if t:
                cur.append((pg, t))
        if cur:
            out.append(cur)
        return out

    def _heading_lines(self) -> set[int]:
        """Ids of lines that are headings: leading question lines of a chunk, short title lines."""
        out: set[int] = set()
        for ch in self._chunks:
            i = 0
            while i < len(ch):
                run = next((j for j in range(i, min(i + 4, len(ch))) if ch[j][1].endswith("?")), None)
                if run is None or any(TERMINAL_RE.search(ch[j][1]) for j in range(i, run)):
                    break
                text = " ".join(t for _, t in ch[i:run + 1])
                if len(text.split()) > 30:
                    break
                out.update(id(ch[j]) for j in range(i, run + 1))
                i = run + 1
        return out


@pytest.fixture(scope="module")
def raw2015(corpus_files) -> RawPdfText:  # type: ignore[no-untyped-def]
    return RawPdfText(corpus_files["2015"])


def _strip_markers(line: str) -> str:
    line = MARKER_RE.sub("", line)
    line = re.sub(r"(?<=\b(?:19|20)\d\d[.,;:])\d{1,2}(?=\s|$)", "", line)  # "in December 2015.11 The"
    return re.sub(r"\b((?:19|20)\d\d)\d{1,2}(?:\s\d{1,2})*(?=\s|$)", r"\1", line)  # "30 June 201512 13"


def test_2015_every_body_line_in_exactly_one_passage(raw2015: RawPdfText, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    rep = corpus_reports["2015"]
    texts = [collapse(p.text) for p in rep.passages]
    headings = raw2015.heading_lines()
    all_raw = " ".join(_strip_markers(t) for ch in raw2015.chunks() for item in ch
                       if id(item) not in headings for t in [item[1]])
    keys = [key(t) for t in texts]
    raw_key = key(all_raw)
    checked, problems = 0, []
    for ch in raw2015.chunks():
        for item in ch:
            if id(item) in headings:
                continue
            words = _strip_markers(item[1]).split()
            if sum(w.isalpha() for w in words) < 5 or re.match(r"(?:https?://|www\.)", item[1]):
                continue
            # drop the first and last word: a line-end hyphen or glued marker joins them to their neighbours
            fragment = " ".join(words[1:-1])
            if len(fragment.split()) < 5:
                continue
            checked += 1
            # counted without spaces and hyphens: the raw text may wrap the same words elsewhere
            in_passages = sum(t.count(key(fragment)) for t in keys)
            in_raw = raw_key.count(key(fragment))
            # a copy whose lines a two-column page interleaves is not contiguous in the raw text: count
            # such copies by the fragment's first and last two words
            ws = fragment.split()
            upper = max(in_raw, min(raw_key.count(key(" ".join(ws[:2]))), raw_key.count(key(" ".join(ws[-2:])))))
            if not max(1, in_raw) <= in_passages <= upper:
                problems.append((item[0], fragment, in_passages, in_raw))
    assert checked > 550
    assert not problems, problems


def _footnote_texts(raw: RawPdfText) -> list[str]:
    return [collapse(" ".join(n)) for n in raw.notes]


def test_2015_no_footnote_url_or_marker_in_body_passages(raw2015: RawPdfText, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    rep = corpus_reports["2015"]
    notes = [n for n in _footnote_texts(raw2015) if len(n.split()) >= 6]
    assert len(notes) >= 10
    body = [p for p in rep.passages if p.kind in PROSE_KINDS]
    assert body
    # a URL the authors wrote inside a body sentence ("on our website (www...)") is part of that sentence;
    # link URLs on lines of their own and the URLs of footnotes must never reach body passages
    inline = {u.rstrip(".,;:)") for _, t in raw2015.body
              if sum(w.isalpha() for w in t.split()) >= 4 for u in re.findall(r"(?:https?://|www\.)\S+", t)}
    for p in body:
        text = collapse(p.text)
        for url in re.findall(r"(?:https?://|www\.)\S+", text):
            assert url.rstrip(".,;:)") in inline, (p.passage_id, url)
        assert "http" not in text, p.passage_id
        assert "Available from" not in text, p.passage_id
        for note in notes:
            # any 8-word run of a footnote's text
            words = note.split()
            for i in range(0, max(1, len(words) - 7), 4):
                run = " ".join(words[i:i + 8])
                if len(run.split()) >= 6 and all_raw_body_lacks(raw2015, run):
                    assert run not in text, (p.passage_id, run)
        # a marker glued to a word: "judgment1", "(IOM)9", "2015.3"
        glued = re.findall(r"\b[A-Za-z]{3,}\d{1,2}\b|\)\d{1,2}\b|[a-z][.,;:]\d{1,2}\b", text)
        glued = [g for g in glued if not re.fullmatch(r"(?:[A-Z]+\d+|[a-z]*\d+)", g)]  # e.g. "COVID19", "M62"
        assert not glued, (p.passage_id, glued)
    # the footnotes are kept, as their own passages linked to their markers
    notes_out = [p for p in rep.passages if p.kind == "footnote"]
    assert len(notes_out) >= len(notes) - 2
    assert any(p.footnote_refs for p in rep.passages if p.kind in PROSE_KINDS)


def all_raw_body_lacks(raw: RawPdfText, run: str) -> bool:
    """True when a footnote's words do not also occur in the body lines (so finding them there is a leak)."""
    if not hasattr(raw, "body_key"):
        raw.body_key = key(" ".join(t for _, t in raw.body if t))  # type: ignore[attr-defined]
    return key(run) not in raw.body_key  # type: ignore[attr-defined]


def test_2015_footnote_markers_are_not_glued_in_any_body_passage(corpus_reports) -> None:  # type: ignore[no-untyped-def]
    rep = corpus_reports["2015"]
    for p in rep.passages:
        if p.kind in BODY_KINDS:
            assert not re.search(r"\b(?:judgment|offenders|(?:\([A-Z]{2,}\)))\d", p.text), p.text[:100]


def _page_break_sentences(raw: RawPdfText) -> list[tuple[str, list[str]]]:
    """(a page's last body line, the lines on the next page that may continue it) where a sentence runs on.

    On a full-width page the continuation is the next page's first line. On a two-column page
    (short lines) a column's last paragraph continues at a chunk of the next page that starts
    in lower case, not necessarily the first.
    """
    by_page: dict[int, list[str]] = {}
    for page, t in raw.body:
        if t:
            by_page.setdefault(page, []).append(t)
    starts: dict[int, list[str]] = {}
    for ch in raw.chunks():
        starts.setdefault(ch[0][0], []).append(ch[0][1])
    out = []
    pages = sorted(by_page)
    for a, b in zip(pages, pages[1:]):
        last, first = by_page[a][-1], by_page[b][0]
        if TERMINAL_RE.search(last) or not re.match(r"[a-z]", first):
            continue
        columns = sorted(len(t) for t in by_page[a])[len(by_page[a]) // 2] < 50
        cands = [t for t in starts.get(b, []) if re.match(r"[a-z]", t)] if columns else [first]
        out.append((last, cands))
    return out


def test_2015_sentences_across_page_breaks_are_intact(raw2015: RawPdfText, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    rep = corpus_reports["2015"]
    pairs = _page_break_sentences(raw2015)
    assert len(pairs) >= 3, pairs
    keys = [key(p.text) for p in rep.passages if p.kind in BODY_KINDS]
    for last, cands in pairs:
        tail = " ".join(_strip_markers(last).split()[-3:])
        joined = [key(tail + " ".join(_strip_markers(first).split()[:3])) for first in cands]
        assert any(j in k for j in joined for k in keys), (last, cands)


def test_dev_set_evidence_is_inside_one_passage(corpus_reports) -> None:  # type: ignore[no-untyped-def]
    texts = [collapse(p.text) for r in corpus_reports.values() for p in r.passages]
    evidence = [e for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()
                for e in json.loads(line)["evidence"]]
    assert len(evidence) >= 30
    missing = [e for e in evidence if not any(collapse(e) in t for t in texts)]
    assert not missing, missing


# -- two-column pages: every sentence is contiguous in the raw text (modulo wrapping and column/page breaks)


class _Lines:
    def __init__(self, raw: RawPdfText) -> None:
        self.items: list[dict] = []
        for ch in raw.chunks():
            for j, (page, t) in enumerate(ch):
                self.items.append({"page": page, "key": key(_strip_markers(t)), "start": j == 0,
                                   "end": j == len(ch) - 1, "lower": bool(re.match(r"[‘'\"“(]?[a-z]", t))})

    def successors(self, i: int) -> list[int]:
        it = self.items[i]
        if not it["end"]:
            return [i + 1]
        # a chunk that stops mid-sentence continues at a later chunk that starts in lower case
        out = []
        for j in range(i + 1, len(self.items)):
            if self.items[j]["page"] > it["page"] + 2:
                break
            if self.items[j]["start"] and self.items[j]["lower"]:
                out.append(j)
        return out

    def contiguous(self, sentence: str) -> bool:
        k = key(_strip_markers(sentence))
        if not k:
            return True
        if not hasattr(self, "_all"):
            self._all = "".join(it["key"] for it in self.items)
            self._starts = []
            pos = 0
            for it in self.items:
                self._starts.append(pos)
                pos += len(it["key"])
        probe = k[:12]
        at = self._all.find(probe)
        while at >= 0:
            i = bisect.bisect_right(self._starts, at) - 1
            tail = self.items[i]["key"][at - self._starts[i]:]
            if tail.startswith(k) or (k.startswith(tail) and self._follow(i, k[len(tail):], 0)):
                return True
            at = self._all.find(probe, at + 1)
        return False

    def _follow(self, i: int, rest: str, depth: int) -> bool:
        if not rest:
            return True
        if depth > 60:
            return False
        for j in self.successors(i):
            line = self.items[j]["key"]
            if not line:
                continue
            if line.startswith(rest):
                return True
            if rest.startswith(line) and self._follow(j, rest[len(line):], depth + 1):
                return True
        return False


def _sentences(text: str) -> list[str]:
    """Sentences of each block of a passage (a list passage holds its lead-in and items as blocks)."""
    return [s for block in text.split("\n\n")
            for s in re.split(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z‘“\"(])", collapse(block)) if s]


def test_2015_no_passage_splices_two_columns(raw2015: RawPdfText, corpus_reports) -> None:  # type: ignore[no-untyped-def]
    lines = _Lines(raw2015)
    rep = corpus_reports["2015"]
    checked, spliced = 0, []
    for p in rep.passages:
        if p.kind not in BODY_KINDS:
            continue  # "columns" blocks are allowed to keep the raw order; tables/footnotes are not prose
        for s in _sentences(p.text):
            if len(key(s)) < 12:
                continue
            checked += 1
            if not lines.contiguous(s):
                spliced.append((p.passage_id, s[:120]))
    assert checked > 400
    assert not spliced, spliced[:5]


def test_2015_summary_pages_keep_their_judgment_pairs(corpus_reports) -> None:  # type: ignore[no-untyped-def]
    """The question next to its grade on the two-column summary page is read as a pair, never crossed."""
    rep = corpus_reports["2015"]
    judgments = [i for i in rep.items if i.kind == "judgment"]
    assert len(judgments) == 5
    assert sum(1 for i in judgments if i.overall) == 1

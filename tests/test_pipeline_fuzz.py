"""Property tests: whatever text arrives, the pipeline gives a clear error or a sensible result."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import PeelgraphError
from graph.ingest.load import load_bytes
from graph.ingest.pipeline import build_report

WORDS = ["the", "force", "should", "ensure", "crime", "victims", "police", "-", "•", "Figure 1:", "Source:",
         "How effective is the force at X?", "Areas for improvement", "Good", "Requires improvement",
         "(Vulnerability 2015)", "www.example.org/a", "anti-", "social", "1", "12", ".", "?", ":", "\f", "\n", "\n\n",
         " " * 30, "  ", "Summary for question 1", "Cause of concern", "Recommendations", "é", "–"]

report_like = st.lists(st.sampled_from(WORDS), min_size=1, max_size=400).map(" ".join)
any_text = st.text(min_size=1, max_size=3000)


def _check(data: bytes, name: str) -> None:
    try:
        report = build_report(load_bytes(data, name))
    except PeelgraphError as exc:
        assert "\n" not in exc.message and exc.message
        return
    text = report.text
    ids = [p.passage_id for p in report.passages]
    assert len(ids) == len(set(ids))
    for p in report.passages:
        assert text[p.start:p.end] == p.text and p.text.strip()
    for it in report.items:
        assert it.text.strip()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_report_like_text(text: str) -> None:
    _check(text.encode("utf-8"), "fuzz.txt")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text, st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_arbitrary_text(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _check(data, "fuzz.txt")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_html_wrapping(text: str) -> None:
    body = "".join(f"<p>{re.sub('[<>&]', ' ', part)}</p>" for part in text.split("\n"))
    _check(f"<html><body><h1>Title</h1>{body}</body></html>".encode(), "fuzz.html")


def test_giant_line_of_words() -> None:
    _check((("word " * 200_000) + "\n").encode(), "giant.txt")

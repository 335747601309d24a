"""Search and answers on the bundled corpus with the real all-MiniLM-L6-v2 model."""
from __future__ import annotations

import re

import pytest

from api.service import Service
from api.settings import Settings
from search.compose import NO_ANSWER


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    svc = Service(Settings(store=tmp_path_factory.mktemp("bundled"), encoder="minilm"))
    svc.build()
    return svc


def test_ask_removal_of_neighbourhood_officers(service: Service) -> None:
    out = service.ask("How did the removal of neighbourhood officers affect the disruption of organised crime?")
    assert out["evidence"], out
    cited = [e for e in out["evidence"] if e["year"] == "2018/19"
             and "removal of neighbourhood officers" in e["text"] and "disruption" in e["text"]]
    assert cited, [e["text"][:80] for e in out["evidence"]]
    pid = cited[0]["passage_id"].rsplit("-", 1)[-1]
    line = next(x for x in out["answer"].splitlines() if "removal of neighbourhood officers" in x and pid in x)
    assert re.search(r"\[2018/19, [^\]]+ ¶\d+, p\d{4}\]$", line)
    for s in (x[2:] for x in out["answer"].splitlines() if x.startswith("- ")):
        quote = re.sub(r" \[[^\]]+\]$", "", s)
        assert any(quote in e["text"] for e in out["evidence"])


def test_search_paraphrase_and_expansion(service: Service) -> None:
    hits = service.search("How many crime files showed good victim care?", k=5)["hits"]
    assert "47 of the 60 crime files" in hits[0]["text"]
    assert any("47 of the 60" in q for q in hits[0]["quotes"])
    hits = service.search("multi-agency risk assessment conference", k=3, year="2019")["hits"]
    assert any("MARAC" in h["text"] for h in hits)
    dense = service.search("youngsters steered away from crime", k=10, mode="dense")["hits"]
    assert dense and all(h["year"] for h in dense)


def test_nonsense_gets_no_answer(service: Service) -> None:
    for q in ("purple elephant banana recipe", "Who won the football world cup?"):
        out = service.ask(q)
        assert out["answer"] == NO_ANSWER and out["evidence"] == []

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
    # the lead line is the sentence that answers: it names the removal and its effect on disruption
    lead = out["lead"]
    assert lead["year"] == "2018/19" and "removal of neighbourhood officers" in lead["text"], lead
    assert re.search(r"disrupt", lead["text"]), lead
    assert out["answer"].startswith(lead["text"])
    assert re.search(r"\[2018/19 · [^\]]+ · ¶\d+[^\]]*\]$", out["answer"].splitlines()[0])
    for q in out["quotes"]:
        assert any(q["text"] in " ".join(e["text"].split())
                   for e in out["evidence"] if e["passage_id"] == q["passage_id"])


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


def test_one_query_encodes_to_the_same_vector_as_a_batch() -> None:
    """A single text takes the short path (tokenise, forward, mean pooling); it must give the model's vector."""
    import numpy as np

    from search.encoders import get_encoder
    enc = get_encoder("minilm")
    texts = ["How did losing local bobbies affect the fight against gangs?", "word " * 400, "x"]
    batch = enc.encode(texts)
    for i, t in enumerate(texts):
        assert np.allclose(enc.encode([t])[0], batch[i], atol=1e-5)


def test_queries_encoded_apart_give_the_same_vectors_and_survive_the_process_dying() -> None:
    from functools import partial

    import numpy as np

    from api.helper_process import HelperProcess
    from search.encoders import MiniLMEncoder, encode_few
    enc = MiniLMEncoder()
    texts = ["Why are investigations delayed?", "Why are investigations delayed? (crime allocation)"]
    here = enc.encode(texts)
    apart = HelperProcess()
    try:
        enc.encode_apart(partial(apart.call, encode_few))
        assert np.allclose(enc.encode(texts), here, atol=1e-5)
        assert apart.pid is not None
        assert enc.encode(["word " * 50] * 20).shape == (20, 384)  # a batch stays in this process
        apart.close()  # gone: encoded here from now on
        assert np.allclose(enc.encode(texts[:1]), here[:1], atol=1e-5)
    finally:
        apart.close()

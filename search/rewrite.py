"""Optional: an OpenAI-compatible chat endpoint rewrites the extractive answer into prose.

Off unless ``PEELGRAPH_LLM_URL`` is set. The extractive answer stays the
answer of record; the prose is added beside it only when every passage id
it cites is one of the evidence passages, so nothing uncited or invented is
passed off as the reports' words. Any failure leaves the answer as it was,
with the reason in ``prose_error``.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

SYSTEM = ("You rewrite an extractive answer about police inspection reports into a short paragraph of plain "
          "English. Use only the facts in the quoted evidence. After every sentence cite the passage ids it "
          "relies on in square brackets, e.g. [r1-p0042]. Do not add facts, numbers or opinions.")
CITE_RE = re.compile(r"\[([A-Za-z0-9_.:-]+(?:\s*,\s*[A-Za-z0-9_.:-]+)*)\]")


def rewrite(result: dict[str, Any], url: str, model: str, api_key: str | None = None,
            timeout: float = 20.0) -> dict[str, Any]:
    if not result.get("evidence"):
        return result
    evidence = "\n".join(f"[{e['passage_id']}] ({e.get('year')}, {e.get('section')}) " + " ".join(e.get("quotes", []))
                         for e in result["evidence"])
    body = {"model": model, "temperature": 0, "messages": [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Question: {result['question']}\n\nEvidence:\n{evidence}\n\n"
                                    f"Extractive answer:\n{result['answer']}"}]}
    req = urllib.request.Request(url.rstrip("/") + "/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {api_key}"} if api_key else {})})
    out = dict(result)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the URL is the operator's setting
            data = json.loads(resp.read().decode("utf-8"))
        prose = str(data["choices"][0]["message"]["content"]).strip()
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        out["prose_error"] = f"the rewrite endpoint failed: {type(exc).__name__}"
        return out
    allowed = {e["passage_id"] for e in result["evidence"]}
    cited = {pid.strip() for m in CITE_RE.finditer(prose) for pid in m.group(1).split(",")}
    if not prose or not cited or not cited <= allowed:
        out["prose_error"] = "the rewrite cited no passage or a passage outside the evidence; not used"
        return out
    out["prose"] = prose
    return out

/* Search: passages by words, with mode and filters; each result card with its citation and marks. */
import { api } from "../api.js";
import { $, el, human, pickList, plural } from "../dom.js";
import { announce, citationEl, highlighted, queryWords, remember, runTask, sectionPath, required } from "../ui.js";

function renderSearch(out, data, q) {
  const hits = pickList(data, "hits");
  hits.forEach(remember);
  const summary = el("p", { class: "summary" }, `${plural(hits.length, "result")} for “`, el("strong", null, data.query || q), "”",
    data.mode ? ` (${data.mode})` : "");
  if (!hits.length) {
    out.replaceChildren(summary, el("p", { class: "empty" }, "Nothing matched. Try other words or fewer filters."));
    return;
  }
  const words = queryWords(q);
  out.replaceChildren(summary, el("ol", { class: "cards" }, hits.map((h, i) => el("li", null,
    el("article", { class: "card", "aria-labelledby": `hit-${i}` },
      el("h3", { id: `hit-${i}` }, citationEl(h)),
      el("p", { class: "meta" }, h.kind ? el("span", { class: "badge" }, human(h.kind)) : null,
        typeof h.score === "number" ? el("span", { class: "score" }, `score ${h.score.toFixed(3)}`) : null),
      sectionPath(h).length > 1 ? el("p", { class: "section-path" }, sectionPath(h).join(" › ")) : null,
      el("p", { class: "text" }, highlighted(h.text, h.quotes, words)))))));
}

$("#search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = required($("#search-input"), "Type something to search for.", "Search");
  if (!q) return;
  const params = { q, k: $("#search-k").value || 10, mode: $("#search-mode").value, year: $("#search-year").value,
    report: $("#search-report").value, theme: $("#search-theme").value, kind: $("#search-kind").value };
  const out = $("#search-result");
  await runTask("search", { out, button: $("#search-button"), busyText: "Searching…", context: "Search" }, async (signal) => {
    const data = await api("/api/search", { params, signal });
    renderSearch(out, data, q);
    announce(`${plural(pickList(data, "hits").length, "result")}.`);
  });
});

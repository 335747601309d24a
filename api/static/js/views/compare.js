/* Compare: a theme or an entity across reports, side by side by year, with what persisted, improved or worsened. */
import { api } from "../api.js";
import { $, el, disclosure, pickList, plural } from "../dom.js";
import { drawNeighbourhood } from "../details.js";
import { citationEl, firstSentence, loadPassage, runTask, sectionPath, showError, required } from "../ui.js";

const out = $("#compare-result");

function passageOf(pid, quote) {
  return async () => {
    try {
      const p = await loadPassage(pid);
      return el("div", null, el("p", { class: "section-path" }, sectionPath(p).join(" › ")), el("p", null, p.text), citationEl(p));
    } catch (err) {
      showError(err, "Passage");
      return el("p", { class: "hint" }, firstSentence(quote));
    }
  };
}

function statement(s, kind) {
  const [toggle, box] = s.passage_id ? disclosure("passage", passageOf(s.passage_id, s.text)) : [null, null];
  return el("li", { class: `compare-item ${kind}` }, el("p", null, s.text), toggle, box);
}

function column(col) {
  const block = (title, list, kind) => (list.length
    ? [el("h4", null, `${title} (${list.length})`), el("ul", { class: "plain" }, list.map((s) => statement(s, kind)))] : []);
  return el("section", { class: "compare-col", "aria-label": `${col.year}` },
    el("h3", null, col.year || ""), el("p", { class: "meta" }, col.title || ""),
    col.judgments.length ? el("ul", { class: "plain judgments" }, col.judgments.map((j) => el("li", null, `${j.question}: `, el("strong", null, j.grade || "")))) : null,
    block("Strengths", col.strengths, "strength"), block("Weaknesses", col.weaknesses, "weakness"),
    block("Recommendations and areas for improvement", col.recommendations.map((r) => ({ ...r, passage_id: null })), "item"),
    col.metrics.length ? [el("h4", null, "Figures"), el("ul", { class: "plain" }, col.metrics.map((m) => el("li", null, m.label)))] : null);
}

function changes(data) {
  const parts = [];
  for (const [key, title] of [["persisted", "Persisted"], ["improved", "Improved"], ["worsened", "Worsened"]]) {
    const pairs = pickList(data, key);
    if (!pairs.length) continue;
    parts.push(el("h3", null, `${title} (${pairs.length})`), el("ul", { class: "plain changes" }, pairs.map((p) => el("li", null,
      p.before ? [el("p", null, el("strong", null, `${p.from_year}: `), p.before.text), el("p", null, el("strong", null, `${p.to_year}: `), p.after.text)]
        : el("p", null, `${p.judgment[0].question}: ${p.judgment[0].grade} (${p.from_year}) → ${p.judgment[1].grade} (${p.to_year})`)))));
  }
  return parts;
}

function render(data) {
  const matched = pickList(data, "matched");
  out.replaceChildren(
    el("p", { class: "summary" }, `“${data.topic}” across ${plural(pickList(data, "reports").length, "report")}.`,
      matched.length ? " Matched: " : "", matched.map((m) => el("button", {
        type: "button", class: "chip compare-match", onclick: () => drawNeighbourhood(m.id, m.label, "compare"),
        title: "Draw its neighbourhood" }, m.label))),
    el("div", { class: "compare-cols" }, pickList(data, "reports").map(column)),
    changes(data));
}

$("#compare-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const topic = required($("#compare-input"), "Name a theme or an entity to compare.", "Compare");
  if (!topic) return;
  await runTask("compare", { out, button: $("#compare-button"), busyText: "Comparing the reports…", context: "Compare" },
    async (signal) => render(await api("/api/compare", { params: { topic }, signal })));
});

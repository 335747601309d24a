/* Ask: a question with optional force and year filters; the answer shown once: the lead line, then the
 * quotes grouped by report, each with its citation and its whole passage on request. */
import { api } from "../api.js";
import { $, el, asList, disclosure, pickList, plural } from "../dom.js";
import { setView } from "../details.js";
import { announce, citationEl, firstSentence, highlighted, loadPassage, remember, runTask, sectionPath, showError, state, required } from "../ui.js";

const input = $("#ask-input");

/** The contract's quotes, or (older answers) one quote per quoted sentence of each evidence hit. */
function quotesOf(data) {
  const quotes = pickList(data, "quotes").filter((q) => q && q.text);
  if (quotes.length) return quotes;
  return pickList(data, "evidence").flatMap((hit) => {
    const said = asList(hit.quotes).filter(Boolean);
    return (said.length ? said : [firstSentence(hit.text)]).map((text) => ({ ...hit, text }));
  });
}

async function passageText(q) {
  const p = await loadPassage(q.passage_id);
  const path = sectionPath(p);
  return el("div", null, path.length > 1 ? el("p", { class: "section-path" }, path.join(" › ")) : null,
    el("p", null, highlighted(p.text, [q.text])));
}

function quoteItem(q, lead = false) {
  const [toggle, passage] = disclosure("passage", () => passageText(q).catch((err) => {
    showError(err, "Passage");
    return el("p", { class: "hint" }, "The passage could not be loaded.");
  }));
  return el(lead ? "div" : "li", { class: lead ? "quote-item lead" : "quote-item" },
    el("blockquote", { class: "quote" }, el("p", null, q.text)),
    el("div", { class: "quote-meta" }, citationEl(q), toggle),
    passage);
}

function renderAnswer(out, data) {
  pickList(data, "evidence").forEach(remember);
  const quotes = quotesOf(data);
  if (!quotes.length) {
    out.replaceChildren(el("h2", null, "Answer"), el("p", { class: "empty" }, "No passage in the reports answers this question."));
    return;
  }
  const lead = data.lead && data.lead.text ? data.lead : quotes[0];
  const rest = quotes.filter((q) => !(q.text === lead.text && q.passage_id === lead.passage_id));
  const groups = new Map();
  for (const q of rest) {
    const key = q.report_id || "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(q);
  }
  const years = asList(data.scope && data.scope.years);
  const parts = [el("h2", null, "Answer"),
    years.length ? el("p", { class: "hint scope" }, `From the ${years.join(" and ")} report${years.length === 1 ? "" : "s"}.`) : null,
    quoteItem(lead, true)];
  if (rest.length) parts.push(el("h3", null, `Supporting quotes (${rest.length})`));
  for (const [rid, list] of groups) {
    const rep = state.reports.get(rid) || {};
    const name = [rep.force, rep.year || list[0].year].filter(Boolean).join(" ") || rep.title || "Report";
    parts.push(el("h4", { class: "report-group" }, name), el("ol", { class: "quote-list" }, list.map((q) => quoteItem(q))));
  }
  out.replaceChildren(...parts.filter(Boolean));
}

input.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    $("#ask-form").requestSubmit();
  }
});

$("#ask-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const question = required(input, "Type a question first.", "Ask");
  if (!question) return;
  const body = { question, force: $("#ask-force").value || null, year: $("#ask-year").value || null };
  const out = $("#ask-result");
  await runTask("ask", { out, button: $("#ask-button"), busyText: "Finding the passages that answer this question…", context: "Ask" },
    async (signal) => {
      announce("Asking…");
      const data = await api("/api/ask", { method: "POST", body, signal });
      renderAnswer(out, data);
      setView("ask", { graph: data.graph, selector: { question }, title: `Answer graph: ${question}` });
      announce(`Answer ready with ${plural(quotesOf(data).length, "quote")}.`);
    });
});

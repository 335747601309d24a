/* Trace: the distinct evidenced paths between two concepts as a compact list beside their graph.
 * Choosing a path marks it in the graph and shows each hop's evidence in the details panel. */
import { api } from "../api.js";
import { $, $$, el, asList, isObj, pickList, plural } from "../dom.js";
import { evidenceList, setView } from "../details.js";
import { view } from "../graph-view.js";
import { relationLabel } from "../legend.js";
import { announce, freshSignal, runTask, required } from "../ui.js";

/** Paths with the same nodes in the same order count once. */
function distinct(paths) {
  const seen = new Set();
  return paths.filter((p) => {
    const key = asList(p.nodes).map((n) => (isObj(n) ? n.id : n)).join("\u0000");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function markPath(p) {
  const ids = new Set(asList(p.nodes).map((n) => String(isObj(n) ? n.id : n)));
  for (const s of $$("#graph .on-path")) s.classList.remove("on-path");
  if (!view.g) return;
  for (const d of view.g.nodes) if (ids.has(d.id)) d.el.classList.add("on-path");
  for (const e of view.g.edges) {
    if (asList(p.edges).some((x) => String(x.source) === e.source.id && String(x.target) === e.target.id)) e.path.classList.add("on-path");
  }
}

function showPath(p, i, name) {
  markPath(p);
  const body = $("#details-body");
  body.dataset.shown = `path-${i + 1}`;
  body.replaceChildren(el("h3", null, `Path ${i + 1}`),
    el("ol", { class: "hops" }, asList(p.edges).map((e) => el("li", null,
      el("p", { class: "hop" }, el("span", { class: "hop-node" }, name(e.source)),
        el("span", { class: "hop-rel" }, ` ${relationLabel(e.type)}${e.polarity && e.polarity !== "neutral" ? ` (${e.polarity})` : ""} → `),
        el("span", { class: "hop-node" }, name(e.target))),
      evidenceList(e.evidence)))));
  announce(`Path ${i + 1} with its evidence.`);
}

function renderTrace(out, data) {
  const paths = distinct(pickList(data, "paths"));
  const labels = new Map();
  const nodes = [];
  const edges = [];
  for (const p of paths) {
    for (const n of asList(p.nodes)) { nodes.push(n); if (isObj(n)) labels.set(String(n.id), n.label || n.id); }
    edges.push(...asList(p.edges));
  }
  const name = (x) => (isObj(x) ? x.label || x.id : labels.get(String(x)) || String(x));
  if (!paths.length) {
    out.replaceChildren(el("p", { class: "empty" }, "No evidenced connection found between these concepts."));
    return { nodes, edges };
  }
  const list = el("ol", { class: "paths" }, paths.map((p, i) => el("li", null,
    el("button", { type: "button", class: "path", "aria-pressed": "false", dataset: { path: String(i + 1) },
      onclick: (ev) => {
        for (const b of $$(".path", list)) b.setAttribute("aria-pressed", b === ev.currentTarget ? "true" : "false");
        showPath(p, i, name);
      } },
    asList(p.nodes).map((n, j) => [j ? el("span", { class: "hop-rel" }, ` ${relationLabel(asList(p.edges)[j - 1]?.type)} → `) : null,
      el("span", { class: "hop-node" }, name(n))])))));
  out.replaceChildren(el("p", { class: "summary" }, `${plural(paths.length, "distinct path")} from “`, el("strong", null, name(data.from)), "”",
    data.to ? [" to “", el("strong", null, name(data.to)), "”"] : null, ". Choose a path to see its evidence."), list);
  return { nodes, edges };
}

let suggestTimer = null;
async function suggest(input) {
  const q = input.value.trim();
  if (q.length < 2) return;
  try {
    const list = pickList(await api("/api/entities", { params: { q, limit: 12 }, signal: freshSignal("suggest") }));
    $("#entity-options").replaceChildren(...list.map((e) => el("option", { value: e.label || e.id })));
  } catch (_) { /* suggestions are a convenience: the trace itself reports errors */ }
}
for (const id of ["#trace-from", "#trace-to"]) {
  $(id).addEventListener("input", (ev) => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => suggest(ev.target), 250);
  });
}

$("#trace-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const from = required($("#trace-from"), "Say where the trace starts.", "Trace");
  const to = $("#trace-to").value.trim();
  if (!from) return;
  const out = $("#trace-result");
  await runTask("trace", { out, button: $("#trace-button"), busyText: "Tracing the connections…", context: "Trace" }, async (signal) => {
    const data = await api("/api/trace", { params: { from, to }, signal });
    const graph = renderTrace(out, data);
    setView("trace", { graph, selector: { trace: to ? { from, to } : { from } }, title: to ? `Trace: ${from} → ${to}` : `Trace from ${from}` });
  });
});

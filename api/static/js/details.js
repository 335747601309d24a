/* The graph shown for each tab, and the details panel: an entity's mentions and relations, a link's evidence. */
import { api } from "./api.js";
import { $, el, asList, fmtNum, idOf, isObj, labelOf, pickList, showMore } from "./dom.js";
import { normaliseGraph } from "./graph-model.js";
import { drawGraph, edgeName, onChoose, select, view } from "./graph-view.js";
import { nodeFill, nodeTypeLabel, polarityKey, relationLabel } from "./legend.js";
import { selectTab } from "./tabs.js";
import { announce, citationEl, firstSentence, freshSignal, passageCitation, progress, remember, showError, state } from "./ui.js";

// ------------------------------------------------------------------ the graph of each tab

export function setView(tab, v, keepHistory = false) {
  const prev = state.views[tab];
  const graph = normaliseGraph(v.graph || {});
  const history = keepHistory && prev ? [...prev.history, prev] : [];
  state.views[tab] = { ...v, graph, history };
  if (tab === state.tab) renderCurrentView();
}

export function renderCurrentView() {
  const v = state.views[state.tab];
  const section = $("#graph-section");
  if (!v || !v.graph.nodes.length) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  $("#graph-title").textContent = v.title || "Graph";
  const back = $("#graph-back");
  if (v.history.length && !back) {
    $(".zoom").before(el("button", { type: "button", id: "graph-back", class: "back", onclick: goBack }, "← Back"));
  } else if (!v.history.length && back) back.remove();
  drawGraph(v.graph);
  showDetails(null, el("p", { class: "hint" },
    `${v.graph.nodes.length} nodes, ${v.graph.edges.length} links. Choose a node or a link to see its mentions, relations or evidence.`));
}

function goBack() {
  const v = state.views[state.tab];
  if (!v || !v.history.length) return;
  const prev = v.history[v.history.length - 1];
  state.views[state.tab] = { ...prev, history: v.history.slice(0, -1) };
  renderCurrentView();
  $("#graph").focus();
}

// ------------------------------------------------------------------ details panel

/** Put content in the panel; data-shown says which node or link it is about (the browser tests read it). */
function showDetails(shown, ...parts) {
  const body = $("#details-body");
  if (shown) body.dataset.shown = shown; else delete body.dataset.shown;
  body.replaceChildren(...parts.flat().filter(Boolean));
}

function detailsBusy(busy, text) {
  $("#details").setAttribute("aria-busy", busy ? "true" : "false");
  if (busy) showDetails(null, progress(text));
}

export function evidenceList(evidence) {
  const items = asList(evidence);
  if (!items.length) return el("p", { class: "hint" }, "No evidence recorded.");
  const ul = el("ul", { class: "evidence" });
  const seen = new Set();
  for (const ev of items) {
    const pid = isObj(ev) ? ev.passage_id : String(ev);
    const info = isObj(ev) ? { ...(state.passages.get(pid) || {}), ...ev } : { ...(state.passages.get(pid) || {}), passage_id: pid };
    const quote = info.quote || info.sentence || info.surface || asList(info.quotes)[0] || (info.text ? firstSentence(info.text) : "");
    if (seen.has(`${pid}\u0000${quote}`)) continue; // the same quote once
    seen.add(`${pid}\u0000${quote}`);
    ul.append(el("li", null, quote ? el("blockquote", { class: "quote" }, el("p", null, quote)) : null, passageCitation(info)));
  }
  return ul;
}


function relationView(r, selfId) {
  const type = String(r.type ?? r.relation ?? "related");
  const outgoing = idOf(r.source) === selfId || idOf(r.target) !== selfId;
  const raw = outgoing ? r.target : r.source;
  const other = isObj(raw) ? raw : { id: String(raw), label: String(raw) };
  return { type, polarity: r.polarity ?? null, outgoing, other, evidence: asList(r.evidence) };
}

function entityGraph(d, extra = []) {
  const self = { id: String(d.id), label: d.label || d.id, type: d.type };
  const nodes = [self];
  const edges = [];
  for (const r of [...pickList(d, "relations"), ...extra].filter(isObj)) {
    const rv = relationView(r, self.id);
    if (!rv.other || rv.other.id === undefined) continue;
    nodes.push(rv.other);
    const [s, t] = rv.outgoing ? [self.id, idOf(rv.other)] : [idOf(rv.other), self.id];
    edges.push({ source: s, target: t, type: rv.type, polarity: rv.polarity, evidence: rv.evidence });
  }
  return { nodes, edges };
}

export async function drawNeighbourhood(id, label, tab, extra) {
  tab = tab || state.tab;
  detailsBusy(true, `Loading the neighbourhood of ${label || id}…`);
  if (tab === state.tab) $("#graph-section").hidden = false;
  try {
    const d = await api(`/api/entities/${encodeURIComponent(id)}`, { signal: freshSignal("details") });
    const affects = extra ? asList(extra.affects).map((r) => (isObj(r) ? { type: "affects", ...r } : r)) : [];
    const graph = entityGraph(d, affects);
    setView(tab, { graph, selector: { node_ids: graph.nodes.map(idOf) }, title: `Neighbourhood: ${d.label || label || id}` },
      Boolean(extra === undefined && state.views[tab]));
    renderEntity(d);
    const n = view.g && view.g.byId.get(String(d.id));
    if (n) select(n.el);
  } catch (err) {
    if (err.name === "AbortError") return;
    renderCurrentView();
    showError(err, "Neighbourhood");
  } finally {
    $("#details").setAttribute("aria-busy", "false");
  }
}

export async function showNodeDetails(node) {
  detailsBusy(true, `Loading ${node.label}…`);
  try {
    const d = await api(`/api/entities/${encodeURIComponent(node.id)}`, { signal: freshSignal("details") });
    renderEntity(d);
    announce(`Details of ${d.label || node.label}.`);
  } catch (err) {
    if (err.name === "AbortError") return;
    showDetails(node.id, el("h3", null, node.label),
      el("p", null, el("span", { class: "badge" }, nodeTypeLabel(node.type))),
      el("p", { class: "hint" }, `No more details: ${err.message}`));
  } finally {
    $("#details").setAttribute("aria-busy", "false");
  }
}

function entityFacts(d) {
  const parts = [];
  const aliases = asList(d.aliases).filter((a) => a && a !== d.label);
  if (aliases.length) parts.push(el("p", { class: "aliases" }, "Also called: ", aliases.map(labelOf).join("; ")));
  const reports = asList(d.reports).map((r) => {
    const rep = state.reports.get(isObj(r) ? r.report_id : r) || {};
    return [rep.force, rep.year].filter(Boolean).join(" ") || labelOf(r);
  });
  if (reports.length) parts.push(el("p", { class: "aliases" }, "Reports: ", reports.join("; ")));
  for (const [k, v] of Object.entries(isObj(d.data) ? d.data : {})) {
    if (typeof v === "string" || typeof v === "number") parts.push(el("p", { class: "fact" }, el("strong", null, `${k.replace(/_/g, " ")}: `), fmtNum(v)));
  }
  return parts;
}

function mentionList(d) {
  const mentions = pickList(d, "mentions");
  mentions.forEach(remember);
  if (!mentions.length) return [];
  const ul = el("ul", { class: "mentions" });
  const more = showMore(ul, mentions, (m) => el("li", null,
    el("blockquote", { class: "quote" }, el("p", null, m.surface || firstSentence(m.text))), passageCitation(m)));
  return [el("h4", null, `Mentions (${fmtNum(mentions.length)})`), ul, more];
}

function relationList(d) {
  const rels = pickList(d, "relations").filter(isObj).map((r) => relationView(r, String(d.id)));
  if (!rels.length) return [];
  const ul = el("ul", { class: "relations" });
  const more = showMore(ul, rels, (rv) => {
    const otherBtn = el("button", { type: "button", class: "link" }, labelOf(rv.other));
    otherBtn.addEventListener("click", () => {
      const n = view.g && view.g.byId.get(idOf(rv.other));
      if (n) select(n.el);
      showNodeDetails(n || { id: idOf(rv.other), label: labelOf(rv.other), type: rv.other.type });
    });
    const relText = `${rv.outgoing ? "" : "← "}${relationLabel(rv.type)}${rv.polarity ? ` (${rv.polarity})` : ""}${rv.outgoing ? " →" : ""}`;
    return el("li", null, el("span", { class: `rel rel-${polarityKey(rv.polarity)}` }, relText), " ", otherBtn,
      rv.evidence.length ? el("details", null, el("summary", null, `Evidence (${rv.evidence.length})`), evidenceList(rv.evidence)) : null);
  });
  return [el("h4", null, `Relations (${rels.length})`), ul, more];
}

export function renderEntity(d) {
  const id = String(d.id);
  const actions = el("p", { class: "actions" },
    el("button", { type: "button", onclick: () => drawNeighbourhood(id, d.label) }, "Draw neighbourhood"),
    el("button", {
      type: "button",
      onclick: () => {
        $("#trace-from").value = d.label || id;
        selectTab("trace");
        $("#trace-to").focus();
      },
    }, "Trace from here"));
  showDetails(id,
    el("h3", null, d.label || id),
    el("p", { class: "meta" },
      el("span", { class: "swatch", style: { background: nodeFill(d.type) }, "aria-hidden": "true" }),
      el("span", { class: "badge" }, nodeTypeLabel(d.type))),
    entityFacts(d), actions, mentionList(d), relationList(d));
}

export function showEdgeDetails(e) {
  showDetails(`${e.source.id} -> ${e.target.id}`,
    el("h3", null, relationLabel(e.type)),
    el("p", { class: "edge-ends" },
      el("span", { class: "hop-node" }, e.source.label), " → ", el("span", { class: "hop-node" }, e.target.label)),
    e.polarity ? el("p", { class: "meta" }, el("span", { class: `rel rel-${polarityKey(e.polarity)}` }, `polarity: ${e.polarity}`)) : null,
    el("h4", null, `Evidence (${e.evidence.length})`),
    evidenceList(e.evidence));
  announce(`Evidence for ${edgeName(e)}.`);
}

onChoose(showNodeDetails, showEdgeDetails);

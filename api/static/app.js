/* peelgraph web page: vanilla JS, no build step, nothing loaded from the internet.
 *
 * Every piece of text that comes from the API is put on the page with
 * textContent / text nodes, never parsed as HTML.
 */
"use strict";

(() => {
  // ------------------------------------------------------------------ DOM helpers

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const SVGNS = "http://www.w3.org/2000/svg";

  function setAttrs(node, attrs) {
    if (!attrs) return node;
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    return node;
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const el = (tag, attrs, ...children) => append(setAttrs(document.createElement(tag), attrs), children);
  const svgEl = (tag, attrs, ...children) => append(setAttrs(document.createElementNS(SVGNS, tag), attrs), children);

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  const human = (s) => String(s ?? "").replace(/_/g, " ");
  const sentence = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
  const asList = (x) => (Array.isArray(x) ? x : x == null ? [] : [x]);
  const fmtNum = (n) => (typeof n === "number" ? n.toLocaleString("en-GB", { maximumFractionDigits: 3 }) : String(n));

  /** The first list found under any of the keys, or the value itself when it is a list. */
  function pickList(data, ...keys) {
    if (Array.isArray(data)) return data;
    if (!isObj(data)) return [];
    for (const k of keys) if (Array.isArray(data[k])) return data[k];
    return [];
  }

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(message, status, code, detail) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
      this.detail = detail;
    }
  }

  function withParams(path, params) {
    if (!params) return path;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== "") q.append(k, String(v));
    }
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  }

  async function api(path, { method = "GET", body, params, raw = false, signal } = {}) {
    const opts = { method, headers: { Accept: "application/json" }, signal };
    if (body !== undefined) {
      opts.body = JSON.stringify(body);
      opts.headers["Content-Type"] = "application/json";
    }
    let res;
    try {
      res = await fetch(withParams(path, params), opts);
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiError(`Could not reach the server (${err.message})`, 0, "network");
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText || "error"}`;
      let code;
      let detail;
      try {
        const data = await res.json();
        if (data && data.error) {
          message = data.error.message || message;
          code = data.error.code;
          detail = data.error.detail;
        }
      } catch (_) {
        /* not JSON: keep the status line */
      }
      throw new ApiError(message, res.status, code, detail);
    }
    return raw ? res : res.json();
  }

  // ------------------------------------------------------------------ messages and progress

  function showError(err, context) {
    if (err && err.name === "AbortError") return;
    const box = $("#messages");
    const msg = err && err.message ? err.message : String(err);
    box.replaceChildren(
      el("div", { class: "message error" },
        el("strong", null, context ? `${context}: ` : "Error: "),
        el("span", { class: "message-text" }, msg),
        el("button", {
          type: "button", class: "dismiss", "aria-label": "Dismiss message",
          onclick: () => box.replaceChildren(),
        }, "×")));
  }

  const clearError = () => $("#messages").replaceChildren();
  const announce = (text) => { $("#status").textContent = text; };

  function progress(text) {
    return el("p", { class: "progress" }, el("span", { class: "spinner", "aria-hidden": "true" }), text);
  }

  function setBusy(container, busy, text) {
    container.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) container.replaceChildren(progress(text));
  }

  /** One in-flight request per task: a newer request cancels the older one. */
  const controllers = {};
  function freshSignal(task) {
    if (controllers[task]) controllers[task].abort();
    controllers[task] = new AbortController();
    return controllers[task].signal;
  }

  // ------------------------------------------------------------------ shared state

  const state = {
    tab: "ask",
    views: {},            // tab -> {graph, selector, title, history: [...]}
    passages: new Map(),  // passage_id -> hit/mention (for citations and edge evidence)
    reports: new Map(),   // report_id -> report summary
    loaded: {},           // lazily loaded tabs
  };

  function remember(hit) {
    if (!isObj(hit) || !hit.passage_id) return;
    const old = state.passages.get(hit.passage_id) || {};
    state.passages.set(hit.passage_id, { ...old, ...hit, text: hit.text || old.text });
  }

  const sectionPath = (h) => (Array.isArray(h.section) ? h.section : String(h.section || "").split(" > "))
    .map((x) => String(x).trim()).filter(Boolean);

  function citationOf(h, full = false) {
    if (!isObj(h)) return "";
    const rep = state.reports.get(h.report_id) || {};
    const force = h.force || rep.force;
    const year = h.year || rep.year;
    const parts = [[force, year].filter(Boolean).join(" ") || h.report_id || ""];
    const section = sectionPath(h);
    if (section.length) parts.push(full ? section.join(" > ") : section[section.length - 1]);
    if (h.paragraph !== undefined && h.paragraph !== null && h.paragraph !== "") parts.push(`paragraph ${h.paragraph}`);
    if (h.page) parts.push(`page ${h.page}`);
    return parts.filter(Boolean).join(" · ");
  }

  function citationEl(h) {
    const text = citationOf(h);
    const tip = [citationOf(h, true), h.passage_id ? `passage ${h.passage_id}` : ""].filter(Boolean).join("\n");
    return el("cite", { class: "citation", title: tip || null }, text || h.passage_id || "");
  }

  /** The passage text with the given sentences (or, failing those, words) marked. */
  function highlighted(text, quotes, words) {
    text = String(text ?? "");
    const ranges = [];
    const lower = text.toLowerCase();
    for (const q of asList(quotes)) {
      const s = String(q ?? "").trim();
      if (!s) continue;
      let i = text.indexOf(s);
      if (i < 0) i = lower.indexOf(s.toLowerCase());
      if (i >= 0) ranges.push([i, i + s.length]);
    }
    if (!ranges.length && words && words.length) {
      const esc = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const re = new RegExp(`\\b(?:${esc.join("|")})\\w*`, "gi");
      let m;
      while ((m = re.exec(text)) !== null) {
        ranges.push([m.index, m.index + m[0].length]);
        if (m[0].length === 0) re.lastIndex++;
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const frag = document.createDocumentFragment();
    let pos = 0;
    for (const [a, b] of ranges) {
      if (b <= pos) continue;
      const start = Math.max(a, pos);
      if (start > pos) frag.append(text.slice(pos, start));
      frag.append(el("mark", null, text.slice(start, b)));
      pos = b;
    }
    if (pos < text.length) frag.append(text.slice(pos));
    return frag;
  }

  const firstSentence = (text) => {
    const t = String(text ?? "").trim();
    const m = t.match(/^.{20,}?[.!?](?=\s|$)/s);
    return m ? m[0] : t.slice(0, 240);
  };

  function queryWords(q) {
    return String(q || "").toLowerCase().split(/\W+/).filter((w) => w.length > 2);
  }

  // ------------------------------------------------------------------ tabs

  const tabs = $$('[role="tab"]');

  function selectTab(tab, focus = true) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(`#${t.getAttribute("aria-controls")}`).hidden = !on;
    }
    if (focus) tab.focus();
    state.tab = tab.id.replace(/^tab-/, "");
    onTabShown(state.tab);
  }

  $("#tabs").addEventListener("click", (ev) => {
    const tab = ev.target.closest('[role="tab"]');
    if (tab) selectTab(tab);
  });

  $("#tabs").addEventListener("keydown", (ev) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") j = (i + 1) % tabs.length;
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") j = (i - 1 + tabs.length) % tabs.length;
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = tabs.length - 1;
    if (j === null) return;
    ev.preventDefault();
    selectTab(tabs[j]);
  });

  function onTabShown(name) {
    if (name === "crosscutting" && !state.loaded.crosscutting) loadCrosscutting();
    if (name === "reports" && !state.loaded.reports) loadReportsTab();
    renderCurrentView();
  }

  // ------------------------------------------------------------------ header: corpus statistics

  async function loadStats() {
    const box = $("#stats");
    try {
      const [stats, reports] = await Promise.all([api("/api/stats"), api("/api/reports")]);
      for (const r of pickList(reports, "reports", "items")) if (r && r.report_id) state.reports.set(r.report_id, r);
      const perReport = pickList(stats, "reports");
      for (const r of perReport) {
        if (r && r.report_id) state.reports.set(r.report_id, { ...(state.reports.get(r.report_id) || {}), ...r });
      }
      const items = [["reports", state.reports.size || perReport.length]];
      if (isObj(stats)) {
        for (const [k, v] of Object.entries(stats)) {
          if (typeof v === "number" && k !== "reports") items.push([human(k), v]);
          else if (isObj(v)) {
            for (const [k2, v2] of Object.entries(v)) if (typeof v2 === "number") items.push([human(`${k2}`), v2]);
          }
        }
      }
      box.replaceChildren(...items.slice(0, 8).map(([k, v]) =>
        el("div", { class: "stat" }, el("dt", null, k), el("dd", null, fmtNum(v)))));
      fillFilters();
    } catch (err) {
      showError(err, "Could not load the corpus statistics");
    }
  }

  async function fillFilters() {
    const years = [...new Set([...state.reports.values()].map((r) => r.year).filter(Boolean))].sort();
    const yearSel = $("#search-year");
    for (const y of years) yearSel.append(el("option", { value: y }, String(y)));
    const repSel = $("#search-report");
    for (const r of state.reports.values()) {
      const name = [r.force, r.year].filter(Boolean).join(" ") || r.title || r.report_id;
      repSel.append(el("option", { value: r.report_id }, r.title && name !== r.title ? `${name} — ${r.title}` : name));
    }
    try {
      const themes = pickList(await api("/api/themes"), "themes", "items");
      const sel = $("#search-theme");
      for (const t of themes) {
        const id = isObj(t) ? t.id : t;
        const label = isObj(t) ? t.label || t.id : t;
        if (id) sel.append(el("option", { value: id }, label));
      }
    } catch (err) {
      showError(err, "Could not load the themes");
    }
  }

  // ------------------------------------------------------------------ Ask

  const askInput = $("#ask-input");
  askInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $("#ask-form").requestSubmit();
    }
  });

  $("#ask-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const question = askInput.value.trim();
    if (!question) {
      showError(new Error("Type a question first."), "Ask");
      askInput.focus();
      return;
    }
    clearError();
    const out = $("#ask-result");
    const button = $("#ask-button");
    const signal = freshSignal("ask");
    setBusy(out, true, "Finding the passages that answer this question…");
    button.disabled = true;
    announce("Asking…");
    try {
      const data = await api("/api/ask", { method: "POST", body: { question }, signal });
      renderAnswer(out, data);
      setView("ask", { graph: data.graph, selector: { question }, title: `Answer graph: ${question}` });
      const n = pickList(data, "evidence").length;
      announce(`Answer ready with ${n} cited passage${n === 1 ? "" : "s"}.`);
    } catch (err) {
      if (err.name === "AbortError") return;
      out.replaceChildren();
      showError(err, "Ask");
      announce("The question failed.");
    } finally {
      if (!signal.aborted) {
        out.setAttribute("aria-busy", "false");
        button.disabled = false;
      }
    }
  });

  function renderAnswer(out, data) {
    const evidence = pickList(data, "evidence");
    evidence.forEach(remember);
    const parts = [el("h2", null, "Answer")];
    if (data.answer) parts.push(el("p", { class: "answer-text" }, data.answer));
    if (!evidence.length) {
      parts.push(el("p", { class: "empty" }, "No passage in the reports answers this question."));
      out.replaceChildren(...parts);
      return;
    }
    const items = [];
    for (const hit of evidence) {
      const quotes = asList(hit.quotes).filter(Boolean);
      for (const q of quotes.length ? quotes : [firstSentence(hit.text)]) items.push([q, hit, quotes]);
    }
    parts.push(el("h3", null, `Quoted evidence (${items.length})`));
    const list = el("ol", { class: "quote-list" });
    parts.push(list, showMore(list, items, ([q, hit, quotes]) => quoteItem(q, hit, quotes), 6));
    out.replaceChildren(...parts.filter(Boolean));
  }

  function quoteItem(quote, hit, allQuotes) {
    const pid = nextId("passage");
    const path = sectionPath(hit);
    const passage = el("div", { class: "passage", id: pid, hidden: true },
      path.length > 1 ? el("p", { class: "section-path" }, path.join(" › ")) : null,
      el("p", null, highlighted(hit.text, allQuotes && allQuotes.length ? allQuotes : [quote])));
    const toggle = el("button", {
      type: "button", class: "toggle", "aria-expanded": "false", "aria-controls": pid,
    }, "Show passage");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "Hide passage" : "Show passage";
      passage.hidden = !open;
    });
    return el("li", { class: "quote-item" },
      el("blockquote", { class: "quote" }, el("p", null, quote)),
      el("div", { class: "quote-meta" }, citationEl(hit), toggle),
      passage);
  }

  // ------------------------------------------------------------------ Search

  $("#search-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = $("#search-input").value.trim();
    if (!q) {
      showError(new Error("Type something to search for."), "Search");
      $("#search-input").focus();
      return;
    }
    clearError();
    const out = $("#search-result");
    const signal = freshSignal("search");
    const params = {
      q,
      k: $("#search-k").value || 10,
      mode: $("#search-mode").value,
      year: $("#search-year").value,
      report: $("#search-report").value,
      theme: $("#search-theme").value,
      kind: $("#search-kind").value,
    };
    setBusy(out, true, "Searching…");
    $("#search-button").disabled = true;
    try {
      const data = await api("/api/search", { params, signal });
      renderSearch(out, data, q);
      const n = pickList(data, "hits").length;
      announce(`${n} result${n === 1 ? "" : "s"}.`);
    } catch (err) {
      if (err.name === "AbortError") return;
      out.replaceChildren();
      showError(err, "Search");
    } finally {
      if (!signal.aborted) {
        out.setAttribute("aria-busy", "false");
        $("#search-button").disabled = false;
      }
    }
  });

  function renderSearch(out, data, q) {
    const hits = pickList(data, "hits");
    hits.forEach(remember);
    const words = queryWords(q);
    const summary = el("p", { class: "summary" },
      `${hits.length} result${hits.length === 1 ? "" : "s"} for “`, el("strong", null, data.query || q), "”",
      data.mode ? ` (${data.mode})` : "");
    if (!hits.length) {
      out.replaceChildren(summary, el("p", { class: "empty" }, "Nothing matched. Try other words or fewer filters."));
      return;
    }
    const list = el("ol", { class: "cards" });
    hits.forEach((h, i) => {
      const meta = [];
      if (h.kind) meta.push(el("span", { class: "badge" }, human(h.kind)));
      if (typeof h.score === "number") meta.push(el("span", { class: "score" }, `score ${h.score.toFixed(3)}`));
      list.append(el("li", null,
        el("article", { class: "card", "aria-labelledby": `hit-${i}` },
          el("h3", { id: `hit-${i}` }, citationEl(h)),
          meta.length ? el("p", { class: "meta" }, meta) : null,
          sectionPath(h).length > 1 ? el("p", { class: "section-path" }, sectionPath(h).join(" › ")) : null,
          el("p", { class: "text" }, highlighted(h.text, h.quotes, words)))));
    });
    out.replaceChildren(summary, list);
  }

  // ------------------------------------------------------------------ Trace

  let suggestTimer = null;
  async function suggest(input) {
    const q = input.value.trim();
    if (q.length < 2) return;
    try {
      const list = pickList(await api("/api/entities", { params: { q, limit: 12 }, signal: freshSignal("suggest") }),
        "entities", "items");
      $("#entity-options").replaceChildren(...list.filter(isObj).map((e) =>
        el("option", { value: e.label || e.id }, e.type ? human(e.type) : null)));
    } catch (_) {
      /* suggestions are a convenience: the trace itself reports errors */
    }
  }
  for (const id of ["#trace-from", "#trace-to"]) {
    $(id).addEventListener("input", (ev) => {
      clearTimeout(suggestTimer);
      suggestTimer = setTimeout(() => suggest(ev.target), 250);
    });
  }

  $("#trace-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const from = $("#trace-from").value.trim();
    const to = $("#trace-to").value.trim();
    if (!from) {
      showError(new Error("Say where the trace starts."), "Trace");
      $("#trace-from").focus();
      return;
    }
    clearError();
    const out = $("#trace-result");
    const signal = freshSignal("trace");
    setBusy(out, true, "Tracing the connections…");
    $("#trace-button").disabled = true;
    try {
      const data = await api("/api/trace", { params: { from, to }, signal });
      const graph = renderTrace(out, data);
      const sel = to ? { trace: { from, to } } : { trace: { from } };
      setView("trace", { graph, selector: sel, title: to ? `Trace: ${from} → ${to}` : `Trace from ${from}` });
      announce(`${pickList(data, "paths").length} path(s) found.`);
    } catch (err) {
      if (err.name === "AbortError") return;
      out.replaceChildren();
      showError(err, "Trace");
    } finally {
      if (!signal.aborted) {
        out.setAttribute("aria-busy", "false");
        $("#trace-button").disabled = false;
      }
    }
  });

  const idOf = (x) => (x === null || x === undefined ? null : isObj(x) ? String(x.id ?? x.label) : String(x));

  function evidenceList(evidence) {
    const items = asList(evidence);
    if (!items.length) return el("p", { class: "hint" }, "No evidence recorded.");
    const ul = el("ul", { class: "evidence" });
    for (const ev of items) {
      const pid = isObj(ev) ? ev.passage_id : String(ev);
      const known = state.passages.get(pid) || {};
      const info = isObj(ev) ? { ...known, ...ev } : { ...known, passage_id: pid };
      if (isObj(ev)) remember({ ...ev, text: ev.text || known.text });
      const quote = info.quote || info.sentence || info.surface || asList(info.quotes)[0] || (info.text ? firstSentence(info.text) : "");
      ul.append(el("li", null,
        quote ? el("blockquote", { class: "quote" }, el("p", null, quote)) : null,
        citationEl(info)));
    }
    return ul;
  }

  function renderTrace(out, data) {
    const paths = pickList(data, "paths");
    const nodes = [];
    const edges = [];
    for (const n of pickList(data, "nodes")) nodes.push(n);
    const labels = new Map();
    for (const p of paths) {
      for (const n of asList(p.nodes)) {
        nodes.push(n);
        if (isObj(n)) labels.set(idOf(n), n.label || n.id);
      }
      for (const e of asList(p.edges)) edges.push(e);
    }
    const name = (x) => (isObj(x) ? x.label || x.id : labels.get(String(x)) || String(x));
    if (!paths.length) {
      out.replaceChildren(el("p", { class: "empty" }, "No connection found between these concepts."));
      return { nodes, edges };
    }
    const list = el("ol", { class: "paths" });
    paths.forEach((p, i) => {
      const hops = el("ol", { class: "hops" });
      for (const e of asList(p.edges)) {
        hops.append(el("li", null,
          el("p", { class: "hop" },
            el("span", { class: "hop-node" }, name(e.source)),
            el("span", { class: "hop-rel" }, ` ${human(e.type || "related")}${e.polarity ? ` (${e.polarity})` : ""} → `),
            el("span", { class: "hop-node" }, name(e.target))),
          evidenceList(e.evidence)));
      }
      const n = asList(p.edges).length;
      list.append(el("li", null, el("h3", null, `Path ${i + 1} (${n} hop${n === 1 ? "" : "s"})`), hops));
    });
    out.replaceChildren(el("p", { class: "summary" },
      `${paths.length} path${paths.length === 1 ? "" : "s"} from “`, el("strong", null, name(data.from)), "”",
      data.to ? [" to “", el("strong", null, name(data.to)), "”"] : null),
    list);
    return { nodes, edges };
  }

  // ------------------------------------------------------------------ Cross-cutting issues

  async function loadCrosscutting() {
    const out = $("#crosscutting-result");
    state.loaded.crosscutting = true;
    setBusy(out, true, "Ranking the cross-cutting issues…");
    try {
      const list = pickList(await api("/api/crosscutting"), "issues", "items", "crosscutting");
      renderCrosscutting(out, list);
    } catch (err) {
      state.loaded.crosscutting = false;
      out.replaceChildren(el("button", { type: "button", onclick: loadCrosscutting }, "Try again"));
      showError(err, "Cross-cutting issues");
    } finally {
      out.setAttribute("aria-busy", "false");
    }
  }

  const labelOf = (x) => (isObj(x) ? x.label || x.name || x.id : String(x));

  function renderCrosscutting(out, list) {
    if (!list.length) {
      out.replaceChildren(el("p", { class: "empty" }, "No cross-cutting issues found."));
      return;
    }
    const ol = el("ol", { class: "cc-list" });
    const render = (issue) => {
      const themes = asList(issue.themes);
      const questions = asList(issue.questions);
      const reports = asList(issue.reports);
      const affects = asList(issue.affects);
      const facts = [];
      if (questions.length) facts.push(`${questions.length} question${questions.length === 1 ? "" : "s"}`);
      if (reports.length) facts.push(`${reports.length} report${reports.length === 1 ? "" : "s"}`);
      if (affects.length) facts.push(`affects ${affects.length}`);
      const button = el("button", { type: "button", class: "cc-item", "aria-pressed": "false" },
        el("span", { class: "cc-label" }, labelOf(issue)),
        typeof issue.score === "number" ? el("span", { class: "score" }, `score ${fmtNum(issue.score)}`) : null,
        themes.length ? el("span", { class: "chips" }, themes.map((t) => el("span", { class: "chip" }, labelOf(t)))) : null,
        facts.length ? el("span", { class: "cc-facts" }, facts.join(" · ")) : null);
      button.addEventListener("click", () => {
        for (const b of $$(".cc-item", ol)) b.setAttribute("aria-pressed", b === button ? "true" : "false");
        drawNeighbourhood(issue.id, labelOf(issue), "crosscutting", issue)
          .then(() => $("#graph-section").scrollIntoView({ block: "nearest" }));
      });
      return el("li", null, button);
    };
    out.replaceChildren(...[ol, showMore(ol, list, render, 12)].filter(Boolean));
  }

  // ------------------------------------------------------------------ Reports

  async function loadReportsTab() {
    const out = $("#reports-result");
    state.loaded.reports = true;
    setBusy(out, true, "Loading the reports…");
    try {
      const [stats, reports] = await Promise.all([api("/api/stats"), api("/api/reports")]);
      const rows = new Map();
      for (const r of pickList(reports, "reports", "items")) rows.set(r.report_id, { ...r });
      for (const r of pickList(stats, "reports")) rows.set(r.report_id, { ...(rows.get(r.report_id) || {}), ...r });
      renderReports(out, [...rows.values()]);
    } catch (err) {
      state.loaded.reports = false;
      out.replaceChildren();
      showError(err, "Reports");
    } finally {
      out.setAttribute("aria-busy", "false");
    }
  }

  function renderReports(out, rows) {
    if (!rows.length) {
      out.replaceChildren(el("p", { class: "empty" }, "The store holds no reports yet."));
      return;
    }
    const preferred = ["title", "force", "year", "programme", "passages", "recommendations",
      "areas_for_improvement", "causes_of_concern", "judgments"];
    const cols = preferred.filter((c) => rows.some((r) => r[c] !== undefined && r[c] !== null));
    const cell = (v) => {
      if (Array.isArray(v)) {
        if (!v.length) return "";
        return el("ul", { class: "plain" }, v.map((j) => el("li", null, isObj(j)
          ? [j.question ? `${human(j.question)}: ` : "", el("strong", null, human(j.grade ?? j.label ?? j.id ?? ""))]
          : String(j))));
      }
      return v === null || v === undefined ? "" : isObj(v) ? JSON.stringify(v) : typeof v === "number" ? fmtNum(v) : String(v);
    };
    const table = el("table", { class: "reports" },
      el("caption", null, `${rows.length} report${rows.length === 1 ? "" : "s"} in the store`),
      el("thead", null, el("tr", null, cols.map((c) => el("th", { scope: "col" }, sentence(human(c)))))),
      el("tbody", null, rows.map((r) => el("tr", null, cols.map((c, i) =>
        i === 0 ? el("th", { scope: "row" }, cell(r[c]) || r.report_id) : el("td", null, cell(r[c])))))));
    out.replaceChildren(el("div", { class: "table-wrap" }, table));
  }

  // ------------------------------------------------------------------ graph model

  const TYPE_COLOURS = {
    issue: "#d62728", finding: "#e7772b", weakness: "#d62728", strength: "#2e8b57",
    force: "#1f77b4", partner: "#ff9f1c", unit: "#2ca02c", role: "#9467bd", programme: "#8c564b",
    legislation: "#e377c2", theme: "#17becf", metric: "#bcbd22", recommendation: "#5b7cfa",
    area_for_improvement: "#c49c00", cause_of_concern: "#a50026", judgment: "#6b6b6b",
    report: "#4d4d4d", question: "#7fb3d5", passage: "#b0b0b0", date: "#a6761d", organisation: "#ff9f1c",
  };
  const FALLBACK = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#e15759"];
  function typeColour(type) {
    const t = String(type || "").toLowerCase().replace(/[\s-]+/g, "_");
    if (TYPE_COLOURS[t]) return TYPE_COLOURS[t];
    let h = 0;
    for (const c of t) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return FALLBACK[h % FALLBACK.length];
  }

  const POLARITY_COLOURS = { negative: "#b3261e", positive: "#1b7a3a", neutral: "#5f6368" };
  const DASHES = {
    affects: null, causes: null, partners_with: "8 4", responsible_for: "3 3", mentions: "1 3",
    about_theme: "12 3 2 3 2 3", recommends: "9 3 2 3", carried_over_from: "14 5", recurs: "4 2 4 7",
    metric_change: "5 2",
  };
  const WIDTHS = { causes: 3.4, affects: 2, mentions: 1.3 };
  const polarityKey = (p) => (POLARITY_COLOURS[String(p || "").toLowerCase()] ? String(p).toLowerCase() : "none");
  const edgeColour = (e) => POLARITY_COLOURS[polarityKey(e.polarity)] || "#3c4043";
  const edgeDash = (type) => DASHES[type] ?? (type in DASHES ? null : "5 3");

  /** Nodes and edges from any of the API's graph shapes, edges pointing at node objects. */
  function normaliseGraph(g) {
    const nodes = [];
    const byId = new Map();
    const addNode = (raw) => {
      if (raw === null || raw === undefined) return null;
      const obj = isObj(raw) ? raw : { id: String(raw) };
      const id = String(obj.id ?? obj.key ?? obj.label);
      const known = byId.get(id);
      if (known) {
        if (!known.hasLabel && obj.label) { known.label = String(obj.label); known.hasLabel = true; }
        if (known.type === "unknown" && obj.type) known.type = String(obj.type);
        return known;
      }
      const node = {
        id, label: String(obj.label ?? obj.name ?? id), hasLabel: obj.label != null,
        type: String(obj.type ?? obj.kind ?? "unknown"), data: obj, x: 0, y: 0,
      };
      byId.set(id, node);
      nodes.push(node);
      return node;
    };
    for (const n of pickList(g, "nodes")) addNode(n);
    const edges = [];
    const seen = new Map();
    for (const e of pickList(g, "edges", "links")) {
      if (!isObj(e)) continue;
      const s = addNode(e.source);
      const t = addNode(e.target);
      if (!s || !t) continue;
      const type = String(e.type ?? e.relation ?? "related");
      const key = `${s.id}\u0000${t.id}\u0000${type}\u0000${e.polarity ?? ""}`;
      if (seen.has(key)) {
        const old = seen.get(key);
        old.evidence = old.evidence.concat(asList(e.evidence));
        continue;
      }
      const edge = { source: s, target: t, type, polarity: e.polarity ?? null, evidence: asList(e.evidence), data: e };
      seen.set(key, edge);
      edges.push(edge);
    }
    return { nodes, edges, byId };
  }

  /** Fruchterman–Reingold with a deterministic start, stretched sideways because labels are wide. */
  function layout(nodes, edges) {
    const n = nodes.length;
    if (!n) return;
    const golden = Math.PI * (3 - Math.sqrt(5));
    nodes.forEach((d, i) => {
      const r = 40 * Math.sqrt(i + 0.5);
      d.x = r * Math.cos(i * golden) * 1.5;
      d.y = r * Math.sin(i * golden);
    });
    if (n === 1) { nodes[0].x = 0; nodes[0].y = 0; return; }
    const index = new Map(nodes.map((d, i) => [d, i]));
    const links = edges.filter((e) => e.source !== e.target).map((e) => [index.get(e.source), index.get(e.target)]);
    const k = 75;
    const SX = 1.6; // horizontal distances count for less: nodes spread out sideways
    const iters = n > 250 ? 120 : n > 100 ? 250 : 400;
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    for (let it = 0; it < iters; it++) {
      dx.fill(0);
      dy.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          let vx = (nodes[i].x - nodes[j].x) / SX;
          let vy = nodes[i].y - nodes[j].y;
          let d2 = vx * vx + vy * vy;
          if (d2 < 0.01) { vx = 0.1 * ((i % 3) - 1) || 0.1; vy = 0.1; d2 = 0.02; }
          const f = (k * k) / d2;
          dx[i] += vx * f; dy[i] += vy * f;
          dx[j] -= vx * f; dy[j] -= vy * f;
        }
      }
      for (const [a, b] of links) {
        const vx = (nodes[a].x - nodes[b].x) / SX;
        const vy = nodes[a].y - nodes[b].y;
        const d = Math.sqrt(vx * vx + vy * vy) || 0.01;
        const f = d / k;
        dx[a] -= vx * f; dy[a] -= vy * f;
        dx[b] += vx * f; dy[b] += vy * f;
      }
      const temp = k * 1.5 * (1 - it / iters) + 0.5;
      for (let i = 0; i < n; i++) {
        const d = nodes[i];
        dx[i] -= (d.x / SX) * 0.1 * Math.sqrt(n);
        dy[i] -= d.y * 0.1 * Math.sqrt(n);
        const len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
        const step = Math.min(len, temp);
        d.x += (dx[i] / len) * step * SX;
        d.y += (dy[i] / len) * step;
      }
    }
  }

  // ------------------------------------------------------------------ graph view (SVG)

  const svg = $("#graph");
  const view = { t: { x: 0, y: 0, k: 1 }, g: null, viewport: null, selected: null };

  function applyTransform() {
    const { x, y, k } = view.t;
    if (view.viewport) view.viewport.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${k.toFixed(4)})`);
  }

  const nodeRadius = (d) => Math.min(17, 7 + 2.2 * Math.sqrt(d.degree || 0));
  const shortLabel = (s) => (s.length > 34 ? `${s.slice(0, 32)}…` : s);

  function edgeGeometry(e) {
    const s = e.source;
    const t = e.target;
    const rs = nodeRadius(s);
    const rt = nodeRadius(t);
    if (s === t) {
      const r = rs;
      const o = 26 + 10 * e.slot;
      return `M${s.x + r * 0.7},${s.y - r * 0.7} C${s.x + o + 20},${s.y - o - 30} ${s.x + o + 40},${s.y + 10} ${s.x + r + 4},${s.y + r * 0.4}`;
    }
    const vx = t.x - s.x;
    const vy = t.y - s.y;
    const len = Math.sqrt(vx * vx + vy * vy) || 1;
    // one normal per unordered pair, so edges in both directions spread to both sides
    const flip = s.id < t.id ? 1 : -1;
    const nx = (-vy / len) * flip;
    const ny = (vx / len) * flip;
    const off = e.offset;
    const cx = (s.x + t.x) / 2 + nx * off;
    const cy = (s.y + t.y) / 2 + ny * off;
    const toward = (p, q, r) => {
      const ux = q[0] - p[0];
      const uy = q[1] - p[1];
      const l = Math.sqrt(ux * ux + uy * uy) || 1;
      return [p[0] + (ux / l) * r, p[1] + (uy / l) * r];
    };
    const a = toward([s.x, s.y], [cx, cy], rs + 1);
    const b = toward([t.x, t.y], [cx, cy], rt + 3);
    const f = (p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`;
    return off === 0 ? `M${f(a)} L${f(b)}` : `M${f(a)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${f(b)}`;
  }

  function markerFor(key, colour) {
    return svgEl("marker", {
      id: `arrow-${key}`, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7",
      markerUnits: "userSpaceOnUse", orient: "auto",
    }, svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
  }

  function edgeName(e) {
    return `${e.source.label} ${human(e.type)}${e.polarity ? ` (${e.polarity})` : ""} ${e.target.label}`;
  }

  function drawGraph(g) {
    view.g = g;
    view.selected = null;
    const { nodes, edges } = g;
    for (const d of nodes) d.degree = 0;
    for (const e of edges) { e.source.degree++; e.target.degree++; }
    layout(nodes, edges);
    stretch(nodes);
    declutter(nodes);

    // parallel edges: spread over curves
    const groups = new Map();
    for (const e of edges) {
      const key = e.source.id < e.target.id ? `${e.source.id}\u0000${e.target.id}` : `${e.target.id}\u0000${e.source.id}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(e);
    }
    for (const list of groups.values()) {
      list.forEach((e, i) => {
        e.slot = i;
        e.offset = (i - (list.length - 1) / 2) * 26;
      });
    }

    const defs = svgEl("defs", null,
      ...Object.entries(POLARITY_COLOURS).map(([k, c]) => markerFor(k, c)),
      markerFor("none", "#3c4043"),
      markerFor("focus", "#0b57d0"));
    const edgeLayer = svgEl("g", { class: "edges", "aria-hidden": "true" });
    const nodeLayer = svgEl("g", { class: "nodes" });
    const hitLayer = svgEl("g", { class: "edge-hits" });

    for (const e of edges) {
      const d = edgeGeometry(e);
      const dash = edgeDash(e.type);
      e.path = svgEl("path", {
        class: `edge edge-${e.type}`, d, fill: "none", stroke: edgeColour(e), "stroke-width": WIDTHS[e.type] || 1.7,
        "stroke-dasharray": dash, "marker-end": `url(#arrow-${polarityKey(e.polarity)})`,
      });
      edgeLayer.append(e.path);
      e.hit = svgEl("path", {
        class: "edge-hit", d, tabindex: "0", role: "button", "aria-label": `Link: ${edgeName(e)}`,
      }, svgEl("title", null, edgeName(e)));
      e.hit.__edge = e;
      hitLayer.append(e.hit);
    }
    for (const d of nodes) {
      const r = nodeRadius(d);
      d.el = svgEl("g", {
        class: "node", tabindex: "0", role: "button", transform: `translate(${d.x.toFixed(1)},${d.y.toFixed(1)})`,
        "aria-label": `${d.label} (${human(d.type)})`, dataset: { id: d.id },
      },
      svgEl("title", null, `${d.label} (${human(d.type)})`),
      svgEl("circle", { r, fill: typeColour(d.type) }),
      svgEl("text", { x: r + 4, y: 4 }, shortLabel(d.label)));
      d.el.__node = d;
      nodeLayer.append(d.el);
    }
    view.viewport = svgEl("g", { class: "viewport" }, edgeLayer, nodeLayer, hitLayer);
    svg.replaceChildren(defs, view.viewport);
    svg.setAttribute("aria-label", `Graph with ${nodes.length} nodes and ${edges.length} links`);
    renderLegend(g);
    fit();
  }

  /** Scale the layout (each axis on its own) to fill the drawing area at zoom 1, never cramming nodes. */
  function stretch(nodes) {
    if (nodes.length < 2) return;
    const W = svg.clientWidth || 800;
    const H = svg.clientHeight || 500;
    const xs = nodes.map((d) => d.x);
    const ys = nodes.map((d) => d.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const labelRoom = Math.min(220, 8 + 6.6 * Math.max(...nodes.map((d) => shortLabel(d.label).length)));
    const sx = x1 > x0 ? Math.max(0.6, Math.min(1.8, (W - 60 - labelRoom) / (x1 - x0))) : 1;
    const sy = y1 > y0 ? Math.max(0.6, Math.min(1.8, (H - 60) / (y1 - y0))) : 1;
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    for (const d of nodes) {
      d.x = (d.x - cx) * sx;
      d.y = (d.y - cy) * sy;
    }
  }

  /** Push apart nodes whose circles or labels overlap, mostly up and down since labels are wide. */
  function declutter(nodes) {
    const n = nodes.length;
    if (n < 2 || n > 300) return;
    const box = (d) => {
      const r = nodeRadius(d);
      return [d.x - r - 2, d.x + r + 8 + 6.6 * shortLabel(d.label).length, d.y - Math.max(r, 9) - 2, d.y + Math.max(r, 9) + 2];
    };
    for (let it = 0; it < 80; it++) {
      let moved = false;
      const boxes = nodes.map(box);
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const ox = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
          const oy = Math.min(a[3], b[3]) - Math.max(a[2], b[2]);
          if (ox <= 0 || oy <= 0) continue;
          moved = true;
          const [p, q] = [nodes[i], nodes[j]];
          if (oy <= ox) {
            const dir = p.y < q.y || (p.y === q.y && i < j) ? -1 : 1;
            p.y += (dir * oy) / 2 + dir * 0.5;
            q.y -= (dir * oy) / 2 + dir * 0.5;
          } else {
            const dir = p.x < q.x ? -1 : 1;
            p.x += (dir * ox) / 2;
            q.x -= (dir * ox) / 2;
          }
        }
      }
      if (!moved) break;
    }
  }

  function fit() {
    const g = view.g;
    if (!g || !g.nodes.length) return;
    const W = svg.clientWidth || 800;
    const H = svg.clientHeight || 500;
    let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
    for (const d of g.nodes) {
      const r = nodeRadius(d);
      x0 = Math.min(x0, d.x - r);
      y0 = Math.min(y0, d.y - r);
      x1 = Math.max(x1, d.x + r + 6 + 6.6 * shortLabel(d.label).length);
      y1 = Math.max(y1, d.y + r);
    }
    const pad = 24;
    const k = Math.max(0.15, Math.min(1.6, (W - 2 * pad) / (x1 - x0 || 1), (H - 2 * pad) / (y1 - y0 || 1)));
    view.t = { k, x: W / 2 - k * (x0 + x1) / 2, y: H / 2 - k * (y0 + y1) / 2 };
    applyTransform();
  }

  function zoomBy(factor, px, py) {
    const W = svg.clientWidth || 800;
    const H = svg.clientHeight || 500;
    if (px === undefined) { px = W / 2; py = H / 2; }
    const { x, y, k } = view.t;
    const nk = Math.max(0.1, Math.min(8, k * factor));
    view.t = { k: nk, x: px - (px - x) * (nk / k), y: py - (py - y) * (nk / k) };
    applyTransform();
  }

  function panBy(dx, dy) {
    view.t.x += dx;
    view.t.y += dy;
    applyTransform();
  }

  function moveNode(d) {
    d.el.setAttribute("transform", `translate(${d.x.toFixed(1)},${d.y.toFixed(1)})`);
    for (const e of view.g.edges) {
      if (e.source === d || e.target === d) {
        const p = edgeGeometry(e);
        e.path.setAttribute("d", p);
        e.hit.setAttribute("d", p);
      }
    }
  }

  // pointer: drag the background to pan, drag a node to move it, click a node or link for details
  let drag = null;
  let suppressClick = false;
  svg.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    const nodeEl = ev.target.closest(".node");
    const hit = ev.target.closest(".edge-hit");
    drag = { x: ev.clientX, y: ev.clientY, moved: false, node: nodeEl ? nodeEl.__node : null, pan: !nodeEl && !hit };
    if (drag.node || drag.pan) svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    const dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    drag.x = ev.clientX;
    drag.y = ev.clientY;
    if (drag.node) {
      drag.node.x += dx / view.t.k;
      drag.node.y += dy / view.t.k;
      moveNode(drag.node);
    } else if (drag.pan) {
      svg.classList.add("panning");
      panBy(dx, dy);
    }
  });
  const endDrag = () => {
    if (drag && drag.moved) suppressClick = true;
    drag = null;
    svg.classList.remove("panning");
  };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("click", (ev) => {
    if (suppressClick) { suppressClick = false; return; }
    activate(ev.target);
  });
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const rect = svg.getBoundingClientRect();
    zoomBy(Math.exp(-ev.deltaY * 0.0015), ev.clientX - rect.left, ev.clientY - rect.top);
  }, { passive: false });

  svg.addEventListener("keydown", (ev) => {
    const step = 40;
    switch (ev.key) {
      case "Enter":
      case " ":
        if (activate(ev.target)) ev.preventDefault();
        return;
      case "+":
      case "=":
        zoomBy(1.25);
        break;
      case "-":
      case "_":
        zoomBy(0.8);
        break;
      case "0":
        fit();
        break;
      case "ArrowLeft": panBy(step, 0); break;
      case "ArrowRight": panBy(-step, 0); break;
      case "ArrowUp": panBy(0, step); break;
      case "ArrowDown": panBy(0, -step); break;
      case "Escape": select(null); return;
      default: return;
    }
    ev.preventDefault();
  });

  // keep the focused node in sight
  svg.addEventListener("focusin", (ev) => {
    const nodeEl = ev.target.closest && ev.target.closest(".node");
    if (!nodeEl) return;
    const d = nodeEl.__node;
    const W = svg.clientWidth;
    const H = svg.clientHeight;
    const sx = d.x * view.t.k + view.t.x;
    const sy = d.y * view.t.k + view.t.y;
    if (sx < 20 || sx > W - 80 || sy < 20 || sy > H - 20) {
      view.t.x = W / 2 - d.x * view.t.k;
      view.t.y = H / 2 - d.y * view.t.k;
      applyTransform();
    }
  });

  $("#zoom-in").addEventListener("click", () => zoomBy(1.25));
  $("#zoom-out").addEventListener("click", () => zoomBy(0.8));
  $("#zoom-reset").addEventListener("click", fit);

  function activate(target) {
    if (!target || !target.closest) return false;
    const nodeEl = target.closest(".node");
    if (nodeEl) {
      select(nodeEl);
      showNodeDetails(nodeEl.__node);
      return true;
    }
    const hit = target.closest(".edge-hit");
    if (hit) {
      select(hit);
      showEdgeDetails(hit.__edge);
      return true;
    }
    return false;
  }

  function select(elm) {
    for (const s of $$(".selected, .incident", svg)) s.classList.remove("selected", "incident");
    view.selected = elm;
    if (!elm) return;
    elm.classList.add("selected");
    if (elm.__node && view.g) {
      for (const e of view.g.edges) {
        if (e.source === elm.__node || e.target === elm.__node) e.path.classList.add("incident");
      }
    }
    if (elm.__edge) elm.__edge.path.classList.add("incident");
  }

  function legendLine(type, colour) {
    return svgEl("svg", { width: "34", height: "12", "aria-hidden": "true", focusable: "false" },
      svgEl("line", {
        x1: "1", y1: "6", x2: "33", y2: "6", stroke: colour, "stroke-width": WIDTHS[type] || 1.7,
        "stroke-dasharray": type ? edgeDash(type) : null,
      }));
  }

  function renderLegend(g) {
    const types = [...new Set(g.nodes.map((d) => d.type))].sort();
    const rels = [...new Set(g.edges.map((e) => e.type))].sort();
    const pols = [...new Set(g.edges.map((e) => polarityKey(e.polarity)))].filter((p) => p !== "none").sort();
    const box = $("#legend");
    box.replaceChildren(
      el("h3", { class: "visually-hidden" }, "Legend"),
      el("ul", { class: "legend-list" },
        types.map((t) => el("li", null,
          el("span", { class: "swatch", style: `background:${typeColour(t)}`, "aria-hidden": "true" }), human(t))),
        rels.map((r) => el("li", null, legendLine(r, "#3c4043"), human(r))),
        pols.map((p) => el("li", null, legendLine(null, POLARITY_COLOURS[p]), p))));
  }

  // ------------------------------------------------------------------ views per tab

  function setView(tab, v, keepHistory = false) {
    const prev = state.views[tab];
    const graph = normaliseGraph(v.graph || {});
    const history = keepHistory && prev ? [...prev.history, prev] : [];
    state.views[tab] = { ...v, graph, history };
    if (tab === state.tab) renderCurrentView();
  }

  function renderCurrentView() {
    const v = state.views[state.tab];
    const section = $("#graph-section");
    if (!v || !v.graph.nodes.length) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    $("#graph-title").textContent = v.title || "Graph";
    const back = $("#graph-back");
    if (v.history.length) {
      if (!back) {
        $(".zoom").before(el("button", { type: "button", id: "graph-back", class: "back", onclick: goBack }, "← Back"));
      }
    } else if (back) back.remove();
    drawGraph(v.graph);
    $("#details-body").replaceChildren(el("p", { class: "hint" },
      `${v.graph.nodes.length} nodes, ${v.graph.edges.length} links. Choose a node or a link to see its mentions, relations or evidence.`));
  }

  function goBack() {
    const v = state.views[state.tab];
    if (!v || !v.history.length) return;
    const prev = v.history[v.history.length - 1];
    state.views[state.tab] = { ...prev, history: v.history.slice(0, -1) };
    renderCurrentView();
    svg.focus();
  }

  // ------------------------------------------------------------------ details panel

  function detailsBusy(busy, text) {
    const panel = $("#details");
    panel.setAttribute("aria-busy", busy ? "true" : "false");
    if (busy) $("#details-body").replaceChildren(progress(text));
  }

  function relationView(r, selfId) {
    const type = String(r.type ?? r.relation ?? r.predicate ?? "related");
    let other;
    let outgoing;
    if (r.source !== undefined && r.target !== undefined) {
      outgoing = idOf(r.source) === selfId || idOf(r.target) !== selfId;
      const raw = outgoing ? r.target : r.source;
      other = isObj(raw) ? raw : {
        id: String(raw),
        label: (outgoing ? r.target_label : r.source_label) || r.other_label || r.label || String(raw),
        type: (outgoing ? r.target_type : r.source_type) || r.other_type,
      };
    } else {
      const raw = r.other || r.neighbour || r.neighbor || r.node || r.entity || r.target || r.source;
      other = isObj(raw) ? raw : { id: String(raw ?? r.id), label: r.label || String(raw ?? r.id), type: r.node_type || r.other_type };
      outgoing = !/^in/i.test(String(r.direction || "out"));
    }
    return { type, polarity: r.polarity ?? null, outgoing, other, evidence: asList(r.evidence), raw: r };
  }

  /** Relations of an entity; a bare list of neighbour nodes only when there are no relations. */
  function entityRelations(d) {
    const rels = pickList(d, "relations");
    if (rels.length || !isObj(d)) return rels;
    return asList(d.neighbours || d.neighbors).filter(isObj).map((n) =>
      (n.source !== undefined || n.other || n.node ? n : { type: n.relation || "related", other: n, direction: n.direction }));
  }

  function entityGraph(d, extra = []) {
    const self = { id: String(d.id), label: d.label || d.id, type: d.type };
    const nodes = [self];
    const edges = [];
    for (const r of [...entityRelations(d), ...extra]) {
      if (!isObj(r)) continue;
      const rv = relationView(r, self.id);
      if (!rv.other || rv.other.id === undefined || rv.other.id === "undefined") continue;
      nodes.push(rv.other);
      const [s, t] = rv.outgoing ? [self.id, idOf(rv.other)] : [idOf(rv.other), self.id];
      edges.push({ source: s, target: t, type: rv.type, polarity: rv.polarity, evidence: rv.evidence });
    }
    return { nodes, edges };
  }

  async function drawNeighbourhood(id, label, tab, extra) {
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

  async function showNodeDetails(node) {
    detailsBusy(true, `Loading ${node.label}…`);
    try {
      const d = await api(`/api/entities/${encodeURIComponent(node.id)}`, { signal: freshSignal("details") });
      renderEntity(d);
      announce(`Details of ${d.label || node.label}.`);
    } catch (err) {
      if (err.name === "AbortError") return;
      $("#details-body").replaceChildren(
        el("h3", null, node.label),
        el("p", null, el("span", { class: "badge", style: `border-color:${typeColour(node.type)}` }, human(node.type))),
        el("p", { class: "hint" }, `No more details: ${err.message}`));
    } finally {
      $("#details").setAttribute("aria-busy", "false");
    }
  }

  function showMore(list, items, render, first = 8) {
    list.replaceChildren(...items.slice(0, first).map(render));
    if (items.length <= first) return null;
    const more = el("button", { type: "button", class: "link" }, `Show all ${items.length}`);
    more.addEventListener("click", () => {
      list.replaceChildren(...items.map(render));
      more.remove();
      const firstNew = list.children[first];
      if (firstNew) { firstNew.tabIndex = -1; firstNew.focus(); }
    });
    return more;
  }

  function renderEntity(d) {
    const body = $("#details-body");
    const id = String(d.id);
    const parts = [
      el("h3", null, d.label || id),
      el("p", { class: "meta" },
        el("span", { class: "swatch", style: `background:${typeColour(d.type)}`, "aria-hidden": "true" }),
        el("span", { class: "badge" }, human(d.type || "entity"))),
    ];
    const aliases = asList(d.aliases).filter((a) => a && a !== d.label);
    if (aliases.length) parts.push(el("p", { class: "aliases" }, "Also called: ", aliases.map(labelOf).join("; ")));
    const reports = asList(d.reports);
    if (reports.length) {
      parts.push(el("p", { class: "aliases" }, "Reports: ",
        reports.map((r) => {
          const rep = state.reports.get(isObj(r) ? r.report_id : r) || (isObj(r) ? r : {});
          return [rep.force, rep.year].filter(Boolean).join(" ") || labelOf(r);
        }).join("; ")));
    }
    for (const [k, v] of Object.entries(d)) {
      if (["id", "label", "type", "aliases", "reports", "mentions", "relations", "neighbours", "neighbors"].includes(k)) continue;
      if (typeof v === "string" || typeof v === "number") parts.push(el("p", { class: "fact" }, el("strong", null, `${human(k)}: `), fmtNum(v)));
    }
    const actions = el("p", { class: "actions" },
      el("button", { type: "button", onclick: () => drawNeighbourhood(id, d.label) }, "Draw neighbourhood"),
      el("button", {
        type: "button",
        onclick: () => {
          $("#trace-from").value = d.label || id;
          selectTab($("#tab-trace"));
          $("#trace-to").focus();
        },
      }, "Trace from here"));
    parts.push(actions);

    const mentions = pickList(d, "mentions");
    mentions.forEach(remember);
    if (mentions.length || typeof d.mentions === "number") {
      parts.push(el("h4", null, `Mentions (${fmtNum(mentions.length || d.mentions)})`));
      if (mentions.length) {
        const ul = el("ul", { class: "mentions" });
        const more = showMore(ul, mentions, (m) => el("li", null,
          el("blockquote", { class: "quote" }, el("p", null,
            m.quote || m.sentence || m.surface || asList(m.quotes)[0] || firstSentence(m.text))),
          citationEl(m)));
        parts.push(ul, more);
      }
    }
    const rels = entityRelations(d).filter(isObj).map((r) => relationView(r, id));
    if (rels.length) {
      parts.push(el("h4", null, `Relations (${rels.length})`));
      const ul = el("ul", { class: "relations" });
      const more = showMore(ul, rels, (rv) => {
        const other = rv.other;
        const otherBtn = el("button", { type: "button", class: "link" }, labelOf(other));
        otherBtn.addEventListener("click", () => {
          const n = view.g && view.g.byId.get(idOf(other));
          if (n) { select(n.el); showNodeDetails(n); } else {
            showNodeDetails({ id: idOf(other), label: labelOf(other), type: other.type || "unknown" });
          }
        });
        const relText = `${rv.outgoing ? "" : "← "}${human(rv.type)}${rv.polarity ? ` (${rv.polarity})` : ""}${rv.outgoing ? " →" : ""}`;
        const li = el("li", null,
          el("span", { class: `rel rel-${polarityKey(rv.polarity)}` }, relText), " ", otherBtn);
        if (rv.evidence.length) {
          const det = el("details", null, el("summary", null, `Evidence (${rv.evidence.length})`), evidenceList(rv.evidence));
          li.append(det);
        }
        return li;
      });
      parts.push(ul, more);
    }
    body.replaceChildren(...parts.filter(Boolean));
  }

  function showEdgeDetails(e) {
    $("#details-body").replaceChildren(
      el("h3", null, human(e.type)),
      el("p", { class: "edge-ends" },
        el("span", { class: "hop-node" }, e.source.label), " → ", el("span", { class: "hop-node" }, e.target.label)),
      e.polarity ? el("p", { class: "meta" }, el("span", { class: `rel rel-${polarityKey(e.polarity)}` }, `polarity: ${e.polarity}`)) : null,
      el("h4", null, `Evidence (${e.evidence.length})`),
      evidenceList(e.evidence));
    announce(`Evidence for ${edgeName(e)}.`);
  }

  // ------------------------------------------------------------------ export

  const FORMATS = [
    ["png", "PNG", "png"], ["svg", "SVG", "svg"], ["pptx", "PowerPoint", "pptx"], ["graphml", "GraphML", "graphml"],
    ["gexf", "GEXF", "gexf"], ["json", "JSON", "json"], ["cytoscape", "Cytoscape", "cyjs"], ["csv", "CSV", "zip"],
    ["turtle", "Turtle", "ttl"], ["jsonld", "JSON-LD", "jsonld"], ["cypher", "Cypher", "cypher"],
    ["mermaid", "Mermaid", "mmd"], ["dot", "DOT", "dot"],
  ];

  function fileName(res, format, ext) {
    const cd = res.headers.get("Content-Disposition") || "";
    const star = cd.match(/filename\*=(?:UTF-8'')?([^;]+)/i);
    if (star) { try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, "")); } catch (_) { /* fall through */ } }
    const plain = cd.match(/filename="?([^";]+)"?/i);
    return plain ? plain[1] : `peelgraph-graph.${ext || format}`;
  }

  async function exportGraph(format, label, ext, button) {
    const v = state.views[state.tab];
    if (!v) { showError(new Error("There is no graph to export yet."), "Export"); return; }
    clearError();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const old = button.textContent;
    button.textContent = `${label}…`;
    announce(`Exporting ${label}…`);
    try {
      const res = await api("/api/export", { method: "POST", body: { format, ...v.selector }, raw: true });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: fileName(res, format, ext), hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      announce(`${label} file ready.`);
    } catch (err) {
      showError(err, `Export ${label}`);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = old;
    }
  }

  $("#export-buttons").replaceChildren(...FORMATS.map(([format, label, ext]) => {
    const b = el("button", { type: "button", dataset: { format }, title: `Download this graph as ${label}` }, label);
    b.addEventListener("click", () => exportGraph(format, label, ext, b));
    return b;
  }));

  // ------------------------------------------------------------------ start

  window.addEventListener("resize", () => { if (!$("#graph-section").hidden) fit(); });
  loadStats();
})();

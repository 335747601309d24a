/* Shared page state, messages, progress and citations. */
import { api } from "./api.js";
import { $, el, asList, isObj } from "./dom.js";

export const state = {
  tab: "ask",
  views: {},            // tab -> {graph, selector, title, history: [...]}
  passages: new Map(),  // passage_id -> passage or hit (text for quotes and edge evidence)
  reports: new Map(),   // report_id -> report summary
  health: {},           // GET /api/health: writable, needs_key
  apiKey: "",           // typed by the user when the server needs one for writes; never stored
};

export function showError(err, context) {
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

/** The trimmed value of a required field; empty: a message in the live region and the focus back on it. */
export function required(input, message, context) {
  const value = input.value.trim();
  if (!value) {
    showError(new Error(message), context);
    input.focus();
  }
  return value;
}

export const clearError = () => $("#messages").replaceChildren();
export const announce = (text) => { $("#status").textContent = text; };

export function progress(text) {
  return el("p", { class: "progress" }, el("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function setBusy(container, busy, text) {
  container.setAttribute("aria-busy", busy ? "true" : "false");
  if (busy) container.replaceChildren(progress(text));
}

/** One in-flight request per task: a newer request cancels the older one. */
const controllers = {};
export function freshSignal(task) {
  if (controllers[task]) controllers[task].abort();
  controllers[task] = new AbortController();
  return controllers[task].signal;
}

/** Run a form's request with the result box busy, its button disabled and errors in the live region. */
export async function runTask(task, { out, button, busyText, context }, work) {
  clearError();
  const signal = freshSignal(task);
  setBusy(out, true, busyText);
  if (button) button.disabled = true;
  try {
    await work(signal);
  } catch (err) {
    if (err.name === "AbortError") return;
    out.replaceChildren();
    showError(err, context);
    announce(`${context} failed.`);
  } finally {
    if (!signal.aborted) {
      out.setAttribute("aria-busy", "false");
      if (button) button.disabled = false;
    }
  }
}

export function remember(hit) {
  if (!isObj(hit) || !hit.passage_id) return;
  const old = state.passages.get(hit.passage_id) || {};
  state.passages.set(hit.passage_id, { ...old, ...hit, text: hit.text || old.text });
}

const loading = new Map(); // passage_id -> the request in flight, so each passage is fetched once

/** A passage with its text and citation, from what the page already holds or from the API. */
export function loadPassage(pid) {
  const known = state.passages.get(pid);
  if (known && known.text && known.section !== undefined) return Promise.resolve(known);
  if (!loading.has(pid)) {
    loading.set(pid, api(`/api/passages/${encodeURIComponent(pid)}`)
      .then((p) => { remember(p); return state.passages.get(pid); })
      .finally(() => loading.delete(pid)));
  }
  return loading.get(pid);
}

export const sectionPath = (h) => (Array.isArray(h.section) ? h.section : String(h.section || "").split(" > "))
  .map((x) => String(x).trim()).filter(Boolean);

const manyForces = () => new Set([...state.reports.values()].map((r) => r.force).filter(Boolean)).size > 1;

/** "2018/19 · section · ¶12", page only when the source has pages; a passage id is never shown as a page. */
export function citationOf(h, full = false) {
  if (!isObj(h)) return "";
  const rep = state.reports.get(h.report_id) || {};
  const year = h.year || rep.year;
  const force = h.force || rep.force;
  const parts = [[full || manyForces() ? force : null, year].filter(Boolean).join(" ") || rep.title || ""];
  const section = sectionPath(h);
  if (section.length) parts.push(full ? section.join(" › ") : section[section.length - 1]);
  if (h.paragraph !== undefined && h.paragraph !== null && h.paragraph !== "") parts.push(`¶${h.paragraph}`);
  if (h.page !== undefined && h.page !== null && h.page !== "") parts.push(`p. ${h.page}`);
  return parts.filter(Boolean).join(" · ");
}

export function citationEl(h) {
  return el("cite", { class: "citation", title: citationOf(h, true) || null }, citationOf(h));
}

/** A citation of what the page knows now, completed (section, paragraph, page) once the passage is loaded. */
export function passageCitation(info) {
  const cite = citationEl(info);
  if (info.passage_id && !info.section) {
    loadPassage(info.passage_id).then((p) => cite.replaceWith(citationEl(p)), () => { /* the short one stays */ });
  }
  return cite;
}

/** The passage text with the given sentences (or, failing those, words) marked. */
export function highlighted(text, quotes, words) {
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

export const firstSentence = (text) => {
  const t = String(text ?? "").trim();
  const m = t.match(/^.{20,}?[.!?](?=\s|$)/s);
  return m ? m[0] : t.slice(0, 240);
};

export const queryWords = (q) => String(q || "").toLowerCase().split(/\W+/).filter((w) => w.length > 2);

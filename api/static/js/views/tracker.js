/* Recommendations tracker: every recommendation, area for improvement and cause of concern across reports,
 * with its origin year, whether a later report carries it over or finds it again, and its evidence. */
import { api } from "../api.js";
import { $, el, human, pickList, plural } from "../dom.js";
import { citationEl, runTask } from "../ui.js";

const STATUS = { carried_over: "Carried over", found_again: "Found again", new: "New" };
const out = $("#tracker-result");
let loaded = false;

function detailOf(r) {
  const parts = [r.lead ? el("p", { class: "item-lead" }, "Introduced by: ", r.lead) : null,el("h4", null, "Evidence"),
    el("ul", { class: "evidence" }, r.evidence.map((e) => el("li", null, el("blockquote", { class: "quote" }, el("p", null, e.quote)), citationEl(e))))];
  if (r.origin) {
    parts.push(el("p", null, `Still outstanding from ${r.origin.label}`, r.origin.year ? ` (first made in ${r.origin.year})` : "", "."));
  }
  if (r.carried_into.length) {
    parts.push(el("p", null, "Carried over again in: ", r.carried_into.map((c) => c.year).join(", "), "."));
  }
  if (r.recurs.length) {
    parts.push(el("h4", null, `Found again (${r.recurs.length})`), el("ul", { class: "evidence" }, r.recurs.map((x) => el("li", null,
      el("blockquote", { class: "quote" }, el("p", null, x.later.text)), citationEl(x.later),
      el("p", { class: "hint" }, "Earlier: ", x.earlier.text, " ", citationEl(x.earlier))))));
  }
  return el("div", { class: "tracker-detail" }, parts);
}

function row(r) {
  const id = `tracker-${r.item_id}`;
  const detail = el("tr", { class: "tracker-detail-row", id, hidden: true }, el("td", { colspan: "5" }, detailOf(r)));
  const toggle = el("button", { type: "button", class: "link tracker-open", "aria-expanded": "false", "aria-controls": id }, r.text);
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    detail.hidden = !open;
  });
  const origin = r.origin ? `${r.origin_year} (${r.origin.label})` : r.origin_year;
  return [el("tr", { class: `tracker-row status-${r.status}`, dataset: { item: r.item_id, status: r.status } },
    el("td", { class: "origin-year" }, origin || ""),
    el("td", null, r.year || ""),
    el("td", null, human(r.kind)),
    el("td", null, el("span", { class: `badge status-${r.status}` }, STATUS[r.status] || r.status)),
    el("td", { class: "tracker-text" }, toggle)), detail];
}

function render(data) {
  const rows = pickList(data, "items");
  const c = data.counts || {};
  const summary = el("p", { class: "summary" },
    `${plural(rows.length, "item")}: ${c.carried_over || 0} carried over from an earlier inspection, ${c.found_again || 0} found again in a later report, ${c.new || 0} new.`);
  if (!rows.length) {
    out.replaceChildren(summary, el("p", { class: "empty" }, "No item matches these filters."));
    return;
  }
  out.replaceChildren(summary, el("div", { class: "table-wrap" }, el("table", { class: "tracker" },
    el("caption", { class: "visually-hidden" }, "Recommendations tracker"),
    el("thead", null, el("tr", null, ["Origin", "Report", "Kind", "Status", "Item (choose to see its evidence)"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", null, rows.map(row)))));
}

async function load() {
  const params = { kind: $("#tracker-kind").value, status: $("#tracker-status").value, q: $("#tracker-q").value.trim() };
  await runTask("tracker", { out, busyText: "Gathering recommendations…", context: "Tracker" }, async (signal) => {
    const data = await api("/api/tracker", { params, signal });
    const year = $("#tracker-year").value;
    render(year ? { ...data, items: data.items.filter((r) => r.year === year || r.origin_year === year) } : data);
  });
}

export function showTracker() {
  if (loaded) return;
  loaded = true;
  load();
}

$("#tracker-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
for (const id of ["#tracker-kind", "#tracker-status", "#tracker-year"]) $(id).addEventListener("change", load);

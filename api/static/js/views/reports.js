/* Reports: the list, upload (drag and drop or a file button, with progress) and delete when the service
 * allows writes, and a report page with its judgments, causes of concern, recommendations and AFIs. */
import { api, upload } from "../api.js";
import { $, el, human, pickList, plural, sentence } from "../dom.js";
import { announce, clearError, passageCitation, runTask, showError, state } from "../ui.js";

const out = $("#reports-result");
const changed = [];
/** Call fn() after a report is added or deleted (the header and the filters reload). */
export const onReportsChanged = (fn) => changed.push(fn);

/** Uploads and deletes: the service accepts writes, with the API key typed here when it needs one. */
const canWrite = () => Boolean(state.health.writable && (!state.health.needs_key || state.apiKey));
const keyHeader = () => (state.apiKey ? { "X-API-Key": state.apiKey } : {});

const ITEM_GROUPS = [["cause_of_concern", "Causes of concern"], ["recommendation", "Recommendations"],
  ["area_for_improvement", "Areas for improvement"]];

function judgmentList(items) {
  if (!items.length) return el("p", { class: "hint" }, "No graded judgments found in this report.");
  return el("ul", { class: "plain judgments" }, items.map((j) =>
    el("li", null, `${j.question === "overall" ? "Overall" : j.question}: `, el("strong", null, j.grade || "not graded"))));
}

function itemList(items) {
  return el("ol", { class: "items" }, items.map((it) => el("li", null,
    it.lead ? el("p", { class: "item-lead" }, it.lead) : null, // "the force should, within six months, ..."
    el("p", null, it.text),
    it.carried_over_from ? el("p", { class: "meta" }, el("span", { class: "badge carried" }, `still outstanding from ${it.carried_over_from}`)) : null,
    it.passage_id ? passageCitation({ passage_id: it.passage_id, report_id: it.report_id }) : null)));
}

async function openReport(id) {
  await runTask("report", { out, busyText: "Loading the report…", context: "Report" }, async (signal) => {
    const r = await api(`/api/reports/${encodeURIComponent(id)}`, { signal });
    const parts = [
      el("button", { type: "button", class: "back", onclick: () => showReports(true) }, "← All reports"),
      el("h2", { id: "report-title" }, r.title),
      el("p", { class: "meta" }, [r.force, r.year, r.programme, plural(r.passages, "passage")].filter(Boolean).join(" · ")),
      el("h3", null, "Judgments"), judgmentList(r.items.judgment || []),
    ];
    for (const [kind, title] of ITEM_GROUPS) {
      const items = r.items[kind] || [];
      parts.push(el("h3", null, `${title} (${items.length})`), items.length ? itemList(items) : el("p", { class: "hint" }, "None."));
    }
    out.replaceChildren(el("article", { class: "report-page", "aria-labelledby": "report-title" }, parts));
    $("#report-title").tabIndex = -1;
    $("#report-title").focus();
  });
}

function deleteButton(r) {
  const box = el("span", { class: "delete-box" });
  const ask = el("button", { type: "button", class: "danger", "aria-label": `Delete ${r.title}` }, "Delete");
  ask.addEventListener("click", () => {
    box.replaceChildren(el("span", null, "Delete this report? "),
      el("button", { type: "button", class: "danger confirm", onclick: () => remove(r) }, "Yes, delete"),
      el("button", { type: "button", onclick: () => box.replaceChildren(ask) }, "Cancel"));
    box.querySelector(".confirm").focus();
  });
  box.append(ask);
  return box;
}

async function remove(r) {
  clearError();
  try {
    await api(`/api/reports/${encodeURIComponent(r.report_id)}`, { method: "DELETE", headers: keyHeader() });
    $("#upload-status").replaceChildren(el("p", { class: "ok" }, `Deleted “${r.title}”.`));
    announce(`Deleted ${r.title}.`);
    await refresh();
  } catch (err) {
    showError(err, "Delete");
  }
}

function renderTable(rows) {
  if (!rows.length) return el("p", { class: "empty" }, "The store holds no reports yet.");
  const cols = ["year", "force", "programme", "passages", "recommendations", "areas_for_improvement", "causes_of_concern"];
  return el("div", { class: "table-wrap" }, el("table", { class: "reports" },
    el("caption", null, `${plural(rows.length, "report")} in the store. Choose a title to open the report.`),
    el("thead", null, el("tr", null, el("th", { scope: "col" }, "Title"), cols.map((c) => el("th", { scope: "col" }, sentence(human(c)))),
      canWrite() ? el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")) : null)),
    el("tbody", null, rows.map((r) => el("tr", { dataset: { report: r.report_id } },
      el("th", { scope: "row" }, el("button", { type: "button", class: "link open-report", onclick: () => openReport(r.report_id) }, r.title)),
      cols.map((c) => el("td", null, r[c] ?? "")),
      canWrite() ? el("td", null, deleteButton(r)) : null)))));
}

async function refresh() {
  for (const fn of changed) await fn();
  await showReports(true);
}

export async function showReports(force = false) {
  if (out.dataset.loaded && !force) return;
  out.dataset.loaded = "1";
  await runTask("reports", { out, busyText: "Loading the reports…", context: "Reports" }, async (signal) => {
    const stats = await api("/api/stats", { signal });
    out.replaceChildren(renderTable(pickList(stats, "reports").map((r) => ({ ...(state.reports.get(r.report_id) || {}), ...r }))));
  });
}

async function send(file) {
  clearError();
  const bar = $("#upload-progress");
  const status = $("#upload-status");
  bar.hidden = false;
  bar.value = 0;
  status.replaceChildren(el("p", null, `Uploading ${file.name}…`));
  try {
    const res = await upload(file, (f) => {
      bar.value = f;
      if (f >= 1) status.replaceChildren(el("p", null, `Reading ${file.name}: finding passages, entities and relations…`));
    }, keyHeader());
    bar.hidden = true;  // done before the message says so (the list refresh below takes a moment)
    const verb = res.status === "unchanged" ? "is already in the store" : "was added";
    status.replaceChildren(el("p", { class: "ok" }, `${file.name} ${verb}: ${plural(res.passages, "passage")}, ${plural(res.items, "item")}.`),
      pickList(res, "warnings").length ? el("ul", { class: "warnings" }, res.warnings.map((w) => el("li", null, `Warning: ${w}`))) : null);
    announce(`${file.name} ${verb}.`);
    await refresh();
  } catch (err) {
    status.replaceChildren();
    showError(err, `Upload of ${file.name}`);
  } finally {
    bar.hidden = true;
  }
}

function showControls() {
  $("#upload-zone").hidden = !canWrite();
  $("#api-key-row").hidden = !(state.health.writable && state.health.needs_key);
  $("#upload-readonly").hidden = Boolean(state.health.writable);
}

/** Upload and delete controls when the service accepts writes (after its API key is typed, if it needs one). */
export function setupUpload() {
  showControls();
  const zone = $("#upload-zone");
  $("#api-key").addEventListener("change", (ev) => {
    state.apiKey = ev.target.value.trim();
    showControls();
    if (out.dataset.loaded) showReports(true);
  });
  const input = $("#upload-input");
  input.addEventListener("change", () => { if (input.files.length) send(input.files[0]).then(() => { input.value = ""; }); });
  zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("dragging");
    const file = ev.dataTransfer && ev.dataTransfer.files[0];
    if (file) send(file);
  });
}

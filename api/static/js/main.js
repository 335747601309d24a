/* peelgraph web page: ES modules, no build step, nothing loaded from the internet. */
import { api } from "./api.js";
import { $, el, fmtNum, pickList } from "./dom.js";
import { renderCurrentView } from "./details.js";
import { exportButtons } from "./export.js";
import { fit } from "./graph-view.js";
import { loadLegend } from "./legend.js";
import { onTabShown } from "./tabs.js";
import { showError, state } from "./ui.js";
import "./views/ask.js";
import "./views/search.js";
import "./views/trace.js";
import "./views/compare.js";
import { showCrosscutting } from "./views/crosscutting.js";
import { onReportsChanged, setupUpload, showReports } from "./views/reports.js";
import { showTracker } from "./views/tracker.js";

function options(select, values) {
  const keep = select.querySelector("option[value='']");
  select.replaceChildren(keep, ...values.map(([value, label]) => el("option", { value }, label)));
}

function fillFilters(themes) {
  const reports = [...state.reports.values()];
  const years = [...new Set(reports.map((r) => r.year).filter(Boolean))].map((y) => [y, y]);
  for (const id of ["#search-year", "#ask-year", "#tracker-year"]) options($(id), years);
  options($("#ask-force"), [...new Set(reports.map((r) => r.force).filter(Boolean))].sort().map((f) => [f, f]));
  options($("#search-report"), reports.map((r) => [r.report_id, [r.force, r.year].filter(Boolean).join(" ") || r.title]));
  if (themes) {
    options($("#search-theme"), themes.map((t) => [t.id, t.label || t.id]));
    $("#compare-options").replaceChildren(...themes.map((t) => el("option", { value: t.label || t.id })));
  }
}

async function loadCorpus(withThemes = false) {
  const [stats, reports, themes] = await Promise.all([api("/api/stats"), api("/api/reports"),
    withThemes ? api("/api/themes") : null]);
  state.reports.clear();
  for (const r of pickList(reports)) state.reports.set(r.report_id, r);
  const per = pickList(stats, "reports");
  const sum = (k) => per.reduce((n, r) => n + (r[k] || 0), 0);
  const items = [["reports", per.length], ["passages", stats.passages || 0], ["recommendations", sum("recommendations")],
    ["areas for improvement", sum("areas_for_improvement")], ["causes of concern", sum("causes_of_concern")]];
  $("#stats").replaceChildren(...items.map(([k, v]) => el("div", { class: "stat" }, el("dt", null, k), el("dd", null, fmtNum(v)))));
  fillFilters(themes ? pickList(themes) : null);
}

onTabShown((name) => {
  if (name === "crosscutting") showCrosscutting();
  if (name === "reports") showReports();
  if (name === "tracker") showTracker();
  $("#main").dataset.tab = name;
  renderCurrentView();
});
onReportsChanged(() => loadCorpus(false));

async function start() {
  exportButtons();
  window.addEventListener("resize", () => { if (!$("#graph-section").hidden) fit(); });
  try {
    state.health = await api("/api/health");
    await loadLegend();
    setupUpload();
    await loadCorpus(true);
  } catch (err) {
    showError(err, "Could not load the corpus");
  }
}

start();

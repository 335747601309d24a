/* Cross-cutting issues: ranked by how many themes, questions and years their evidence spans. */
import { api } from "../api.js";
import { $, $$, el, asList, fmtNum, labelOf, pickList, plural, showMore } from "../dom.js";
import { drawNeighbourhood } from "../details.js";
import { runTask } from "../ui.js";

let loaded = false;

function render(out, list) {
  if (!list.length) {
    out.replaceChildren(el("p", { class: "empty" }, "No cross-cutting issues found."));
    return;
  }
  const ol = el("ol", { class: "cc-list" });
  const item = (issue) => {
    const facts = [];
    if (asList(issue.questions).length) facts.push(plural(asList(issue.questions).length, "question"));
    if (asList(issue.reports).length) facts.push(plural(asList(issue.reports).length, "report"));
    if (asList(issue.affects).length) facts.push(`affects ${asList(issue.affects).length}`);
    const button = el("button", { type: "button", class: "cc-item", "aria-pressed": "false" },
      el("span", { class: "cc-label" }, labelOf(issue)),
      typeof issue.score === "number" ? el("span", { class: "score" }, `score ${fmtNum(issue.score)}`) : null,
      el("span", { class: "chips" }, asList(issue.themes).map((t) => el("span", { class: "chip" }, labelOf(t)))),
      facts.length ? el("span", { class: "cc-facts" }, facts.join(" · ")) : null);
    button.addEventListener("click", () => {
      for (const b of $$(".cc-item", ol)) b.setAttribute("aria-pressed", b === button ? "true" : "false");
      drawNeighbourhood(issue.id, labelOf(issue), "crosscutting", issue)
        .then(() => $("#graph-section").scrollIntoView({ block: "nearest" }));
    });
    return el("li", null, button);
  };
  out.replaceChildren(...[ol, showMore(ol, list, item, 12)].filter(Boolean));
}

export async function showCrosscutting() {
  if (loaded) return;
  loaded = true;
  const out = $("#crosscutting-result");
  await runTask("crosscutting", { out, busyText: "Ranking the cross-cutting issues…", context: "Cross-cutting issues" }, async (signal) => {
    try {
      render(out, pickList(await api("/api/crosscutting", { signal })));
    } catch (err) {
      loaded = false;
      throw err;
    }
  });
}

/* Export buttons: the current tab's graph as a file in any of the API's formats. */
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { announce, clearError, showError, state } from "./ui.js";

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
    const url = URL.createObjectURL(await res.blob());
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

export function exportButtons() {
  $("#export-buttons").replaceChildren(...FORMATS.map(([format, label, ext]) => {
    const b = el("button", { type: "button", dataset: { format }, title: `Download this graph as ${label}` }, label);
    b.addEventListener("click", () => exportGraph(format, label, ext, b));
    return b;
  }));
}

/* The SVG graph: drawing, pan and zoom, and choosing a node or a link with the mouse or the keyboard. */
import { $, $$, el, svgEl, human } from "./dom.js";
import { declutter, edgeGeometry, labelWidth, layout, nodeRadius, shortLabel, spreadParallel, stretch } from "./graph-model.js";
import { edgeStyle, nodeFill, nodeTypeLabel, polarityColour, polarityKey, relationLabel, textOn } from "./legend.js";

const svg = $("#graph");
export const view = { t: { x: 0, y: 0, k: 1 }, g: null, viewport: null, selected: null };
const handlers = { node: () => {}, edge: () => {} };

/** What choosing a node or a link does (the details panel sets these). */
export function onChoose(node, edge) {
  handlers.node = node;
  handlers.edge = edge;
}

function applyTransform() {
  const { x, y, k } = view.t;
  if (view.viewport) view.viewport.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${k.toFixed(4)})`);
}

function markerFor(key, colour) {
  return svgEl("marker", {
    id: `arrow-${key}`, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7",
    markerUnits: "userSpaceOnUse", orient: "auto",
  }, svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
}

export const edgeName = (e) => `${e.source.label} ${relationLabel(e.type)}${e.polarity ? ` (${e.polarity})` : ""} ${e.target.label}`;

function drawEdge(e, edgeLayer, hitLayer) {
  const d = edgeGeometry(e);
  const style = edgeStyle(e.type, e.polarity);
  e.path = svgEl("path", {
    class: `edge edge-${e.type}`, d, fill: "none", stroke: style.colour, "stroke-width": style.width,
    "stroke-dasharray": style.dash, "marker-end": `url(#arrow-${polarityKey(e.polarity)})`,
  });
  edgeLayer.append(e.path);
  e.hit = svgEl("path", { class: "edge-hit", d, tabindex: "0", role: "button", "aria-label": `Link: ${edgeName(e)}` },
    svgEl("title", null, edgeName(e)));
  e.hit.__edge = e;
  hitLayer.append(e.hit);
}

function drawNode(d, nodeLayer) {
  const r = nodeRadius(d);
  const fill = nodeFill(d.type);
  const name = `${d.label} (${nodeTypeLabel(d.type)})`;
  d.el = svgEl("g", {
    class: "node", tabindex: "0", role: "button", transform: `translate(${d.x.toFixed(1)},${d.y.toFixed(1)})`,
    "aria-label": name, dataset: { id: d.id },
  },
  svgEl("title", null, name),
  svgEl("circle", { r, fill, stroke: textOn(fill) === "#000000" ? "#424242" : "#ffffff" }),
  svgEl("text", { x: r + 4, y: 4 }, shortLabel(d.label)));
  d.el.__node = d;
  nodeLayer.append(d.el);
}

export function drawGraph(g) {
  view.g = g;
  view.selected = null;
  const { nodes, edges } = g;
  for (const d of nodes) d.degree = 0;
  for (const e of edges) { e.source.degree++; e.target.degree++; }
  layout(nodes, edges);
  stretch(nodes, svg.clientWidth || 800, svg.clientHeight || 500);
  declutter(nodes);
  spreadParallel(edges);
  const defs = svgEl("defs", null, ["negative", "positive"].map((k) => markerFor(k, polarityColour(k))),
    markerFor("none", "#3c4043"));
  const edgeLayer = svgEl("g", { class: "edges", "aria-hidden": "true" });
  const nodeLayer = svgEl("g", { class: "nodes" });
  const hitLayer = svgEl("g", { class: "edge-hits" });
  for (const e of edges) drawEdge(e, edgeLayer, hitLayer);
  for (const d of nodes) drawNode(d, nodeLayer);
  view.viewport = svgEl("g", { class: "viewport" }, edgeLayer, hitLayer, nodeLayer);
  svg.replaceChildren(defs, view.viewport);
  svg.setAttribute("aria-label", `Graph with ${nodes.length} nodes and ${edges.length} links`);
  renderLegend(g);
  fit();
}

export function fit() {
  const g = view.g;
  if (!g || !g.nodes.length) return;
  const W = svg.clientWidth || 800;
  const H = svg.clientHeight || 500;
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const d of g.nodes) {
    const r = nodeRadius(d);
    x0 = Math.min(x0, d.x - r);
    y0 = Math.min(y0, d.y - r);
    x1 = Math.max(x1, d.x + r + 6 + labelWidth(d));
    y1 = Math.max(y1, d.y + r);
  }
  const pad = 24;
  const k = Math.max(0.15, Math.min(1.6, (W - 2 * pad) / (x1 - x0 || 1), (H - 2 * pad) / (y1 - y0 || 1)));
  view.t = { k, x: W / 2 - k * (x0 + x1) / 2, y: H / 2 - k * (y0 + y1) / 2 };
  applyTransform();
}

function zoomBy(factor, px, py) {
  if (px === undefined) { px = (svg.clientWidth || 800) / 2; py = (svg.clientHeight || 500) / 2; }
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

/** Choose what is under the pointer or has the focus: a node or a link. */
function activate(target) {
  if (!target || !target.closest) return false;
  const nodeEl = target.closest(".node");
  if (nodeEl) {
    select(nodeEl);
    handlers.node(nodeEl.__node);
    return true;
  }
  const hit = target.closest(".edge-hit");
  if (hit) {
    select(hit);
    handlers.edge(hit.__edge);
    return true;
  }
  return false;
}

export function select(elm) {
  for (const s of $$(".selected, .incident", svg)) s.classList.remove("selected", "incident");
  view.selected = elm;
  if (!elm) return;
  elm.classList.add("selected");
  if (elm.__node && view.g) {
    for (const e of view.g.edges) if (e.source === elm.__node || e.target === elm.__node) e.path.classList.add("incident");
  }
  if (elm.__edge) elm.__edge.path.classList.add("incident");
}

/* Pointer: drag the background to pan, drag a node to move it; press and release without moving chooses.
 * The choice is made on pointerup from the element pressed: with pointer capture on the SVG, the browser's
 * click event targets the SVG itself, not the node (the bug where a mouse click on a node did nothing). */
let drag = null;
svg.addEventListener("pointerdown", (ev) => {
  if (ev.button !== 0) return;
  const nodeEl = ev.target.closest(".node");
  const hit = ev.target.closest(".edge-hit");
  drag = { x: ev.clientX, y: ev.clientY, moved: false, target: ev.target, node: nodeEl ? nodeEl.__node : null,
    pan: !nodeEl && !hit };
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
svg.addEventListener("pointerup", () => {
  if (drag && !drag.moved) activate(drag.target);
  drag = null;
  svg.classList.remove("panning");
});
svg.addEventListener("pointercancel", () => { drag = null; svg.classList.remove("panning"); });
svg.addEventListener("wheel", (ev) => {
  ev.preventDefault();
  const rect = svg.getBoundingClientRect();
  zoomBy(Math.exp(-ev.deltaY * 0.0015), ev.clientX - rect.left, ev.clientY - rect.top);
}, { passive: false });

const KEYS = {
  "+": () => zoomBy(1.25), "=": () => zoomBy(1.25), "-": () => zoomBy(0.8), _: () => zoomBy(0.8), 0: fit,
  ArrowLeft: () => panBy(40, 0), ArrowRight: () => panBy(-40, 0), ArrowUp: () => panBy(0, 40), ArrowDown: () => panBy(0, -40),
  Escape: () => select(null),
};
svg.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" || ev.key === " ") {
    if (activate(ev.target)) ev.preventDefault();
    return;
  }
  if (KEYS[ev.key]) {
    KEYS[ev.key]();
    ev.preventDefault();
  }
});

// keep the focused node in sight
svg.addEventListener("focusin", (ev) => {
  const nodeEl = ev.target.closest && ev.target.closest(".node");
  if (!nodeEl) return;
  const d = nodeEl.__node;
  const sx = d.x * view.t.k + view.t.x;
  const sy = d.y * view.t.k + view.t.y;
  if (sx < 20 || sx > svg.clientWidth - 80 || sy < 20 || sy > svg.clientHeight - 20) {
    view.t.x = svg.clientWidth / 2 - d.x * view.t.k;
    view.t.y = svg.clientHeight / 2 - d.y * view.t.k;
    applyTransform();
  }
});

$("#zoom-in").addEventListener("click", () => zoomBy(1.25));
$("#zoom-out").addEventListener("click", () => zoomBy(0.8));
$("#zoom-reset").addEventListener("click", fit);

function legendLine(style) {
  return svgEl("svg", { width: "34", height: "12", "aria-hidden": "true", focusable: "false" },
    svgEl("line", { x1: "1", y1: "6", x2: "33", y2: "6", stroke: style.colour, "stroke-width": style.width,
      "stroke-dasharray": style.dash }));
}

/** The legend of what this graph shows, drawn from the one legend table. */
function renderLegend(g) {
  const types = [...new Set(g.nodes.map((d) => d.type))].sort();
  const rels = [...new Set(g.edges.map((e) => e.type))].sort();
  const pols = [...new Set(g.edges.map((e) => polarityKey(e.polarity)))].filter((p) => p !== "none").sort();
  $("#legend").replaceChildren(
    el("h3", { class: "visually-hidden" }, "Legend"),
    el("ul", { class: "legend-list" },
      types.map((t) => el("li", null,
        el("span", { class: "swatch", style: { background: nodeFill(t) }, "aria-hidden": "true" }), nodeTypeLabel(t))),
      rels.map((r) => el("li", null, legendLine(edgeStyle(r, null)), relationLabel(r))),
      pols.map((p) => el("li", null, legendLine(edgeStyle(null, p)), human(p)))));
}

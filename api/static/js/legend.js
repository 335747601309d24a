/* The one legend (GET /api/legend, ontology/legend.json): node fills, relation strokes, polarity colours.
 * The same rule as the exports: colour says polarity (negative red and dashed, positive green), width and
 * dash say the relation type. */
import { api } from "./api.js";

let legend = { node_types: {}, other_node: { label: "Other", fill: "#ffffff" }, relation_types: {},
  other_relation: { colour: "#616161", width: 2, dash: [] }, polarity: {} };

export async function loadLegend() {
  legend = await api("/api/legend");
  return legend;
}

export const nodeFill = (type) => (legend.node_types[type] || legend.other_node).fill;
export const nodeTypeLabel = (type) => (legend.node_types[type] || { label: String(type || "other").replace(/_/g, " ") }).label;
export const relationLabel = (type) => (legend.relation_types[type] || { label: String(type || "related").replace(/_/g, " ") }).label;
export const polarityKey = (p) => (p === "negative" || p === "positive" ? p : "none");

/** {colour, width, dash} of an edge of this type and polarity. */
export function edgeStyle(type, polarity) {
  const base = legend.relation_types[type] || legend.other_relation;
  const pol = legend.polarity[polarity];
  const dash = polarity === "negative" && pol && pol.dash ? pol.dash : base.dash || [];
  return { colour: pol ? pol.colour : base.colour, width: base.width || 2, dash: dash.length ? dash.join(" ") : null };
}

export const polarityColour = (p) => (legend.polarity[p] || legend.other_relation).colour;

/** Black or white text, whichever reads better on the fill (WCAG luminance), as the exports do. */
export function textOn(fill) {
  const c = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const lum = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
}

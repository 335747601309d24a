/* The graph model: nodes and edges from any of the API's graph shapes, and a deterministic force layout. */
import { asList, isObj, pickList } from "./dom.js";

/** Nodes and edges from any of the API's graph shapes, edges pointing at node objects. */
export function normaliseGraph(g) {
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
export function layout(nodes, edges) {
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

export const nodeRadius = (d) => Math.min(17, 7 + 2.2 * Math.sqrt(d.degree || 0));
export const shortLabel = (s) => {
  if (s.length <= 34) return s;
  const cut = s.slice(0, 33);
  const space = cut.lastIndexOf(" ");
  return `${space > 16 ? cut.slice(0, space) : cut}…`; // never cut mid-word when a word boundary is near
};
export const labelWidth = (d) => 6.6 * shortLabel(d.label).length;

/** Scale the layout (each axis on its own) to fill a W x H drawing area at zoom 1, never cramming nodes. */
export function stretch(nodes, W, H) {
  if (nodes.length < 2) return;
  const xs = nodes.map((d) => d.x);
  const ys = nodes.map((d) => d.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const labelRoom = Math.min(220, 8 + Math.max(...nodes.map(labelWidth)));
  const sx = x1 > x0 ? Math.max(0.6, Math.min(1.8, (W - 60 - labelRoom) / (x1 - x0))) : 1;
  const sy = y1 > y0 ? Math.max(0.6, Math.min(1.8, (H - 60) / (y1 - y0))) : 1;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  for (const d of nodes) {
    d.x = (d.x - cx) * sx;
    d.y = (d.y - cy) * sy;
  }
}

function pushApart(p, q, a, b, i, j) {
  const ox = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
  const oy = Math.min(a[3], b[3]) - Math.max(a[2], b[2]);
  if (ox <= 0 || oy <= 0) return false;
  if (oy <= ox) {
    const dir = p.y < q.y || (p.y === q.y && i < j) ? -1 : 1;
    p.y += (dir * oy) / 2 + dir * 0.5;
    q.y -= (dir * oy) / 2 + dir * 0.5;
  } else {
    const dir = p.x < q.x ? -1 : 1;
    p.x += (dir * ox) / 2;
    q.x -= (dir * ox) / 2;
  }
  return true;
}

/** Push apart nodes whose circles or labels overlap, mostly up and down since labels are wide. */
export function declutter(nodes) {
  const n = nodes.length;
  if (n < 2 || n > 300) return;
  const box = (d) => {
    const r = nodeRadius(d);
    return [d.x - r - 2, d.x + r + 8 + labelWidth(d), d.y - Math.max(r, 9) - 2, d.y + Math.max(r, 9) + 2];
  };
  for (let it = 0; it < 80; it++) {
    let moved = false;
    const boxes = nodes.map(box);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) moved = pushApart(nodes[i], nodes[j], boxes[i], boxes[j], i, j) || moved;
    }
    if (!moved) break;
  }
}

/** Spread parallel edges between the same two nodes over curves. */
export function spreadParallel(edges) {
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
}

export function edgeGeometry(e) {
  const s = e.source;
  const t = e.target;
  const rs = nodeRadius(s);
  const rt = nodeRadius(t);
  if (s === t) {
    const o = 26 + 10 * e.slot;
    return `M${s.x + rs * 0.7},${s.y - rs * 0.7} C${s.x + o + 20},${s.y - o - 30} ${s.x + o + 40},${s.y + 10} ${s.x + rs + 4},${s.y + rs * 0.4}`;
  }
  const vx = t.x - s.x;
  const vy = t.y - s.y;
  const len = Math.sqrt(vx * vx + vy * vy) || 1;
  const flip = s.id < t.id ? 1 : -1; // one normal per unordered pair: both directions spread to both sides
  const cx = (s.x + t.x) / 2 + (-vy / len) * flip * e.offset;
  const cy = (s.y + t.y) / 2 + (vx / len) * flip * e.offset;
  const toward = (p, q, r) => {
    const ux = q[0] - p[0];
    const uy = q[1] - p[1];
    const l = Math.sqrt(ux * ux + uy * uy) || 1;
    return [p[0] + (ux / l) * r, p[1] + (uy / l) * r];
  };
  const a = toward([s.x, s.y], [cx, cy], rs + 1);
  const b = toward([t.x, t.y], [cx, cy], rt + 3);
  const f = (p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`;
  return e.offset === 0 ? `M${f(a)} L${f(b)}` : `M${f(a)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${f(b)}`;
}

/* DOM helpers: every piece of text from the API goes on the page as text, never parsed as HTML. */

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const SVGNS = "http://www.w3.org/2000/svg";

function setAttrs(node, attrs) {
  if (!attrs) return node;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "style") Object.assign(node.style, v); // CSSOM: allowed by the page's Content-Security-Policy
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

export const el = (tag, attrs, ...children) => append(setAttrs(document.createElement(tag), attrs), children);
export const svgEl = (tag, attrs, ...children) => append(setAttrs(document.createElementNS(SVGNS, tag), attrs), children);

let uid = 0;
export const nextId = (prefix) => `${prefix}-${++uid}`;

export const human = (s) => String(s ?? "").replace(/_/g, " ");
export const sentence = (s) => s.charAt(0).toUpperCase() + s.slice(1);
export const isObj = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
export const asList = (x) => (Array.isArray(x) ? x : x == null ? [] : [x]);
export const fmtNum = (n) => (typeof n === "number" ? n.toLocaleString("en-GB", { maximumFractionDigits: 3 }) : String(n));
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
export const labelOf = (x) => (isObj(x) ? x.label || x.name || x.id : String(x));
export const idOf = (x) => (x === null || x === undefined ? null : isObj(x) ? String(x.id ?? x.label) : String(x));

/** The first list found under any of the keys, or the value itself when it is a list. */
export function pickList(data, ...keys) {
  if (Array.isArray(data)) return data;
  if (!isObj(data)) return [];
  for (const k of keys) if (Array.isArray(data[k])) return data[k];
  return [];
}

/** Render the first items of a list, with a button that shows the rest. */
export function showMore(list, items, render, first = 8) {
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

/** A button that shows and hides a block (aria-expanded); the block is built on first opening. */
export function disclosure(label, build) {
  const id = nextId("more");
  const box = el("div", { class: "passage", id, hidden: true });
  const button = el("button", { type: "button", class: "toggle", "aria-expanded": "false", "aria-controls": id },
    `Show ${label}`);
  let built = false;
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = `${open ? "Hide" : "Show"} ${label}`;
    box.hidden = !open;
    if (open && !built) {
      built = true;
      box.replaceChildren(await build());
    }
  });
  return [button, box];
}

/* The tab list: roving tabindex, arrow keys, Home and End; each view registers what showing it does. */
import { $, $$ } from "./dom.js";
import { state } from "./ui.js";

const tabs = $$('[role="tab"]');
const shown = [];

/** Call fn(name) whenever a tab is shown. */
export const onTabShown = (fn) => shown.push(fn);

export function selectTab(tab, focus = true) {
  if (typeof tab === "string") tab = $(`#tab-${tab}`);
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", on ? "true" : "false");
    t.tabIndex = on ? 0 : -1;
    $(`#${t.getAttribute("aria-controls")}`).hidden = !on;
  }
  if (focus) tab.focus();
  state.tab = tab.id.replace(/^tab-/, "");
  for (const fn of shown) fn(state.tab);
}

$("#tabs").addEventListener("click", (ev) => {
  const tab = ev.target.closest('[role="tab"]');
  if (tab) selectTab(tab);
});

$("#tabs").addEventListener("keydown", (ev) => {
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const moves = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: tabs.length - 1 };
  if (!(ev.key in moves)) return;
  ev.preventDefault();
  selectTab(tabs[(moves[ev.key] + tabs.length) % tabs.length]);
});

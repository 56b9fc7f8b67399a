// Activity: who changed the content or acted on a partner, newest first.

import { api } from "./api.js";
import { $, clear, el, when } from "./dom.js";

const PAGE = 50;
const ACTIONS = {
  "content.create": "📝 Created a session",
  "content.update": "📝 Edited a session",
  "content.delete": "🗑️ Deleted a session",
  "content.restore": "↩️ Restored a session",
  "content.reorder": "🔀 Reordered sessions",
  "content.load": "📦 Loaded the content (genie kb load)",
  "partner.reset": "🔄 Reset a partner's training",
  "partner.erase": "🧹 Erased a partner",
  "partner.language": "🌐 Changed a partner's language",
  "partner.timezone": "🕒 Changed a partner's time zone",
};
let offset = 0;

function details(entry) {
  const parts = Object.entries(entry.detail || {})
    .filter(([name]) => name !== "version")
    .map(([name, value]) => `${name}: ${typeof value === "object" ? JSON.stringify(value) : value}`);
  return parts.join(" · ");
}

function target(entry) {
  const match = /^session (\d+)$/.exec(entry.target || "");
  if (match && entry.action !== "content.delete") return el("a", { href: `#content/${match[1]}` }, entry.target);
  if (entry.phone) return el("a", { href: `#partner/${encodeURIComponent(entry.phone)}` }, entry.target || entry.phone);
  return entry.target || "";
}

function row(entry) {
  return el("tr", { "data-action": entry.action },
    el("td", { "data-label": "When" }, when(entry.at)),
    el("td", { "data-label": "Who" }, entry.who),
    el("td", { "data-label": "What" }, el("div", {}, ACTIONS[entry.action] || entry.action, el("br"), target(entry))),
    el("td", { "data-label": "Details", class: "muted small" }, details(entry)));
}

async function load(append) {
  const entries = await api("/activity", { params: { area: $("#activity-area").value, limit: PAGE, offset } });
  const body = $("#activity-table tbody");
  if (!append) clear(body);
  for (const entry of entries) body.append(row(entry));
  if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "Nothing recorded yet.")));
  $("#activity-more").hidden = entries.length < PAGE;
}

export async function showActivity() {
  offset = 0;
  await load(false);
}

export function initActivity() {
  $("#activity-area").addEventListener("change", showActivity);
  $("#activity-more").addEventListener("click", () => { offset += PAGE; load(true); });
}

// Partners: a searchable, filterable table; a row opens the partner's transcript.

import { api, download } from "./api.js";
import { $, ago, clear, debounce, el } from "./dom.js";
import { showReminderSummary } from "./reminders.js";

const PAGE = 25;
export const STATUS = {
  new: "New", in_training: "In training", paused: "Paused", completed: "Completed", opted_out: "Opted out",
};
let offset = 0;
let total = 0;
let sessionCount = 0;

function filters() {
  const [sort, order] = $("#partner-sort").value.split(":");
  return {
    q: $("#partner-search").value.trim(),
    status: $("#partner-status").value,
    paused_days: $("#paused-days").value || undefined, // the server's PARTNER_PAUSED_DAYS
    sort,
    order,
  };
}

function progressCell(p) {
  const done = p.completed_sections.length;
  const share = sessionCount ? Math.min(done / sessionCount, 1) : 0;
  const fill = el("span");
  fill.style.width = `${Math.round(share * 100)}%`; // CSSOM: allowed by the page's CSP
  return el("td", { "data-label": "Progress" }, el("div", {},
    el("div", { class: "progress" }, fill),
    el("span", { class: "muted small" },
      `${done}/${sessionCount} done${p.current_section ? ` · on ${p.current_section}` : ""}`)));
}

function row(p) {
  const open = () => { location.hash = `#partner/${encodeURIComponent(p.phone)}`; };
  return el("tr", {
    tabindex: 0, class: "clickable", "data-phone": p.phone,
    onclick: open, onkeydown: (e) => { if (e.key === "Enter") open(); },
  },
    el("td", { "data-label": "Partner" }, el("div", {},
      el("strong", {}, p.name || "(no name)"), el("br"), el("span", { class: "muted small" }, p.phone))),
    el("td", { "data-label": "Status" }, el("span", { class: `badge ${p.status}` }, STATUS[p.status])),
    progressCell(p),
    el("td", { "data-label": "Last activity", title: p.last_activity || "" }, ago(p.last_activity)),
    el("td", { "data-label": "Questions" }, String(p.questions)));
}

async function load() {
  const [page, sessions] = await Promise.all([
    api("/partners", { params: { ...filters(), limit: PAGE, offset } }),
    api("/sessions"),
  ]);
  sessionCount = sessions.length;
  total = page.total;
  const body = clear($("#partners-table tbody"));
  for (const p of page.items) body.append(row(p));
  if (!page.items.length) {
    body.append(el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No partners match.")));
  }
  const last = Math.min(offset + PAGE, total);
  $("#partners-count").textContent = total ? `${offset + 1}–${last} of ${total} partners` : "";
  $("#prev-page").disabled = offset === 0;
  $("#next-page").disabled = offset + PAGE >= total;
}

export async function showPartners() {
  await Promise.all([load(), showReminderSummary()]);
}

function reload() {
  offset = 0;
  load();
}

export function initPartners() {
  $("#partner-search").addEventListener("input", debounce(reload, 250));
  $("#partner-status").addEventListener("change", reload);
  $("#partner-sort").addEventListener("change", reload);
  $("#paused-days").addEventListener("change", reload);
  $("#partner-filters").addEventListener("submit", (e) => { e.preventDefault(); reload(); });
  $("#prev-page").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  $("#next-page").addEventListener("click", () => { offset += PAGE; load(); });
  $("#export-csv").addEventListener("click", () =>
    download("/partners/export.csv", filters(), "partners.csv"));
}

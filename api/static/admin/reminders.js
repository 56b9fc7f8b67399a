// Reminders: per partner what was sent and when (with the time zone control), and per step
// how many partners came back within 48 hours. Rendered into the partner and partners views.

import { api } from "./api.js";
import { $, clear, el, percent, toast, when } from "./dom.js";

function channel(r) {
  if (r.channel === "text") return "message";
  return `template ${r.template}${r.fallback ? " (after 63016)" : ""}`;
}

function reminderRow(r) {
  return el("tr", {},
    el("td", { "data-label": "Step" }, r.step),
    el("td", { "data-label": "Sent" }, when(r.sent_at)),
    el("td", { "data-label": "As" }, channel(r)),
    el("td", { "data-label": "Status" }, r.status + (r.error ? `: ${r.error}` : "")),
    el("td", { "data-label": "Came back" }, r.came_back_at ? when(r.came_back_at) : "—"));
}

export async function showPartnerReminders(phone, partner) {
  const box = clear($("#partner-reminders"));
  const list = await api(`/partners/${encodeURIComponent(phone)}/reminders`);
  const optedOut = partner.opted_out
    ? el("p", {}, el("span", { class: "badge stalled" }, "Opted out"),
      ` said STOP ${when(partner.opted_out_at)}: no reminders until they say START.`)
    : null;
  const zone = el("input", {
    id: "partner-timezone", value: partner.timezone || "", maxlength: 64,
    placeholder: "from the phone number", "aria-label": "Time zone (IANA name)",
  });
  const save = el("button", { type: "button", class: "ghost" }, "Save time zone");
  save.addEventListener("click", async () => {
    const body = { timezone: zone.value.trim() || null };
    const out = await api(`/partners/${encodeURIComponent(phone)}/timezone`, { method: "PUT", body });
    toast(`Quiet hours follow ${out.effective}`);
  });
  const table = el("table", { class: "table" },
    el("thead", {}, el("tr", {}, ...["Step", "Sent", "As", "Status", "Came back"].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...list.map(reminderRow)));
  box.append(el("h2", {}, "Reminders"), optedOut || "",
    list.length ? table : el("p", { class: "muted" }, "No reminders sent."),
    el("div", { class: "toolbar" }, el("label", { class: "inline", for: "partner-timezone" }, "Time zone"), zone, save));
}

export async function showReminderSummary() {
  const box = clear($("#reminder-summary"));
  const summary = await api("/reminders/summary", { params: { days: 30 } });
  const rows = summary.steps.map((s) => el("tr", {},
    el("td", { "data-label": "Step" }, s.step),
    el("td", { "data-label": "Sent" }, String(s.sent)),
    el("td", { "data-label": "Templates" }, `${s.templates}${s.fallbacks ? ` (${s.fallbacks} after 63016)` : ""}`),
    el("td", { "data-label": "Came back in 48 h" }, `${s.came_back} · ${percent(s.came_back_rate)}`),
    el("td", { "data-label": "Failed" }, String(s.failed))));
  box.append(el("h2", {}, "Reminders, last 30 days"),
    el("p", { class: "muted small" }, `${summary.opted_out} partners opted out (STOP).`),
    el("table", { class: "table" },
      el("thead", {}, el("tr", {}, ...["Step", "Sent", "Templates", "Came back in 48 h", "Failed"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows)));
}

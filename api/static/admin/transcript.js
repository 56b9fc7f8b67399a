// One partner: progress per session, the transcript as a WhatsApp chat, language, reset and erase.

import { api } from "./api.js";
import { $, bubble, clear, clock, el, listPicker, toast, when } from "./dom.js";
import { showPartnerReminders } from "./reminders.js";

let phone = null;

function sessionLabel(s_no, headings) {
  return s_no === null ? "Outside training" : `Session ${s_no} · ${headings[s_no] || "(deleted)"}`;
}

function drawTranscript(t) {
  const chat = clear($("#transcript"));
  if (!t.entries.length) chat.append(el("p", { class: "muted center" }, "No messages."));
  let day = null;
  let session;
  for (const e of t.entries) {
    const thisDay = new Date(e.time).toDateString();
    if (thisDay !== day) {
      day = thisDay;
      chat.append(el("div", { class: "divider day" }, el("span", {}, when(e.time).split(",")[0])));
    }
    if (e.session !== session && t.session === null) {
      session = e.session;
      chat.append(el("div", { class: "divider session" }, el("span", {}, sessionLabel(session, t.headings))));
    }
    const fate = e.source === "rate_limited" && e.who === "partner" ? " · held back (rate limit)" : "";
    const options = e.options || null;
    const buttons = options && options.kind === "buttons" ? options.titles : [];
    const line = bubble(e.who, e.text, clock(e.time) + fate, null, true, buttons);
    if (options && options.kind === "list") line.insertBefore(listPicker(options), line.lastChild);
    chat.append(line);
  }
}

async function loadTranscript() {
  const session = $("#transcript-session").value;
  const t = await api(`/partners/${encodeURIComponent(phone)}/transcript`, {
    params: { session },
  });
  drawTranscript(t);
}

export async function showPartner(which) {
  phone = which;
  const detail = await api(`/partners/${encodeURIComponent(phone)}`);
  const p = detail.partner;
  $("#partner-name").textContent = p.name || p.phone;
  $("#partner-meta").textContent = [
    p.phone, p.status.replace("_", " "),
    `${p.completed_sections.length}/${detail.sessions.length} sessions done`,
    `started ${when(p.started_at)}`,
    detail.rate_limit && detail.rate_limit.held_back
      ? `${detail.rate_limit.held_back} messages held back by the limit ` +
        `(${detail.rate_limit.messages} per ${detail.rate_limit.window_s} s)`
      : null,
  ].filter(Boolean).join(" · ");
  const chips = clear($("#partner-sessions"));
  const select = clear($("#transcript-session"));
  select.append(el("option", { value: "" }, "All sessions"));
  for (const s of detail.sessions) {
    chips.append(el("span", { class: `chip ${s.state}`, title: `${s.heading}: ${s.state}` },
      `${s.state === "completed" ? "✓" : s.state === "current" ? "▶" : "○"} ${s.s_no}`));
    select.append(el("option", { value: s.s_no }, `Session ${s.s_no} · ${s.heading} (${s.messages})`));
  }
  await Promise.all([loadTranscript(), showPartnerReminders(phone, p), drawLanguages(p.language)]);
}

async function drawLanguages(current) {
  const languages = await api("/languages");
  const select = clear($("#partner-language"));
  const chosen = current || (languages.find((l) => l.default) || {}).code;
  for (const l of languages) {
    const note = l.missing_sessions.length ? ` (${l.missing_sessions.length} untranslated)` : "";
    select.append(el("option", { value: l.code }, `🌐 ${l.name}${note}`));
  }
  select.value = chosen;
}

export function initTranscript() {
  $("#transcript-session").addEventListener("change", loadTranscript);
  $("#partner-language").addEventListener("change", async (event) => {
    const language = event.target.value;
    await api(`/partners/${encodeURIComponent(phone)}/language`, { method: "PUT", body: { language } });
    toast("Language changed");
  });
  $("#reset-partner").addEventListener("click", async () => {
    if (!confirm(`Reset ${phone}'s training? Their completed sessions are cleared.`)) return;
    await api(`/partners/${encodeURIComponent(phone)}/reset`, { method: "POST" });
    toast("Training reset");
    await showPartner(phone);
  });
  $("#erase-partner").addEventListener("click", async () => {
    const typed = prompt(`This deletes every record about ${phone} (progress, chats, lead, ` +
      "WhatsApp messages) and cannot be undone. Type the phone number to confirm.");
    if (typed === null) return;
    if (typed.trim() !== phone) return toast("The number did not match; nothing was erased.", "error");
    const result = await api(`/partners/${encodeURIComponent(phone)}`, { method: "DELETE" });
    const count = Object.values(result.deleted).reduce((a, b) => a + b, 0);
    toast(`Erased ${count} records`);
    location.hash = "#partners";
  });
}

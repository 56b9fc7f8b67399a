// Content editor: session list with reordering, the form, a live WhatsApp preview and history.

import { api, ApiError } from "./api.js";
import { $, bubble, clear, debounce, el, toast, when } from "./dom.js";

const FIELDS = ["s_no", "heading", "content", "media_url"];
let sessions = [];
let order = [];
let current = null; // the selected session's number, or null for a new one

const field = (name) => $(`#f-${name}`);

function formBody() {
  const body = {};
  for (const name of FIELDS) body[name] = field(name).value;
  body.s_no = Number(body.s_no);
  body.media_url = body.media_url.trim() || null;
  return body;
}

function showErrors(errors) {
  for (const node of document.querySelectorAll(".field-error")) {
    node.textContent = errors[node.dataset.for] || "";
  }
}

function drawList() {
  const list = clear($("#session-list"));
  const byNumber = Object.fromEntries(sessions.map((s) => [s.s_no, s]));
  order.forEach((s_no, i) => {
    const move = (delta) => {
      const j = i + delta;
      if (j < 0 || j >= order.length) return;
      [order[i], order[j]] = [order[j], order[i]];
      $("#save-order").hidden = order.every((n, k) => n === sessions[k].s_no);
      drawList();
    };
    list.append(el("li", { class: s_no === current ? "selected" : "" },
      el("button", { type: "button", class: "pick", onclick: () => select(s_no) },
        el("span", { class: "num" }, String(s_no)), byNumber[s_no].heading),
      el("span", { class: "moves" },
        el("button", { type: "button", class: "ghost icon", "aria-label": `Move session ${s_no} up`, onclick: () => move(-1) }, "↑"),
        el("button", { type: "button", class: "ghost icon", "aria-label": `Move session ${s_no} down`, onclick: () => move(1) }, "↓"))));
  });
}

async function drawVersions() {
  const list = clear($("#versions"));
  if (current === null) return list.append(el("li", { class: "muted" }, "A new session has no history yet."));
  // This session's changes, and loads of the whole training (s_no 0: `genie kb load`).
  const [own, recent] = await Promise.all([api(`/sessions/${current}/versions`), api("/versions?limit=100")]);
  const versions = [...own, ...recent.filter((v) => v.s_no === 0)].sort((a, b) => (a.at < b.at ? 1 : -1));
  if (!versions.length) list.append(el("li", { class: "muted" }, "No changes recorded yet."));
  for (const v of versions) {
    const whole = v.s_no === 0;
    const before = whole ? `the whole training (${(v.previous_kb || []).length} sessions)`
      : v.previous ? `${v.previous.heading}: ${v.previous.content.slice(0, 140)}…` : "(did not exist)";
    const restore = async () => {
      const question = whole ? "Put back the whole training from before this load? Partners' progress is fitted to it."
        : "Put back the text from before this change?";
      if (!confirm(question)) return;
      await api(`/versions/${v.id}/restore`, { method: "POST" });
      toast(whole ? "Earlier training restored" : "Earlier text restored");
      await showContent(current);
    };
    list.append(el("li", {},
      el("div", {}, el("strong", {}, whole ? `${v.action} (all sessions)` : v.action), ` by ${v.who} · ${when(v.at)}`),
      el("div", { class: "muted small" }, `Before: ${before}`),
      v.action === "reorder" ? null :
        el("button", { type: "button", class: "ghost small", onclick: restore }, "Undo this change")));
  }
}

const preview = debounce(async () => {
  const body = { ...formBody(), name: "Asha" };
  if (!body.s_no) body.s_no = 1;
  try {
    const result = await api("/sessions/preview", { method: "POST", body });
    showErrors({});
    const chat = clear($("#preview"));
    for (const part of result.parts) chat.append(bubble("genie", part.text, `${part.chars} chars`, part.media_url, false, part.options));
    $("#preview-count").textContent = `· ${result.parts.length} message${result.parts.length > 1 ? "s" : ""}`;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 422) throw error;
    showErrors(error.fieldErrors());
    clear($("#preview")).append(el("p", { class: "muted center" }, "Fix the highlighted fields to see the preview."));
    $("#preview-count").textContent = "";
  }
}, 250);

function fill(session) {
  for (const name of FIELDS) field(name).value = session ? (session[name] ?? "") : "";
  field("s_no").readOnly = Boolean(session);
  $("#delete-session").hidden = !session;
  $("#editor-title").textContent = session ? `Edit session ${session.s_no}` : "New session";
  $("#editor-error").textContent = "";
  $("#content-count").textContent = `(${field("content").value.length} / 12000)`;
  showErrors({});
  preview();
}

function select(s_no) {
  current = s_no;
  fill(sessions.find((s) => s.s_no === s_no) || null);
  drawList();
  drawVersions();
}

export async function showContent(s_no) {
  sessions = await api("/sessions");
  order = sessions.map((s) => s.s_no);
  $("#save-order").hidden = true;
  const wanted = sessions.some((s) => s.s_no === s_no) ? s_no : sessions[0]?.s_no ?? null;
  select(wanted);
}

async function save(event) {
  event.preventDefault();
  const body = formBody();
  try {
    if (current === null) await api("/sessions", { method: "POST", body });
    else await api(`/sessions/${current}`, { method: "PUT", body });
    toast("Saved: partners get the new text from their next message");
    await showContent(body.s_no);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showErrors(error.fieldErrors());
    $("#editor-error").textContent = error.status === 422 ? "Please fix the fields above." : error.message;
  }
}

export function initEditor() {
  $("#editor").addEventListener("submit", save);
  $("#editor").addEventListener("input", () => {
    $("#content-count").textContent = `(${field("content").value.length} / 12000)`;
    preview();
  });
  $("#new-session").addEventListener("click", () => {
    current = null;
    fill(null);
    field("s_no").value = Math.max(0, ...sessions.map((s) => s.s_no)) + 1;
    drawList();
    drawVersions();
  });
  $("#delete-session").addEventListener("click", async () => {
    if (!confirm(`Delete session ${current}? It can be restored from the history.`)) return;
    await api(`/sessions/${current}`, { method: "DELETE" });
    toast(`Session ${current} deleted`);
    await showContent(null);
  });
  $("#save-order").addEventListener("click", async () => {
    const numbers = sessions.map((s) => s.s_no);
    const movedTo = current === null ? null : numbers[order.indexOf(current)];
    await api("/sessions/reorder", { method: "POST", body: { order } });
    toast("New order saved; partners keep their place");
    await showContent(movedTo);
  });
}

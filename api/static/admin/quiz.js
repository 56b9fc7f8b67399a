// Quizzes and feedback: first-try success per question, attempts to pass, satisfaction,
// comments, and the certificates (revoke, reissue with a corrected name).

import { api, download } from "./api.js";
import { $, clear, el, when, toast } from "./dom.js";

const pct = (value) => (value === null || value === undefined ? "—" : `${value}%`);

function kpis(a) {
  const kpi = (label, value, note) => el("div", { class: "kpi card" },
    el("span", { class: "kpi-label" }, label),
    el("strong", { class: "kpi-value" }, value),
    note ? el("span", { class: "kpi-note muted" }, note) : null);
  clear($("#quiz-kpis")).append(
    kpi("Average satisfaction", a.average_rating === null ? "—" : `${a.average_rating} / 5`,
      `${a.ratings} ratings`),
    kpi("Positive feedback", pct(a.positive_pct), "rated 4 or 5 (👍 counts as 5)"),
  );
}

function rows(table, items, cells) {
  const body = clear($(`${table} tbody`));
  if (!items.length) body.append(el("tr", {}, el("td", { class: "muted" }, "Nothing yet.")));
  for (const item of items) body.append(el("tr", {}, ...cells(item).map((c) => el("td", {}, c))));
}

async function act(path, body, done) {
  await api(path, { method: "POST", body });
  toast(done);
  await showQuizzes();
}

function certificateActions(c) {
  if (c.revoked_at) return el("span", { class: "muted" }, `revoked ${when(c.revoked_at)}`);
  const revoke = el("button", { type: "button", class: "ghost" }, "Revoke");
  revoke.addEventListener("click", () => {
    if (confirm(`Revoke the certificate of ${c.name}?`)) {
      act(`/certificates/${c.code}/revoke`, undefined, "Certificate revoked.");
    }
  });
  const reissue = el("button", { type: "button", class: "ghost" }, "Reissue");
  reissue.addEventListener("click", () => {
    const name = prompt("Name on the new certificate:", c.name);
    if (name && name.trim()) {
      act(`/certificates/${c.code}/reissue`, { name: name.trim() }, "New certificate issued.");
    }
  });
  return el("span", {}, revoke, " ", reissue);
}

export async function showQuizzes() {
  const [a, certificates] = await Promise.all([api("/quiz/analytics"), api("/certificates")]);
  kpis(a);
  rows("#quiz-questions", a.questions, (q) => [
    `${q.s_no}.${q.q_no}`, q.question, String(q.partners), pct(q.first_try_pct)]);
  rows("#quiz-sessions", a.sessions, (s) => [
    `${s.s_no} · ${s.heading}`, String(s.passed),
    s.average_attempts === null ? "—" : String(s.average_attempts),
    Object.entries(s.distribution).map(([n, count]) => `${n}×: ${count}`).join(", ") || "—"]);
  rows("#quiz-comments", a.comments, (c) => [when(c.time), c.phone, c.comment]);
  rows("#certificates", certificates, (c) => [
    c.name, c.phone, when(c.completed_on), c.score === null ? "—" : `${c.score}%`,
    el("a", { href: `/verify/${c.code}`, target: "_blank", rel: "noopener" }, "verify"),
    certificateActions(c)]);
}

export function initQuizzes() {
  $("#quiz-questions-csv").addEventListener("click", () =>
    download("/quiz/questions.csv", {}, "quiz-questions.csv"));
  $("#feedback-csv").addEventListener("click", () => download("/feedback.csv", {}, "feedback.csv"));
}

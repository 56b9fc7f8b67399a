// Questions to act on: grouped partner questions, the ones the content missed first.

import { api } from "./api.js";
import { $, ago, clear, el } from "./dom.js";
import { presetDates } from "./period.js";

function params() {
  const { start, end } = presetDates($("#question-preset").value);
  return { start, end, only: $("#question-only").value };
}

function outcomeBadges(g) {
  return el("span", { class: "outcomes" },
    g.not_covered ? el("span", { class: "badge missed" }, `${g.not_covered} not covered`) : null,
    g.answered ? el("span", { class: "badge met" }, `${g.answered} answered`) : null,
    g.no_reply ? el("span", { class: "badge" }, `${g.no_reply} no reply recorded`) : null);
}

function sessionLinks(g) {
  const sessions = Object.entries(g.sessions);
  if (!sessions.length) return el("span", { class: "muted small" }, "asked outside a session");
  return el("span", { class: "small" }, "Asked in ",
    sessions.flatMap(([s_no, n], i) => [i ? ", " : "",
      el("a", { href: `#content/${s_no}`, title: `Open session ${s_no} in the editor` }, `session ${s_no}`),
      n > 1 ? ` (×${n})` : ""]));
}

function group(g) {
  const others = g.wordings.slice(1);
  return el("li", { class: "card question-group", "data-not-covered": g.not_covered },
    el("div", { class: "row" },
      el("strong", { class: "question-text" }, g.text),
      el("span", { class: "count" }, `×${g.count} · ${g.partners} partner${g.partners > 1 ? "s" : ""}`)),
    el("div", { class: "row wrap" }, outcomeBadges(g), sessionLinks(g),
      el("span", { class: "muted small" }, `last asked ${ago(g.last_asked)}`)),
    g.session ? el("a", { class: "button ghost small open-session", href: `#content/${g.session}` },
      `✏️ Edit session ${g.session}`) : null,
    others.length ? el("details", {}, el("summary", {}, `${others.length} other wording${others.length > 1 ? "s" : ""}`),
      el("ul", {}, others.map((w) => el("li", {}, w.text, el("span", { class: "count" }, ` ×${w.count}`))))) : null,
    g.answer ? el("details", {}, el("summary", {}, "Answer given"), el("p", { class: "answer" }, g.answer))
      : el("p", { class: "muted small" }, "Genie had no answer in the training content."));
}

export async function showQuestions() {
  const got = await api("/questions", { params: params() });
  $("#questions-summary").textContent = got.questions
    ? `${got.questions} questions in ${got.groups.length} groups; ${got.not_covered} were not covered by the training.`
    : "";
  const list = clear($("#question-groups"));
  if (!got.groups.length) list.append(el("li", { class: "muted" }, "No questions in this period."));
  for (const g of got.groups) list.append(group(g));
  $("#questions-method").textContent = `Grouping: ${got.method}. "Not covered" = Genie replied that the training does not cover it.`;
}

export function initQuestions() {
  $("#question-preset").addEventListener("change", showQuestions);
  $("#question-only").addEventListener("change", showQuestions);
  $("#question-filters").addEventListener("submit", (e) => { e.preventDefault(); showQuestions(); });
}

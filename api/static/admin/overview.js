// Overview: the key rates, the funnel / drop-off chart and the questions partners ask.

import { api } from "./api.js";
import { barChart, funnelChart } from "./charts.js";
import { $, clear, el, percent } from "./dom.js";

let latest = null;

function duration(hours) {
  if (hours === null || hours === undefined) return "—";
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}

function kpi(label, value, note) {
  return el("div", { class: "kpi card" },
    el("span", { class: "kpi-label" }, label),
    el("strong", { class: "kpi-value" }, value),
    note ? el("span", { class: "kpi-note muted" }, note) : null);
}

function draw() {
  if (!latest) return;
  const a = latest;
  clear($("#kpis")).append(
    kpi("Enrolled", String(a.enrolled), `${a.partners} partners wrote in`),
    kpi("Active 24 h", String(a.active_24h), `${a.active_7d} in 7 days`),
    kpi("Completion rate", percent(a.completion_rate), `${a.completed} completed`),
    kpi("Median time to complete", duration(a.median_completion_hours)),
    kpi("Stalled", String(a.stalled), `no progress for ${a.stalled_days} days`),
    kpi("LLM fallback rate", percent(a.fallback_rate),
      a.fallback_rate === null ? "no LLM turns yet" : "LLM turns answered by keywords"),
  );
  $("#legend-stalled").textContent = `stalled there (no progress for ${a.stalled_days} days)`;
  funnelChart($("#funnel"), a.sessions);
  barChart(
    $("#questions-chart"),
    a.sessions.map((s) => ({ label: `${s.s_no} · ${s.heading || ""}`, value: s.questions })),
    "No questions asked yet.",
    "bar questions",
  );
  const top = clear($("#top-questions"));
  if (!a.top_questions.length) top.append(el("li", { class: "muted" }, "No questions asked yet."));
  for (const q of a.top_questions) {
    top.append(el("li", {}, el("span", {}, q.text), el("span", { class: "count" }, `×${q.count}`)));
  }
  const sources = Object.entries(a.turns_by_source).map(([label, value]) => ({ label, value }));
  barChart($("#sources-chart"), sources, "No messages yet.", "bar sources");
}

export async function showOverview() {
  latest = await api("/analytics");
  draw();
}

window.addEventListener("resize", () => {
  if (!$("#view-overview").hidden) draw();
});

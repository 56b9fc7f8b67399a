// KPIs: the five programme numbers against their targets, the weekly trend and feedback.

import { api, download } from "./api.js";
import { weeksChart } from "./charts.js";
import { $, clear, el, percent, when } from "./dom.js";
import { describe, presetDates } from "./period.js";

let latest = null;

function params() {
  return {
    start: $("#kpi-start").value,
    end: $("#kpi-end").value,
    cohort_start: $("#kpi-cohort-start").value,
    cohort_end: $("#kpi-cohort-end").value,
  };
}

function shown(k) {
  if (k.value === null) return "—";
  if (k.unit === "rate") return percent(k.value);
  if (k.unit === "days") return `${k.value} days`;
  return String(k.value);
}

function detail(k) {
  if (k.key === "feedback" && k.value === null) return "No feedback yet";
  if (k.key === "time") {
    if (k.value === null) return "nobody completed yet";
    return `median · p90 ${k.p90} days · ${k.denominator} completed`;
  }
  if (k.value === null) return "no partners in this group";
  return k.unit === "rate" ? `${k.numerator} of ${k.denominator}` : `${k.numerator} questions / ${k.denominator} partners`;
}

function card(k) {
  const state = k.met === null ? "unknown" : k.met ? "met" : "missed";
  const verdict = { met: "✅ on target", missed: "⚠️ below target", unknown: "no data yet" }[state];
  return el("article", { class: `card kpi-card ${state}`, "data-kpi": k.key },
    el("div", { class: "row" }, el("h2", {}, k.label), el("span", { class: `badge ${state}` }, verdict)),
    el("strong", { class: "kpi-value" }, shown(k)),
    el("span", { class: "muted small" }, detail(k)),
    el("span", { class: "target" }, `Target ${k.target_text}`),
    el("p", { class: "definition muted small" }, k.definition));
}

function feedbackPanel(summary) {
  const panel = clear($("#feedback-panel"));
  if (!summary) {
    panel.append(el("p", { class: "muted" },
      "No feedback yet: partner ratings and comments appear here once partners give feedback."));
    return;
  }
  panel.append(el("p", {}, `${summary.positive} of ${summary.rated} ratings positive (${percent(summary.rated ? summary.positive / summary.rated : null)}).`));
  const list = el("ul", { class: "comments" });
  for (const c of summary.comments) {
    list.append(el("li", {}, el("span", {}, c.positive === false ? "👎 " : c.positive ? "👍 " : ""),
      el("span", {}, c.text), el("span", { class: "muted small" }, ` · ${when(c.at)}`)));
  }
  if (!summary.comments.length) list.append(el("li", { class: "muted" }, "No comments."));
  panel.append(list);
}

function draw() {
  if (!latest) return;
  const { report } = latest;
  const q = params();
  const cohort = q.cohort_start || q.cohort_end
    ? `the ${report.cohort} partners who enrolled ${describe(q.cohort_start, q.cohort_end)}`
    : `the ${report.cohort} of them who enrolled`;
  $("#kpi-scope").textContent = `${report.new_partners} new partners ${describe(q.start, q.end)}` +
    `${report.leads_used ? " (leads from GMT_Leads included)" : ""}; completion, time and questions over ${cohort}.`;
  clear($("#kpi-cards")).append(...report.kpis.map(card));
  weeksChart($("#weeks-chart"), report.weeks);
  feedbackPanel(latest.feedback);
}

export async function showKpis() {
  if (!$("#kpi-start").value && !$("#kpi-end").value && $("#kpi-preset").value !== "all") applyPreset();
  const [report, feedback] = await Promise.all([
    api("/kpis", { params: params() }),
    api("/feedback", { params: { start: params().start, end: params().end } }),
  ]);
  latest = { report, feedback };
  draw();
}

function applyPreset() {
  const preset = $("#kpi-preset").value;
  if (preset === "custom") return;
  const { start, end } = presetDates(preset);
  $("#kpi-start").value = start;
  $("#kpi-end").value = end;
}

export function initKpis() {
  $("#kpi-preset").addEventListener("change", () => { applyPreset(); showKpis(); });
  for (const id of ["#kpi-start", "#kpi-end", "#kpi-cohort-start", "#kpi-cohort-end"]) {
    $(id).addEventListener("change", () => {
      if (id === "#kpi-start" || id === "#kpi-end") $("#kpi-preset").value = "custom";
      showKpis();
    });
  }
  $("#kpi-filters").addEventListener("submit", (e) => { e.preventDefault(); showKpis(); });
  $("#kpi-csv").addEventListener("click", () => download("/kpis/export.csv", params(), "kpis.csv"));
  $("#kpi-weeks-csv").addEventListener("click", () => download("/kpis/weeks.csv", params(), "kpi-weeks.csv"));
  window.addEventListener("resize", () => { if (!$("#view-kpis").hidden) draw(); });
}

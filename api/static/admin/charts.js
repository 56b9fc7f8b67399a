// Inline SVG charts drawn to the container's width (redrawn on resize), no library.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function shorten(text, chars) {
  return text.length > chars ? `${text.slice(0, Math.max(chars - 1, 1))}…` : text;
}

function frame(container, rows, rowHeight, label) {
  const width = Math.max(container.clientWidth || 600, 260);
  const height = Math.max(rows * rowHeight, rowHeight) + 4;
  const root = svg("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
  });
  container.replaceChildren(root);
  return { root, width };
}

function empty(container, message) {
  container.replaceChildren(Object.assign(document.createElement("p"), {
    className: "muted", textContent: message,
  }));
}

// One row per session: how many reached it; at the end of the bar, those still on it
// (amber: active, red: stalled), i.e. where partners stop.
export function funnelChart(container, sessions) {
  if (!sessions.length) return empty(container, "No training sessions yet.");
  const wide = (container.clientWidth || 600) >= 560;
  const rowHeight = wide ? 46 : 60;
  const { root, width } = frame(container, sessions.length, rowHeight, "Funnel per session");
  const max = Math.max(1, ...sessions.map((s) => s.reached));
  const scale = (n) => (n / max) * width;
  sessions.forEach((s, i) => {
    const row = svg("g", { class: "funnel-row", transform: `translate(0 ${i * rowHeight})` });
    const active = s.stopped - s.stalled;
    row.append(svg("title", {}, `Session ${s.s_no}: ${s.reached} reached, ${s.completed} ` +
      `completed, ${active} on it now, ${s.stalled} stalled there, ${s.questions} questions`));
    const stats = [`${s.reached} reached`];
    if (active) stats.push(`${active} on it`);
    if (s.stalled) stats.push(`${s.stalled} stalled`);
    const chars = Math.floor((wide ? width - 220 : width) / 7.4);
    row.append(svg("text", { x: 0, y: 14, class: "label" },
      shorten(`${s.s_no} · ${s.heading || "(deleted session)"}`, chars)));
    row.append(wide
      ? svg("text", { x: width, y: 14, class: "value", "text-anchor": "end" }, stats.join(" · "))
      : svg("text", { x: 0, y: 54, class: "value" }, stats.join(" · ")));
    row.append(svg("rect", { x: 0, y: 20, width, height: 18, rx: 4, class: "track" }));
    const reached = scale(s.reached);
    row.append(svg("rect", { x: 0, y: 20, width: reached, height: 18, rx: 4, class: "bar reached" }));
    if (active) {
      const x = reached - scale(s.stopped);
      row.append(svg("rect", { x, y: 20, width: scale(active), height: 18, class: "bar active" }));
    }
    if (s.stalled) {
      const x = reached - scale(s.stalled);
      row.append(svg("rect", { x, y: 20, width: scale(s.stalled), height: 18, rx: 4, class: "bar stopped" }));
    }
    root.append(row);
  });
}

// Horizontal bars for {label, value} rows.
export function barChart(container, rows, emptyMessage, barClass = "bar reached") {
  if (!rows.length || rows.every((r) => !r.value)) return empty(container, emptyMessage);
  const rowHeight = 30;
  const { root, width } = frame(container, rows.length, rowHeight, "Bar chart");
  const labelWidth = Math.min(150, width * 0.38);
  const barWidth = width - labelWidth - 48;
  const max = Math.max(1, ...rows.map((r) => r.value));
  rows.forEach((r, i) => {
    const g = svg("g", { transform: `translate(0 ${i * rowHeight})` });
    g.append(svg("title", {}, `${r.label}: ${r.value}`));
    g.append(svg("text", { x: 0, y: 19, class: "label" }, shorten(r.label, Math.floor(labelWidth / 7))));
    const w = Math.max((r.value / max) * barWidth, r.value ? 3 : 0);
    g.append(svg("rect", { x: labelWidth, y: 6, width: w, height: 18, rx: 4, class: barClass }));
    g.append(svg("text", { x: labelWidth + w + 6, y: 20, class: "value" }, String(r.value)));
    root.append(g);
  });
}

// One row per week: new partners (track), how many enrolled and completed (bars inside it).
export function weeksChart(container, weeks) {
  if (!weeks.length || weeks.every((w) => !w.new)) return empty(container, "No new partners in this period.");
  const wide = (container.clientWidth || 600) >= 560;
  const rowHeight = wide ? 46 : 60;
  const { root, width } = frame(container, weeks.length, rowHeight, "New, enrolled and completed partners per week");
  const max = Math.max(1, ...weeks.map((w) => w.new));
  const scale = (n) => (n / max) * width;
  const pct = (r) => (r === null ? "—" : `${Math.round(r * 100)}%`);
  weeks.forEach((w, i) => {
    const row = svg("g", { class: "week-row", transform: `translate(0 ${i * rowHeight})` });
    const label = new Date(`${w.week_start}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
    row.append(svg("title", {}, `Week of ${label}: ${w.new} new, ${w.enrolled} enrolled (${pct(w.enrolment_rate)}), ` +
      `${w.completed} completed (${pct(w.completion_rate)})`));
    row.append(svg("text", { x: 0, y: 14, class: "label" }, `Week of ${label}`));
    const stats = `${w.new} new · ${pct(w.enrolment_rate)} enrolled · ${pct(w.completion_rate)} completed`;
    row.append(wide
      ? svg("text", { x: width, y: 14, class: "value", "text-anchor": "end" }, stats)
      : svg("text", { x: 0, y: 54, class: "value" }, stats));
    row.append(svg("rect", { x: 0, y: 20, width: scale(w.new), height: 18, rx: 4, class: "bar new" }));
    if (w.enrolled) row.append(svg("rect", { x: 0, y: 20, width: scale(w.enrolled), height: 18, rx: 4, class: "bar reached" }));
    if (w.completed) row.append(svg("rect", { x: 0, y: 20, width: scale(w.completed), height: 18, rx: 4, class: "bar done" }));
    root.append(row);
  });
}

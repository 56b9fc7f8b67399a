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

// One row per session: how many reached it, and (in red, at the end) how many stopped there.
export function funnelChart(container, sessions) {
  if (!sessions.length) return empty(container, "No training sessions yet.");
  const rowHeight = 48;
  const { root, width } = frame(container, sessions.length, rowHeight, "Funnel per session");
  const valueWidth = width < 480 ? 96 : 150;
  const barWidth = width - valueWidth - 8;
  const max = Math.max(1, ...sessions.map((s) => s.reached));
  sessions.forEach((s, i) => {
    const y = i * rowHeight;
    const row = svg("g", { class: "funnel-row", transform: `translate(0 ${y})` });
    const title = `Session ${s.s_no}: ${s.reached} reached, ${s.completed} completed, ` +
      `${s.stopped} stopped here (${s.stalled} stalled), ${s.questions} questions`;
    row.append(svg("title", {}, title));
    const heading = `${s.s_no} · ${s.heading || "(deleted session)"}`;
    row.append(svg("text", { x: 0, y: 14, class: "label" }, shorten(heading, Math.floor(width / 7.5))));
    row.append(svg("rect", { x: 0, y: 20, width: barWidth, height: 18, rx: 4, class: "track" }));
    const reached = (s.reached / max) * barWidth;
    const stopped = (s.stopped / max) * barWidth;
    row.append(svg("rect", { x: 0, y: 20, width: reached, height: 18, rx: 4, class: "bar reached" }));
    if (s.stopped) {
      row.append(svg("rect", {
        x: reached - stopped, y: 20, width: stopped, height: 18, rx: 4, class: "bar stopped",
      }));
    }
    const value = width < 480 ? `${s.reached} · ${s.stopped}✕` : `${s.reached} reached · ${s.stopped} stopped`;
    row.append(svg("text", { x: barWidth + 8, y: 34, class: "value" }, value));
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

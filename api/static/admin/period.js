// Period presets as YYYY-MM-DD dates (UTC, as the server counts days).

const DAY = 86400000;

function iso(date) {
  return date.toISOString().slice(0, 10);
}

// {start, end} for a preset: "month", "last-month", "all" or a number of days.
export function presetDates(preset, now = new Date()) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (preset === "all") return { start: "", end: "" };
  if (preset === "month") return { start: iso(new Date(Date.UTC(y, m, 1))), end: iso(now) };
  if (preset === "last-month") {
    return { start: iso(new Date(Date.UTC(y, m - 1, 1))), end: iso(new Date(Date.UTC(y, m, 0))) };
  }
  const days = Number(preset) || 30;
  return { start: iso(new Date(now.getTime() - (days - 1) * DAY)), end: iso(now) };
}

export function describe(start, end) {
  if (!start && !end) return "all time";
  if (!start) return `up to ${end}`;
  if (!end) return `from ${start}`;
  return `${start} to ${end}`;
}

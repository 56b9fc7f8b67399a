"""A self-contained HTML report (inline CSS and SVG, no external assets) of a run."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from evals import fmt
from evals.html_parts import CSS, baseline_section, gates_section, table
from evals.html_suites import render_suite

USAGE = [
    "turns",
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "tiktoken_prompt",
    "tiktoken_completion",
    "fallbacks",
    "replay_misses",
    "latency_p50_ms",
    "latency_p95_ms",
    "cost_usd",
]


def _header(run: dict[str, Any]) -> str:
    meta = run["meta"]
    gates = run.get("gates")
    badge = ""
    if gates:
        state = "pass" if gates["passed"] else "fail"
        badge = f'<span class="badge {state}">gates {state.upper()}</span>'
    facts = [
        ("provider", meta["provider"]),
        ("model", meta.get("model") or "-"),
        ("prompts", f"{meta['prompts_fingerprint']} ({meta['prompts_dir']})"),
        ("cassette", meta.get("cassette") or "-"),
        ("started", meta["started_at"]),
        ("duration", f"{meta['duration_s']} s"),
    ]
    items = "".join(f"<div><b>{k}</b> {escape(str(v))}</div>" for k, v in facts)
    heading = f"<h1>Genie evals · {escape(meta['label'])} {badge}</h1>"
    return f"<header>{heading}<div class='meta'>{items}</div></header>"


def _summary(run: dict[str, Any]) -> str:
    rows = []
    for name, suite in run["suites"].items():
        headline = " · ".join(
            f"{fmt.title(m)} <b>{fmt.value(m, suite['metrics'].get(m))}</b>"
            for m in fmt.HEADLINE.get(name, [])
        )
        rows.append([f'<a href="#{name}">{name}</a>', str(len(suite["cases"])), headline])
    usage_rows = [
        [name, *(fmt.value(c, suite["usage"].get(c)) for c in USAGE)]
        for name, suite in run["suites"].items()
    ]
    if "usage" in run and len(run["suites"]) > 1:
        usage_rows.append(["whole run", *(fmt.value(c, run["usage"].get(c)) for c in USAGE)])
    return (
        "<section><h2>Summary</h2>"
        + table(["suite", "cases", "headline metrics"], rows, raw=True)
        + "<h3>Cost and latency</h3>"
        + table(["suite", *map(fmt.title, USAGE)], usage_rows)
        + "<p class='note'>Tokens: <i>prompt/completion</i> as the provider reported them; "
        "<i>tiktoken</i> counted locally (messages plus tool schemas). Cost uses "
        "evals/pricing.py for the model; n/a when the model has no price.</p></section>"
    )


def render_html(run: dict[str, Any]) -> str:
    """The report as one HTML document."""
    body = (
        _header(run)
        + _summary(run)
        + (gates_section(run["gates"]) if "gates" in run else "")
        + (baseline_section(run["baseline"]) if "baseline" in run else "")
        + "".join(render_suite(name, suite) for name, suite in run["suites"].items())
    )
    title = escape(f"Genie evals · {run['meta']['label']}")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )


def write_html(run: dict[str, Any], path: str | Path) -> None:
    """Write the HTML report."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(run), encoding="utf-8")

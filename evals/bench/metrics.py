"""Numbers from a load run: ack and end-to-end latency, throughput, LLM calls and tokens."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from evals.bench.load import Turn
from evals.bench.script import PATHS, Path_
from evals.bench.stats import summary_ms


def latency(turns: list[Turn]) -> dict[str, Any]:
    """Webhook ack latency (accepted attempts) and end-to-end turn latency by path."""
    acks = [a.latency_s for t in turns for a in t.acks if a.ok]
    by_path: dict[str, list[float]] = {p: [] for p in PATHS}
    for turn in turns:
        if turn.e2e_s is not None and not turn.apologies:
            by_path[turn.path].append(turn.e2e_s)
    return {
        "ack_ms": summary_ms(acks),
        "ack_retries": sum(a.attempts - 1 for t in turns for a in t.acks),
        "ack_failures": sum(1 for t in turns for a in t.acks if not a.ok),
        "e2e_ms": {path: summary_ms(values) for path, values in by_path.items()},
    }


def throughput(turns: list[Turn], replies: int, seconds: float) -> dict[str, float | int]:
    """Inbound turns and outbound replies per second over the load phase."""
    return {
        "duration_s": round(seconds, 2),
        "turns": len(turns),
        "inbound_per_s": round(len(turns) / seconds, 1) if seconds else 0.0,
        "replies": replies,
        "outbound_per_s": round(replies / seconds, 1) if seconds else 0.0,
    }


def _last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else str(content)
    return ""


def llm_usage(
    requests: list[dict[str, Any]],
    usages: list[dict[str, int]],
    path_of_text: dict[str, Path_],
    turns: list[Turn],
) -> dict[str, Any]:
    """LLM requests and tokens per turn, by path (requests matched to turns by message text)."""
    path_of_request = [path_of_text.get(_last_user_text(r), "unmatched") for r in requests]
    calls: dict[str, int] = defaultdict(int)
    for path in path_of_request:
        calls[path] += 1
    tokens: dict[str, dict[str, int]] = defaultdict(lambda: {"prompt": 0, "completion": 0})
    for usage in usages:
        path = path_of_request[usage["request"] - 1]
        tokens[path]["prompt"] += usage["prompt_tokens"]
        tokens[path]["completion"] += usage["completion_tokens"]
    counts = {p: sum(1 for t in turns if t.path == p) for p in PATHS}
    per_turn: dict[str, Any] = {}
    for path in PATHS:
        n = counts[path] or 1
        used = tokens.get(path, {"prompt": 0, "completion": 0})
        per_turn[path] = {
            "turns": counts[path],
            "calls_per_turn": round(calls.get(path, 0) / n, 2),
            "prompt_tokens_per_turn": round(used["prompt"] / n, 1),
            "completion_tokens_per_turn": round(used["completion"] / n, 1),
        }
    everything = sum(counts.values()) or 1
    return {
        "requests": len(requests),
        "answered": len(usages),
        "unmatched_requests": calls.get("unmatched", 0),
        "calls_per_turn_all": round(len(requests) / everything, 3),
        "tokens_per_turn_all": round(
            sum(u["prompt_tokens"] + u["completion_tokens"] for u in usages) / everything, 1
        ),
        "by_path": per_turn,
    }


def cpu_use(services_s: float, bench_s: float, seconds: float, turns: int) -> dict[str, float]:
    """CPU seconds of the services and of the bench process (fakes + partners), cores, and the
    services' CPU per inbound message."""
    wall = seconds or 1.0
    return {
        "services_s": round(services_s, 2),
        "services_ms_per_message": round(services_s * 1000 / turns, 2) if turns else 0.0,
        "bench_s": round(bench_s, 2),
        "services_cores": round(services_s / wall, 2),
        "bench_cores": round(bench_s / wall, 2),
    }


def service_tuning(env: dict[str, str]) -> dict[str, str]:
    """The service settings that shape throughput, as the services got them."""
    prefixes = ("WHATSAPP_", "OUTBOX_", "RATE_LIMIT_", "LLM_TIMEOUT", "LLM_MAX")
    return {k: v for k, v in sorted(env.items()) if k.startswith(prefixes)}

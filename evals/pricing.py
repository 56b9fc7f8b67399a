"""Model prices (USD per million tokens) and the estimated cost of a run."""

from __future__ import annotations

# Input / output list prices per 1M tokens. Check your provider's current page before
# trusting a cost estimate; add models here as you try them.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1": (2.00, 8.00),
}


def price_of(model: str | None) -> tuple[float, float] | None:
    """(input, output) price per 1M tokens, matching dated names like gpt-4o-mini-2024-07-18."""
    if not model:
        return None
    name = model.lower().rsplit("/", 1)[-1]
    # Longest prefix first, so "gpt-4o-mini-…" is not priced as "gpt-4o".
    for known in sorted(PRICES_PER_MILLION, key=len, reverse=True):
        if name == known or name.startswith(known + "-"):
            return PRICES_PER_MILLION[known]
    return None


def cost_usd(model: str | None, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Estimated cost of the tokens at the model's prices; None when the model is unknown."""
    prices = price_of(model)
    if prices is None:
        return None
    return (prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000

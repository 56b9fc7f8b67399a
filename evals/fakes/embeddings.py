"""Deterministic embeddings for the fake OpenAI server: hashed bags of words or token ids."""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

DIMENSIONS = 64
EMBEDDINGS_PATH = "/v1/embeddings"


def _bucket(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "big")


def vector(item: str | list[int]) -> list[float]:
    """A unit vector for a text or a list of token ids: texts sharing words point alike."""
    features = re.findall(r"\w+", item.lower()) if isinstance(item, str) else list(map(str, item))
    out = [0.0] * DIMENSIONS
    for feature in features:
        out[_bucket(feature) % DIMENSIONS] += 1.0
    norm = math.sqrt(sum(x * x for x in out)) or 1.0
    return [x / norm for x in out]


def _items(value: Any) -> list[str | list[int]]:
    """The inputs of a request: a string, a token list, or a list of either."""
    if isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], int)):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str | list) for v in value):
        return list(value)
    raise ValueError("input must be a string, a list of token ids, or a list of either")


def embeddings_body(request: dict[str, Any]) -> dict[str, Any]:
    """The /v1/embeddings answer for a request (floats, whatever encoding_format asks)."""
    items = _items(request.get("input"))
    tokens = sum(len(i) if isinstance(i, list) else len(i.split()) for i in items)
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": vector(item)}
            for i, item in enumerate(items)
        ],
        "model": request.get("model", "fake-embedding"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }

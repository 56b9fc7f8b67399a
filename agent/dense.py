"""Dense retrieval with OpenAI embeddings (optional): passages embedded once, fused by rank."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from agent.settings import Settings

log = logging.getLogger("genie.dense")
RRF_K = 60  # reciprocal-rank-fusion constant (Cormack et al.): damps the top ranks' weight


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class DenseRanker:
    """Ranks passages by embedding similarity; each distinct passage text is embedded once
    (cached in memory by a hash of its text, so a content edit embeds only what changed)."""

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _passage_vectors(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if _key(t) not in self._vectors))
        if missing:
            vectors = self.embeddings.embed_documents(missing)
            with self._lock:
                self._vectors.update({_key(t): v for t, v in zip(missing, vectors, strict=True)})
        with self._lock:
            return [self._vectors[_key(t)] for t in texts]

    def rank(self, query: str, texts: Sequence[str]) -> list[int] | None:
        """Indexes of `texts`, most similar to `query` first; None when the API fails."""
        try:
            vectors = self._passage_vectors(texts)
            asked = self.embeddings.embed_query(query)
        except Exception as exc:  # any API failure: lexical ranking still answers
            log.warning("embeddings unavailable, lexical ranking only: %s", exc)
            return None
        similarity = [_cosine(asked, v) for v in vectors]
        return sorted(range(len(texts)), key=lambda i: similarity[i], reverse=True)

    @property
    def cached(self) -> int:
        """How many passage embeddings are cached."""
        return len(self._vectors)


def fuse(*rankings: Sequence[int]) -> dict[int, float]:
    """Reciprocal-rank fusion of several rankings of the same items: item -> fused score."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (RRF_K + rank)
    return fused


def build_dense_ranker(settings: Settings) -> DenseRanker | None:
    """A DenseRanker on OpenAI embeddings when an API key is set, else None (lexical only)."""
    if not settings.openai_api_key or not settings.dense_retrieval:
        return None
    from langchain_openai import OpenAIEmbeddings
    from pydantic import SecretStr

    from agent.tokens import ensure_offline_encodings

    ensure_offline_encodings()  # OpenAIEmbeddings tokenises with tiktoken before sending
    embeddings = OpenAIEmbeddings(
        model=settings.embeddings_model,
        api_key=SecretStr(settings.openai_api_key),
        base_url=settings.openai_base_url,
        timeout=settings.embeddings_timeout_s,
        max_retries=settings.llm_max_retries,
    )
    return DenseRanker(embeddings)

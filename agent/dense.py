"""Dense retrieval with OpenAI embeddings (optional): passages embedded once, fused by rank."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from agent.settings import Settings

log = logging.getLogger("genie.dense")
RRF_K = 60  # reciprocal-rank-fusion constant (Cormack et al.): damps the top ranks' weight
SIMILARITY_DIGITS = 12  # cosines closer than this are ties (float rounding is ~1e-16)
_KEPT_MATRICES = 4  # one per language's passage list in use, plus a spare while content changes


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unit_rows(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    """The vectors as rows of length 1 (a zero vector stays zero: it matches nothing)."""
    matrix = np.asarray(vectors, dtype=np.float64).reshape(len(vectors), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


class DenseRanker:
    """Ranks passages by embedding similarity; each distinct passage text is embedded once
    (cached in memory by a hash of its text, so a content edit embeds only what changed).

    A question costs one embedding call and one matrix product: the passages' unit vectors
    are kept as a matrix per passage list, rebuilt only when the list changes.
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, list[float]] = {}
        self._matrices: dict[tuple[str, ...], np.ndarray] = {}
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

    def _passage_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """The unit vectors of `texts` as rows (cached per passage list)."""
        key = tuple(texts)
        with self._lock:
            matrix = self._matrices.get(key)
        if matrix is None:
            matrix = unit_rows(self._passage_vectors(texts))
            with self._lock:
                while len(self._matrices) >= _KEPT_MATRICES:
                    self._matrices.pop(next(iter(self._matrices)))  # the oldest
                self._matrices[key] = matrix
        return matrix

    def rank(self, query: str, texts: Sequence[str]) -> list[int] | None:
        """Indexes of `texts`, most similar (cosine) to `query` first; None when the API fails."""
        if not texts:
            return []
        try:
            matrix = self._passage_matrix(texts)
            asked = unit_rows([self.embeddings.embed_query(query)])[0]
            similarity = matrix @ asked  # ValueError when the sizes differ: a bad answer
        except Exception as exc:  # any API failure: lexical ranking still answers
            log.warning("embeddings unavailable, lexical ranking only: %s", exc)
            return None
        # Scores equal but for rounding (common with short texts) rank in passage order.
        rounded = np.round(similarity, SIMILARITY_DIGITS)
        return [int(i) for i in np.argsort(-rounded, kind="stable")]

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

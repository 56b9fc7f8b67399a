"""The offline intent model: TF-IDF word and character n-grams with logistic regression,
trained on the phrase bank in prompts/phrases/<intent>.yaml.

Training takes about a second; the fitted model is kept in memory and on disk under
~/.cache/genie/intent-model/, keyed by a hash of the phrase bank and this module's settings,
so an edited phrase bank is picked up at the next start and an unchanged one loads instantly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from agent.intents import Intent
from prompts import prompts_dir

log = logging.getLogger("genie.intents")
MODEL_VERSION = "1"  # bump when the features or the model change: old caches are ignored
_TOKEN = re.compile(r"[\w\u0900-\u097f]+|[^\w\s\u0900-\u097f]")
_DIGITS = re.compile(r"\d+")


def prepare(text: str) -> str:
    """The text as the model sees it: NFKC, lower case, digits as "0", emoji kept."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return " ".join(_TOKEN.findall(_DIGITS.sub("0", text)))


def _tokens(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class PhraseBank:
    """Labelled example messages: one (text, intent) pair per phrase."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    digest: str


def load_phrase_bank(folder: Path) -> PhraseBank:
    """Read every prompts/phrases/<intent>.yaml; an unknown intent or an empty file is an error."""
    texts: list[str] = []
    labels: list[str] = []
    digest = hashlib.sha256(f"{MODEL_VERSION} sklearn {sklearn.__version__}".encode())
    files = sorted((folder / "phrases").glob("*.yaml"))
    if not files:
        raise ValueError(f"no phrase bank in {folder / 'phrases'}")
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + raw)
        data = yaml.safe_load(raw) or {}
        intent = Intent(str(data.get("intent", path.stem)))  # ValueError for an unknown intent
        phrases = [str(p).strip() for p in data.get("phrases") or [] if str(p).strip()]
        if not phrases:
            raise ValueError(f"{path}: no phrases")
        texts += phrases
        labels += [intent.value] * len(phrases)
    return PhraseBank(tuple(texts), tuple(labels), digest.hexdigest()[:16])


def build_pipeline() -> Pipeline:
    """Word 1-2 grams and character 2-5 grams (typos, Hinglish spellings), then a linear model."""
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=_tokens, token_pattern=None, lowercase=False,
                    ngram_range=(1, 2), sublinear_tf=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), lowercase=False, sublinear_tf=True,
                    min_df=1,
                ),
            ),
        ]
    )  # fmt: skip
    # saga converges in ~1 s on a few thousand phrases (lbfgs took 20 s); multinomial, so
    # probabilities are a softmax over the intents.
    model = LogisticRegression(C=5.0, solver="saga", max_iter=300, tol=1e-3, random_state=0)
    return Pipeline([("features", features), ("model", model)])


class IntentModel:
    """Probabilities over intents for a message, from the trained phrase-bank model.

    Scoring one message through sklearn's pipeline costs ~5-25 ms of input validation and
    sparse-matrix set-up; `probabilities` computes the same TF-IDF features and softmax
    directly from the fitted vocabularies and weights in well under a millisecond.
    """

    def __init__(self, pipeline: Pipeline, digest: str) -> None:
        self.pipeline = pipeline
        self.digest = digest
        self.labels = [Intent(label) for label in pipeline.classes_]
        model: LogisticRegression = pipeline.named_steps["model"]
        # Features as rows: gathering a message's few columns is then one contiguous read.
        self._weights, self._intercept = np.ascontiguousarray(model.coef_.T), model.intercept_
        self._parts: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int]] = []
        offset = 0
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            vocab = vectorizer.vocabulary_
            self._parts.append((vectorizer.build_analyzer(), vocab, vectorizer.idf_, offset))
            offset += len(vocab)

    def _features(self, prepared: str) -> tuple[np.ndarray, np.ndarray]:
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for analyzer, vocab, idf, offset in self._parts:
            counts = Counter(analyzer(prepared))
            found = [(vocab[g], n) for g, n in counts.items() if g in vocab]
            if not found:
                continue
            ids, times = np.array(found).T
            part = (1.0 + np.log(times)) * idf[ids]  # sublinear tf times idf, then l2 norm
            columns.append(ids + offset)
            values.append(part / np.linalg.norm(part))
        if not columns:
            return np.zeros(0, dtype=int), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def probabilities(self, text: str) -> dict[Intent, float]:
        """P(intent | text) for every intent the phrase bank has."""
        columns, values = self._features(prepare(text))
        scores = self._intercept + (values @ self._weights[columns] if len(columns) else 0.0)
        exp = np.exp(scores - scores.max())
        row = exp / exp.sum()
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}


def train(bank: PhraseBank) -> IntentModel:
    """Fit a fresh model on `bank`."""
    pipeline = build_pipeline()
    pipeline.fit([prepare(t) for t in bank.texts], list(bank.labels))
    return IntentModel(pipeline, bank.digest)


def _cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "genie" / "intent-model"


@lru_cache(maxsize=4)
def _model_for(folder: str) -> IntentModel:
    bank = load_phrase_bank(Path(folder))
    path = _cache_dir() / f"{bank.digest}.pkl"
    try:
        with path.open("rb") as cached:
            pipeline = pickle.load(cached)
        return IntentModel(pipeline, bank.digest)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    model = train(bank)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as out:
            pickle.dump(model.pipeline, out)
        partial.replace(path)  # atomic: a concurrent start never reads half a file
    except OSError as exc:  # a read-only home still works, it just trains at every start
        log.warning("intent model not cached: %s", exc)
    return model


def intent_model() -> IntentModel:
    """The model for the current prompts folder (trained once, then cached)."""
    return _model_for(str(prompts_dir()))

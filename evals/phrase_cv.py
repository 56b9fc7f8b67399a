"""k-fold cross-validation of the intent model alone (no keywords, no rules) over the phrase
bank, optionally with labelled rows of own datasets added to every fold's data.

    .venv/bin/python -m evals.phrase_cv [--folds 5] [--extra evals/datasets/intents.jsonl]

Never pass a blind test file: its rows would be trained on (evals/datasets/blind/README.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from agent.intent_model import build_pipeline, load_phrase_bank, prepare
from prompts import prompts_dir


def _rows(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a JSONL intents dataset."""
    if "blind" in path.parts and "dev" not in path.name:
        raise SystemExit(f"{path}: a blind test set is never used for training")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(r["text"], r["intent"]) for r in map(json.loads, filter(str.strip, lines))]


def cross_validate(texts: list[str], labels: list[str], folds: int) -> np.ndarray:
    """Accuracy per fold of a fresh model trained on the other folds."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    prepared = [prepare(t) for t in texts]
    return cross_val_score(build_pipeline(), prepared, labels, cv=splitter, n_jobs=1)


def main() -> None:
    """Print the mean and spread of the fold accuracies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--extra", type=Path, action="append", default=[])
    args = parser.parse_args()
    bank = load_phrase_bank(prompts_dir())
    texts, labels = list(bank.texts), list(bank.labels)
    for path in args.extra:
        extra = _rows(path)
        texts += [t for t, _ in extra]
        labels += [i for _, i in extra]
    scores = cross_validate(texts, labels, args.folds)
    print(
        f"{args.folds}-fold cross-validation, {len(texts)} phrases: "
        f"accuracy {scores.mean():.1%} ± {scores.std():.1%} (folds: "
        + ", ".join(f"{s:.1%}" for s in scores)
        + ")"
    )


if __name__ == "__main__":
    main()

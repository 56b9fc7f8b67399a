"""Questions to act on: partner questions grouped by similar wording, unanswered ones first.

Clustering (simple on purpose, so an admin can predict it): each question is normalised
(lower case, punctuation and extra spaces removed) and turned into a TF-IDF vector of
character 3-5-grams within words (robust to typos and Hinglish spellings). Distinct wordings
are visited from the most to the least asked; each joins the first group whose first wording
has cosine similarity >= THRESHOLD with it, or starts a new group.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from prompts import prompts_dir
from store.question_turns import QuestionTurn

THRESHOLD = 0.45
MAX_QUESTIONS = 5000  # the latest ones; older questions are left out of the grouping
Outcome = Literal["answered", "not_covered", "no_reply"]
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@lru_cache(maxsize=4)
def _not_covered_patterns(folder: str) -> tuple[re.Pattern[str], ...]:
    """The `answer_not_covered` message of every language file, placeholders as wildcards."""
    from pathlib import Path

    import yaml

    patterns = []
    for path in sorted(Path(folder).glob("messages.*.yaml")):
        texts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        template = texts.get("answer_not_covered")
        if isinstance(template, str):
            parts = [re.escape(" ".join(p.split())) for p in _PLACEHOLDER.split(template)]
            patterns.append(re.compile(".*?".join(parts), re.DOTALL))
    return tuple(patterns)


def outcome(reply: str) -> Outcome:
    """not_covered when Genie replied with the "not in the training" message, else answered."""
    if not reply.strip():
        return "no_reply"
    flat = " ".join(reply.split())
    if any(p.search(flat) for p in _not_covered_patterns(str(prompts_dir()))):
        return "not_covered"
    return "answered"


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces (any script)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


class Wording(BaseModel):
    """One way the question was written and how often."""

    text: str
    count: int


class QuestionGroup(BaseModel):
    """Similar questions: how often, where, how Genie replied, and the latest answer given."""

    text: str  # the most asked wording
    count: int
    partners: int
    not_covered: int
    answered: int
    no_reply: int
    session: int | None  # the session it was asked in most
    sessions: dict[int, int]
    last_asked: datetime
    answer: str | None  # the latest reply that answered it
    wordings: list[Wording]


def _clusters(wordings: list[str]) -> list[list[int]]:
    """Leader clustering of distinct normalised wordings (most asked first) by TF-IDF cosine."""
    if len(wordings) == 1:
        return [[0]]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(wordings)
    similar = cosine_similarity(vectors)
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in range(len(wordings)):
        home = next((g for g, lead in enumerate(leaders) if similar[i, lead] >= THRESHOLD), None)
        if home is None:
            leaders.append(i)
            groups.append([i])
        else:
            groups[home].append(i)
    return groups


def _group(turns: list[QuestionTurn]) -> QuestionGroup:
    outcomes = Counter(outcome(t.reply) for t in turns)
    wordings = Counter(t.text.strip() for t in turns).most_common()
    sessions = Counter(t.session for t in turns if t.session is not None)
    answered = [t for t in turns if outcome(t.reply) == "answered"]
    latest = max(answered, key=lambda t: t.at).reply if answered else None
    return QuestionGroup(
        text=wordings[0][0],
        count=len(turns),
        partners=len({t.phone for t in turns}),
        not_covered=outcomes["not_covered"],
        answered=outcomes["answered"],
        no_reply=outcomes["no_reply"],
        session=sessions.most_common(1)[0][0] if sessions else None,
        sessions=dict(sorted(sessions.items())),
        last_asked=max(t.at for t in turns),
        answer=latest,
        wordings=[Wording(text=w, count=n) for w, n in wordings[:10]],
    )


def group_questions(turns: list[QuestionTurn]) -> list[QuestionGroup]:
    """Groups of similar questions: most "not covered" first, then the most asked."""
    turns = sorted(turns, key=lambda t: t.at)[-MAX_QUESTIONS:]
    by_wording: dict[str, list[QuestionTurn]] = {}
    for turn in turns:
        key = normalise(turn.text)
        if key:
            by_wording.setdefault(key, []).append(turn)
    wordings = sorted(by_wording, key=lambda w: (-len(by_wording[w]), w))
    if not wordings:
        return []
    groups = [
        _group([t for i in members for t in by_wording[wordings[i]]])
        for members in _clusters(wordings)
    ]
    return sorted(groups, key=lambda g: (-g.not_covered, -g.count, g.text.lower()))

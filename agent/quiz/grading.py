"""The deterministic quiz grader: which answer a partner's text means, with no LLM.

`match` returns what the text clearly selects (an option, true/false, a short answer) or
None when it is unclear: the caller then asks the LLM (if configured) or grades leniently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from agent.keywords import normalize
from agent.quiz.phrases import truth_of
from store.quiz_model import Kind, Question

_PARAPHRASE_CUTOFF = 80.0  # option text vs answer, token-set similarity


@dataclass(frozen=True)
class Graded:
    """A partner's answer as understood: what they chose and whether it is right."""

    given: str
    correct: bool


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]+", "", normalize(text))


# The author's side of a comparison (options, accepted answers) is the same few hundred texts
# for every partner: normalising them once instead of on every grade saves most of its CPU.
# Bounded, so content edits and translations cannot grow them without limit.
_authored_compact = lru_cache(maxsize=4096)(_compact)
_authored_normal = lru_cache(maxsize=4096)(normalize)


def option_of(question: Question, text: str, fuzzy: bool = False) -> int | None:
    """The 0-based option the text names by number, letter, exact text (or close paraphrase)."""
    norm = normalize(text).removeprefix("option ").strip()
    count = len(question.options)
    words = norm.split()
    # "B", "b)", "I think B", "answer is 2": a short message ending in a letter or number.
    bare = words[-1].rstrip(")") if words and len(words) <= 4 else norm
    if bare.isdigit() and 1 <= int(bare) <= count:
        return int(bare) - 1
    if len(bare) == 1 and "a" <= bare <= chr(ord("a") + count - 1):
        return ord(bare) - ord("a")
    texts = [_authored_compact(o) for o in question.options]
    given = _compact(text)
    if given in texts:
        return texts.index(given)
    if not fuzzy:
        return None
    inside = [i for i, t in enumerate(texts) if t and t in given]
    if len(inside) == 1:  # "SS 316 grade": exactly one option's text is in the answer
        return inside[0]
    scores = [fuzz.token_set_ratio(norm, _authored_normal(o)) for o in question.options]
    best = max(range(count), key=lambda i: scores[i])
    tied = sorted(scores)[-2] == scores[best]
    return best if scores[best] >= _PARAPHRASE_CUTOFF and not tied else None


def short_correct(question: Question, text: str) -> bool:
    """True when the text is an accepted answer, ignoring case, spaces and small typos."""
    given = _compact(text)
    words = f" {normalize(text)} "
    given_digits = _digits(given)
    for accepted in question.accepted:
        target = _authored_compact(accepted)
        if given == target or f" {_authored_normal(accepted)} " in words:
            return True
        # Small typos: one wrong letter from 4 characters on, two from 9 (not "SS304" for "SS316").
        allowed = 2 if len(target) >= 9 else 1 if len(target) >= 4 else 0
        same_numbers = given_digits == _digits(target)  # "11th" is no typo of "10th"
        if allowed and same_numbers and Levenshtein.distance(given, target) <= allowed:
            return True
    return False


def grade_exact(question: Question, text: str) -> Graded | None:
    """Grade when the text is unambiguous (option number, letter, exact text, true/false word);
    None otherwise. Short answers are exact when they match an accepted answer."""
    if question.kind is Kind.CHOICE:
        chosen = option_of(question, text)
        if chosen is None:
            return None
        return Graded(question.options[chosen], chosen == question.correct_option)
    if question.kind is Kind.TRUE_FALSE:
        value = truth_of(text)
        return None if value is None else Graded(str(value).lower(), value is question.answer)
    return Graded(text.strip(), True) if short_correct(question, text) else None


def grade_lenient(question: Question, text: str) -> Graded | None:
    """The fallback grader: close paraphrases of options count; any short text is an answer.
    None when a choice or true/false answer cannot be told at all (ask again)."""
    exact = grade_exact(question, text)
    if exact is not None:
        return exact
    if question.kind is Kind.CHOICE:
        chosen = option_of(question, text, fuzzy=True)
        if chosen is None:
            return None
        return Graded(question.options[chosen], chosen == question.correct_option)
    if question.kind is Kind.SHORT:
        return Graded(text.strip(), False)
    return None

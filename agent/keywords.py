"""Deterministic intent classifier: keyword phrases, session references and fuzzy typo matching."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from agent.intents import Classification, Intent
from agent.session_refs import find_session_ref
from prompts import prompts_dir

_QUESTION_STARTS = {
    "what", "how", "why", "when", "where", "who", "which", "is", "are", "can", "do", "does",
    "will", "should", "could", "would", "whom", "whose", "kya", "kaise", "kab", "kitna", "kitne",
    "kaun", "kyun", "explain", "tell", "what's", "whats", "wat", "who's", "where's",
}  # fmt: skip
_COMMAND_ORDER = [
    Intent.EXIT, Intent.RESTART, Intent.ENROLL, Intent.RESUME, Intent.PROGRESS,
    Intent.MENU, Intent.COMPLETE, Intent.PREVIOUS, Intent.NEXT,
]  # fmt: skip
_FUZZY_CUTOFF = 74.0
_MINUS_NUMBER = re.compile(r"(?<![\w\u0900-\u097f])[-−–]\s*(?=\d)")  # "-3", "− 3", not "2-3"


def _kept(ch: str) -> bool:
    # Letters, digits and combining marks (Devanagari vowel signs are marks, not letters).
    return ch.isalnum() or ch in "#' " or unicodedata.category(ch).startswith("M")


def _minus_sign(text: str, i: int) -> bool:
    return text[i] == "-" and text[i + 1 : i + 2].isdigit() and (i == 0 or text[i - 1] == " ")


def normalize(text: str) -> str:
    """Lower-case, straighten quotes, drop emoji and punctuation (keeping #, ' and a minus
    sign in front of a number, so "section -3" is not session 3)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("`", "'")
    text = text.replace("\ufe0f", "").replace("\u20e3", "")  # keycap emoji "5️⃣" is "5"
    text = _MINUS_NUMBER.sub(" -", text)
    kept = [ch if _kept(ch) or _minus_sign(text, i) else " "
            for i, ch in enumerate(text)]  # fmt: skip
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def looks_like_question(text: str) -> bool:
    """True for a question mark or a question word at the start."""
    words = normalize(text).split()
    return "?" in text or (bool(words) and words[0] in _QUESTION_STARTS)


@dataclass(frozen=True)
class _Vocabulary:
    phrases: dict[Intent, list[str]]
    filler: frozenset[str]
    small_talk: frozenset[str]
    pleas: frozenset[str]


@lru_cache(maxsize=4)
def _vocabulary(folder: str) -> _Vocabulary:
    raw = yaml.safe_load((Path(folder) / "keywords.yaml").read_text(encoding="utf-8"))
    phrases = {Intent(k): [normalize(p) for p in raw[k.value]] for k in _COMMAND_ORDER}
    return _Vocabulary(
        phrases=phrases,
        filler=frozenset(normalize(str(w)) for w in raw["filler"]),
        small_talk=frozenset(normalize(str(w)) for w in raw["small_talk"]),
        pleas=frozenset(normalize(str(w)) for w in raw["plea"]),
    )


def is_plea(clause: str) -> bool:
    """True for a bare call for help ("help", "madad karo"): inside a longer message it asks
    for help with the rest of it, so it is not the menu command there."""
    return normalize(clause) in _vocabulary(str(prompts_dir())).pleas


class KeywordClassifier:
    """Classifies a message with no LLM; every intent has a keyword and a fuzzy path."""

    def __init__(self) -> None:
        self.vocab = _vocabulary(str(prompts_dir()))
        # Restart wipes progress, so it never fires on a guessed typo.
        self._single_words = {
            p: intent
            for intent, ps in self.vocab.phrases.items()
            for p in ps
            if " " not in p and intent is not Intent.RESTART
        }
        # Compiled once: matching runs on every message, twice with the lane choice.
        self._patterns = {
            intent: [(p, re.compile(rf"(?<![\w']){re.escape(p)}(?![\w'])")) for p in ps]
            for intent, ps in self.vocab.phrases.items()
        }

    def _content_words(self, words: list[str]) -> list[str]:
        return [w for w in words if w not in self.vocab.filler]

    def _match_phrase(self, norm: str) -> Classification | None:
        words = norm.split()
        for intent in _COMMAND_ORDER:
            for phrase, pattern in self._patterns[intent]:
                if not pattern.search(norm):
                    continue
                rest = pattern.sub(" ", norm).split()
                if not self._content_words(rest):
                    exact = len(words) <= len(phrase.split()) + 4
                    # Filler words around the phrase make it a little less certain.
                    sure = 1.0 if len(words) == len(phrase.split()) else 0.9
                    return Classification(intent, source="keyword", confidence=sure, exact=exact)
        return None

    def _match_jump(self, norm: str) -> Classification | None:
        ref = find_session_ref(norm)
        if ref is None:
            return None
        rest = (norm[: ref.span[0]] + " " + norm[ref.span[1] :]).split()
        if self._content_words(rest):
            return None
        return Classification(
            Intent.JUMP, session=ref.number, last_session=ref.last, source="keyword",
            exact=len(rest) <= 5, confidence=1.0 if not rest else 0.9,
        )  # fmt: skip

    def _match_fuzzy(self, norm: str) -> Classification | None:
        words = norm.split()
        if not words or len(words) > 5:
            return None
        whole = process.extractOne(
            norm,
            [p for ps in self.vocab.phrases.values() for p in ps],
            scorer=fuzz.ratio,
            score_cutoff=85,
        )
        if whole:
            return self._match_phrase(whole[0]) and Classification(
                self._intent_of(whole[0]), source="fuzzy", confidence=whole[1] / 100, exact=True
            )
        for i, word in enumerate(words):
            if len(word) < 3 or word in self.vocab.filler:
                continue
            hit = process.extractOne(
                word, list(self._single_words), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
            )
            if hit and not self._content_words(words[:i] + words[i + 1 :]):
                intent = self._single_words[hit[0]]
                return Classification(intent, source="fuzzy", confidence=hit[1] / 100, exact=True)
        return None

    def _intent_of(self, phrase: str) -> Intent:
        return next(i for i, ps in self.vocab.phrases.items() if phrase in ps)

    def classify(self, text: str, in_training: bool = False) -> Classification:
        """The intent of `text`; `exact` is set when a whole-message command matched."""
        norm = normalize(text)
        if not norm:
            return Classification(Intent.OTHER, source="default", confidence=0.0)
        found = self._match_jump(norm) or self._match_phrase(norm) or self._match_fuzzy(norm)
        if found:
            return found
        if norm in self.vocab.small_talk or not self._content_words(norm.split()):
            return Classification(Intent.OTHER, source="keyword", confidence=0.6)
        if in_training or looks_like_question(text):
            return Classification(Intent.QUESTION, source="default", confidence=0.5)
        return Classification(Intent.OTHER, source="default", confidence=0.5)

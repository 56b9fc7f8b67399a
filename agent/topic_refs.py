"""Find the session a message names by its topic: "take me to the one about payments",
"GST wala session dikhao", "open the delivery part again", "कमीशन वाला सेशन खोलो".

Works for any content: the topic words are read with the search index's parser (alias
lexicon, typos, Hindi) and matched against each loaded session's heading and its key words
(words used mostly in that session). A message counts as such a reference only when it names
a session ("session", "part", "module", "the one about", "wala") and asks to go there
("open", "take me", "back to", "dikhao", "खोलो"), or is no more than "<topic> session";
"what does the payments session say about TDS?" stays a question.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

import yaml

from agent.keywords import looks_like_question, normalize
from agent.query import Slot
from agent.retrieval import KnowledgeIndex
from agent.session_refs import GO_TO, asks_to_go, find_session_ref
from agent.terms import content_terms
from prompts import prompts_dir

_L, _R = r"(?<![\w\u0900-\u097f])", r"(?![\w\u0900-\u097f])"  # word edges, Devanagari too
_SESSION_TYPOS = r"s+e+s+[sh]*i*o*n+s?"  # session, sesion, sessionn, sessons
_NUMERALS = r"|\d|[\u0966-\u096f]"  # a session named by number is session_refs' job


@dataclass(frozen=True)
class _Words:
    """The word lists of prompts/keywords.yaml `topic_refs`, as patterns."""

    noun: re.Pattern[str]  # names a session, or says "the one (about)"
    go: re.Pattern[str]  # asks to go (back) there
    go_strong: re.Pattern[str]  # goes somewhere without a session word: "skip to payments"
    reason: re.Pattern[str]  # where the reason for going starts
    frame: re.Pattern[str]  # the request's own words, never part of the topic
    order: re.Pattern[str]  # sessions named by their order: never a topic
    not_going: re.Pattern[str]  # marking done, or a number: not a topic reference
    asks: re.Pattern[str]  # a question word anywhere: the message asks about the topic


def _alternatives(words: list[str]) -> str:
    """Whole words or phrases as one regex alternation; a trailing * matches any ending."""
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    return "|".join(sorted(parts, key=len, reverse=True))  # longest first: "go to" before "go"


@lru_cache(maxsize=4)
def _words(folder: str) -> _Words:
    raw = yaml.safe_load((Path(folder) / "keywords.yaml").read_text(encoding="utf-8"))
    lists = raw["topic_refs"]

    def words(key: str, extra: str = "") -> str:
        if not all(isinstance(w, str) for w in lists[key]):  # unquoted on/no read as booleans
            raise ValueError(f"keywords.yaml topic_refs.{key}: quote every word")
        return f"{_L}(?:{extra}{_alternatives(lists[key])}){_R}"

    return _Words(
        noun=re.compile(words("session_words", _SESSION_TYPOS + "|")),
        go=re.compile(words("go_words")),
        go_strong=re.compile(words("go_strong_words")),
        reason=re.compile(words("reason_words")),
        frame=re.compile(words("frame_words")),
        order=re.compile(words("order_words")),
        not_going=re.compile(words("done_words") + _NUMERALS),
        asks=re.compile(words("question_words")),
    )


_SHORT = 4  # "GST wala session", "kyc part": a topic and a session word, nothing else
_KEY_SHARE = 0.6  # a key word of a session: at least this share of its uses are there
_KEY_USES = 2  # a key word used this often counts fully; a word used once is weak evidence
_HEADING = 2.0  # a topic word found in a heading counts twice a key word
_ENOUGH = 1.0  # one heading word, or one key word used twice, names the session
_TOPIC_SHARE = 0.6
_RECITED = 2  # topic words that, all in one heading, name it without "session" or "go to"


@dataclass(frozen=True)
class _Topics:
    headings: dict[int, frozenset[str]]
    keys: dict[int, dict[str, float]]  # key word -> weight (a word used once counts half)


class _Frame(Enum):
    """How a message asks for a session by topic."""

    NOUN = "noun"  # "open the session on payments", "GST wala session"
    HEADING = "heading"  # "skip to payments", "Leads and the CRM please": its heading's words


def _frame(w: _Words, text: str, norm: str) -> _Frame | None:
    """How the message names a session by topic, or None when it cannot be such a message."""
    if w.not_going.search(norm) or w.order.search(norm) or find_session_ref(norm):
        return None
    question = looks_like_question(text) or bool(w.asks.search(norm))
    if w.noun.search(norm) and (
        w.go.search(norm) or asks_to_go(norm) or (len(norm.split()) <= _SHORT and not question)
    ):
        return _Frame.NOUN
    if w.go_strong.search(norm) or not question:
        return _Frame.HEADING
    return None


def _topic_words(w: _Words, norm: str) -> str:
    """The words that say which session: the clause naming it, without the frame's words."""
    clauses = [c for c in w.reason.split(norm) if c.strip()]
    named = next((c for c in clauses if w.noun.search(c)), clauses[0] if clauses else "")
    return w.frame.sub(" ", GO_TO.sub(" ", w.go.sub(" ", w.noun.sub(" ", named))))


@lru_cache(maxsize=4)  # one per index (the index is rebuilt when the content changes)
def _topics(index: KnowledgeIndex) -> _Topics:
    per_session: dict[int, Counter[str]] = {}
    headings: dict[int, set[str]] = {}
    for unit in index.units:
        s_no = unit.passage.s_no
        per_session.setdefault(s_no, Counter()).update(unit.terms)
        headings.setdefault(s_no, set()).update(content_terms(unit.passage.heading))
    total: Counter[str] = sum(per_session.values(), Counter())
    keys = {
        s_no: {t: min(1.0, n / _KEY_USES) for t, n in counts.items() if n >= _KEY_SHARE * total[t]}
        for s_no, counts in per_session.items()
    }
    return _Topics({s: frozenset(h) for s, h in headings.items()}, keys)


def find_topic_session(text: str, index: KnowledgeIndex) -> int | None:
    """The session whose heading or key words the message names as a place to go, or None
    when it names no session, no topic, or two sessions equally well."""
    norm = normalize(text)
    w = _words(str(prompts_dir()))
    frame = _frame(w, text, norm)
    if frame is None:
        return None
    slots = index.parse(_topic_words(w, norm)).slots
    if not slots:
        return None
    found = _score(_topics(index), slots)
    ranked = sorted(found, key=lambda s_no: found[s_no].score, reverse=True)[:2]
    if not ranked or found[ranked[0]].score < _ENOUGH:
        return None
    if len(ranked) > 1 and found[ranked[1]].score >= found[ranked[0]].score:
        return None  # two sessions fit as well: the menu lets the partner choose
    best = ranked[0]
    if frame is _Frame.HEADING:  # no session word: every topic word must be in its heading,
        # "kyc" alone asks about it; two topic words, or "skip to kyc", name a session.
        recited = len(slots) >= _RECITED or bool(w.go_strong.search(norm))
        return best if recited and found[best].in_heading == len(slots) else None
    # The topic is what the message is about: most of its words, not one word of a sentence.
    return best if found[best].named >= _TOPIC_SHARE * len(slots) else None


@dataclass
class _Fit:
    score: float = 0.0
    named: int = 0  # topic words found in the session's heading or key words
    in_heading: int = 0  # topic words found in its heading


def _score(topics: _Topics, slots: list[Slot]) -> dict[int, _Fit]:
    """How well each session fits the topic words: heading words count double."""
    found: dict[int, _Fit] = {}
    for s_no, heading in topics.headings.items():
        keys = topics.keys.get(s_no, {})
        fit = found[s_no] = _Fit()
        for slot in slots:
            in_keys = max((keys[t] for t in slot.stems if t in keys), default=0.0)
            score = _HEADING * slot.trust(heading) or in_keys * slot.trust(set(keys))
            fit.score += score
            fit.named += score > 0
            fit.in_heading += slot.trust(heading) > 0
    return found

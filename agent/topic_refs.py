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

from agent.keywords import looks_like_question, normalize
from agent.query import Slot
from agent.retrieval import KnowledgeIndex
from agent.session_refs import GO_TO, asks_to_go, find_session_ref
from agent.terms import content_terms

# A word that names a session, or says "the one (about)": what makes a topic a place to go.
_NOUN = re.compile(
    r"(?<![\w\u0900-\u097f])(?:s+e+s+[sh]*i*o*n+s?|sesions?|sesh|sections?|modules?|lessons?|"
    r"parts?|chapters?|topics?|one|wala|vala|waala|wali|wale|वाला|वाली|वाले|सत्र|सेशन|भाग|"
    r"अध्याय|मॉड्यूल|पाठ)(?![\w\u0900-\u097f])"
)
# Asking to go (back) there, in English, Hinglish and Hindi.
_GO = re.compile(
    r"(?<![\w\u0900-\u097f])(?:go|goto|going|open|opening|take|taking|jump|skip|back|revisit|"
    r"return|switch|move|head|show|see|view|read|reread|redo|repeat|again|once more|revise|"
    r"revision|review|study|check|"
    r"khol\w*|dikha\w*|chalo|chale|chalein|jao|jaana|jana|padh\w*|dobara|phir se|fir se|"
    r"खोल\w*|दिखा\w*|जाओ|जाना|चलो|ले चलो|पढ़\w*|पढ\w*|फिर से|दोबारा|वापस)"
    r"(?![\w\u0900-\u097f])"
)
# Going somewhere without a session word: "skip to payments", "open logistics".
_GO_STRONG = re.compile(
    r"(?<![\w\u0900-\u097f])(?:go to|goto|go back to|jump to|jump|skip to|take me to|open|"
    r"back to|move to|switch to|le chalo|kholo|खोलो|ले चलो)(?![\w\u0900-\u097f])"
)
# Where the reason for going starts: "... the payments session before I meet my customer".
_REASON = re.compile(
    r"(?<![\w\u0900-\u097f])(?:before|after|because|since|as|when|while|so that|coz|"
    r"kyunki|taaki|jab|क्योंकि|ताकि|जब)(?![\w\u0900-\u097f])"
)
# Words of the frame itself, never part of the topic.
_FRAME_WORDS = re.compile(
    r"(?<![\w\u0900-\u097f])(?:about|on|regarding|related|for|of|to|me|the|that|this|pe|par|"
    r"ke|ki|ka|bare|baare|mein|पर|के|की|का|बारे|में|le|please|pls|plz|can|could|you|u|i|"
    r"want|wanna|would|like|lets|let's|there|now|jo|tha|wo|woh|before|earlier|carry|continue|"
    r"resume|start|restart|begin|training)"
    r"(?![\w\u0900-\u097f])"
)
# Sessions named by their order: never a topic.
_NAVIGATION = re.compile(
    r"(?<![\w\u0900-\u097f])(?:next|previous|prev|prevous|agla|agle|pichla|pichle|last|"
    r"current|same|left|stopped|अगला|अगले|पिछला|पिछले)(?![\w\u0900-\u097f])"
)
# Marking a session done ("mark the KYC session complete") is not going there; a session
# named by number ("session 5 about payments") is found by agent/session_refs.py.
_NOT_GOING = re.compile(
    r"(?<![\w\u0900-\u097f])(?:complete|completed|mark|marked|tick|finish|finished|done|"
    r"khatam|poora|pura|पूरा|पूरी|खत्म)(?![\w\u0900-\u097f])|\d|[\u0966-\u096f]"
)
# Question words anywhere ("KYC ke liye kya documents chahiye", "कितने सेशन बचे हैं"): such
# a message asks about the topic, it does not name a session.
_ASKS = re.compile(
    r"(?<![\w\u0900-\u097f])(?:kya|kyaa|kaise|kab|kitna|kitne|kitni|kaun|kaunsa|kahan|kidhar|"
    r"kyun|what|how|why|when|where|who|which|कितने|कितना|क्या|कौन|कौनसा|कब|कैसे|कहाँ|कहां)"
    r"(?![\w\u0900-\u097f])"
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


def _frame(text: str, norm: str) -> _Frame | None:
    """How the message names a session by topic, or None when it cannot be such a message."""
    if _NOT_GOING.search(norm) or _NAVIGATION.search(norm) or find_session_ref(norm):
        return None
    question = looks_like_question(text) or bool(_ASKS.search(norm))
    if _NOUN.search(norm) and (
        _GO.search(norm) or asks_to_go(norm) or (len(norm.split()) <= _SHORT and not question)
    ):
        return _Frame.NOUN
    if _GO_STRONG.search(norm) or not question:
        return _Frame.HEADING
    return None


def _topic_words(norm: str) -> str:
    """The words that say which session: the clause naming it, without the frame's words."""
    clauses = [c for c in _REASON.split(norm) if c.strip()]
    named = next((c for c in clauses if _NOUN.search(c)), clauses[0] if clauses else "")
    return _FRAME_WORDS.sub(" ", GO_TO.sub(" ", _GO.sub(" ", _NOUN.sub(" ", named))))


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
    frame = _frame(text, norm)
    if frame is None:
        return None
    slots = index.parse(_topic_words(norm)).slots
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
        recited = len(slots) >= _RECITED or _GO_STRONG.search(norm)  # "kyc" alone asks about it
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

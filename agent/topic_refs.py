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
from functools import lru_cache

from agent.keywords import normalize
from agent.retrieval import KnowledgeIndex
from agent.session_refs import find_session_ref
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
    r"return|switch|move|head|show|see|view|read|reread|redo|repeat|again|once more|"
    r"khol\w*|dikha\w*|chalo|chale|chalein|jao|jaana|jana|padh\w*|dobara|phir se|fir se|"
    r"खोल\w*|दिखा\w*|जाओ|जाना|चलो|ले चलो|पढ़\w*|पढ\w*|फिर से|दोबारा|वापस)"
    r"(?![\w\u0900-\u097f])"
)
# Words of the frame itself, never part of the topic.
_FRAME_WORDS = re.compile(
    r"(?<![\w\u0900-\u097f])(?:about|on|regarding|related|for|of|to|me|the|that|this|pe|par|"
    r"ke|ki|ka|bare|baare|mein|पर|के|की|का|बारे|में|le|please|pls|plz|can|could|you|u|i|"
    r"want|wanna|would|like|lets|let's|there|now|jo|tha|wo|woh)(?![\w\u0900-\u097f])"
)
# Marking a session done ("mark the KYC session complete") is not going there; a session
# named by number ("session 5 about payments") is found by agent/session_refs.py.
_NOT_GOING = re.compile(
    r"(?<![\w\u0900-\u097f])(?:complete|completed|mark|marked|tick|finish|finished|done|"
    r"khatam|poora|pura|पूरा|पूरी|खत्म)(?![\w\u0900-\u097f])|\d|[\u0966-\u096f]"
)
_SHORT = 5  # "GST wala session", "kyc part": a topic and a session word, nothing else
_KEY_SHARE = 0.6  # a key word of a session: at least this share of its uses are there
_HEADING = 2.0  # a topic word found in a heading counts twice a key word


@dataclass(frozen=True)
class _Topics:
    headings: dict[int, frozenset[str]]
    keys: dict[int, frozenset[str]]


def names_a_session(norm: str) -> bool:
    """True when a normalised message names a session as a place to go (not its topic yet)."""
    if not _NOUN.search(norm) or _NOT_GOING.search(norm) or find_session_ref(norm):
        return False
    return bool(_GO.search(norm)) or len(norm.split()) <= _SHORT


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
        s_no: frozenset(t for t, n in counts.items() if n >= _KEY_SHARE * total[t])
        for s_no, counts in per_session.items()
    }
    return _Topics({s: frozenset(h) for s, h in headings.items()}, keys)


def find_topic_session(text: str, index: KnowledgeIndex) -> int | None:
    """The session whose heading or key words the message names as a place to go, or None
    when it names no session, no topic, or two sessions equally well."""
    norm = normalize(text)
    if not names_a_session(norm):
        return None
    topic = _FRAME_WORDS.sub(" ", _GO.sub(" ", _NOUN.sub(" ", norm)))
    slots = index.parse(topic).slots
    if not slots:
        return None
    topics = _topics(index)
    scores: Counter[int] = Counter()
    for s_no, heading in topics.headings.items():
        for slot in slots:
            in_heading = slot.trust(heading)
            scores[s_no] += _HEADING * in_heading or slot.trust(topics.keys.get(s_no, frozenset()))
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] <= 0 or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    return ranked[0][0]

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

from agent.keywords import looks_like_question, normalize
from agent.retrieval import KnowledgeIndex
from agent.session_refs import asks_to_go, find_session_ref
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
# Hindi question words: "कितने सेशन बचे हैं" asks how many, it names no session.
_ASKS = re.compile(r"(?<![\u0900-\u097f])(?:कितने|कितना|क्या|कौन|कौनसा|कब|कैसे|कहाँ|कहां)(?![\u0900-\u097f])")
_SHORT = 4  # "GST wala session", "kyc part": a topic and a session word, nothing else
_KEY_SHARE = 0.6  # a key word of a session: at least this share of its uses are there
_KEY_USES = 2  # a key word used this often counts fully; a word used once is weak evidence
_HEADING = 2.0  # a topic word found in a heading counts twice a key word
_ENOUGH = 1.0  # one heading word, or one key word used twice, names the session
_TOPIC_SHARE = 0.6


@dataclass(frozen=True)
class _Topics:
    headings: dict[int, frozenset[str]]
    keys: dict[int, dict[str, float]]  # key word -> weight (a word used once counts half)


def names_a_session(text: str) -> bool:
    """True when a message names a session as a place to go (not which one yet)."""
    norm = normalize(text)
    if not _NOUN.search(norm) or _NOT_GOING.search(norm) or find_session_ref(norm):
        return False
    if _GO.search(norm) or asks_to_go(norm):
        return True
    return len(norm.split()) <= _SHORT and not looks_like_question(text) and not _ASKS.search(norm)


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
    if not names_a_session(text):
        return None
    norm = normalize(text)
    if _NAVIGATION.search(norm):
        return None  # "back to the previous session" names where by order, not by topic
    topic = _FRAME_WORDS.sub(" ", _GO.sub(" ", _NOUN.sub(" ", norm)))
    slots = index.parse(topic).slots
    if not slots:
        return None
    topics = _topics(index)
    scores: Counter[int] = Counter()
    named: Counter[int] = Counter()  # how many of the topic's words each session holds
    for s_no, heading in topics.headings.items():
        keys = topics.keys.get(s_no, {})
        for slot in slots:
            in_keys = max((keys[t] for t in slot.stems if t in keys), default=0.0)
            score = _HEADING * slot.trust(heading) or in_keys * slot.trust(set(keys))
            scores[s_no] += score
            named[s_no] += score > 0
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < _ENOUGH or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    best = ranked[0][0]
    # The topic is what the message is about: most of its words, not one word of a sentence.
    return best if named[best] >= _TOPIC_SHARE * len(slots) else None

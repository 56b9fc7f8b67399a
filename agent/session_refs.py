"""Find the session a message refers to, anywhere in a sentence.

Digits (also Devanagari ०-९), ordinals ("6th", "sixth"), number words in English, Hinglish
("teesra", "paanchvan") and Hindi ("तीसरा"), "#3", "the last one". A minus sign is kept
("section -3" is -3, which no session has), so a caller can answer with an error instead of
jumping to another session. Texts are expected normalised (`agent.keywords.normalize`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EN = "one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
_EN_ORD = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_WORDS: dict[str, int] = {w: i for i, w in enumerate(_EN, 1)}
_WORDS.update({w: i for i, w in enumerate(_EN_ORD.split(), 1)})
_HINGLISH = {
    1: "ek pehla pehle pehli pahla pahli", 2: "do doosra dusra doosri dusri dusre doosre",
    3: "teen teesra tisra teesri tisri teesre", 4: "char chaar chautha chauthi chauthe",
    5: "paanch panch paanchva paanchvan panchva panchvan paanchvi panchvi paanchwa",
    6: "chhe chhah chhatha chhata chhathi chatha chhathe", 7: "saat saatva saatvan satvan saatvi",
    8: "aath aathva aathvan aathvi", 9: "nau nauva nauvan", 10: "das dasva dasvan dasvi",
}  # fmt: skip
_DEVANAGARI = {
    1: "एक पहला पहली पहले", 2: "दो दूसरा दूसरी दूसरे", 3: "तीन तीसरा तीसरी तीसरे",
    4: "चार चौथा चौथी चौथे",
    5: "पांच पाँच पांचवां पाँचवाँ पांचवा पाँचवा पांचवीं पाँचवीं पांचवें पाँचवें पांचवे",
    6: "छह छः छठा छठी छठे", 7: "सात सातवां सातवाँ सातवा सातवीं सातवें",
    8: "आठ आठवां आठवाँ आठवा आठवें",
    9: "नौ नौवां नौवाँ", 10: "दस दसवां दसवाँ",
}  # fmt: skip
for _table in (_HINGLISH, _DEVANAGARI):
    for _n, _spellings in _table.items():
        _WORDS.update({w: _n for w in _spellings.split()})

_L = r"(?<![\w\u0900-\u097f'])"  # word boundaries that also hold inside Devanagari words
_R = r"(?![\w\u0900-\u097f'])"
_MINUS = r"(?:(?:minus|negative)\s*|-\s*)?"
_NUMBER = rf"({_MINUS}\d{{1,3}})(?:\s?(?:st|nd|rd|th)|va|vaan|vi|वां|वाँ|वा|वीं)?"
_WORD = "(" + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)) + ")"
_NOUN = (
    r"(?:s+e+s+[sh]*i*o*n+s?|sesions?|sessoin|sessio|sesn|secion|seshun|seshion|sesh|ssn|"
    r"sess|sec|section|secton|sectn|module|"
    r"modul|lesson|part|chapter|topic|s|सत्र|सेशन|भाग|अध्याय|मॉड्यूल|पाठ)"
)
_NO = r"(?:\s*(?:no\.?|number|num|nbr|नंबर|संख्या|#))?"
_ONE = r"(?:one|wala|vala|waala|wali|वाला|वाली|नंबर वाला)"
_VERB = r"(?:go to|goto|go|open|show|jump to|jump|take me to|khol|kholo|खोलो|दिखाओ)"
# Moving somewhere, anywhere in a sentence: "lets go to 4th", "skip ahead to the seventh".
_MOVE = (
    r"(?:go|goto|jump|move|skip|switch|head|back|return|take me|taking me|bring me)"
    r"(?:\s+(?:ahead|forward|back|straight|directly))?\s+(?:to|on)\s+(?:the\s+)?"
)
# What may follow such a number: the end, or a word that is not a thing being counted
# ("go to 5 customers a day" names no session).
_THEN = (
    r"(?=\s*$|\s+(?:please|pls|plz|now|again|then|and|na|yaar|if|so|once|one|i|we|ok|okay|"
    r"bro|sir|ji|directly|straight|kar|karo|karna|do|de|first|instead|too|also)\b)"
)
# Hinglish and Hindi "4 pe chalo", "chalo 4 pe", "4 पर जाओ".
_HI_GO = r"(?:chalo|chalte|jao|jaao|chale|le chalo|चलो|जाओ|ले चलो)"
_ON = r"(?:pe|par|per|पर|पे)"

# Ordered from most to least specific; group 1 holds the number or the word.
_PATTERNS = [
    re.compile(rf"{_L}{_NOUN}{_NO}\s*{_NUMBER}{_R}"),
    re.compile(rf"#\s*{_NUMBER}{_R}"),
    re.compile(rf"{_L}{_NUMBER}\s*(?:number\s*|no\s*|नंबर\s*)?{_NOUN}{_R}"),
    re.compile(rf"{_L}{_NOUN}\s+{_WORD}{_R}"),
    re.compile(rf"{_L}{_WORD}\s+{_NOUN}{_R}"),
    re.compile(rf"{_L}(?:the\s+)?{_WORD}\s+{_ONE}{_R}"),
    re.compile(rf"{_L}{_NUMBER}\s*(?:number\s+)?{_ONE}{_R}"),
    re.compile(rf"{_L}(?:number|no)\s*{_NUMBER}{_R}"),
    re.compile(rf"{_L}(?:number|no)\s+{_WORD}{_R}"),
    re.compile(rf"{_L}{_MOVE}{_NUMBER}{_R}{_THEN}"),
    re.compile(rf"{_L}{_MOVE}{_WORD}{_R}{_THEN}"),
    re.compile(rf"{_L}the\s+(\d{{1,2}})\s?(?:st|nd|rd|th){_R}{_THEN}"),  # "do the 7th first"
    re.compile(rf"{_L}{_NUMBER}\s+{_ON}\s+{_HI_GO}{_R}"),
    re.compile(rf"{_L}{_HI_GO}\s+{_NUMBER}\s+{_ON}{_R}"),
    re.compile(rf"^\s*{_VERB}?\s*(?:the\s+)?{_WORD}\s*$"),
]
_BARE_NUMBER = re.compile(rf"^\s*{_VERB}?\s*#?\s*{_NUMBER}\s*(?:please|pls|plz)?\s*$")
_LAST = re.compile(
    rf"{_L}(?:the\s+)?(?:last|final|aakhri|akhri|antim|आखिरी|अंतिम)\s+"
    rf"(?:one|{_NOUN}|wala|वाला)(?:\s+in the list)?{_R}"
)
# Words that should not count as a number on their own ("do" is Hindi for two, and English).
_AMBIGUOUS = {"do", "one", "s", "ek", "pehle", "sec", "part", "topic", "das", "char", "nau"}


# Asking to be taken somewhere ("open", "take me to", "kholo", "ले चलो"): with a session
# reference anywhere in the message, the message is a jump even when it is long and polite
# ("I had a doubt in the fourth session, could you open it again?").
GO_TO = re.compile(
    rf"{_L}(?:go to|goto|go back to|going to|open|opening|take me|taking me|bring me|jump|"
    r"skip to|skip ahead|back to|revisit|return to|switch to|move to|head to|show me|show|"
    r"see|read|reread|redo|repeat|revise|review|study|send|share|resend|"
    r"khol\w*|le chalo|chalo|jao|dikha\w*|dekhna|dekhni|padhna|padhni|bhejo|bhej do|"
    r"खोल\w*|दिखा\w*|ले चलो|चलो|जाओ|देखना|पढ़ना|भेजो)"
    rf"{_R}"
)


def asks_to_go(text: str) -> bool:
    """True when a normalised message asks to be taken somewhere (not yet where)."""
    return bool(GO_TO.search(text))


@dataclass(frozen=True)
class SessionRef:
    """A session reference: a number (maybe negative or out of range) or the last session."""

    number: int | None
    span: tuple[int, int]
    last: bool = False


def _value(token: str) -> int | None:
    token = token.strip()
    negative = token.startswith(("-", "minus", "negative"))
    digits = re.sub(r"^(?:minus|negative|-)\s*", "", token)
    if digits.isdigit():
        return -int(digits) if negative else int(digits)
    return _WORDS.get(token)


def find_session_ref(text: str) -> SessionRef | None:
    """The session reference in `text` (lower-case, normalised), or None."""
    bare = _BARE_NUMBER.match(text)
    if bare:
        return SessionRef(_value(bare.group(1)), bare.span())
    last = _LAST.search(text)
    if last:
        return SessionRef(None, last.span(), last=True)
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            token = match.group(1)
            after_noun = pattern is _PATTERNS[3] and token == "one"  # "session one"
            if token in _AMBIGUOUS and pattern is not _PATTERNS[0] and not after_noun:
                continue
            value = _value(token)
            if value is not None:
                return SessionRef(value, match.span())
    return None


def find_session_number(text: str) -> int | None:
    """The session number the text refers to (negative when written with a minus), or None."""
    ref = find_session_ref(text)
    return ref.number if ref else None


def span_of_session_ref(text: str) -> tuple[int, int] | None:
    """Where in the text the session reference is, so callers can ignore those words."""
    ref = find_session_ref(text)
    return ref.span if ref else None

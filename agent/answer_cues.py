"""What kind of answer a question asks for, and whether a sentence holds it.

The lexicon's `kinds:` name the kinds a question's words ask for ("how much" -> a number,
"why" -> a reason, "what details" -> a list); a question quoting an amount ("only 600",
"200 kg") asks about a limit. A sentence holds a kind when it matches its pattern: the
extractive answer prefers such sentences, and adds one when its topical sentences lack it.
"""

from __future__ import annotations

import re

from agent.terms import answer_kinds, words

_NUMBER_WORDS = r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|dozen)\b"
PATTERNS: dict[str, re.Pattern[str]] = {
    "number": re.compile(rf"\d|{_NUMBER_WORDS}", re.IGNORECASE),
    "contact": re.compile(r"@|\+\d[\d ]{6,}"),
    # A span of time ("48 hours", "3 to 5 weeks", "2 working days", "7 दिन"): "how long".
    "duration": re.compile(
        r"\d[\d.,]*\s*(?:to \d+\s*)?(?:working |calendar )?"
        r"(?:minute|hour|day|week|month|year|hrs?\b|मिनट|घंट|दिन|हफ्त|सप्ताह|महीन|साल|वर्ष)",
        re.IGNORECASE,
    ),
    "percent": re.compile(r"\d\s*%"),
    # "why": a sentence that gives a cause.
    "reason": re.compile(
        r"\b(?:because|since|due to|so that|as a result)\b|क्योंकि|इसलिए", re.IGNORECASE
    ),
    # "what details / which documents": a sentence that lists things (three or more items).
    "list": re.compile(r"(?:[^,;]+[,;]){3,}"),
    # An amount against a limit: "orders below the MOQ", "the minimum payout is ₹1,000".
    "limit": re.compile(
        r"\b(?:minimum|maximum|below|above|under|over|up to|at least|more than|less than|"
        r"smaller|larger|beyond)\b|से कम|से ज़्यादा|से अधिक|न्यूनतम|अधिकतम",
        re.IGNORECASE,
    ),
}
# Kinds an answer must hold, or the content does not answer the question: "Neha's mobile
# number" is not answered by the sentence that names Neha. Each also counts as its base kind.
REQUIRED = {
    "count": ("number", re.compile(rf"\d|{_NUMBER_WORDS}")),
    "contact_detail": ("contact", re.compile(r"@|\+?\d[\d -]{6,}")),
}
# Kinds whose absence from the topical sentences is worth one more sentence.
FILLED = frozenset({"number", "contact", "duration", "percent", "reason", "list", "limit"})


def question_kinds(text: str) -> set[str]:
    """The kinds of answer `text` asks for: the lexicon's, plus "limit" for a quoted amount."""
    kinds = answer_kinds(text)
    if any(w[0].isdigit() for w in words(text)):
        kinds.add("limit")  # "only 600, will it be paid?": the rule is a threshold
    kinds |= {REQUIRED[k][0] for k in kinds & set(REQUIRED)}
    return kinds


def holds(kind: str, sentence: str) -> bool:
    """True when `sentence` holds an answer of this kind."""
    pattern = PATTERNS.get(kind)
    return bool(pattern and pattern.search(sentence))

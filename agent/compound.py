"""Compound messages: a command plus a question ("go to session 4, what are the delivery
charges?"). The message is cut into clauses; the command is carried out first, then the
question part is answered. A command clause inside a longer chatty message also counts
("bye, and thanks for the help")."""

from __future__ import annotations

import re
from typing import Protocol

from agent.intents import Intent
from agent.keywords import is_plea, normalize
from agent.session_refs import find_session_ref

# Intents after which an answer still makes sense in the same turn.
NAVIGATION = {
    Intent.JUMP, Intent.NEXT, Intent.PREVIOUS, Intent.RESUME, Intent.ENROLL, Intent.COMPLETE,
}  # fmt: skip
# Full stops and commas inside a number ("2.5 cr", "₹1,20,000") do not end a clause.
_CLAUSES = re.compile(
    r"[?!;\n]+|[.,]+(?!\d)|(?<!\d)[.,]+|\s(?:and|then|also|plus|but|aur|phir|fir|par|और|फिर|लेकिन)\s",
    re.IGNORECASE,
)
# Commands a clause of a longer message may carry (never restart: it wipes progress).
COMMANDS = NAVIGATION | {Intent.MENU, Intent.PROGRESS, Intent.EXIT}
ANSWERED_AFTER = NAVIGATION | {Intent.MENU, Intent.PROGRESS}
MIN_QUESTION_PROBABILITY = 0.45
MIN_COMMAND_PROBABILITY = 0.55


class Scorer(Protocol):
    """Anything that gives intent probabilities for a text (the phrase-bank model)."""

    def probabilities(self, text: str) -> dict[Intent, float]:
        """P(intent | text)."""
        ...


def clauses(text: str) -> list[str]:
    """The message cut at punctuation, conjunctions and right after a session reference."""
    parts: list[str] = []
    for clause in _CLAUSES.split(text):
        norm = normalize(clause)
        ref = find_session_ref(norm)
        if ref and 0 < ref.span[1] < len(norm):
            parts += [norm[: ref.span[1]], norm[ref.span[1] :]]
        elif norm:
            parts.append(norm)
    return [p.strip() for p in parts if p.strip()]


def split_compound(text: str, model: Scorer) -> tuple[str, str | None] | None:
    """The command clause and the question clauses of a message of several clauses,
    or None when no clause is clearly a command."""
    parts = clauses(text)
    if len(parts) < 2:
        return None
    command: str | None = None
    asked: list[str] = []
    for clause in parts:
        probs = model.probabilities(clause)
        best = max(probs, key=lambda i: probs[i])
        if best is Intent.QUESTION and probs[best] >= MIN_QUESTION_PROBABILITY:
            asked.append(clause)
        elif is_plea(clause):
            continue  # "..., help" asks for help with the rest, not for the menu
        elif best in COMMANDS and probs[best] >= MIN_COMMAND_PROBABILITY and command is None:
            command = clause
    if command is None:
        return None
    return command, " ".join(asked) or None

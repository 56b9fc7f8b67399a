"""STOP and START: the partner's say over proactive messages, settled first with no LLM call.

"STOP" (and the `opt_out` phrases of prompts/keywords.yaml) marks the partner opted out with
the time and pauses the training; reminders and every other proactive message skip them.
"START" (the `opt_in` phrases) opts back in, and only acts for a partner who opted out.
Anything else an opted-out partner writes is answered as usual: they started that exchange.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from agent.intents import Intent
from agent.messages import Reply
from agent.render import display_name
from agent.turn_steps import StepInput
from agent.turns import TurnResult
from prompts import message, prompts_dir
from store.models import ProgressUpdate

MAX_PHRASE_CHARS = 80  # longer messages are never just "stop" (and skip the normalising)


def normalize_phrase(text: str) -> str:
    """Case-folded words; keeps letters, digits and combining marks (Devanagari vowel signs)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    kept = [ch if ch == "'" or unicodedata.category(ch)[0] in "LMN" else " " for ch in text]
    return re.sub(r"\s+", " ", "".join(kept)).strip()


@dataclass(frozen=True)
class OptPhrases:
    """The normalised opt-out and opt-in phrases and the polite words around them."""

    opt_out: frozenset[str]
    opt_in: frozenset[str]
    polite: frozenset[str]

    def core(self, text: str) -> str:
        """The message without polite words: what must equal a phrase."""
        return " ".join(w for w in normalize_phrase(text).split() if w not in self.polite)


@lru_cache(maxsize=4)
def _phrases(folder: str) -> OptPhrases:
    raw = yaml.safe_load((Path(folder) / "keywords.yaml").read_text(encoding="utf-8"))

    def phrases(key: str) -> frozenset[str]:
        return frozenset(normalize_phrase(str(p)) for p in raw.get(key) or [])

    return OptPhrases(phrases("opt_out"), phrases("opt_in"), phrases("opt_polite"))


def opt_phrases() -> OptPhrases:
    """The phrases from the current prompts folder."""
    return _phrases(str(prompts_dir()))


def is_opt_out(text: str) -> bool:
    """True when the whole message asks to stop proactive messages."""
    vocab = opt_phrases()
    return vocab.core(text) in vocab.opt_out


def is_opt_in(text: str) -> bool:
    """True when the whole message asks for proactive messages again."""
    vocab = opt_phrases()
    return vocab.core(text) in vocab.opt_in


def opt_out_step(step: StepInput) -> TurnResult | None:
    """Settle STOP and START; None for every other message."""
    progress = step.progress
    opted_out = bool(progress and progress.opted_out)
    name = display_name(progress.name if progress else None)
    store = step.trainer.store
    vocab = opt_phrases()
    core = vocab.core(step.text) if len(step.text) <= MAX_PHRASE_CHARS else ""
    if core in vocab.opt_out:
        if opted_out:
            return _result("opted_out_already", name, Intent.EXIT)
        # Pausing too: a partner who says STOP mid-session wants Genie to stop talking.
        update = ProgressUpdate(opted_out=True, opted_out_at=step.now, in_training_mode=False)
        store.update_progress(step.phone, update)
        return _result("opted_out", name, Intent.EXIT)
    if opted_out and core in vocab.opt_in:
        store.update_progress(step.phone, ProgressUpdate(opted_out=False, opted_out_at=None))
        return _result("opted_in", name, Intent.OTHER)
    return None


def _result(key: str, name: str, intent: Intent) -> TurnResult:
    return TurnResult([Reply(text=message(key, name=name))], intent, source="opt_out")

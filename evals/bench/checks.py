"""Correctness: replies lost, duplicated, out of order or wrong, and partners' final progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from evals.bench.load import Turn
from evals.bench.reference import Expected, FinalState
from evals.bench.replies import Received
from evals.bench.script import Partner

MAX_EXAMPLES = 5


@dataclass
class Tally:
    """Correctness counters over every partner and turn."""

    expected_replies: int = 0
    received_replies: int = 0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    unexpected: int = 0
    apologies: int = 0
    turns_timed_out: int = 0
    partners_checked: int = 0
    partners_wrong_progress: int = 0
    partners_unfinished: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Keep a few concrete problems for the report."""
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(text)

    def as_dict(self) -> dict[str, Any]:
        """Counters (and examples) as JSON-ready data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (replies are few per turn)."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b):
            prev, row[j + 1] = row[j + 1], prev + 1 if x == y else max(row[j + 1], row[j])
    return row[-1]


def check_turn(
    got: list[str], alternatives: list[list[str]], earlier: set[str], tally: Tally, where: str
) -> None:
    """Compare one turn's replies with the closest acceptable answer."""
    best = max(alternatives, key=lambda alt: (_lcs(got, alt), -abs(len(alt) - len(got))))
    matched = Counter(got) & Counter(best)
    extra = Counter(got) - matched
    in_order = _lcs(got, best)
    tally.expected_replies += len(best)
    tally.lost += len(best) - sum(matched.values())
    tally.out_of_order += sum(matched.values()) - in_order
    for text, n in extra.items():
        if text in earlier or text in best:
            tally.duplicated += n
        else:
            tally.unexpected += n
    if got != best:
        tally.note(f"{where}: got {len(got)} replies, expected {len(best)} ({_diff(got, best)})")


def _diff(got: list[str], best: list[str]) -> str:
    missing = [t[:30] for t in best if t not in got]
    surplus = [t[:30] for t in got if t not in best]
    return f"missing {missing}, extra {surplus}"


def check_partner(
    partner: Partner,
    turns: list[Turn],
    received: list[Received],
    expected: Expected,
    apology: str,
    tally: Tally,
) -> None:
    """Check every turn of one partner; the turn window runs to the next turn's start."""
    turns = sorted(turns, key=lambda t: t.step)
    earlier: set[str] = set()
    for i, turn in enumerate(turns):
        end = turns[i + 1].start if i + 1 < len(turns) else len(received)
        window = [r.text for r in received[turn.start : end]]
        got = [text for text in window if text != apology]
        tally.received_replies += len(window)
        tally.apologies += len(window) - len(got)
        tally.turns_timed_out += turn.timed_out
        alternatives = expected.replies[turn.step]
        check_turn(got, alternatives, earlier, tally, f"{partner.phone} step {turn.step}")
        earlier.update(text for alt in alternatives for text in alt)


def check_progress(
    partner: Partner,
    finished: bool,
    expected: Expected,
    progress_of: Callable[[str], FinalState],
    tally: Tally,
) -> None:
    """Compare the stored progress of a partner who played the whole script with the reference."""
    if not finished:
        tally.partners_unfinished += 1
        return
    tally.partners_checked += 1
    actual = progress_of(partner.phone)
    if actual != expected.final:
        tally.partners_wrong_progress += 1
        tally.note(f"{partner.phone} final progress {actual}, expected {expected.final}")

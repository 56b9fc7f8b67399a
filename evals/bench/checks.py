"""Correctness: replies lost, duplicated, out of order or wrong, and partners' final progress."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from evals.bench.load import Turn
from evals.bench.reference import Expected, FinalState
from evals.bench.replies import Received
from evals.bench.script import Partner, Step

MAX_EXAMPLES = 5
# Certificate codes are random per run: the reference run's code never equals the service's.
_CERTIFICATE_CODE = re.compile(r"(/verify/|/certificates/|\(code )[A-Za-z0-9_-]{20,}")


def comparable(text: str) -> str:
    """A reply with its certificate codes masked, so two runs of one script compare equal."""
    return _CERTIFICATE_CODE.sub(r"\1<code>", text)


@dataclass
class Tally:
    """Correctness counters over every partner and turn."""

    expected_replies: int = 0
    received_replies: int = 0
    lost: int = 0
    duplicated: int = 0
    # A part Twilio accepted just before a kill, sent again after the restart (at-least-once).
    duplicated_at_kill: int = 0
    out_of_order: int = 0
    unexpected: int = 0
    apologies: int = 0
    turns_timed_out: int = 0
    # Messages no process accepted within a whole round of retries (posted again, same SID).
    messages_refused_a_round: int = 0
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


def _chosen(alternatives: list[list[str]], received: Counter[str]) -> list[str]:
    """The first acceptable answer whose replies all arrived, else the first (LLM) answer."""
    for alternative in alternatives:
        if not Counter(alternative) - received:
            return alternative
    return alternatives[0]


def check_partner(
    partner: Partner,
    turns: list[Turn],
    received: list[Received],
    expected: Expected,
    apology: str,
    tally: Tally,
    kills: list[float] | None = None,
) -> None:
    """Align everything the partner got with everything the played turns should have produced.

    Whole-conversation alignment, not per-turn windows: a reply that comes after the partner
    gave up waiting and sent the next message is late, not lost (and not a duplicate later).
    """
    got = [comparable(r.text) for r in received if r.text != apology]
    have = Counter(got)
    want: list[str] = []
    for turn in sorted(turns, key=lambda t: t.step):
        alternatives = [[comparable(t) for t in a] for a in expected.replies[turn.step]]
        want += _chosen(alternatives, have)
        tally.messages_refused_a_round += int(turn.refused > 0)
        if turn.timed_out:
            tally.turns_timed_out += 1
            later = [r.at - turn.sent_at for r in received if r.at >= turn.sent_at]
            first = f"{min(later):.1f} s" if later else "never"
            tally.note(f"{partner.phone} step {turn.step} ({turn.path}) timed out; "
                       f"its first reply came after {first}")  # fmt: skip
    tally.expected_replies += len(want)
    tally.received_replies += len(received)
    tally.apologies += len(received) - len(got)
    matched = Counter(want) & have
    extra = have - matched
    tally.lost += len(want) - sum(matched.values())
    tally.out_of_order += sum(matched.values()) - _lcs(got, want)
    for text, n in extra.items():
        if text in matched:
            at_kill = _copies_across_a_kill(text, received, n, kills or [])
            tally.duplicated_at_kill += at_kill
            tally.duplicated += n - at_kill
        else:
            tally.unexpected += n
    if got != want:
        missing = [t[:30] for t in (Counter(want) - have).elements()]
        where = {t[:30]: _steps_of(t, turns, received) for t in extra}
        tally.note(f"{partner.phone}: missing {missing}, extra (in steps) {where}")


def _copies_across_a_kill(
    text: str, received: list[Received], extra: int, kills: list[float]
) -> int:
    """How many of the `extra` copies of `text` came after a kill that followed an earlier copy:
    the part was accepted, the process died before recording it, and the restart sent it again."""
    times = sorted(r.at for r in received if r.text == text)
    count = 0
    for later in times[len(times) - extra :]:
        if any(times[0] <= kill <= later for kill in kills):
            count += 1
    return count


def _steps_of(text: str, turns: list[Turn], received: list[Received]) -> list[int]:
    """The steps in whose reply windows `text` arrived (to locate a duplicate in a run)."""
    starts = sorted((t.start, t.step) for t in turns)
    steps = []
    for index, reply in enumerate(received):
        if comparable(reply.text) == text:
            steps.append(max((step for start, step in starts if start <= index), default=-1))
    return steps


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


def check_run(
    plan: list[tuple[Partner, list[Step], Expected]],
    turns: list[Turn],
    received_of: Callable[[str], list[Received]],
    apology: str,
    progress_of: Callable[[str], FinalState],
    kills: list[float] | None = None,
) -> Tally:
    """Check every partner's replies and, for those who played their whole script, progress."""
    tally = Tally()
    by_partner: dict[int, list[Turn]] = {}
    for turn in turns:
        by_partner.setdefault(turn.partner, []).append(turn)
    for partner, script, expected in plan:
        played = by_partner.get(partner.index, [])
        received = received_of(partner.phone)
        check_partner(partner, played, received, expected, apology, tally, kills)
        check_progress(partner, len(played) == len(script), expected, progress_of, tally)
    return tally

"""With `--keep`: each partner's turns, replies and expected answers as JSON lines, to debug."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from evals.bench.load import Turn
from evals.bench.reference import Expected
from evals.bench.replies import Received
from evals.bench.script import Partner, Step

FILE_NAME = "conversations.jsonl"


def write_transcripts(
    folder: Path,
    plan: list[tuple[Partner, list[Step], Expected]],
    turns: list[Turn],
    received_of: Callable[[str], list[Received]],
    started: float,
) -> Path:
    """One line per partner: each played turn (text, times, acks) and what was received when."""
    by_partner: dict[int, list[Turn]] = {}
    for turn in turns:
        by_partner.setdefault(turn.partner, []).append(turn)
    path = folder / FILE_NAME
    with path.open("w", encoding="utf-8") as out:
        for partner, script, expected in plan:
            played = sorted(by_partner.get(partner.index, []), key=lambda t: t.step)
            record = {
                "phone": partner.phone,
                "turns": [
                    {
                        "step": t.step,
                        "text": script[t.step].text,
                        "path": t.path,
                        "sent_s": round(t.sent_at - started, 3),
                        "timed_out": t.timed_out,
                        "apologies": t.apologies,
                        "acks": [asdict(a) for a in t.acks],
                        "expected": expected.replies[t.step],
                    }
                    for t in played
                ],
                "received": [
                    {"at_s": round(r.at - started, 3), "text": r.text}
                    for r in received_of(partner.phone)
                ],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path

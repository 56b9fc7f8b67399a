"""The simulated partners: who they are and the whole training each one goes through."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from store.kb_files import sample_sessions
from store.quiz_model import quiz_of

Path_ = Literal["keyword", "llm", "question"]
PATHS: tuple[Path_, ...] = ("keyword", "llm", "question")
QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "datasets" / "questions.jsonl"
NAMES = ["Asha", "Ravi", "Meera", "Kabir", "Priya", "Arjun"]
VARIANTS = 6  # distinct (name, questions) scripts; the reference run is computed once per variant

# Long, polite phrasings: not whole-message commands, so they take the LLM path; the keyword
# rules still read them right, so an LLM outage falls back to the same action.
LLM_NEXT = "ok cool thanks genie so can you please take me to the next one now"
LLM_COMPLETE = (
    "okay great thanks genie I think I have got this session now so please mark it as done"
)
LLM_RESUME = "ok thanks genie now I want to continue my training from here please"
LLM_PROGRESS = "hey genie can you please tell me how far I am now"


@dataclass(frozen=True)
class Step:
    """One message a partner sends, and the path the service is expected to take for it."""

    text: str
    path: Path_


@dataclass(frozen=True)
class Partner:
    """A simulated partner: phone, WhatsApp profile name and script variant."""

    index: int
    phone: str
    name: str
    variant: int


@lru_cache(maxsize=1)
def _covered_questions() -> list[str]:
    """Questions the training content answers (from the evals dataset), in file order."""
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [r["question"] for r in rows if r.get("expected_session") is not None]


@lru_cache(maxsize=1)
def _quiz_replies() -> dict[int, list[str]]:
    """Per session of the sample content, the right answers to its quiz (none: no quiz)."""
    return {
        s.s_no: [q.right_reply() for q in quiz.questions] if (quiz := quiz_of(s)) else []
        for s in sample_sessions()
    }


def _passing(s_no: int) -> list[Step]:
    """The quiz answers that complete session `s_no` after "done" (no LLM: exact answers)."""
    return [Step(reply, "keyword") for reply in _quiz_replies()[s_no]]


def make_partner(index: int) -> Partner:
    """Partner number `index` (0-based): a distinct phone, a name and a script variant."""
    variant = index % VARIANTS
    return Partner(index, f"+1555{index:07d}", NAMES[variant % len(NAMES)], variant)


def script_for(variant: int) -> list[Step]:
    """The whole training: enrol, every session (next/done), questions, menu, exit and resume."""
    questions = _covered_questions()
    first, second = questions[variant % len(questions)], questions[-1 - variant % len(questions)]
    steps = [
        Step("I am a new partner", "keyword"),  # session 1
        Step(first, "question"),
        Step("done", "keyword"),  # session 1's quiz ...
        *_passing(1),  # ... passed: 1 complete, session 2
        Step(LLM_NEXT, "llm"),  # session 3, 2 left open
        Step("previous", "keyword"),  # session 2
        Step(LLM_COMPLETE, "llm"),  # session 2's quiz ...
        *_passing(2),  # ... passed: 2 complete, session 3
        Step("menu", "keyword"),
        Step("exit", "keyword"),
        Step(LLM_RESUME, "llm"),  # back on session 3
        Step("done", "keyword"),
        *_passing(3),  # 3 complete, session 4
        Step(second, "question"),
    ]
    for s_no in (4, 5, 6, 7):  # 4, 5, 6, 7 complete: training finished
        steps += [Step("done", "keyword"), *_passing(s_no)]
    steps += [Step("5", "keyword"), Step("skip", "keyword")]  # the satisfaction question
    steps.append(Step(LLM_PROGRESS, "llm"))
    return steps


def keyword_only_script() -> list[Step]:
    """Whole-message commands only (no LLM, no retrieval): the throughput scenario."""
    quiz = _quiz_replies()
    texts = [
        *("I am a new partner", "done", *quiz[1], "next", "previous", "done", *quiz[2]),
        *("menu", "exit", "continue my training", "done", *quiz[3]),
        *("session 5", "done", *quiz[5], "how far am I?"),
    ]
    return [Step(text, "keyword") for text in texts]

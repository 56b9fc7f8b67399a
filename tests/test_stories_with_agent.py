"""Every conversation story, played with the LLM agent switched on (scripted) and off."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent import engine as engine_module
from agent.engine import MAX_INBOUND_CHARS, Engine
from agent.intent_rules import IntentClassifier
from agent.languages import request_in
from agent.llm_agent import LLMInterpreter, build_llm_interpreter
from agent.opt_out import is_opt_in, is_opt_out
from agent.stories import Story, StoryResult, load_stories, play_story
from agent.training import Trainer
from agent.turn_steps import StepInput, TurnStep, settle_before_classification
from agent.turns import InterpreterFailed, TurnResult
from store.base import TrainingStore
from store.models import Progress
from tests.fakes.chat_models import KeywordOracleChatModel
from tests.llm_helpers import settings

STORIES_DIR = Path(__file__).parent / "stories"
STORIES = [
    pytest.param(story, id=f"{path.stem}: {story.name}")
    for path in sorted(STORIES_DIR.glob("*.yaml"))
    for story in load_stories(path)
]


@dataclass
class Recorder:
    """Wraps the interpreter to see every agent turn and every fallback."""

    inner: LLMInterpreter
    turns: list[TurnResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def interpret(
        self, text: str, phone: str, progress: Progress | None, trainer: Trainer
    ) -> TurnResult:
        try:
            result = self.inner.interpret(text, phone, progress, trainer)
        except InterpreterFailed as exc:
            self.failures.append(f"{text!r}: {exc.reason}")
            raise
        self.turns.append(result)
        return result


def free_form_turns(story: Story) -> list[str]:
    """The messages the engine hands to the agent: not empty, not too long, not exact commands,
    not taps on buttons, not STOP/START (all settle before classification; the stories say
    START only while opted out)."""
    classifier = IntentClassifier()
    said = [t.user.strip() for t in story.turns if t.user is not None and t.payload is None]
    return [
        text
        for text in said
        if text
        and len(text) <= MAX_INBOUND_CHARS
        and not classifier.classify(text).exact
        and request_in(text) is None
        and not is_opt_out(text)
        and not is_opt_in(text)
    ]


def _exact(text: str) -> bool:
    return IntentClassifier().classify(text).exact


def explain(result: StoryResult) -> str:
    lines = [f"story {result.story!r} failed:"]
    for failure in result.failures:
        lines.append(f"  turn {failure.index} {failure.user!r}: {'; '.join(failure.problems)}")
        lines.append(f"    actual reply: {' | '.join(failure.replies)[:400]}")
    return "\n".join(lines)


@pytest.mark.parametrize("story", STORIES)
def test_story_with_the_agent_on(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    recorders: list[Recorder] = []
    settled: list[str] = []  # answers to a pending question never reach the agent

    def settle(step: StepInput, steps: Sequence[TurnStep]) -> TurnResult | None:
        result = settle_before_classification(step, steps)
        if result is not None:
            settled.append(step.text.strip())
        return result

    monkeypatch.setattr(engine_module, "settle_before_classification", settle)

    def make_engine(store: TrainingStore) -> Engine:
        interpreter = build_llm_interpreter(settings(), model=KeywordOracleChatModel())
        recorders.append(Recorder(interpreter))
        return Engine(store, interpreter=recorders[-1])

    result = play_story(story, make_engine=make_engine)
    assert result.passed, explain(result)
    [recorder] = recorders
    assert recorder.failures == [], "the agent fell back to keywords"
    # Free-form messages a turn step settled first (quiz answers, ratings, confirmations)
    # cost no LLM call.
    left = Counter(free_form_turns(story)) - Counter(t for t in settled if not _exact(t))
    assert len(recorder.turns) == sum(left.values()), "every other free-form turn is the agent's"
    assert all(t.source == "llm" and 1 <= t.llm_calls <= 2 for t in recorder.turns)


@pytest.mark.parametrize("story", STORIES)
def test_story_with_the_agent_off(story: Story) -> None:
    result = play_story(story, make_engine=lambda store: Engine(store, interpreter=None))
    assert result.passed, explain(result)

"""Steps before classification settle a turn (in order) or let the classifier run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.engine import Engine
from agent.intents import Intent
from agent.messages import Inbound, Reply
from agent.turn_steps import StepInput
from agent.turns import TurnResult
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = SQLiteStore(tmp_path / "g.db")
    seed_if_empty(store)
    made = Engine(store)
    made.steps = []
    yield made
    store.close()


def test_the_first_step_that_answers_settles_the_turn(engine: Engine) -> None:
    seen: list[str] = []

    def passes(step: StepInput) -> TurnResult | None:
        seen.append("passes:" + step.text)
        return None

    def settles(step: StepInput) -> TurnResult | None:
        return TurnResult([Reply(text="settled")], Intent.OTHER, "step")

    engine.steps.extend([passes, settles, lambda step: pytest.fail("must not run")])
    replies = engine.handle_message(Inbound(phone="+15550001", text="next"))
    assert [r.text for r in replies] == ["settled"] and seen == ["passes:next"]


def test_with_no_step_answering_the_classifier_runs(engine: Engine) -> None:
    engine.steps.append(lambda step: None)
    replies = engine.handle_message(Inbound(phone="+15550001", text="I am a new partner"))
    assert "Welcome" in replies[0].text

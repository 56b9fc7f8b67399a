"""Conversation stories: YAML scripts of partner turns and expectations, played on a fresh store."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from agent.engine import Engine
from agent.messages import Inbound
from store.base import TrainingStore
from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore


class Expect(BaseModel):
    """What must hold after a turn; every key optional."""

    in_training: bool | None = None
    current_session: int | None = None
    completed: list[int] | None = None
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)


class Turn(BaseModel):
    """One partner message and its expectations."""

    user: str
    expect: Expect = Field(default_factory=Expect)


class Partner(BaseModel):
    """Who is talking."""

    phone: str = "+15550001"
    name: str | None = None


class Story(BaseModel):
    """A named conversation."""

    name: str
    partner: Partner = Field(default_factory=Partner)
    turns: list[Turn]


class StoryFileError(ValueError):
    """A story file that cannot be read or does not match the format."""


def load_stories(path: str | Path) -> list[Story]:
    """Stories in a YAML file holding one story or a list of them."""
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        return [Story.model_validate(item) for item in items]
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise StoryFileError(f"{path}: {exc}") from exc


@dataclass
class TurnFailure:
    """A turn whose outcome did not match its expectations."""

    story: str
    index: int
    user: str
    problems: list[str]
    replies: list[str]


@dataclass
class StoryResult:
    """The outcome of one story."""

    story: str
    failures: list[TurnFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every turn met its expectations."""
        return not self.failures


def check_turn(expect: Expect, store: TrainingStore, phone: str, replies: list[str]) -> list[str]:
    """Every way the state and replies differ from the expectation (empty when they match)."""
    problems = []
    progress = store.get_progress(phone)
    in_training = bool(progress and progress.in_training_mode)
    current = progress.current_section if progress else None
    completed = sorted(progress.completed_sections) if progress else []
    if expect.in_training is not None and expect.in_training != in_training:
        problems.append(f"in_training: expected {expect.in_training}, got {in_training}")
    if expect.current_session is not None and expect.current_session != current:
        problems.append(f"current_session: expected {expect.current_session}, got {current}")
    if expect.completed is not None and sorted(expect.completed) != completed:
        problems.append(f"completed: expected {sorted(expect.completed)}, got {completed}")
    text = "\n".join(replies).lower()
    problems += [
        f"reply should contain {s!r}" for s in expect.reply_contains if s.lower() not in text
    ]
    problems += [
        f"reply should not contain {s!r}" for s in expect.reply_not_contains if s.lower() in text
    ]
    return problems


EngineFactory = Callable[[TrainingStore], Engine]


def play_story(story: Story, make_engine: EngineFactory | None = None) -> StoryResult:
    """Play a story against a fresh SQLite database holding the sample content."""
    result = StoryResult(story.name)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "story.db")
        try:
            seed_if_empty(store)
            engine = make_engine(store) if make_engine else Engine(store)
            for i, turn in enumerate(story.turns, start=1):
                inbound = Inbound(
                    phone=story.partner.phone, text=turn.user, profile_name=story.partner.name
                )
                replies = [r.text for r in engine.handle_message(inbound)]
                problems = check_turn(turn.expect, store, story.partner.phone, replies)
                if problems:
                    result.failures.append(TurnFailure(story.name, i, turn.user, problems, replies))
        finally:
            store.close()
    return result

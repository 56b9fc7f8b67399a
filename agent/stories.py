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
from store.kb_files import load_kb_file
from store.kb_validation import KBFileError
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore


class Expect(BaseModel):
    """What must hold after a turn; every key optional."""

    in_training: bool | None = None
    current_session: int | None = None
    completed: list[int] | None = None
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)
    media_contains: list[str] = Field(default_factory=list)  # substrings of sent media URLs


class Turn(BaseModel):
    """One partner message and its expectations."""

    user: str
    payload: str | None = None  # a tapped button or list row (the user text is its title)
    expect: Expect = Field(default_factory=Expect)


class Partner(BaseModel):
    """Who is talking."""

    phone: str = "+15550001"
    name: str | None = None


class Story(BaseModel):
    """A named conversation."""

    name: str
    partner: Partner = Field(default_factory=Partner)
    content: str | None = None  # a KB file (YAML or Markdown) relative to the story file
    turns: list[Turn]
    source_dir: Path = Field(default=Path("."), exclude=True)

    def sessions(self) -> list[TrainingSession] | None:
        """The story's own training content, or None for the sample content."""
        return load_kb_file(self.source_dir / self.content) if self.content else None


class StoryFileError(ValueError):
    """A story file that cannot be read or does not match the format."""


def load_stories(path: str | Path) -> list[Story]:
    """Stories in a YAML file holding one story or a list of them."""
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        stories = [Story.model_validate(item) for item in items]
        for story in stories:
            story.source_dir = Path(path).parent
            story.sessions()  # a missing or bad content file is a story file error
        return stories
    except (OSError, yaml.YAMLError, ValidationError, KBFileError) as exc:
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


def check_turn(
    expect: Expect,
    store: TrainingStore,
    phone: str,
    replies: list[str],
    media: list[str] | None = None,
) -> list[str]:
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
    sent = media or []
    problems += [
        f"media should contain {s!r}, sent {sent}"
        for s in expect.media_contains
        if not any(s in url for url in sent)
    ]
    return problems


EngineFactory = Callable[[TrainingStore], Engine]


def play_story(story: Story, make_engine: EngineFactory | None = None) -> StoryResult:
    """Play a story against a fresh SQLite database holding the sample content."""
    result = StoryResult(story.name)
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "story.db")
        try:
            own = story.sessions()
            if own is not None:
                store.replace_sessions(own)
            else:
                seed_if_empty(store)
            engine = make_engine(store) if make_engine else Engine(store)
            for i, turn in enumerate(story.turns, start=1):
                inbound = Inbound(
                    phone=story.partner.phone,
                    text=turn.user,
                    profile_name=story.partner.name,
                    payload=turn.payload,
                )
                sent = engine.handle_message(inbound)
                replies = [r.text for r in sent]
                media = [r.media_url for r in sent if r.media_url]
                problems = check_turn(turn.expect, store, story.partner.phone, replies, media)
                if problems:
                    result.failures.append(TurnFailure(story.name, i, turn.user, problems, replies))
        finally:
            store.close()
    return result

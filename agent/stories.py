"""Conversation stories: YAML scripts of partner turns and expectations, played on a fresh store."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from agent.clock import ManualClock, parse_duration
from agent.engine import Engine
from agent.messages import Inbound
from agent.story_reminders import StoryReminders, template_problems
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
    # Wait turns only: a template NAME, "any", or null (none); unset = not checked.
    template: str | None = None
    sent: int | None = Field(default=None, ge=0)  # wait turns: how many messages went out
    language: str | None = None  # the partner's stored language after the turn, e.g. "hi"


class Turn(BaseModel):
    """One partner message (`user`) or a time step (`wait: 26h`), and its expectations."""

    user: str | None = None
    payload: str | None = None  # a tapped button or list row (the user text is its title)
    wait: str | None = None
    expect: Expect = Field(default_factory=Expect)

    @model_validator(mode="after")
    def _user_or_wait(self) -> Turn:
        if (self.user is None) == (self.wait is None):
            raise ValueError("a turn has either `user:` or `wait:`")
        if self.wait is not None:
            parse_duration(self.wait)
        elif {"template", "sent"} & self.expect.model_fields_set:
            raise ValueError("`template` and `sent` are for `wait:` turns")
        return self

    @property
    def label(self) -> str:
        """How failures name the turn."""
        return self.user if self.user is not None else f"wait {self.wait}"


class Partner(BaseModel):
    """Who is talking."""

    phone: str = "+15550001"
    name: str | None = None


class Story(BaseModel):
    """A named conversation."""

    name: str
    partner: Partner = Field(default_factory=Partner)
    content: str | None = None  # a KB file (YAML or Markdown) relative to the story file
    clock: datetime | None = None  # the story's start time; default: the real time
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
    language = progress.language if progress else None
    if expect.language is not None and expect.language != language:
        problems.append(f"language: expected {expect.language}, got {language}")
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
            clock = ManualClock(story.clock)
            engine.clock = clock
            reminders = StoryReminders(store, clock)
            for i, turn in enumerate(story.turns, start=1):
                replies, media, problems = _play_turn(turn, story, engine, reminders)
                problems = (
                    check_turn(turn.expect, store, story.partner.phone, replies, media) + problems
                )
                if problems:
                    result.failures.append(
                        TurnFailure(story.name, i, turn.label, problems, replies)
                    )
        finally:
            store.close()
    return result


def _play_turn(
    turn: Turn, story: Story, engine: Engine, reminders: StoryReminders
) -> tuple[list[str], list[str], list[str]]:
    """(texts sent, media URLs sent, wait-only problems) of one turn."""
    if turn.wait is not None:
        outcome = reminders.wait(parse_duration(turn.wait))
        problems = []
        if "template" in turn.expect.model_fields_set:
            problems += template_problems(turn.expect.template, outcome)
        if turn.expect.sent is not None and turn.expect.sent != len(outcome.sent):
            problems.append(f"sent: expected {turn.expect.sent}, got {len(outcome.sent)}")
        return outcome.texts, [], problems
    partner = story.partner
    inbound = Inbound(
        phone=partner.phone, text=turn.user or "", profile_name=partner.name,
        payload=turn.payload, received_at=reminders.clock.now(),
    )  # fmt: skip
    sent = engine.handle_message(inbound)
    return [r.text for r in sent], [r.media_url for r in sent if r.media_url], []

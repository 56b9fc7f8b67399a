"""The reminder schedule (prompts/reminders.yaml) and policy (settings), validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from agent.clock import parse_duration
from agent.settings import Settings
from prompts import REFERENCE_LANGUAGE, prompts_dir, template, use_language

_VARIABLE_KEY = re.compile(r"^[A-Za-z0-9_]{1,16}$")  # Twilio: keys of at most 16 characters


class ScheduleError(ValueError):
    """prompts/reminders.yaml does not describe a usable schedule."""


@dataclass(frozen=True)
class ReminderStep:
    """One step: due `after` the partner's last message, a text and a template for it.

    The text is `message`, a key of prompts/messages.<lang>.yaml (one text per language), or
    `text`, one literal text for every partner.
    """

    name: str
    after: timedelta
    text: str
    template: str
    variables: dict[str, str] = field(default_factory=dict)  # variable -> placeholder text
    content_sid: str | None = None
    message: str | None = None

    def text_in(self, language: str, default: str) -> str:
        """The step's text (before placeholders) for a partner reading `language`."""
        if self.message is None:
            return self.text
        with use_language(language, default):
            return template(self.message)


@dataclass(frozen=True)
class ReminderPolicy:
    """The settings the rules follow."""

    enabled: bool = True
    max_per_partner: int = 3
    quiet_start: time = time(21, 0)
    quiet_end: time = time(9, 0)
    default_timezone: str = "Asia/Kolkata"
    template_sids: dict[str, str] = field(default_factory=dict)
    default_language: str = REFERENCE_LANGUAGE

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        """The policy the REMINDER_* settings describe."""
        return cls(
            enabled=settings.reminders_enabled,
            max_per_partner=settings.reminder_max_per_partner,
            quiet_start=time.fromisoformat(settings.reminder_quiet_start),
            quiet_end=time.fromisoformat(settings.reminder_quiet_end),
            default_timezone=settings.reminder_default_timezone,
            template_sids=dict(settings.reminder_template_sids),
            default_language=settings.default_language,
        )

    def content_sid(self, step: ReminderStep) -> str | None:
        """The step template's Content SID: settings first, then the YAML."""
        return self.template_sids.get(step.template) or step.content_sid

    def template_for(self, step: ReminderStep, language: str) -> tuple[str, str | None, str]:
        """The template to send a partner reading `language`: name, Content SID, language.

        A language other than the default has its own approved template, `<template>_<lang>`
        (e.g. genie_training_nudge_hi), whose SID comes from REMINDER_TEMPLATE_SIDS; until it
        is registered the default language's template goes instead.
        """
        if language != self.default_language:
            name = f"{step.template}_{language}"
            if sid := self.template_sids.get(name):
                return name, sid, language
        return step.template, self.content_sid(step), self.default_language


def _step(raw: Any, index: int) -> ReminderStep:
    where = f"steps[{index}]"
    if not isinstance(raw, dict):
        raise ScheduleError(f"{where} must be a mapping")
    missing = [k for k in ("name", "after", "template") if not raw.get(k)]
    if not raw.get("text") and not raw.get("message"):
        missing.append("text or message")
    if missing:
        raise ScheduleError(f"{where} needs {', '.join(missing)}")
    key = raw.get("message")
    if key is not None:
        try:
            text = template(str(key), REFERENCE_LANGUAGE)
        except KeyError:
            raise ScheduleError(
                f"{where}.message: no message {key!r} in messages.en.yaml"
            ) from None
    else:
        text = str(raw["text"])
    try:
        after = parse_duration(str(raw["after"]))
    except ValueError as exc:
        raise ScheduleError(f"{where}.after: {exc}") from exc
    variables = {str(k): str(v) for k, v in (raw.get("variables") or {}).items()}
    bad = [k for k, v in variables.items() if not _VARIABLE_KEY.match(k) or not v.strip()]
    if bad:
        raise ScheduleError(f"{where}.variables: bad or empty {bad} (keys ≤ 16 letters/digits)")
    return ReminderStep(
        name=str(raw["name"]), after=after, text=text.strip(), template=str(raw["template"]),
        variables=variables, content_sid=raw.get("content_sid"),
        message=str(key) if key is not None else None,
    )  # fmt: skip


def parse_schedule(data: Any) -> tuple[ReminderStep, ...]:
    """The steps of a parsed reminders.yaml, checked: unique names, strictly later delays."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ScheduleError("reminders.yaml needs a `steps:` list")
    steps = tuple(_step(raw, i) for i, raw in enumerate(data["steps"]))
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise ScheduleError(f"step names must be unique: {names}")
    if any(b.after <= a.after for a, b in pairwise(steps)):
        raise ScheduleError("each step must come later than the one before it")
    return steps


@lru_cache(maxsize=4)
def _load(folder: str) -> tuple[ReminderStep, ...]:
    path = Path(folder) / "reminders.yaml"
    try:
        return parse_schedule(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ScheduleError(f"{path}: {exc}") from exc


def load_schedule() -> tuple[ReminderStep, ...]:
    """The steps of prompts/reminders.yaml (from PROMPTS_DIR when set)."""
    return _load(str(prompts_dir()))

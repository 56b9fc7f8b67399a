"""The regular assistant: answers messages that are not about training, never touching state."""

from __future__ import annotations

from agent import render
from agent.keywords import normalize
from agent.messages import Reply
from agent.training import has_started
from prompts import message
from store.models import Progress

_GREETINGS = {"hi", "hello", "hey", "hii", "hiya", "namaste", "good morning", "good evening",
              "good afternoon", "yo", "hola", "start", "genie"}  # fmt: skip


_THANKS = {"thanks", "thank you", "thank u", "thx", "ty", "shukriya", "dhanyavad", "thanks a lot",
           "thank you so much"}  # fmt: skip
_ACKS = {"ok", "okay", "k", "kk", "cool", "great", "nice", "got it", "alright", "sure", "fine"}


def regular_reply(text: str, progress: Progress | None, heading: str | None = None) -> list[Reply]:
    """A greeting or a short note on what Genie can do, with how to start or resume training.

    In training, the note points back at the current session (`heading`) instead.
    """
    name = render.display_name(progress.name if progress else None)
    if progress and progress.in_training_mode and heading:
        said = normalize(text)
        key = "assistant_ack_other"
        if said in _THANKS:
            key = "assistant_ack_thanks"
        elif said in _ACKS:
            key = "assistant_ack_ok"
        elif said in _GREETINGS:
            key = "assistant_ack_hello"
        ack = message(key, name=name)
        current = progress.current_section
        return [
            Reply(text=message("assistant_in_training", ack=ack, current=current, heading=heading))
        ]
    started = has_started(progress) and progress is not None
    current = progress.current_section if progress else None
    if normalize(text) in _GREETINGS:
        hint = message("assistant_resume_hint", current=current) if started else ""
        return [Reply(text=message("assistant_greeting", name=name, resume_hint=hint))]
    hint = message("assistant_fallback_resume", current=current) if started else ""
    return [Reply(text=message("assistant_fallback", name=name, resume_hint=hint))]

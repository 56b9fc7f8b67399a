"""The turn step for an explicit language choice: "Hindi", "English please", "language"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent import render
from agent.intents import Intent
from agent.languages import available, name_of, request_in
from agent.messages import Reply
from agent.translations import localized
from agent.turns import TurnResult
from prompts import default_language, message, use_language
from store.models import ProgressUpdate

if TYPE_CHECKING:
    from agent.turn_steps import StepInput


def choose_language(step: StepInput) -> TurnResult | None:
    """Show the language menu or switch the partner's language; None for any other message."""
    request = request_in(step.text)
    if request is None:
        return None
    store = step.trainer.store
    sessions = store.list_sessions()
    default = default_language()
    offered = available(sessions, default)
    progress = step.progress
    name = render.display_name(progress.name if progress else None)
    current = progress.current_section if progress else None
    options = "\n".join(message("language_option", language=name_of(code)) for code in offered)
    if request.menu or request.language is None:
        text = message("language_menu", name=name, options=options)
        return TurnResult([Reply(text=text)], Intent.OTHER, "keyword", current)
    chosen = request.language
    changed = chosen != (progress.language if progress else None)
    if chosen not in offered:
        text = message("language_unavailable", language=name_of(chosen), options=options)
        return TurnResult([Reply(text=text)], Intent.OTHER, "keyword", current)
    progress = store.update_progress(step.phone, ProgressUpdate(language=chosen))
    with use_language(chosen, default):
        name = render.display_name(progress.name)
        replies = [Reply(text=message("language_set", name=name, language=name_of(chosen)))]
        session = next((s for s in sessions if s.s_no == current), None)
        if changed and progress.in_training_mode and session is not None:
            # The session they are reading, again, now in the language they can read.
            replies += render.session_replies(localized(session, chosen, default), progress.name)
    return TurnResult(replies, Intent.OTHER, "keyword", current)

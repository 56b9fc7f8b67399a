"""Build what the model reads, within token budgets: prompts, chat history and passages."""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent import render
from agent.languages import name_of
from agent.quiz.state import quiz_status
from agent.retrieval import Passage
from agent.tokens import trim_history, truncate_to_tokens
from agent.training import has_started
from prompts import current_language, message, prompt
from store.base import TrainingStore
from store.models import Progress, TrainingSession

HISTORY_LINES = 6  # chat lines of the current session offered to the model
HISTORY_LINE_TOKENS = 60  # a whole session text is ~700 tokens: keep its start only
HISTORY_TOKENS = 250
CONTENT_TOKENS = 800  # all retrieved passages together
_TAGS = re.compile(r"</?\s*(training_content|passage)\b", re.IGNORECASE)


def fill(template: str, **values: object) -> str:
    """Replace {name} placeholders; other braces (JSON examples, typos) stay as written."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _status(progress: Progress | None, sessions: Sequence[TrainingSession]) -> str:
    if not has_started(progress) or progress is None:
        return "has not started the training"
    taking = quiz_status(progress, sessions)
    if taking:
        return taking
    numbers = {s.s_no for s in sessions}
    if numbers and numbers <= set(progress.completed_sections):
        return "has completed every session"
    if progress.in_training_mode:
        return f"is studying Session {progress.current_section}"
    return f"paused the training (their place: Session {progress.current_section})"


def _session_lines(progress: Progress | None, sessions: Sequence[TrainingSession]) -> str:
    done = set(progress.completed_sections) if progress else set()
    current = progress.current_section if progress and has_started(progress) else None
    marks = {True: "✓", False: " "}
    return "\n".join(
        f"{'▶' if s.s_no == current else marks[s.s_no in done]}{s.s_no}. {s.heading}"
        for s in sessions
    )


def system_prompt(
    progress: Progress | None, sessions: Sequence[TrainingSession], brand: str
) -> str:
    """prompts/system.md with the partner's state (no phone number: the model never needs it)."""
    done = len({s.s_no for s in sessions} & set(progress.completed_sections if progress else []))
    return fill(
        prompt("system.md"),
        brand=brand,
        name=render.display_name(progress.name if progress else None),
        status=_status(progress, sessions),
        done=done,
        total=len(sessions),
        sessions=_session_lines(progress, sessions),
        language=name_of(current_language()),
    )


def answer_prompt(
    progress: Progress | None,
    support: str,
    brand: str,
    sessions: Sequence[TrainingSession] = (),
) -> str:
    """prompts/answer.md: the rules for the call that writes a grounded answer, in the
    partner's language, with a citation example built from a real session."""
    name = render.display_name(progress.name if progress else None)
    current = progress.current_section if progress else None
    example = next((s for s in sessions if s.s_no == current), sessions[0] if sessions else None)
    s_no, heading = (example.s_no, example.heading) if example else (3, "Quotes and Pricing")
    citation = message("citation", s_no=s_no, heading=heading)
    language = name_of(current_language())
    return fill(
        prompt("answer.md"),
        brand=brand, name=name, support=support, language=language, citation=citation,
    )  # fmt: skip


def history(
    store: TrainingStore, phone: str, progress: Progress | None, model: str
) -> list[HumanMessage | AIMessage]:
    """The latest chat lines of the current session, each shortened, trimmed to a budget."""
    session = progress.current_section if progress else None
    lines = store.chat_history(phone, session=session, limit=HISTORY_LINES)
    messages: list[BaseMessage] = [
        HumanMessage(truncate_to_tokens(line.text, HISTORY_LINE_TOKENS, model))
        if line.who == "partner"
        else AIMessage(truncate_to_tokens(line.text, HISTORY_LINE_TOKENS, model))
        for line in lines
    ]
    kept = trim_history(messages, HISTORY_TOKENS, model, keep_system=False)
    while kept and not isinstance(kept[0], HumanMessage):  # a chat starts with the partner
        kept.pop(0)
    return [m for m in kept if isinstance(m, HumanMessage | AIMessage)]


def passages_block(passages: Sequence[Passage], model: str) -> str:
    """Passages as delimited data with their session numbers, within CONTENT_TOKENS."""
    share = max(CONTENT_TOKENS // max(len(passages), 1) - 20, 40)
    parts = []
    for p in passages:
        text = truncate_to_tokens(_TAGS.sub("[tag]", p.text), share, model)
        heading = _TAGS.sub("[tag]", p.heading).replace('"', "'")
        parts.append(f'<passage session="{p.s_no}" heading="{heading}">\n{text}\n</passage>')
    return "<training_content>\n" + "\n".join(parts) + "\n</training_content>"

"""Buttons and lists a reply may carry, and the payloads a tap sends back.

A reply's text always says the same in words (the hint line names the commands; the menu
lists numbered sessions), so transports without buttons lose nothing. On WhatsApp the
Twilio transport turns `Reply.interactive` into a quick-reply or list-picker message.

Payloads are `nav:<action>:<session>`: the session the button was shown for, so a stale
tap (e.g. "Done" on a session the partner has left) is recognised and never completes
another session. Quiz options have payloads of their own (agent/quiz/options.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from prompts import message
from store.models import ChatOptions, Progress, TrainingSession

BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_ROWS = 10  # WhatsApp's limit for a list message
PAYLOAD_PREFIX = "nav:"


class Option(BaseModel):
    """One button or list row: the payload it sends back and what it shows."""

    payload: str = Field(max_length=200)
    title: str = Field(max_length=ROW_TITLE_LIMIT)
    description: str | None = Field(default=None, max_length=ROW_DESCRIPTION_LIMIT)


class Interactive(BaseModel):
    """Quick-reply buttons (at most 3) or a list of rows (at most 10) under a short body."""

    kind: Literal["buttons", "list"]
    # Which template carries it on WhatsApp: its fixed body says "pick a session" or "answer".
    purpose: Literal["sessions", "quiz"] = "sessions"
    body: str = Field(max_length=1024)
    options: list[Option] = Field(min_length=1, max_length=LIST_ROWS)
    button: str | None = Field(default=None, max_length=BUTTON_TITLE_LIMIT)  # opens the list


def chat_options(interactive: Interactive | None) -> ChatOptions | None:
    """What the transcript keeps of the buttons or list: their titles."""
    if interactive is None:
        return None
    titles = [o.title for o in interactive.options]
    return ChatOptions(kind=interactive.kind, titles=titles, button=interactive.button)


def short(text: str, limit: int) -> str:
    """The text cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def session_buttons(s_no: int) -> Interactive:
    """✅ Done, ➡️ Next and 📋 Menu for session `s_no`."""
    options = [
        Option(payload=f"{PAYLOAD_PREFIX}{action}:{s_no}", title=message(f"button_{action}"))
        for action in ("done", "next", "menu")
    ]
    return Interactive(kind="buttons", body=message("buttons_body"), options=options)


def menu_list(progress: Progress, sessions: list[TrainingSession], page: int = 1) -> Interactive:
    """The sessions as list rows (✅ for completed ones); longer trainings are paged."""
    per_page = LIST_ROWS - 1 if len(sessions) > LIST_ROWS else LIST_ROWS
    pages = max(1, -(-len(sessions) // per_page))
    page = min(max(page, 1), pages)
    shown = sessions[(page - 1) * per_page : page * per_page]
    rows = [
        Option(
            payload=f"{PAYLOAD_PREFIX}jump:{s.s_no}",
            title=short(f"{'✅' if s.s_no in progress.completed_sections else '📘'} {s.s_no}. "
                         f"{s.heading}", ROW_TITLE_LIMIT),
            description=short(s.heading, ROW_DESCRIPTION_LIMIT),
        )
        for s in shown
    ]  # fmt: skip
    if pages > 1:
        nxt = page % pages + 1
        rows.append(Option(payload=f"{PAYLOAD_PREFIX}page:{nxt}", title=message("list_more")))
    return Interactive(
        kind="list", body=message("list_body"), options=rows, button=message("list_button")
    )


def numbered_rows(progress: Progress, sessions: list[TrainingSession]) -> str:
    """The list as text: one numbered row per session (the number is the session)."""
    return "\n".join(
        f"{s.s_no}. {'✅ ' if s.s_no in progress.completed_sections else ''}{s.heading}"
        for s in sessions
    )


@dataclass(frozen=True)
class Tap:
    """A tapped button or row: what it asks for and the session it was shown for."""

    action: str  # done, next, menu, jump, page
    number: int | None


def parse_payload(payload: str | None) -> Tap | None:
    """The tap a payload stands for, or None when it is not one of ours."""
    if not payload or not payload.startswith(PAYLOAD_PREFIX):
        return None
    action, _, number = payload.removeprefix(PAYLOAD_PREFIX).partition(":")
    if action not in ("done", "next", "menu", "jump", "page"):
        return None
    return Tap(action, int(number) if number.isdigit() else None)

"""Turn training state into partner-facing texts from the templates in prompts/messages.en.yaml."""

from __future__ import annotations

from agent.interactive import menu_list, numbered_rows, session_buttons
from agent.languages import name_of
from agent.messages import Reply
from agent.session_media import session_replies_with_media
from agent.splitter import split_message
from agent.translations import has_translation
from prompts import current_language, default_language, message
from store.models import Progress, TrainingSession


def display_name(name: str | None) -> str:
    """The partner's first name, or a friendly stand-in."""
    return name.split()[0] if name and name.strip() else message("default_name")


def session_replies(session: TrainingSession, name: str | None) -> list[Reply]:
    """A session as WhatsApp messages: header, content, hint; split into numbered parts."""
    header = message("session_header", s_no=session.s_no, heading=session.heading)
    hint = message("session_hint", name=display_name(name))
    if not has_translation(session, current_language(), default_language()):
        note = message("translation_missing", default=name_of(default_language()))
        header = f"{note}\n\n{header}"
    if session.media:
        replies = session_replies_with_media(header, session.content, hint, session.media)
    else:
        parts = split_message(f"{header}\n\n{session.content.strip()}\n\n{hint}")
        replies = [Reply(text=part) for part in parts]
        if session.media_url:
            replies[0] = Reply(text=replies[0].text, media_url=session.media_url)
    last = replies[-1]
    replies[-1] = last.model_copy(update={"interactive": session_buttons(session.s_no)})
    return replies


def counts(progress: Progress, sessions: list[TrainingSession]) -> dict[str, object]:
    """Placeholders shared by many messages: done, total, current, heading, first, last."""
    numbers = [s.s_no for s in sessions]
    done = [s for s in progress.completed_sections if s in numbers]
    current = next((s for s in sessions if s.s_no == progress.current_section), sessions[0])
    return {
        "name": display_name(progress.name),
        "done": len(done),
        "total": len(sessions),
        "current": current.s_no,
        "heading": current.heading,
        "first": numbers[0],
        "last": numbers[-1],
    }


def menu_text(progress: Progress, sessions: list[TrainingSession]) -> str:
    """The training menu with progress, the numbered sessions and commands."""
    rows = numbered_rows(progress, sessions)
    return message("menu", session_rows=rows, **counts(progress, sessions))


def menu_reply(progress: Progress, sessions: list[TrainingSession], page: int = 1) -> Reply:
    """The menu as a reply whose sessions are also a list to tap on WhatsApp."""
    return Reply(
        text=menu_text(progress, sessions), interactive=menu_list(progress, sessions, page)
    )


def progress_text(progress: Progress, sessions: list[TrainingSession]) -> str:
    """How far the partner is: one line per session."""
    lines = []
    for s in sessions:
        if s.s_no in progress.completed_sections:
            key = "progress_line_done"
        elif s.s_no == progress.current_section:
            key = "progress_line_current"
        else:
            key = "progress_line_open"
        lines.append(message(key, s_no=s.s_no, heading=s.heading))
    return message("progress", session_lines="\n".join(lines), **counts(progress, sessions))


def completion_text(progress: Progress, sessions: list[TrainingSession]) -> str:
    """The celebration when every session is complete."""
    listing = "\n".join(f"✅ {s.s_no}. {s.heading}" for s in sessions)
    return message("training_completed", session_list=listing, **counts(progress, sessions))


def exit_text(progress: Progress, sessions: list[TrainingSession]) -> str:
    """The summary when a partner pauses training."""
    values = counts(progress, sessions)
    if values["done"] == values["total"]:
        return message("exit_summary_done", **values)
    done = sorted(s for s in progress.completed_sections if s in {x.s_no for x in sessions})
    done_list = f" (Session {', '.join(map(str, done))})" if done else ""
    return message("exit_summary", done_list=done_list, **values)

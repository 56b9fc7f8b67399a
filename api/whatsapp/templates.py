"""In-session content templates for Genie's buttons and lists, synced with Twilio's Content API.

Template bodies and titles are fixed texts from prompts/messages.*.yaml; only the payload ids,
row titles and descriptions are variables (each well under Twilio's 255 characters), so a
template's name carries a hash of its definition: editing a title makes a new template at
the next sync, and syncing twice creates nothing new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from agent.interactive import LIST_ROWS, Interactive
from prompts import message, use_language
from store.content_templates import TemplateRegistry

BUTTON_ACTIONS = ("done", "next", "menu")


@dataclass(frozen=True)
class ContentSend:
    """What the sender passes instead of a body: the template's SID and its variables."""

    content_sid: str
    content_variables: str  # a JSON object as text, as Twilio wants it


def _named(base: str, types: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    digest = hashlib.sha256(json.dumps(types, sort_keys=True).encode()).hexdigest()[:8]
    return f"{base}_{digest}", types


def _buttons() -> tuple[str, dict[str, Any]]:
    actions = [
        {"type": "QUICK_REPLY", "title": message(f"button_{a}"), "id": f"nav:{a}:{{{{1}}}}"}
        for a in BUTTON_ACTIONS
    ]
    quick = {"body": message("buttons_body"), "actions": actions}
    return _named("genie_buttons", {"twilio/quick-reply": quick})


def _list(rows: int, purpose: str = "sessions") -> tuple[str, dict[str, Any]]:
    """A list picker of `rows` rows: the sessions menu, or a quiz question's options."""
    items = [
        {"id": f"{{{{{3 * i + 1}}}}}", "item": f"{{{{{3 * i + 2}}}}}",
         "description": f"{{{{{3 * i + 3}}}}}"}
        for i in range(rows)
    ]  # fmt: skip
    texts = (
        ("quiz_list_body", "quiz_list_button")
        if purpose == "quiz"
        else ("list_body", "list_button")
    )
    picker = {"body": message(texts[0]), "button": message(texts[1]), "items": items}
    base = "genie_quiz" if purpose == "quiz" else "genie_list"
    return _named(f"{base}_{rows}", {"twilio/list-picker": picker})


def definitions() -> dict[str, dict[str, Any]]:
    """Every template Genie sends: versioned name -> Content API `types`."""
    made = [_buttons()] + [_list(n) for n in range(1, LIST_ROWS + 1)]
    made += [_list(n, "quiz") for n in range(2, LIST_ROWS + 1)]  # a question has 2+ options
    return dict(made)


def content_for(interactive: Interactive, registry: TemplateRegistry) -> ContentSend | None:
    """The template send for buttons or a list, or None when its template is not synced."""
    if interactive.kind == "buttons":
        name, _ = _buttons()
        number = interactive.options[0].payload.rsplit(":", 1)[-1]
        variables = {"1": number}
    else:
        name, _ = _list(len(interactive.options), interactive.purpose)
        variables = {}
        for i, option in enumerate(interactive.options):
            variables[str(3 * i + 1)] = option.payload
            variables[str(3 * i + 2)] = option.title
            variables[str(3 * i + 3)] = option.description or option.title  # never empty
    sid = registry.sids().get(name)
    if sid is None:
        return None
    return ContentSend(sid, json.dumps(variables, ensure_ascii=False))


def sync(client: Any, registry: TemplateRegistry, language: str = "en") -> list[str]:
    """Create the templates Twilio does not have yet and record every SID; one line each.

    The texts are `language`'s (prompts/messages.<language>.yaml): sync once per language
    partners read, since a template's name carries a hash of its texts.
    """
    existing = {c.friendly_name: c.sid for c in client.content.v1.contents.list(limit=500)}
    lines = []
    with use_language(language, language):
        made = definitions()
    for name, types in made.items():
        sid = existing.get(name)
        if sid is None:
            from twilio.rest.content.v1.content import ContentList

            request = ContentList.ContentCreateRequest(
                {"friendly_name": name, "language": language, "types": types}
            )
            sid = client.content.v1.contents.create(request).sid
            lines.append(f"created  {name}  {sid}")
        else:
            lines.append(f"exists   {name}  {sid}")
        registry.record(name, sid)
    return lines

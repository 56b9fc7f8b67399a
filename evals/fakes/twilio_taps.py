"""What a partner's tap on a content send looks like to Genie: the webhook form Twilio posts.

The fake Twilio records content sends as SID + variables; the fake Content API holds the
templates. Together they say which buttons or rows the partner saw, and tapping one gives
the form Twilio would post: `ButtonPayload`/`ButtonText` for a quick-reply button,
`ListId`/`ListTitle` for a list-picker row, `Body` the title in both cases.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from evals.fakes.twilio_api import FakeMessage

_VARIABLE = re.compile(r"\{\{(\d+)\}\}")


@dataclass(frozen=True)
class Choice:
    """One button or row as the partner sees it: the id Twilio sends back and its title."""

    id: str
    title: str


@dataclass(frozen=True)
class Shown:
    """The buttons or list of one content send, variables filled in."""

    kind: str  # "button" or "list"
    choices: list[Choice]

    def find(self, wanted: str) -> Choice:
        """The choice whose id or title is `wanted` (or whose id starts with it)."""
        for choice in self.choices:
            if wanted in (choice.id, choice.title) or choice.id.startswith(wanted):
                return choice
        raise LookupError(f"no choice {wanted!r} in {[c.id for c in self.choices]}")


def shown(message: FakeMessage, contents: list[dict[str, Any]]) -> Shown:
    """The buttons or rows a content send showed; LookupError for an unknown template."""
    content = next((c for c in contents if c["sid"] == message.content_sid), None)
    if content is None:
        raise LookupError(f"no template {message.content_sid!r} at the fake Content API")
    variables = message.variables

    def fill(text: str) -> str:
        return _VARIABLE.sub(lambda m: variables[m.group(1)], text)

    types = content["types"]
    if "twilio/quick-reply" in types:
        actions = types["twilio/quick-reply"]["actions"]
        return Shown("button", [Choice(fill(a["id"]), fill(a["title"])) for a in actions])
    items = types["twilio/list-picker"]["items"]
    return Shown("list", [Choice(fill(i["id"]), fill(i["item"])) for i in items])


def tap_form(
    message: FakeMessage, contents: list[dict[str, Any]], wanted: str, profile_name: str = "Asha"
) -> dict[str, str]:
    """The webhook form for the partner (the send's recipient) tapping `wanted` on it."""
    seen = shown(message, contents)
    choice = seen.find(wanted)
    sid = "SM" + uuid.uuid4().hex
    phone = message.to.removeprefix("whatsapp:")
    form = {
        "MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": message.to, "To": message.from_, "Body": choice.title, "NumMedia": "0",
        "WaId": phone.removeprefix("+"), "ProfileName": profile_name,
        "OriginalRepliedMessageSid": message.sid, "ApiVersion": "2010-04-01",
    }  # fmt: skip
    if seen.kind == "button":
        form |= {"MessageType": "button", "ButtonPayload": choice.id, "ButtonText": choice.title}
    else:
        form |= {"MessageType": "interactive", "ListId": choice.id, "ListTitle": choice.title}
    return form

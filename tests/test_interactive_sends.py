"""Which replies carry buttons or lists on WhatsApp, how taps are read, and stale quiz taps."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from agent.engine import Engine
from agent.interactive import session_buttons
from agent.messages import Inbound, Reply
from api.whatsapp.inbound_form import parse_inbound
from api.whatsapp.reply_parts import InteractiveParts, to_parts
from api.whatsapp.templates import definitions
from store.content_templates import SQLiteTemplateRegistry
from store.models import utcnow
from store.sqlite_store import SQLiteStore
from tests.whatsapp_helpers import twilio_form

PHONE = "+15550001"


@pytest.fixture
def registry(tmp_path: Path) -> SQLiteTemplateRegistry:
    synced = SQLiteTemplateRegistry(str(tmp_path / "t.db"))
    for i, name in enumerate(definitions()):
        synced.record(name, f"HX{i:032x}")
    return synced


def test_buttons_follow_the_text_as_a_content_send_without_body(
    registry: SQLiteTemplateRegistry,
) -> None:
    sends = InteractiveParts(registry)
    reply = Reply(text="Session 3 ... say *done*", interactive=session_buttons(3))
    text, buttons = to_parts([reply], lambda i: sends.part_for(i, utcnow()))
    assert text.body == reply.text and text.content_sid is None
    assert buttons.content_sid == registry.sids()[next(iter(definitions()))]
    assert json.loads(buttons.content_variables or "") == {"1": "3"}
    assert buttons.body == "[buttons: ✅ Done · ➡️ Next · 📋 Menu]"  # for logs only


@pytest.mark.parametrize(
    ("enabled", "synced", "age"),
    [(False, True, timedelta(0)), (True, False, timedelta(0)), (True, True, timedelta(hours=25))],
    ids=["setting off", "templates not synced", "outside the 24 h window"],
)
def test_otherwise_the_text_goes_alone(
    registry: SQLiteTemplateRegistry, tmp_path: Path, enabled: bool, synced: bool, age: timedelta
) -> None:
    empty = SQLiteTemplateRegistry(str(tmp_path / "empty.db"))
    sends = InteractiveParts(registry if synced else empty, enabled)
    reply = Reply(text="Session 3", interactive=session_buttons(3))
    parts = to_parts([reply], lambda i: sends.part_for(i, utcnow() - age))
    assert [(p.body, p.content_sid) for p in parts] == [("Session 3", None)]


def test_the_webhook_reads_button_and_list_taps() -> None:
    button = twilio_form(PHONE, "✅ Done") | {
        "ButtonPayload": "nav:done:2",
        "ButtonText": "✅ Done",
    }
    assert parse_inbound(button).payload == "nav:done:2"
    row = twilio_form(PHONE, "") | {"ListId": "nav:jump:4", "ListTitle": "📘 4. Orders"}
    tapped = parse_inbound(row)
    assert (tapped.payload, tapped.text) == ("nav:jump:4", "📘 4. Orders")  # title if no Body
    assert parse_inbound(twilio_form(PHONE, "done")).payload is None


def _say(engine: Engine, text: str, payload: str | None = None) -> list[Reply]:
    return engine.handle_message(Inbound(phone=PHONE, text=text, payload=payload))


def test_quiz_questions_carry_their_options_and_a_stale_tap_counts_nothing(
    engine: Engine, store: SQLiteStore
) -> None:
    _say(engine, "I am a new partner")
    question = _say(engine, "done")[-1]
    assert question.interactive is not None and question.interactive.purpose == "quiz"
    payloads = [o.payload for o in question.interactive.options]
    assert payloads == ["quiz:1:0:A", "quiz:1:0:B", "quiz:1:0:C"]
    second = _say(engine, "B) ...", payload="quiz:1:0:B")[-1]  # the right answer, tapped
    assert second.interactive is not None
    assert [o.payload for o in second.interactive.options] == ["quiz:1:1:true", "quiz:1:1:false"]
    again = _say(engine, "A) ...", payload="quiz:1:0:A")  # the first question, tapped again
    assert "earlier question" in again[0].text
    progress = store.get_progress(PHONE)
    assert progress is not None and progress.quiz is not None and progress.quiz["pos"] == 1
    assert progress.quiz["right"] == [0]  # the stale tap changed no score

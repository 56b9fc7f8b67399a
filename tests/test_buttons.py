"""Buttons and lists: what replies carry, and what a tap does (0 LLM calls, stale taps safe)."""

from __future__ import annotations

import pytest

from agent.engine import Engine
from agent.interactive import BUTTON_TITLE_LIMIT, parse_payload
from agent.messages import Inbound, Reply
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore

PHONE = "+15550001"


def say(engine: Engine, text: str, payload: str | None = None) -> list[Reply]:
    return engine.handle_message(Inbound(phone=PHONE, text=text, payload=payload))


def current(store: SQLiteStore) -> tuple[int | None, list[int]]:
    progress = store.get_progress(PHONE)
    assert progress is not None
    return progress.current_section, progress.completed_sections


def test_a_session_ends_with_done_next_and_menu_buttons(engine: Engine) -> None:
    replies = say(engine, "I am a new partner")
    assert all(r.interactive is None for r in replies[:-1])
    buttons = replies[-1].interactive
    assert buttons is not None and buttons.kind == "buttons"
    assert [o.payload for o in buttons.options] == ["nav:done:1", "nav:next:1", "nav:menu:1"]
    assert all(len(o.title) <= BUTTON_TITLE_LIMIT for o in buttons.options)
    assert "*done*" in replies[-1].text  # the same words to type, for text-only transports


def test_tapping_done_completes_the_session_it_was_shown_for(
    engine: Engine, store: SQLiteStore
) -> None:
    say(engine, "I am a new partner")
    replies = say(engine, "✅ Done", payload="nav:done:1")
    assert "Quick check on Session 1" in replies[0].text  # the session's quiz comes first
    for answer in ("B", "false"):
        say(engine, answer)
    replies = say(engine, "3")
    assert current(store) == (2, [1])
    assert "Session 1 marked complete" in "\n".join(r.text for r in replies)


def test_a_stale_done_changes_nothing_and_says_where_the_partner_is(
    engine: Engine, store: SQLiteStore
) -> None:
    say(engine, "I am a new partner")
    say(engine, "next")
    replies = say(engine, "✅ Done", payload="nav:done:1")
    assert current(store) == (2, [])
    assert "Session 1" in replies[0].text and "now on Session 2" in replies[0].text
    say(engine, "➡️ Next", payload="nav:next:1")
    assert current(store) == (2, [])


def test_a_list_row_jumps_and_a_tap_before_enrolment_enrols(
    engine: Engine, store: SQLiteStore
) -> None:
    say(engine, "📘 5. Commissions", payload="nav:jump:5")
    assert current(store) == (1, [])  # enrolled first, at the start
    say(engine, "📘 5. Commissions", payload="nav:jump:5")
    assert current(store) == (5, [])


def test_the_menu_is_a_list_of_sessions_and_numbered_rows_in_text(engine: Engine) -> None:
    say(engine, "I am a new partner")
    for text in ("done", "B", "false", "3"):  # Session 1 and its quiz
        say(engine, text)
    [menu] = say(engine, "menu")
    assert menu.interactive is not None and menu.interactive.kind == "list"
    titles = [o.title for o in menu.interactive.options]
    assert len(titles) == 7 and titles[0].startswith("✅ 1.") and titles[1].startswith("📘 2.")
    assert "\n1. ✅ Welcome to Kestrel Metals" in menu.text and "\n2. Our Products" in menu.text


def test_a_long_training_pages_its_list(engine: Engine, store: SQLiteStore) -> None:
    store.replace_sessions(
        [TrainingSession(s_no=n, heading=f"Part {n}", content="Text.") for n in range(1, 13)]
    )
    say(engine, "I am a new partner")
    [first] = say(engine, "menu")
    assert first.interactive is not None
    payloads = [o.payload for o in first.interactive.options]
    assert len(payloads) == 10 and payloads[-1] == "nav:page:2" and payloads[8] == "nav:jump:9"
    [second] = say(engine, "➡️ More sessions", payload="nav:page:2")
    assert second.interactive is not None
    assert [o.payload for o in second.interactive.options] == [
        "nav:jump:10", "nav:jump:11", "nav:jump:12", "nav:page:1",
    ]  # fmt: skip


def test_typing_a_button_title_does_what_tapping_does(engine: Engine, store: SQLiteStore) -> None:
    say(engine, "I am a new partner")
    assert "Quick check on Session 1" in say(engine, "✅ Done")[0].text  # as "done" does
    assert current(store) == (1, [])


@pytest.mark.parametrize("payload", ["", "hello", "nav:explode:1", "quiz:2"])
def test_foreign_payloads_are_not_taps(payload: str) -> None:
    assert parse_payload(payload) is None

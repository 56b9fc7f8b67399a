"""Enrolment and session delivery through the public engine API, with the saved state."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.engine import Engine
from agent.splitter import WHATSAPP_LIMIT
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation

ENROLMENT_PARAPHRASES = [
    "I am a new partner",
    "hi, I just joined as a partner",
    "new partner here 👋",
    "please start my onboarding",
    "I am a nwe partner",  # typo
    "i am a new partnr",  # typo
    "I AM A NEW PARTNER",
    "i Am A nEw PaRtNeR!!",
    "naya partner",
]


@pytest.mark.parametrize("text", ENROLMENT_PARAPHRASES)
def test_enrolment_paraphrases_welcome_by_name_and_deliver_session_1(
    partner: Conversation, text: str
) -> None:
    turn = partner.turn(text)
    reply = "\n".join(r.text for r in turn.replies)
    assert turn.intent.value == "enroll"
    assert reply.startswith("👋 Welcome to the partner programme, Asha!")
    assert "Your training has 7 short sessions" in reply
    assert "📚 *Session 1: Welcome to Kestrel Metals and the Partner Network*" in reply
    progress = partner.progress
    assert (progress.in_training_mode, progress.current_section) == (True, 1)
    assert progress.training_started and progress.started_at is not None
    assert progress.completed_sections == [] and progress.name == "Asha Rao"


def test_the_leads_name_is_preferred_to_the_whatsapp_profile(
    partner: Conversation, store: SQLiteStore
) -> None:
    store.upsert_lead("15550001", "Priya Sharma")  # leads are often stored without the "+"
    assert "Welcome to the partner programme, Priya!" in partner.say("I am a new partner")
    assert partner.progress.name == "Priya Sharma"


def test_the_lead_name_is_used_without_a_profile_name(engine: Engine, store: SQLiteStore) -> None:
    store.upsert_lead("+15550002", "Ravi Kumar")
    ravi = Conversation(engine, store, phone="+15550002", name=None)
    assert "Welcome to the partner programme, Ravi!" in ravi.say("new partner")


def test_without_any_name_the_welcome_still_reads_well(engine: Engine, store: SQLiteStore) -> None:
    anon = Conversation(engine, store, phone="+15550003", name=None)
    reply = anon.say("I am a new partner")
    assert "Welcome to the partner programme, there!" in reply
    assert "{name}" not in reply and "None" not in reply


def test_enrolling_again_resumes_instead_of_resetting(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.complete()
    partner.say("next")
    reply = partner.say("I am a new partner")
    assert "Welcome back, Asha! You've completed 1/7 sessions. Picking up at Session 3" in reply
    assert partner.state() == (True, 3, [1])


def test_a_session_is_header_content_and_hint_in_whatsapp_sized_parts(
    partner: Conversation, store: SQLiteStore
) -> None:
    replies = partner.send("I am a new partner")[1:]  # the welcome comes first
    content = store.get_session(1)
    assert content is not None and len(content.content) > 1500
    assert [r.text[-5:] for r in replies] == ["(1/2)", "(2/2)"]
    assert all(len(r.text) <= WHATSAPP_LIMIT for r in replies)
    assert replies[0].text.startswith("📚 *Session 1:")
    assert "💡 Asha, ask me anything about this session, say *done*" in replies[-1].text
    assert replies[0].media_url == "https://example.com/kestrel/partner-handbook.pdf"
    assert replies[1].media_url is None
    # Every word of the content arrives, in order, with nothing cut mid-word.
    delivered = " ".join(r.text.rsplit("\n", 1)[0] for r in replies).split()
    header_words = len(f"📚 *Session 1: {content.heading}*".split())
    expected = content.content.split()
    assert delivered[header_words : header_words + len(expected)] == expected


def test_a_short_session_is_one_message_without_numbering(
    partner: Conversation, store: SQLiteStore
) -> None:
    store.replace_sessions(
        [
            TrainingSession(s_no=1, heading="Hello", content="Short and sweet."),
            TrainingSession(s_no=2, heading="Bye", content="Also short.", media_url="m.pdf"),
        ]
    )
    replies = partner.send("I am a new partner")
    assert "Your training has 2 short sessions" in replies[0].text
    assert replies[1].text.startswith("📚 *Session 1: Hello*\n\nShort and sweet.\n\n💡")
    assert "(1/" not in replies[1].text and replies[1].media_url is None
    second = partner.send("next")
    assert len(second) == 1 and second[0].media_url == "m.pdf"


def test_an_empty_knowledge_base_says_training_is_unavailable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "empty.db")  # not seeded
    asha = Conversation(Engine(store), store)
    reply = asha.say("I am a new partner")
    assert "Sorry Asha, the training isn't available yet" in reply
    assert "your partner manager" in reply
    assert asha.state() == (False, None, [])
    assert "training isn't available" in asha.say("continue my training")
    store.close()


def test_content_removed_mid_training_takes_the_partner_out_of_training(
    partner: Conversation, store: SQLiteStore
) -> None:
    partner.say("I am a new partner")
    store.replace_sessions([])
    assert "the training isn't available yet" in partner.say("next")
    assert partner.state() == (False, 1, [])

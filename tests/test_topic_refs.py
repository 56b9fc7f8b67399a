"""Sessions named by their topic: found in the loaded content's headings and key words."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.engine import Engine
from agent.retrieval import KnowledgeIndex
from agent.topic_refs import find_topic_session
from store.kb_files import sample_sessions
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation


@pytest.fixture(scope="module")
def sample() -> KnowledgeIndex:
    return KnowledgeIndex(sample_sessions())


@pytest.mark.parametrize(
    ("text", "session"),
    [
        ("take me to the one about payments", 5),
        ("can you open the commission session again", 5),
        ("open delivery part again", 4),
        ("pricing wala part kholo", 3),
        ("कमीशन वाला सेशन दिखाओ", 5),
        ("go back to the products session 🙂", 2),
        ("Leads and the CRM please", 6),
        ("skip to payments", 5),
        ("I want to read the commissions and payments session again before I meet a customer", 5),
    ],
)
def test_a_session_named_by_its_topic(sample: KnowledgeIndex, text: str, session: int) -> None:
    assert find_topic_session(text, sample) == session


@pytest.mark.parametrize(
    "text",
    [
        "what does the payments session say about TDS?",  # a question about the content
        "KYC ke liye kya documents chahiye",
        "कितने सेशन बचे हैं?",
        "back to the previous session please",  # named by order, not topic
        "mark the KYC session complete",  # completing is not going there
        "kyc",  # one topic word alone asks about it
        "GST wala session",  # GST is in three sessions: the menu lets the partner choose
        "open session 4 about orders",  # a number wins: agent/session_refs.py
        "show me the delivery charges",  # no session word: a question
    ],
)
def test_no_session_is_named(sample: KnowledgeIndex, text: str) -> None:
    assert find_topic_session(text, sample) is None


def test_it_works_for_any_content() -> None:
    sessions = [
        TrainingSession(s_no=1, heading="Hygiene basics", content="Wash hands before cooking."),
        TrainingSession(s_no=2, heading="Food safety audits", content="Auditors visit yearly."),
    ]
    index = KnowledgeIndex(sessions)
    assert find_topic_session("take me to the audits session", index) == 2
    assert find_topic_session("open the hygiene part", index) == 1


def test_the_engine_jumps_to_the_named_session(quizless_store: SQLiteStore) -> None:
    asha = Conversation(Engine(quizless_store), quizless_store, phone="+15550001", name="Asha")
    asha.say("I am a new partner")
    assert "Session 5" in asha.say("take me to the one about payments")
    assert asha.state()[1] == 5
    asha.say("what does the pricing session say about discounts?")
    assert asha.state()[1] == 5  # a question about another session answers, it does not move


def _prompts_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    """A copy of the prompts folder with one edit in keywords.yaml, used from now on."""
    import shutil

    from prompts import prompts_dir

    folder = tmp_path / "prompts"
    shutil.copytree(prompts_dir(), folder)
    keywords = folder / "keywords.yaml"
    text = keywords.read_text(encoding="utf-8")
    assert old in text
    keywords.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv("PROMPTS_DIR", str(folder))


def test_the_frame_words_are_read_from_the_keywords_file(
    sample: KnowledgeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "bring up the payments session for me please"
    assert find_topic_session(said, sample) is None
    _prompts_copy(tmp_path, monkeypatch, "  go_words: [go,", "  go_words: [bring up, go,")
    assert find_topic_session(said, sample) == 5


def test_an_unquoted_yaml_boolean_among_the_frame_words_is_refused(
    sample: KnowledgeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prompts_copy(tmp_path, monkeypatch, 'frame_words: [about, "on",', "frame_words: [about, on,")
    with pytest.raises(ValueError, match=r"topic_refs\.frame_words: quote every word"):
        find_topic_session("take me to the one about payments", sample)

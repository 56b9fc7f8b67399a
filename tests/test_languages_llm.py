"""The LLM path in the partner's language: Hindi passages in, a Hindi answer with a citation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import SystemMessage, ToolMessage

from agent.messages import Inbound
from store.factory import seed_if_empty
from store.models import ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.fakes.chat_models import scripted, tool_call_message
from tests.llm_helpers import NO_QUESTION_LANE, PHONE, agent_engine

HINDI_ANSWER = "पेआउट हर महीने की 10 तारीख़ को NEFT से होता है। (सत्र 5: कमीशन और पेमेंट से)"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "g.db")
    seed_if_empty(opened)
    opened.update_progress(
        PHONE,
        ProgressUpdate(
            name="Sunita", language="hi", training_started=True,
            in_training_mode=True, current_section=5,
        ),
    )  # fmt: skip
    yield opened
    opened.close()


def test_a_hindi_question_is_answered_in_hindi_from_the_hindi_content(store: SQLiteStore) -> None:
    model = scripted(tool_call_message("search_training", {"query": "पेआउट NEFT"}), HINDI_ANSWER)
    replies = agent_engine(store, model, **NO_QUESTION_LANE).handle_message(
        Inbound(phone=PHONE, text="पेआउट कब मिलता है?")
    )
    assert [r.text for r in replies] == [HINDI_ANSWER]
    first, second = model.prompts
    system = next(m for m in first if isinstance(m, SystemMessage)).text
    assert "Their language: हिंदी (Hindi)" in system and "▶5. कमीशन और पेमेंट" in system
    answer_rules = next(m for m in second if isinstance(m, SystemMessage)).text
    assert "in हिंदी (Hindi)" in answer_rules and "(सत्र 5: कमीशन और पेमेंट से)" in answer_rules
    passages = next(m for m in second if isinstance(m, ToolMessage)).text
    assert 'heading="कमीशन और पेमेंट"' in passages and "NEFT" in passages


def test_a_hindi_answer_with_an_invented_number_is_replaced_by_the_hindi_extract(
    store: SQLiteStore,
) -> None:
    invented = "पेआउट हर महीने की 12 तारीख़ को होता है। (सत्र 5: कमीशन और पेमेंट से)"
    model = scripted(tool_call_message("search_training", {"query": "पेआउट NEFT"}), invented)
    replies = agent_engine(store, model).handle_message(
        Inbound(phone=PHONE, text="पेआउट कब मिलता है?")
    )
    text = "\n".join(r.text for r in replies)
    assert "12 तारीख़" not in text and "_(सत्र 5: कमीशन और पेमेंट से)_" in text

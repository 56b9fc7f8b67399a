"""The LLM agent driven by a scripted chat model: every tool path, the rules, call counts."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

from agent.intents import Intent
from store.models import ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation
from tests.fakes.chat_models import scripted, tool_call_message
from tests.llm_helpers import NO_QUESTION_LANE, PHONE, agent_engine, partner_on

ALL_TOOLS = [
    "navigate", "complete_session", "show_progress", "start_training", "search_training",
    "small_talk", "answer_quiz",
]  # fmt: skip


def test_navigation_is_one_call_with_the_partner_state_in_the_prompt(store: SQLiteStore) -> None:
    model = scripted(tool_call_message("navigate", {"action": "next"}))
    asha = partner_on(store, model)
    result = asha.turn("ok I get it, what's next?")
    assert (result.source, result.intent, result.llm_calls) == ("llm", Intent.NEXT, 1)
    assert result.fallback_reason is None
    assert "Session 3: Quotes and Pricing" in result.replies[0].text
    assert asha.state() == (True, 3, [1])
    assert model.bound_tools == [ALL_TOOLS]
    [prompt] = model.prompts
    system, *_, human = prompt
    assert isinstance(system, SystemMessage) and isinstance(human, HumanMessage)
    assert "Asha" in system.text and "▶2. Our Products and Grades" in system.text
    assert human.text == "ok I get it, what's next?"
    assert all(PHONE not in m.text for m in prompt)


def test_jump_by_topic_sets_the_session_argument(store: SQLiteStore) -> None:
    model = scripted(tool_call_message("navigate", {"action": "jump", "session": 3}))
    asha = partner_on(store, model, session=5)
    result = asha.turn("can we go back to the pricing one")
    assert (result.intent, result.session, result.session_arg) == (Intent.JUMP, 3, 3)
    assert asha.state()[1] == 3


def test_jump_to_a_session_that_does_not_exist_changes_nothing(store: SQLiteStore) -> None:
    asha = partner_on(
        store, scripted(tool_call_message("navigate", {"action": "jump", "session": 99}))
    )
    text = " ".join(r.text for r in asha.send("take me to session ninety nine"))
    assert "couldn't find Session 99" in text and "Sessions run from 1 to 7" in text
    assert asha.state() == (True, 2, [1])


def test_complete_marks_only_the_current_session(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted(tool_call_message("complete_session", {})))
    result = asha.turn("I think I've got this one down, tick it off")
    assert (result.intent, result.llm_calls) == (Intent.COMPLETE, 1)
    assert "Quick check on Session 2" in result.replies[0].text  # its quiz comes first
    assert asha.state() == (True, 2, [1])
    for answer in ("C", "true", "E250"):  # exact answers: graded with no LLM call
        assert asha.turn(answer).llm_calls == 0
    assert asha.state() == (True, 3, [1, 2])


def test_completing_another_session_is_refused(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted(tool_call_message("complete_session", {"session": 7})))
    text = asha.say("please mark session 7 as complete")
    assert "only mark the session you're on" in text and "Session 2" in text
    assert asha.state() == (True, 2, [1])


def test_identity_comes_from_the_context_never_from_arguments(store: SQLiteStore) -> None:
    other = "+19998887777"
    call = tool_call_message("navigate", {"action": "next", "phone": other})
    asha = partner_on(store, scripted(call))
    asha.send("next one for +19998887777 please")
    assert asha.state() == (True, 3, [1])
    assert store.get_progress(other) is None


def test_progress_start_resume_and_small_talk(store: SQLiteStore) -> None:
    model = scripted(
        tool_call_message("show_progress", {}),
        tool_call_message("small_talk", {}),
        tool_call_message("navigate", {"action": "exit"}),
        tool_call_message("start_training", {"resume": True}),
    )
    asha = partner_on(store, model, session=3, completed=(1, 2))
    assert "completed 2/7" in asha.say("how am I doing so far")
    assert asha.turn("thanks a lot, appreciate it").intent is Intent.OTHER
    assert asha.state() == (True, 3, [1, 2])
    asha.send("I need to stop for today")
    assert asha.state() == (False, 3, [1, 2])
    result = asha.turn("hey I'm back, let's keep going")
    assert result.intent is Intent.RESUME and "Welcome back" in result.replies[0].text
    assert asha.state() == (True, 3, [1, 2])


def test_new_partner_enrols_through_the_tool(store: SQLiteStore) -> None:
    newcomer = Conversation(
        agent_engine(store, scripted(tool_call_message("start_training", {}))), store
    )
    result = newcomer.turn("hello, they told me to sign up for the partner training")
    assert (result.intent, result.llm_calls) == (Intent.ENROLL, 1)
    assert "Welcome to the partner programme, Asha" in result.replies[0].text
    assert newcomer.state() == (True, 1, [])


def test_a_question_the_model_looks_up_costs_two_calls_and_answers_from_the_content(
    store: SQLiteStore,
) -> None:
    answer = "The MOQ is 500 kg per grade for stock items, Asha (from Session 3)."
    model = scripted(
        tool_call_message("search_training", {"query": "minimum order quantity"}), answer
    )
    asha = partner_on(store, model, session=3, completed=(1, 2), **NO_QUESTION_LANE)
    result = asha.turn("what's MOQ again?")
    assert (result.intent, result.llm_calls, result.source) == (Intent.QUESTION, 2, "llm")
    assert [r.text for r in result.replies] == [answer]
    assert 3 in {s for s, _ in result.passages}
    _, second = model.prompts
    assert model.bound_tools == [ALL_TOOLS]  # the answer call is sent without tools
    assert isinstance(second[0], SystemMessage) and "NOT_COVERED" in second[0].text
    data = second[-1]
    assert isinstance(data, ToolMessage) and data.text.startswith("<training_content>")
    assert '<passage session="3"' in data.text and "500 kg" in data.text


def test_a_paused_partner_still_gets_answers_from_the_content(store: SQLiteStore) -> None:
    answer = "The MOQ is 500 kg per grade for stock items (from Session 3)."
    model = scripted(
        tool_call_message("search_training", {"query": "minimum order quantity"}), answer
    )
    asha = partner_on(store, model, session=3, completed=(1, 2))
    store.update_progress(PHONE, ProgressUpdate(in_training_mode=False))
    result = asha.turn("btw what's the MOQ?")
    assert (result.intent, result.llm_calls) == (Intent.QUESTION, 2)
    assert [r.text for r in result.replies] == [answer]
    assert asha.state() == (False, 3, [1, 2])


def test_invented_numbers_or_no_citation_give_the_extract_instead(store: SQLiteStore) -> None:
    search = tool_call_message("search_training", {"query": "minimum order quantity"})
    model = scripted(
        search, "The MOQ is 250 kg per grade (from Session 3).",
        search, "The MOQ is 500 kg per grade.",
        search, "The MOQ is 500 kg (from Session 6).",
    )  # fmt: skip
    asha = partner_on(store, model, session=3, completed=(1, 2))
    for _ in range(3):
        text = asha.say("what's MOQ again?")
        assert "500 kg per grade for stock items" in text and "from Session 3" in text
        assert "250" not in text and "Session 6" not in text


def test_not_covered_suggests_who_to_ask(store: SQLiteStore) -> None:
    search = tool_call_message("search_training", {"query": "minimum order quantity for gold"})
    asha = partner_on(store, scripted(search, "NOT_COVERED"), session=3, completed=(1, 2))
    text = asha.say("what is the MOQ for gold bars?")
    assert "couldn't find that in the training material" in text
    assert "your partner manager" in text


def test_nothing_found_costs_one_call_and_invents_nothing(store: SQLiteStore) -> None:
    search = tool_call_message("search_training", {"query": "Tesla chief executive"})
    model = scripted(search, "Elon Musk (from Session 1)")
    asha = partner_on(store, model)
    result = asha.turn("who is the CEO of Tesla?")
    assert result.llm_calls == 1 and len(model.prompts) == 1
    assert "Musk" not in result.replies[0].text
    assert "couldn't find that in the training material" in result.replies[0].text


def test_a_restart_guessed_by_the_model_asks_before_wiping_progress(store: SQLiteStore) -> None:
    asha = partner_on(store, scripted(tool_call_message("navigate", {"action": "restart"})))
    text = asha.say("ugh I want to go through all of it again from the top")
    assert "Reply *yes* to start over" in text
    assert asha.state() == (True, 2, [1])
    asha.send("yes")  # the answer is settled before classification: no model call
    assert asha.state() == (True, 1, [])

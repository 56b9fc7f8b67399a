"""STOP and START: settled first with no LLM call, remembered, and only START undoes STOP."""

from __future__ import annotations

import pytest

from agent.engine import Engine
from agent.opt_out import is_opt_in, is_opt_out
from agent.turns import InterpreterFailed, TurnResult
from store.models import Progress
from tests.conversation import Conversation


class ExplodingInterpreter:
    """Fails the test if the LLM path is reached."""

    calls = 0

    def interpret(
        self, text: str, phone: str, progress: Progress | None, trainer: object
    ) -> TurnResult:
        self.calls += 1
        raise InterpreterFailed("not expected")


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop!!", "please stop", "UNSUBSCRIBE", "stop messages", "band karo",
     "Band karo ji", "बंद करो", "मैसेज मत भेजो", "message mat bhejo", "opt-out"],
)  # fmt: skip
def test_opt_out_phrases(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize(
    "text", ["stop training", "stop for now", "don't stop", "what is stop loss?", "bandh", ""]
)
def test_other_messages_are_not_opt_out(text: str) -> None:
    assert not is_opt_out(text)


@pytest.mark.parametrize("text", ["START", "start", "unstop", "shuru karo", "शुरू करो"])
def test_opt_in_phrases(text: str) -> None:
    assert is_opt_in(text) and not is_opt_out(text)


def test_stop_opts_out_with_the_time_and_pauses(partner: Conversation) -> None:
    partner.say("I am a new partner")
    reply = partner.say("STOP")
    assert "won't send you reminders" in reply and "START" in reply
    progress = partner.progress
    assert progress.opted_out and progress.opted_out_at is not None
    assert not progress.in_training_mode and progress.current_section == 1


def test_an_opted_out_partner_is_still_answered_and_stays_out(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("stop")
    assert "Session 1" in partner.say("continue my training")
    assert partner.progress.opted_out  # writing is not opting back in
    assert "already unsubscribed" in partner.say("STOP")


def test_start_opts_back_in_only_after_stop(partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("band karo")
    assert "reminders again" in partner.say("START")
    assert not partner.progress.opted_out and partner.progress.opted_out_at is None
    # Not opted out: "start" is an ordinary message again (no opt-in confirmation).
    assert "reminders again" not in partner.say("start")


def test_stop_before_any_training_is_remembered(partner: Conversation) -> None:
    partner.say("stop")
    assert partner.progress.opted_out and not partner.progress.training_started


def test_opt_out_uses_no_llm_call(engine: Engine, partner: Conversation) -> None:
    llm = ExplodingInterpreter()
    engine.interpreter = llm
    result = partner.turn("please stop sending messages")
    assert result.source == "opt_out" and result.llm_calls == 0 and llm.calls == 0
    assert partner.progress.opted_out


def test_opt_out_survives_restart_and_kb_reload(engine: Engine, partner: Conversation) -> None:
    partner.say("I am a new partner")
    partner.say("STOP")
    partner.say("restart")
    partner.say("yes")
    engine.store.replace_sessions(engine.store.list_sessions())
    assert partner.progress.opted_out

"""Exact commands never wait behind model turns; model calls are capped and back off on 429."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from agent.intents import Intent
from agent.llm_gate import LLMBusy, LLMGate
from agent.messages import Inbound, Reply
from agent.training import Trainer
from agent.turns import TurnResult
from api.main import create_app
from api.whatsapp.sender import CollectingSender
from store.factory import open_store
from store.models import Progress
from tests.whatsapp_helpers import post_signed, twilio_form, wa_settings, wait_until


class BlockedModel:
    """An interpreter that holds every model turn until released (a slow LLM)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()

    def interpret(
        self, text: str, phone: str, progress: Progress | None, trainer: Trainer
    ) -> TurnResult:
        self.started.set()
        self.release.wait(20)
        return TurnResult([Reply(text=f"model: {text}")], Intent.OTHER, "llm")


def test_an_exact_command_is_answered_while_every_model_worker_is_busy(tmp_path: Path) -> None:
    settings = wa_settings(tmp_path, whatsapp_workers=1, llm_concurrency=1)
    store = open_store(settings)
    model = BlockedModel()
    engine = Engine(store, interpreter=model)
    sender = CollectingSender()
    app = create_app(settings=settings, store=store, engine=engine, sender=sender)
    try:
        with TestClient(app) as client:
            slow = "so tell me about the grades you sell please"
            post_signed(client, twilio_form("+15550001", slow))
            assert model.started.wait(10)
            post_signed(client, twilio_form("+15550002", "I am a new partner"))
            wait_until(lambda: any(m.to == "+15550002" for m in sender.sent), what="fast reply")
            assert not any(m.to == "+15550001" for m in sender.sent)
            model.release.set()
            wait_until(lambda: any(m.to == "+15550001" for m in sender.sent), what="model reply")
    finally:
        model.release.set()


def test_the_gate_caps_model_calls_in_flight() -> None:
    gate = LLMGate(2)
    with gate.call(1.0), gate.call(1.0):
        started = time.monotonic()
        with pytest.raises(LLMBusy), gate.call(0.2):
            pass
        assert 0.15 < time.monotonic() - started < 2.0
    with gate.call(0.1):
        pass  # slots are back


def test_a_429_pauses_new_calls_with_a_bounded_doubling_backoff() -> None:
    gate = LLMGate(4)
    gate.rate_limited()
    # The pause (1 s) is longer than this call's budget.
    with pytest.raises(LLMBusy), gate.call(0.5):
        pass
    started = time.monotonic()
    with gate.call(3.0):
        assert time.monotonic() - started > 0.3  # waited out the rest of the pause
    for _ in range(10):
        gate.rate_limited()
    assert gate._paused_until - time.monotonic() <= 8.0
    gate.succeeded()
    gate.rate_limited()
    assert gate._paused_until - time.monotonic() <= 1.0


def test_an_exact_quiz_answer_takes_the_fast_lane(tmp_path: Path) -> None:
    """Quiz answers are not commands, yet the quiz step grades most of them without the model:
    those must not wait behind model turns either."""
    settings = wa_settings(tmp_path)
    store = open_store(settings)
    engine = Engine(store, interpreter=BlockedModel())
    phone = "+15550003"
    engine.handle(Inbound(phone=phone, text="I am a new partner", profile_name="Asha"))
    engine.handle(Inbound(phone=phone, text="done"))  # the quiz of session 1 asks question 1
    assert not engine.needs_llm(Inbound(phone=phone, text="B"))  # an option letter
    assert engine.needs_llm(Inbound(phone=phone, text="hmm I think it is the second one"))
    store.close()

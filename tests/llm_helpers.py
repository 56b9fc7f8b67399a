"""Helpers for the LLM agent tests: an engine driven by a given chat model, a partner."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.engine import Engine
from agent.llm_agent import build_llm_interpreter
from agent.settings import Settings
from store.base import TrainingStore
from store.models import ProgressUpdate
from tests.conversation import Conversation

PHONE = "+15550001"
NO_QUESTION_LANE = {"llm_question_lane_confidence": 1.0}  # every question picks its tool


def settings(**overrides: object) -> Settings:
    """Settings from `overrides` only: validating skips the environment and any .env file."""
    return Settings.model_validate({"llm_provider": "openai", **overrides})


def agent_engine(store: TrainingStore, model: BaseChatModel | None, **overrides: object) -> Engine:
    """An Engine whose free-form messages go to the LLM agent (`model` None: ChatOpenAI)."""
    interpreter = build_llm_interpreter(settings(**overrides), model=model)
    return Engine(store, interpreter=interpreter)


def partner_on(
    store: TrainingStore,
    model: BaseChatModel,
    session: int = 2,
    completed: tuple[int, ...] = (1,),
    **overrides: object,
) -> Conversation:
    """Asha, in training on `session` with `completed` done, talking to an agent engine
    (built with the settings `overrides`)."""
    store.update_progress(
        PHONE,
        ProgressUpdate(
            name="Asha Rao",
            training_started=True,
            in_training_mode=True,
            current_section=session,
            add_completed=list(completed),
        ),
    )
    return Conversation(agent_engine(store, model, **overrides), store, phone=PHONE)

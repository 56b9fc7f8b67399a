"""Build a ready engine from settings: the store, and the LLM interpreter when configured."""

from __future__ import annotations

import logging
import threading

from agent.dense import build_dense_ranker
from agent.engine import Engine
from agent.inbound_media import MediaReader
from agent.quiz.config import QuizConfig
from agent.settings import Settings
from agent.turns import Interpreter
from agent.voice import OpenAITranscriber
from store.base import TrainingStore
from store.factory import open_store

log = logging.getLogger("genie")


def build_interpreter(settings: Settings) -> Interpreter | None:
    """The LLM interpreter for `LLM_PROVIDER=openai`, or None for the deterministic path."""
    if settings.llm_provider != "openai":
        return None
    try:
        from agent.llm_agent import build_llm_interpreter
    except ImportError:  # the agent module is optional at this stage
        log.warning("LLM_PROVIDER=openai but the LLM agent is not available; using keywords")
        return None
    return build_llm_interpreter(settings)


def build_media_reader(settings: Settings) -> MediaReader:
    """Reads partners' media with the Twilio credentials; transcribes when an LLM key is set."""
    transcriber = None
    if settings.llm_provider == "openai" and settings.openai_api_key:
        transcriber = OpenAITranscriber(
            api_key=settings.openai_api_key,
            model=settings.transcription_model,
            base_url=settings.openai_base_url,
            timeout_s=settings.media_timeout_s,
            max_bytes=settings.media_max_bytes,
            max_seconds=settings.voice_max_seconds,
        )
    auth = None
    if settings.twilio_account_sid and settings.twilio_auth_token:
        auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    return MediaReader(
        auth=auth,
        transcriber=transcriber,
        timeout_s=settings.media_timeout_s,
        max_bytes=settings.media_max_bytes,
    )


def build_engine(settings: Settings, store: TrainingStore | None = None) -> Engine:
    """An Engine on the configured (or given) store, with the configured interpreter."""
    engine = Engine(
        store or open_store(settings),
        support_contact=settings.support_contact,
        interpreter=build_interpreter(settings),
        media_reader=build_media_reader(settings),
        dense=build_dense_ranker(settings),
        default_language=settings.default_language,
    )
    engine.trainer.quiz_config = QuizConfig.from_settings(settings)
    if engine.knowledge.dense is not None:  # embedding the content takes seconds: not inline
        threading.Thread(target=_warm, args=(engine,), name="embed-content", daemon=True).start()
    return engine


def _warm(engine: Engine) -> None:
    try:
        engine.knowledge.warm()
    except Exception:  # a store not ready yet: the first question embeds what it needs
        log.exception("embedding the content at start-up failed")

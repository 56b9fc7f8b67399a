"""The model behind a run: none (keywords only), openai, replay (a cassette) or the oracle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agent.settings import Settings
from agent.turns import Interpreter
from evals.cassette import CassetteWriter
from evals.loading import shown
from evals.oracle import Label, OracleChatModel
from evals.replay import CassetteRecorder, ReplayChatModel
from evals.usage import UsageMeter

PROVIDERS = ("none", "openai", "replay", "oracle")


class ProviderError(RuntimeError):
    """The provider cannot be set up (missing key, cassette or LLM agent)."""


@dataclass
class ProviderSetup:
    """What a run talks to: the interpreter (None for keywords only) and where it records."""

    name: str
    interpreter: Interpreter | None
    model: str | None
    support_contact: str
    cassette: str | None = None
    writer: CassetteWriter | None = None


def _chat_model(
    provider: str, settings: Settings, cassette: Path | None, labels: dict[str, Label], **kw: Any
) -> BaseChatModel:
    if provider == "replay":
        if cassette is None or not cassette.is_file():
            raise ProviderError(f"replay needs a cassette: {cassette} not found")
        return ReplayChatModel.from_file(cassette, model=settings.openai_model, **kw)
    if provider == "oracle":
        return OracleChatModel(model_name=settings.openai_model, labels=labels, **kw)
    if not (settings.openai_api_key or settings.openai_base_url):
        raise ProviderError(
            "--provider openai needs OPENAI_API_KEY (and OPENAI_BASE_URL for "
            "another OpenAI-compatible server)"
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        **kw,
    )


def recorded_model(cassette: Path) -> str | None:
    """The model a cassette was recorded with (its first entry's)."""
    try:
        return ReplayChatModel.from_file(cassette).model
    except (OSError, ValueError):
        return None


def setup_provider(
    provider: str,
    *,
    model: str | None = None,
    cassette: Path | None = None,
    record: Path | None = None,
    labels: dict[str, Label] | None = None,
) -> ProviderSetup:
    """Build the interpreter for `provider`, metered (and recorded to `record` if given)."""
    if provider not in PROVIDERS:
        raise ProviderError(f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
    settings = Settings()
    if provider == "none":
        if record:
            raise ProviderError("--record needs a model: use --provider openai or oracle")
        return ProviderSetup("none", None, None, settings.support_contact)
    if provider == "replay" and record:
        raise ProviderError("--record cannot be combined with --provider replay")
    if provider == "replay" and not model and cassette:
        model = recorded_model(cassette)
    settings = settings.model_copy(
        update={"llm_provider": "openai", "openai_model": model or settings.openai_model}
    )
    try:
        from agent.llm_agent import build_llm_interpreter
    except ImportError as exc:
        raise ProviderError(f"the LLM agent (agent/llm_agent.py) is not available: {exc}") from exc
    name = settings.openai_model
    callbacks: list[BaseCallbackHandler] = [UsageMeter(name)]
    writer = CassetteWriter(record) if record else None
    if writer:
        callbacks.append(CassetteRecorder(writer, name))
    chat = _chat_model(provider, settings, cassette, labels or {}, callbacks=callbacks)
    used = record or (cassette if provider == "replay" else None)
    source = shown(used) if used else None
    return ProviderSetup(
        provider,
        build_llm_interpreter(settings, model=chat),
        name,
        settings.support_contact,
        source,
        writer,
    )

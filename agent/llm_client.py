"""The agent's OpenAI chat client: LangChain's ChatOpenAI, without the SDK's per-call type walk."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_openai import ChatOpenAI

# Request parts that LangChain already builds as plain JSON and the SDK would walk again.
READY_PARTS = ("messages", "tools")


class LeanChatOpenAI(ChatOpenAI):
    """ChatOpenAI that hands the OpenAI SDK the chat-completions body ready-made.

    LangChain builds a JSON-ready body; the SDK's `create` then walks every message and tool
    schema against its TypedDict annotations (`openai._utils.maybe_transform`) looking for
    aliased keys and formats, which this endpoint's request types do not have: 2-4 ms of CPU
    per call for our prompt and seven tools, the largest single cost of a model call here.
    Messages and tools go through `extra_body` instead, which the SDK merges into the JSON
    unchanged (later keys win, so a caller's own `extra_body` still does): the same request
    on the wire, including the keys' order. Structured-output (`parse`) and Responses-API
    calls read these arguments themselves, so they keep the ordinary path.
    """

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "response_format" in payload or self._use_responses_api(payload):
            return payload
        ready = {key: payload.pop(key) for key in READY_PARTS if key in payload}
        payload["messages"] = []  # required by the SDK's signature; extra_body replaces it
        payload["extra_body"] = {**ready, **(payload.get("extra_body") or {})}
        return payload

"""The LLM agent's tools: one module each, registered in `TOOLS`.

Every tool reads the partner from the run context (`ToolRuntime[TurnContext]`), never from
model arguments, and applies the training rules through `agent.dispatch` / the Trainer.
Each tool's description (what the model reads) is the file prompts/tools/<tool name>.md.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from prompts import prompt
from tools.completion import complete_session
from tools.enrollment import start_training
from tools.knowledge import search_training
from tools.navigation import navigate
from tools.progress import show_progress
from tools.quiz import answer_quiz
from tools.small_talk import small_talk

TOOLS: list[BaseTool] = [
    navigate,
    complete_session,
    show_progress,
    start_training,
    search_training,
    small_talk,
    answer_quiz,
]


def described_tools() -> list[BaseTool]:
    """TOOLS with descriptions re-read from prompts/tools/ (honours PROMPTS_DIR set later)."""
    return [t.model_copy(update={"description": prompt(f"tools/{t.name}.md")}) for t in TOOLS]

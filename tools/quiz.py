"""Quiz tool: grade the partner's answer to the quiz question being asked.

The model only says which allowed answer the partner meant (an option, true/false, or one
of the accepted short answers); the tool checks it against the content's answer key, so
the model cannot mark right what the content does not allow. Anything it cannot map falls
back to the deterministic grader on the partner's own words.
"""

from __future__ import annotations

from langchain.tools import ToolRuntime
from langchain_core.tools import tool

from agent.intents import Intent
from agent.quiz import flow
from agent.quiz.grading import Graded, grade_exact, grade_lenient, short_correct
from agent.turn_context import TurnContext
from agent.turns import TurnResult
from prompts import prompt
from store.quiz_model import Kind, Question


def grade_meant(question: Question, meant: str, said: str) -> Graded | None:
    """Grade with the model's reading `meant` when it is an allowed answer, else with `said`."""
    if question.kind is Kind.SHORT:
        if short_correct(question, meant):
            return Graded(said.strip(), True)
        return grade_lenient(question, said)
    return grade_exact(question, meant) or grade_lenient(question, said)


@tool("answer_quiz", description=prompt("tools/answer_quiz.md"), return_direct=True)
def answer_quiz(runtime: ToolRuntime[TurnContext], meant: str) -> str:
    """Grade the partner's answer to the current quiz question."""
    ctx = runtime.context
    active = flow.active_quiz(ctx.trainer, ctx.progress)
    if active is None:
        return "No quiz is in progress: use another tool."
    state, quiz = active
    graded = grade_meant(quiz.questions[state.current], meant, ctx.text)
    if graded is None:
        action = flow.unclear(ctx.trainer, ctx.phone, state, quiz)
    else:
        action = flow.answer(ctx.trainer, ctx.phone, state, quiz, graded)
    session = action.progress.current_section if action.progress else None
    ctx.outcome = TurnResult(action.replies, Intent.QUIZ, "llm", session)
    return "Done (quiz answer graded); the partner has been answered."

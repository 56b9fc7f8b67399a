"""The one-call question lane: a plain question is looked up before the model is asked.

On the agent's path a question costs two model calls in sequence: one to pick the
`search_training` tool, one to write the answer from its passages. When the deterministic
understanding (the engine's IntentClassifier and its phrase-bank model) is sure the message is
a question and nothing else, the interpreter runs that same search first and hands the model
the conversation as if it had called the tool itself: the answer call is the only call, with
the same request, passages, grounding and record as the second call of the agent's path.

Everything else keeps the agent's path: other intents, a compound message ("go to 4 and tell
me X"), a partner answering a quiz or not yet started (their tools differ), and a question the
search finds nothing for (the model may rewrite the query, or see it is small talk).
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.messages.tool import ToolCall

from agent.compound import split_compound
from agent.intent_rules import IntentClassifier
from agent.intents import Intent
from agent.quiz.state import quiz_status
from agent.training import has_started
from agent.turn_context import TurnContext
from tools.knowledge import find_passages, hand_over, search_training

LOOKUP_CALL_ID = "call_lookup"  # ties the stand-in tool call to its result; models ignore ids
MIN_CONFIDENCE = 0.5  # a lower setting counts as this: a question must be the likeliest intent
OFF = 1.0  # a minimum confidence of 1 turns the lane off


class QuestionLane:
    """Decides which messages skip the tool-choosing call, and looks them up."""

    def __init__(self, min_confidence: float, classifier: IntentClassifier | None = None) -> None:
        self.min_confidence = min_confidence
        self.classifier = classifier or IntentClassifier()

    def is_plain_question(self, ctx: TurnContext) -> bool:
        """True when the partner may only mean a question about the training content."""
        if self.min_confidence >= OFF or not has_started(ctx.progress):
            return False
        if ctx.progress and quiz_status(ctx.progress, ctx.trainer.knowledge.sessions()):
            return False  # the answer to a quiz question goes to answer_quiz
        guess = self.classifier.classify(ctx.text, ctx.progress)
        if guess.intent is not Intent.QUESTION or guess.exact or guess.question is not None:
            return False
        # The model's own probability, not the classification's confidence: in training, small
        # talk that looks like a question ("how are you?") is classified a question with the
        # confidence of "other", and the agent should keep the choice of small_talk for it.
        # At MIN_CONFIDENCE or more, a question is also the model's most likely intent.
        probability = self.classifier.model.probabilities(ctx.text)[Intent.QUESTION]
        if probability < max(self.min_confidence, MIN_CONFIDENCE):
            return False
        return split_compound(ctx.text, self.classifier.model) is None

    def look_up(self, ctx: TurnContext) -> list[AIMessage | ToolMessage]:
        """For a plain question with passages: the search the agent would have run, as its
        tool call and result (the passages kept in `ctx`); otherwise nothing."""
        if not self.is_plain_question(ctx):
            return []
        found = find_passages(ctx, ctx.text)
        if not found:
            return []
        call = ToolCall(name=search_training.name, args={"query": ctx.text}, id=LOOKUP_CALL_ID)
        result = hand_over(ctx, found, ctx.text)
        return [
            AIMessage(content="", tool_calls=[call]),
            ToolMessage(result, tool_call_id=LOOKUP_CALL_ID, name=search_training.name),
        ]

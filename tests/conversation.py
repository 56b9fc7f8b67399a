"""A partner talking to the engine in tests: send a message, read the replies and saved state."""

from __future__ import annotations

from dataclasses import dataclass

from agent.engine import Engine
from agent.messages import Inbound, Reply
from agent.quiz.flow import active_quiz
from agent.turns import TurnResult
from store.base import TrainingStore
from store.models import Progress, TrainingSession
from store.quiz_model import quiz_of


def passing_turns(session: TrainingSession) -> list[str]:
    """The messages that complete `session`: "done", then its quiz answered right."""
    quiz = quiz_of(session)
    return ["done", *(q.right_reply() for q in quiz.questions)] if quiz else ["done"]


@dataclass
class Conversation:
    """One partner's side of a chat with the public engine API."""

    engine: Engine
    store: TrainingStore
    phone: str = "+15550001"
    name: str | None = "Asha Rao"

    def inbound(self, text: str) -> Inbound:
        """The message as a transport would deliver it."""
        return Inbound(phone=self.phone, text=text, profile_name=self.name)

    def send(self, text: str) -> list[Reply]:
        """Send a message through `Engine.handle_message`; the replies."""
        return self.engine.handle_message(self.inbound(text))

    def say(self, text: str) -> str:
        """Send a message; all reply texts joined by blank lines."""
        return "\n\n".join(reply.text for reply in self.send(text))

    def turn(self, text: str) -> TurnResult:
        """Send a message through `Engine.handle`; the whole turn result."""
        return self.engine.handle(self.inbound(text))

    def complete(self, text: str = "done") -> str:
        """Say `text` (a completion) and pass the quiz it starts, if any, with right answers;
        the replies of the last turn (the one that completed the session)."""
        said = self.say(text)
        for _ in range(50):  # bounded: a quiz has at most a few dozen questions
            active = active_quiz(self.engine.trainer, self.store.get_progress(self.phone))
            if active is None or active[0].phase != "asking":
                return said
            state, quiz = active
            said = self.say(quiz.questions[state.current].right_reply())
        raise AssertionError("the quiz did not end")

    @property
    def progress(self) -> Progress:
        """The partner's saved progress (fails the test when there is none)."""
        progress = self.store.get_progress(self.phone)
        assert progress is not None, f"no progress saved for {self.phone}"
        return progress

    def state(self) -> tuple[bool, int | None, list[int]]:
        """(in training, current session, completed sessions); all empty before the first save."""
        progress = self.store.get_progress(self.phone)
        if progress is None:
            return False, None, []
        return progress.in_training_mode, progress.current_section, progress.completed_sections

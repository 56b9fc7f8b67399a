"""A partner talking to the engine in tests: send a message, read the replies and saved state."""

from __future__ import annotations

from dataclasses import dataclass

from agent.engine import Engine
from agent.messages import Inbound, Reply
from agent.turns import TurnResult
from store.base import TrainingStore
from store.models import Progress


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

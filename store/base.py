"""The storage interface every store implements (SQLite embedded, MongoDB production)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from store.models import ChatEntry, Progress, ProgressUpdate, TrainingSession

if TYPE_CHECKING:
    from store.turns import TurnWrite


class StoreUnavailable(RuntimeError):
    """The database could not be reached or timed out; nothing was changed by the caller."""


@runtime_checkable
class TrainingStore(Protocol):
    """Training content, partner progress, chat history and lead names."""

    # -- training content (Training_KB) --
    def list_sessions(self) -> list[TrainingSession]:
        """All training sessions ordered by s_no."""
        ...

    def get_session(self, s_no: int) -> TrainingSession | None:
        """One training session, or None."""
        ...

    def upsert_session(self, session: TrainingSession) -> None:
        """Create or replace the session with this s_no."""
        ...

    def delete_session(self, s_no: int) -> bool:
        """Delete a session; True when it existed."""
        ...

    def replace_sessions(self, sessions: list[TrainingSession]) -> None:
        """Replace the whole knowledge base in one transaction-like step."""
        ...

    # -- progress (Training_Progress) --
    def get_progress(self, phone: str) -> Progress | None:
        """A partner's progress, or None when they have never written."""
        ...

    def update_progress(self, phone: str, update: ProgressUpdate) -> Progress:
        """Apply one atomic update (upserting the record) and return the new state."""
        ...

    def list_progress(self) -> list[Progress]:
        """Every partner's progress (admin and analytics)."""
        ...

    def commit_turn(self, turn: TurnWrite) -> bool:
        """Write a turn's progress (compare-and-set) and chat lines atomically (store/turns.py).

        False when the turn's key was committed before; raises TurnConflict, writing nothing,
        when the progress changed since the turn read it.
        """
        ...

    # -- chat history (GMT_CH) --
    def append_chat(self, entry: ChatEntry) -> None:
        """Append one chat line."""
        ...

    def chat_history(
        self, phone: str, session: int | None = None, limit: int = 50
    ) -> list[ChatEntry]:
        """The latest `limit` chat lines of a partner, oldest first; one session if given."""
        ...

    def turn_lines(self, phone: str, message_id: str) -> list[ChatEntry]:
        """The chat lines recorded for one inbound message, oldest first ([] if none)."""
        ...

    # -- leads (GMT_Leads) --
    def lead_name(self, phone: str) -> str | None:
        """The partner's name from the leads collection, if known."""
        ...

    def upsert_lead(self, phone: str, name: str) -> None:
        """Record a lead's name (used by tests, seeding and admins)."""
        ...

    # -- lifecycle --
    def ping(self) -> bool:
        """True when the database answers."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

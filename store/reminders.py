"""The storage interface of reminders: one record per partner and schedule step, sent once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

ReminderChannel = Literal["text", "template"]
# recorded: written, not yet in the outbox (a crash here is finished by the next run);
# queued: handed to the outbox, which sends and retries; failed: the outbox gave up.
ReminderStatus = Literal["recorded", "queued", "failed"]


class Reminder(BaseModel):
    """A reminder Genie sent (or is sending) to one partner for one schedule step."""

    phone: str
    step: str
    due_at: datetime  # when the step became due (the partner's last message + the step's delay)
    sent_at: datetime  # when the scheduler recorded it, by its clock
    channel: ReminderChannel
    text: str  # the message, or for a template how it reads in transcripts
    template: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] = Field(default_factory=dict)
    status: ReminderStatus = "recorded"
    fallback: bool = False  # the text was refused (63016) and the template went instead
    error: str | None = None

    @property
    def key(self) -> str:
        """The outbox key of its send (unique per phone and step, so a retry cannot resend)."""
        suffix = ":template" if self.fallback else ""
        return f"reminder:{self.phone}:{self.step}{suffix}"


def reminder_key_parts(key: str) -> tuple[str, str] | None:
    """(phone, step) of an outbox key made by `Reminder.key`, or None for any other key."""
    if not key.startswith("reminder:"):
        return None
    phone, _, step = key.removeprefix("reminder:").removesuffix(":template").rpartition(":")
    return (phone, step) if phone and step else None


@runtime_checkable
class ReminderStore(Protocol):
    """Reminder records, next to the training store's chat history (same database)."""

    def record_reminder(self, reminder: Reminder) -> bool:
        """Write a new reminder; False (nothing written) when the phone has one for that step."""
        ...

    def save_reminder(self, reminder: Reminder) -> None:
        """Overwrite the phone's reminder for that step (status, channel, error changes)."""
        ...

    def get_reminder(self, phone: str, step: str) -> Reminder | None:
        """One reminder, or None."""
        ...

    def reminders_for(self, phone: str) -> list[Reminder]:
        """A partner's reminders, oldest first."""
        ...

    def list_reminders(
        self, status: ReminderStatus | None = None, since: datetime | None = None
    ) -> list[Reminder]:
        """Every reminder (one status, or sent at or after `since`), oldest first."""
        ...

    def last_partner_messages(self) -> dict[str, datetime]:
        """The time of each partner's latest message in the chat history, by phone."""
        ...

    def first_partner_message_after(self, phone: str, after: datetime) -> datetime | None:
        """When the partner first wrote after `after`, or None."""
        ...

"""Partner questions paired with Genie's replies, from the chat lines every store records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from store.models import ChatEntry


class QuestionTurn(BaseModel):
    """One question a partner asked and what Genie replied (empty when nothing was recorded)."""

    phone: str
    text: str
    at: datetime
    session: int | None = None
    source: str | None = None
    reply: str = ""


def pair_replies(lines: Iterable[ChatEntry]) -> list[QuestionTurn]:
    """Each partner question with the Genie lines of the same turn.

    `lines` are question-intent chat lines in the order they were stored. A reply belongs to a
    question when both carry the same message id, or (older lines without ids) when it follows
    the question before the phone's next partner line.
    """
    turns: list[QuestionTurn] = []
    by_message: dict[tuple[str, str], QuestionTurn] = {}
    last_open: dict[str, QuestionTurn] = {}
    for line in lines:
        if line.who == "partner":
            turn = QuestionTurn(
                phone=line.phone, text=line.text, at=line.time, session=line.session,
                source=line.source,
            )  # fmt: skip
            turns.append(turn)
            last_open[line.phone] = turn
            if line.message_id:
                by_message[(line.phone, line.message_id)] = turn
            continue
        keyed = by_message.get((line.phone, line.message_id)) if line.message_id else None
        owner = keyed or last_open.get(line.phone)
        if owner is not None:
            owner.reply = f"{owner.reply}\n\n{line.text}" if owner.reply else line.text
    return turns

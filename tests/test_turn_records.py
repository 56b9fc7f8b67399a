"""Quiz answers and feedback are part of the turn: written with it, once, or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.engine import Engine
from agent.messages import Inbound
from store.base import StoreUnavailable
from store.factory import seed_if_empty
from store.models import ChatEntry, ProgressUpdate, utcnow
from store.quiz_factory import quiz_store_for
from store.quiz_store import Feedback, QuizAnswer
from store.sqlite_store import SQLiteStore
from store.turns import TurnConflict, TurnWrite

PHONE = "+919876543210"


@pytest.fixture
def store(backend_store: Any) -> Any:
    """An empty training store of each kind, with its quiz store opened."""
    quiz_store_for(backend_store)
    return backend_store


def _turn(key: str, base_version: int | None = None) -> TurnWrite:
    answer = QuizAnswer(phone=PHONE, s_no=1, q_no=2, question="Q?", answer="B", correct=True)
    said = ChatEntry(phone=PHONE, who="partner", text="B", message_id=key, time=utcnow())
    return TurnWrite(
        key=key, phone=PHONE, base_version=base_version, lines=[said], quiz_answers=[answer],
        feedback=[Feedback(phone=PHONE, rating=5)],
    )  # fmt: skip


def test_answers_and_feedback_commit_with_the_turn_exactly_once(store: Any) -> None:
    turn = _turn("SMa")
    assert store.commit_turn(turn) is True
    quiz = quiz_store_for(store)
    assert [(a.s_no, a.q_no, a.answer) for a in quiz.answers(PHONE)] == [(1, 2, "B")]
    assert [f.rating for f in quiz.feedback(PHONE)] == [5]


def test_a_turn_committed_twice_records_its_answer_once(store: Any) -> None:
    progress = store.update_progress(PHONE, ProgressUpdate(current_section=1))
    turn = _turn("SMb", progress.version).model_copy(update={"progress": progress})
    assert store.commit_turn(turn) is True
    assert store.commit_turn(turn) is False
    assert len(quiz_store_for(store).answers(PHONE)) == 1
    assert len(quiz_store_for(store).feedback(PHONE)) == 1


def test_a_conflicting_turn_records_no_answer(store: Any) -> None:
    read = store.update_progress(PHONE, ProgressUpdate(current_section=1))
    store.update_progress(PHONE, ProgressUpdate(current_section=2))  # another writer
    stale = _turn("SMc", read.version).model_copy(update={"progress": read})
    with pytest.raises(TurnConflict):
        store.commit_turn(stale)
    assert quiz_store_for(store).answers(PHONE) == []
    assert quiz_store_for(store).feedback(PHONE) == []


class FailsOnce(SQLiteStore):
    """A store whose first commit carrying a quiz answer fails (a database outage)."""

    failed = False

    def commit_turn(self, turn: TurnWrite) -> bool:
        if turn.quiz_answers and not self.failed:
            self.failed = True
            raise StoreUnavailable("disk I/O error")
        return super().commit_turn(turn)


def test_an_answer_handled_again_after_a_failed_commit_is_recorded_once(tmp_path: Path) -> None:
    store = FailsOnce(tmp_path / "quiz.db")
    seed_if_empty(store)  # the sample content, with its quizzes
    engine = Engine(store)
    engine.handle(Inbound(phone=PHONE, text="I am a new partner", profile_name="Asha"))
    engine.handle(Inbound(phone=PHONE, text="done"))  # the quiz of session 1 starts
    answer = Inbound(phone=PHONE, text="B", message_id="SMq1")
    first = engine.handle(answer)
    assert store.failed and "technical problem" in first.replies[0].text.lower()
    assert quiz_store_for(store).answers(PHONE) == []
    engine.handle(answer)  # the partner (or Twilio) sends it again
    assert len(quiz_store_for(store).answers(PHONE)) == 1
    store.close()

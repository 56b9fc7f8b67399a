"""Property test: random command sequences, restarts and content edits keep progress invariants."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from agent.engine import Engine
from agent.messages import Inbound
from store.factory import seed_if_empty
from store.models import Progress, TrainingSession
from store.sqlite_store import SQLiteStore

PHONE = "+15550009"
COMMANDS = ["next", "previous", "done", "menu", "how far am I?", "exit", "continue my training",
            "I am a new partner", "what is the MOQ?", "thanks", "hello"]  # fmt: skip


class TrainingMachine(RuleBasedStateMachine):
    """Drives one partner through random turns against a real SQLite file."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "genie.db"
        self.store = SQLiteStore(self.path)
        seed_if_empty(self.store)
        self.engine = Engine(self.store)
        self.before = self.progress()

    def progress(self) -> Progress:
        return self.store.get_progress(PHONE) or Progress(phone=PHONE)

    def send(self, text: str) -> list[str]:
        self.before = self.progress()
        replies = self.engine.handle_message(Inbound(phone=PHONE, text=text, profile_name="Asha"))
        assert replies, f"no reply to {text!r}"
        assert all(0 < len(r.text) <= 1600 for r in replies)
        return [r.text for r in replies]

    @rule(text=st.sampled_from(COMMANDS))
    def command(self, text: str) -> None:
        was_in_training = self.progress().in_training_mode
        current = self.progress().current_section
        self.send(text)
        added = set(self.progress().completed_sections) - set(self.before.completed_sections)
        if text == "done" and was_in_training:
            assert added <= {current}, f"completed {added} while on {current}"
        else:
            assert not added, f"{text!r} completed {added}"
        if text in ("exit", "continue my training", "menu", "how far am I?"):
            assert set(self.progress().completed_sections) >= set(self.before.completed_sections)

    @rule(text=st.sampled_from(["A", "B", "C", "true", "false", "3", "three", "retry", "re-read"]))
    def quiz_answer(self, text: str) -> None:
        quiz = self.progress().quiz
        self.send(text)
        added = set(self.progress().completed_sections) - set(self.before.completed_sections)
        # Only passing the quiz in progress completes a session: that quiz's session.
        assert added <= ({quiz["s_no"]} if quiz else set()), f"{text!r} completed {added}"

    @rule(n=st.integers(min_value=-2, max_value=12))
    def jump(self, n: int) -> None:
        self.send(f"session {n}")
        assert set(self.progress().completed_sections) == set(self.before.completed_sections)

    @rule(text=st.sampled_from(["next", "done", "session 3"]))
    def duplicate(self, text: str) -> None:
        self.send(text)
        self.send(text)

    @rule()
    def restart_training(self) -> None:
        self.send("restart")
        self.send("yes")  # with completed sessions Genie asks first
        if self.progress().training_started:
            assert self.progress().completed_sections == []

    @rule()
    def restart_process(self) -> None:
        before = self.progress()
        self.store.close()
        self.store = SQLiteStore(self.path)
        self.engine = Engine(self.store)
        assert self.progress() == before

    @precondition(lambda self: len(self.store.list_sessions()) < 9)
    @rule(words=st.integers(min_value=5, max_value=400))
    def add_session(self, words: int) -> None:
        s_no = max(s.s_no for s in self.store.list_sessions()) + 1
        content = " ".join(["Newly added training text."] * words)
        self.store.upsert_session(
            TrainingSession(s_no=s_no, heading=f"Extra {s_no}", content=content)
        )

    @rule(s_no=st.integers(min_value=1, max_value=7))
    def edit_session(self, s_no: int) -> None:
        old = self.store.get_session(s_no)
        if old:
            edited = old.model_copy(update={"content": old.content + "\n\nEdited by an admin."})
            self.store.upsert_session(edited)

    @invariant()
    def progress_is_consistent(self) -> None:
        p = self.progress()
        numbers = {s.s_no for s in self.store.list_sessions()}
        assert set(p.completed_sections) <= numbers
        assert len(p.completed_sections) == len(set(p.completed_sections))
        if p.in_training_mode:
            assert p.current_section in numbers
        if p.completed_at is not None:  # finishing is recorded only once everything was done
            assert p.training_started

    def teardown(self) -> None:
        self.store.close()
        self.dir.cleanup()


TrainingMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_training_invariants = TrainingMachine.TestCase

"""The turn after the lane choice starts from the progress the lane choice read: one read less,
and a read that went stale meanwhile is caught by the commit's version check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.engine import Engine
from agent.messages import Inbound
from store.factory import seed_if_empty
from store.models import ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.test_lanes import BlockedModel

PHONE = "+15550001"


class CountingStore:
    """The store, counting progress reads."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.progress_reads = 0

    def get_progress(self, phone: str) -> Any:
        self.progress_reads += 1
        return self.store.get_progress(phone)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _engine(tmp_path: Path) -> tuple[Engine, CountingStore]:
    store = SQLiteStore(tmp_path / "genie.db")
    seed_if_empty(store)
    counting = CountingStore(store)
    return Engine(counting, interpreter=BlockedModel()), counting  # type: ignore[arg-type]


def _turn(engine: Engine, text: str, sid: str) -> str:
    inbound = Inbound(phone=PHONE, text=text, message_id=sid)
    assert not engine.needs_llm(inbound)  # exact commands: the fast lane
    return engine.run_turn(inbound, engine._commit_to_store).replies[0].text


def test_the_turn_reuses_the_lane_choices_read(tmp_path: Path) -> None:
    engine, store = _engine(tmp_path)
    _turn(engine, "I am a new partner", "SM1")
    store.progress_reads = 0
    _turn(engine, "next", "SM2")
    assert store.progress_reads == 1
    progress = store.store.get_progress(PHONE)
    assert progress is not None and progress.current_section == 2


def test_a_lane_read_for_another_message_is_not_used(tmp_path: Path) -> None:
    engine, store = _engine(tmp_path)
    _turn(engine, "I am a new partner", "SM1")
    engine.needs_llm(Inbound(phone=PHONE, text="next", message_id="SM-other"))
    store.progress_reads = 0
    engine.run_turn(Inbound(phone=PHONE, text="next", message_id="SM2"), engine._commit_to_store)
    assert store.progress_reads == 1  # its own read


def test_a_stale_lane_read_is_caught_and_the_turn_redone(tmp_path: Path) -> None:
    engine, store = _engine(tmp_path)
    _turn(engine, "I am a new partner", "SM1")
    inbound = Inbound(phone=PHONE, text="next", message_id="SM2")
    engine.needs_llm(inbound)
    store.store.update_progress(PHONE, ProgressUpdate(current_section=3))  # written meanwhile
    engine.run_turn(inbound, engine._commit_to_store)
    progress = store.store.get_progress(PHONE)
    assert progress is not None and progress.current_section == 4  # next from 3, not from 1

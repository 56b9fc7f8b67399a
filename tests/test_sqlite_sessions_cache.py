"""SQLite reuses parsed sessions only while nobody, in any process or connection, changed them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from store.factory import seed_if_empty
from store.sqlite_store import SQLiteStore


def test_a_change_by_another_store_on_the_file_is_seen_at_once(tmp_path: Path) -> None:
    path = tmp_path / "genie.db"
    reader, writer = SQLiteStore(path), SQLiteStore(path)
    seed_if_empty(reader)
    first = reader.list_sessions()[0]
    writer.upsert_session(first.model_copy(update={"heading": "Edited by the admin"}))
    assert reader.list_sessions()[0].heading == "Edited by the admin"
    assert reader.get_session(first.s_no).heading == "Edited by the admin"  # type: ignore[union-attr]
    writer.delete_session(first.s_no)
    assert reader.get_session(first.s_no) is None
    reader.close()
    writer.close()


def test_a_raw_sql_edit_is_seen_too(tmp_path: Path) -> None:
    path = tmp_path / "genie.db"
    store = SQLiteStore(path)
    seed_if_empty(store)
    store.list_sessions()
    with sqlite3.connect(path) as conn:  # e.g. an operator fixing a typo by hand
        conn.execute("UPDATE training_kb SET heading = 'Fixed by hand' WHERE s_no = 1")
    assert store.list_sessions()[0].heading == "Fixed by hand"
    store.close()


def test_changing_a_returned_session_does_not_change_the_next_read(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "genie.db")
    seed_if_empty(store)
    sessions = store.list_sessions()
    sessions[0].heading = "scribbled on by a caller"
    sessions.pop()
    again = store.list_sessions()
    assert again[0].heading != "scribbled on by a caller" and len(again) == len(sessions) + 1
    one = store.get_session(again[0].s_no)
    assert one is not None
    one.heading = "scribbled on too"
    assert store.get_session(again[0].s_no).heading != "scribbled on too"  # type: ignore[union-attr]
    store.close()

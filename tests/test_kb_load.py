"""`genie kb load` under partners in training: the impact, --yes, a version, undo (CLI, API)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agent.cli import app
from agent.engine import Engine
from agent.settings import get_settings
from api.main import create_app
from store.admin_factory import admin_store_for
from store.admin_models import fit_progress
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer, talk
from tests.quizless import seed_without_quizzes

runner = CliRunner()
THREE_SESSIONS = "\n".join(
    f"- s_no: {n}\n  heading: New part {n}\n  content: New text {n}." for n in (1, 2, 3)
)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The 7 sample sessions; Asha on Session 6 with 1-5 done, Ben on 2, Chen not started."""
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SQLITE_PATH", str(path))
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("LLM_PROVIDER", "none")
    monkeypatch.setenv("USER", "ops-anna")
    monkeypatch.delenv("MONGODB_URI", raising=False)
    get_settings.cache_clear()
    store = SQLiteStore(path)
    seed_without_quizzes(store)
    engine = Engine(store)
    talk(engine, "+15550001", "Asha", "I am a new partner", *["done"] * 5)
    talk(engine, "+15550002", "Ben", "I am a new partner", "done")
    talk(engine, "+15550003", "Chen", "hello")
    store.close()
    yield path
    get_settings.cache_clear()


def _state(path: Path) -> tuple[list[str], dict[str, tuple[int | None, list[int]]]]:
    store = SQLiteStore(path)
    try:
        headings = [s.heading for s in store.list_sessions()]
        progress = {
            phone: (p.current_section, p.completed_sections)
            for phone in ("+15550001", "+15550002")
            if (p := store.get_progress(phone))
        }
        return headings, progress
    finally:
        store.close()


@pytest.mark.parametrize(
    ("completed", "current", "numbers", "expected"),
    [
        ([1, 2, 5], 6, [1, 2, 3], ([1, 2], 3)),  # past the end: the last session
        ([1, 3], 2, [1, 3, 4], ([1, 3], 3)),  # a gap: the next one that exists
        ([1], 1, [1, 2], ([1], 1)),
        ([], None, [1], ([], None)),
    ],
)
def test_fit_progress(
    completed: list[int], current: int | None, numbers: list[int], expected: object
) -> None:
    assert fit_progress(completed, current, numbers) == expected


def test_load_under_partners_in_training_needs_yes(db: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(THREE_SESSIONS, encoding="utf-8")
    before = _state(db)
    result = runner.invoke(app, ["kb", "load", str(kb)])
    assert result.exit_code == 1, result.output
    assert "2 partners are in training." in result.output
    assert "1 partner has completed sessions that no longer exist (4, 5)" in result.output
    assert "1 partner is on a session that no longer exists: moved to Session 3" in result.output
    assert "--yes" in result.output
    assert _state(db) == before  # nothing changed


def test_load_with_yes_is_a_version_and_fits_progress_then_restore_undoes_it(
    db: Path, tmp_path: Path
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(THREE_SESSIONS, encoding="utf-8")
    old_headings, _ = _state(db)
    loaded = runner.invoke(app, ["kb", "load", str(kb), "--yes"])
    assert loaded.exit_code == 0, loaded.output
    headings, progress = _state(db)
    assert headings == ["New part 1", "New part 2", "New part 3"]
    assert progress == {"+15550001": (3, [1, 2, 3]), "+15550002": (2, [1])}
    store = SQLiteStore(db)
    [version] = admin_store_for(store).list_versions(None, 5)
    store.close()
    assert version.action == "load" and version.who == "cli:ops-anna" and version.s_no == 0
    assert f"undo: genie kb restore {version.id}" in loaded.output

    listed = runner.invoke(app, ["kb", "versions"])
    assert "load" in listed.output and "all (3 sessions)" in listed.output
    assert runner.invoke(app, ["kb", "restore", str(version.id)]).exit_code == 1  # needs --yes
    restored = runner.invoke(app, ["kb", "restore", str(version.id), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _state(db)[0] == old_headings  # the sample training is back (progress stays fitted)


def test_the_dashboard_undoes_a_load(db: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(THREE_SESSIONS, encoding="utf-8")
    old_headings, _ = _state(db)
    assert runner.invoke(app, ["kb", "load", str(kb), "--yes"]).exit_code == 0
    store = SQLiteStore(db)
    try:
        with TestClient(create_app(admin_settings(tmp_path), store=store), headers=bearer()) as c:
            [load] = [v for v in c.get("/api/admin/versions").json() if v["action"] == "load"]
            assert len(load["previous_kb"]) == 7 and len(load["current_kb"]) == 3
            undone = c.post(f"/api/admin/versions/{load['id']}/restore")
            assert undone.status_code == 200 and undone.json()["s_no"] == 0
            assert [s["heading"] for s in c.get("/api/admin/sessions").json()] == old_headings
            latest = c.get("/api/admin/versions").json()[0]
            assert latest["action"] == "restore" and latest["who"] == "alice"
    finally:
        store.close()

"""The `genie` command line through typer's CliRunner: chat, kb load/export, stories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.settings import get_settings
from store.sqlite_store import SQLiteStore

runner = CliRunner()

GOOD_KB = """\
- s_no: 1
  heading: First steps
  content: Say hello to the customer.
- s_no: 2
  heading: Second steps
  content: Send the quote.
"""
BAD_KB = """\
- s_no: 1
  heading: First steps
  content: Say hello.
- s_no: 1
  heading: ""
  content: Duplicate and headless.
"""
PASSING_STORY = """\
name: enrol then next
partner: {phone: "+15550042", name: Ravi}
turns:
  - user: I am a new partner
    expect: {in_training: true, current_session: 1, reply_contains: ["Welcome", "Ravi"]}
  - user: next
    expect: {current_session: 2}
"""
FAILING_STORY = """\
- name: wrong expectation
  turns:
    - user: I am a new partner
      expect: {current_session: 3}
"""


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI at a fresh SQLite file (settings are cached, so reset them around)."""
    path = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("SQLITE_PATH", str(path))
    monkeypatch.setenv("STORE", "sqlite")
    monkeypatch.setenv("LLM_PROVIDER", "none")
    for name in ("MONGODB_URI", "OPENAI_API_KEY", "PROMPTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _headings(path: Path) -> list[str]:
    store = SQLiteStore(path)
    try:
        return [s.heading for s in store.list_sessions()]
    finally:
        store.close()


def test_chat_reads_piped_messages_one_per_line(db: Path) -> None:
    result = runner.invoke(
        app,
        ["chat", "--name", "Asha", "--phone", "+15550077"],
        input="I am a new partner\n\nnext\nmenu\n",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("you> ") == 4
    assert "genie> 👋 Welcome to the partner programme, Asha!" in out
    assert "[media: https://example.com/kestrel/partner-handbook.pdf]" in out
    assert "📚 *Session 2: Our Products and Grades*" in out
    assert "Progress: 0/7 sessions completed" in out
    store = SQLiteStore(db)
    progress = store.get_progress("+15550077")
    store.close()
    assert progress is not None and progress.current_section == 2 and progress.in_training_mode


def test_kb_load_replaces_the_content(db: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(GOOD_KB, encoding="utf-8")
    result = runner.invoke(app, ["kb", "load", str(kb)])
    assert result.exit_code == 0, result.output
    assert "loaded 2 sessions" in result.output
    assert _headings(db) == ["First steps", "Second steps"]
    store = SQLiteStore(db)
    from store.admin_factory import admin_store_for

    logged = admin_store_for(store).list_audit()
    store.close()
    assert [(e.action, e.target, e.detail) for e in logged] == [
        ("content.load", "kb.yaml", {"sessions": 2})
    ]
    assert logged[0].who.startswith("cli:")


def test_kb_load_of_a_bad_file_names_the_line_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD_KB, encoding="utf-8")
    bad.write_text(BAD_KB, encoding="utf-8")
    assert runner.invoke(app, ["kb", "load", str(good)]).exit_code == 0
    result = runner.invoke(app, ["kb", "load", str(bad)])
    assert result.exit_code == 1
    assert "error: bad.yaml line 4" in result.stderr
    assert "duplicate" in result.stderr
    assert _headings(db) == ["First steps", "Second steps"]


def test_kb_load_of_a_missing_file_fails_cleanly(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "load", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "file not found" in result.stderr


@pytest.mark.parametrize(("fmt", "marker"), [("yaml", "- s_no: 3"), ("md", "Session 3: ")])
def test_kb_export_prints_the_sample_content(db: Path, fmt: str, marker: str) -> None:
    result = runner.invoke(app, ["kb", "export", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert marker in result.output and "Quotes and Pricing" in result.output


def test_kb_export_writes_a_file_that_loads_back(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.md"
    assert runner.invoke(app, ["kb", "export", "--format", "md", "-o", str(out)]).exit_code == 0
    before = _headings(db)
    assert runner.invoke(app, ["kb", "load", str(out)]).exit_code == 0
    assert _headings(db) == before and len(before) == 7


def test_kb_export_rejects_an_unknown_format(db: Path) -> None:
    assert runner.invoke(app, ["kb", "export", "--format", "pdf"]).exit_code == 2


def test_stories_pass(tmp_path: Path) -> None:
    story = tmp_path / "ok.yaml"
    story.write_text(PASSING_STORY, encoding="utf-8")
    result = runner.invoke(app, ["stories", str(story), "-v"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "1 passed, 0 failed"
    assert "PASS" in result.output


def test_stories_fail_with_the_turn_and_the_problem(tmp_path: Path) -> None:
    ok, bad = tmp_path / "ok.yaml", tmp_path / "bad.yaml"
    ok.write_text(PASSING_STORY, encoding="utf-8")
    bad.write_text(FAILING_STORY, encoding="utf-8")
    result = runner.invoke(app, ["stories", str(ok), str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "1 passed, 1 failed"
    assert "FAIL" in result.output and "wrong expectation" in result.output
    assert "current_session: expected 3, got 1" in result.output


def test_an_unreadable_story_file_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: no turns\n", encoding="utf-8")
    result = runner.invoke(app, ["stories", str(broken)])
    assert result.exit_code == 2 and "broken.yaml" in result.stderr


def test_reminders_run_previews_then_sends_once(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REMINDER_QUIET_START", "REMINDER_QUIET_END"):
        monkeypatch.setenv(name, "00:00")  # no quiet hours, whatever the real time is
    phone = "+919812345678"
    chat = runner.invoke(
        app, ["chat", "--phone", phone, "--name", "Asha"], input="I am a new partner\n"
    )
    assert chat.exit_code == 0
    store = SQLiteStore(db)
    [line] = [c for c in store.chat_history(phone) if c.who == "partner"]
    store.close()
    at = (line.time + timedelta(hours=23)).astimezone(ZoneInfo("Asia/Kolkata"))  # in the window
    preview = runner.invoke(app, ["reminders", "run", "--dry-run", "--now", at.isoformat()])
    assert preview.exit_code == 0, preview.output
    assert "nudge (text)" in preview.output and "1 would send" in preview.output
    sent = runner.invoke(app, ["reminders", "run", "--now", at.isoformat()])
    assert "👋 Hi Asha!" in sent.output and "1 queued" in sent.output  # the console sender
    again = runner.invoke(app, ["reminders", "run", "--now", at.isoformat(), "--all"])
    assert "nudge already sent" in again.output and "0 queued" in again.output


def test_reminders_run_rejects_a_bad_time(db: Path) -> None:
    result = runner.invoke(app, ["reminders", "run", "--now", "tomorrow"])
    assert result.exit_code == 2 and "ISO time" in result.output


def test_chat_wait_moves_time_and_shows_reminders(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REMINDER_QUIET_START", "REMINDER_QUIET_END"):
        monkeypatch.setenv(name, "00:00")
    script = "I am a new partner\n/wait 2h\n/wait 21h\n/wait 3d\n/wait soon\n"
    result = runner.invoke(
        app, ["chat", "--phone", "+919812345678", "--name", "Asha"], input=script
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "(no reminder at" in out and "nudge due at" in out
    assert "👋 Hi Asha! Session 1" in out
    assert "[template genie_training_nudge: 1=Asha, 2=Welcome to Kestrel Metals" in out
    assert "not a duration" in out

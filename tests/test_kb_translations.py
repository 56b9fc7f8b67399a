"""Translations in KB files: YAML `translations:`, Markdown one file per language, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from store.kb_files import (
    KBFileError,
    coverage,
    dump_kb,
    dump_translation_md,
    load_kb_file,
    load_kb_text,
    sample_sessions,
)
from tests.test_cli import db  # noqa: F401  (the CLI's fresh-database fixture)

YAML = """\
- s_no: 1
  heading: Safety
  content: Wear gloves.
  translations:
    hi:
      heading: "  सुरक्षा "
      content: दस्ताने पहनें।
      questions: ["दस्ताने कब पहनें?"]
- s_no: 2
  heading: Wrap up
  content: Thanks.
"""


def test_yaml_translations_load_trimmed_and_report_what_is_missing() -> None:
    sessions = load_kb_text(YAML, "yaml", "kb.yaml")
    assert sessions[0].translations == {
        "hi": {"heading": "सुरक्षा", "content": "दस्ताने पहनें।", "questions": ["दस्ताने कब पहनें?"]}
    }
    assert coverage(sessions) == {"hi": [2]}
    assert load_kb_text(dump_kb(sessions, "yaml"), "yaml") == sessions


@pytest.mark.parametrize(
    ("translations", "problem"),
    [
        ("    hindi:\n      heading: x\n      content: y\n", "use a language tag"),
        ("    hi:\n      heading: x\n", "translation 'hi' is missing its content"),
        ("    hi:\n      heading: x\n      content: ''\n", "content must be non-empty text"),
        (
            "    hi:\n      heading: x\n      contnet: y\n      content: y\n",
            "unknown key 'contnet'",
        ),
        ("    hi: just text\n", "must be a mapping"),
        ("    hi:\n      heading: x\n      content: y\n      questions: [1]\n", "questions must"),
        ("    - hi\n", "translations must map languages"),
    ],
)
def test_bad_translations_are_reported_with_file_and_line(translations: str, problem: str) -> None:
    text = f"- s_no: 1\n  heading: A\n  content: B\n  translations:\n{translations}"
    with pytest.raises(KBFileError, match=problem) as error:
        load_kb_text(text, "yaml", "kb.yaml")
    assert "kb.yaml line 4: session 1 translation" in str(error.value) or "line 4" in str(
        error.value
    )


def test_markdown_translations_are_sibling_files(tmp_path: Path) -> None:
    (tmp_path / "kb.md").write_text(
        "## Session 1: Safety\nWear gloves.\n\n## Session 2: End\nBye.\n"
    )
    (tmp_path / "kb.hi.md").write_text("## Session 1: सुरक्षा\nदस्ताने पहनें।\n", encoding="utf-8")
    (tmp_path / "kb.backup.md").write_text("## not a language\nx\n")  # ignored: not a tag
    sessions = load_kb_file(tmp_path / "kb.md")
    assert sessions[0].translations == {"hi": {"heading": "सुरक्षा", "content": "दस्ताने पहनें।"}}
    assert sessions[1].translations == {}
    assert dump_translation_md(sessions, "hi") == "## Session 1: सुरक्षा\n\nदस्ताने पहनें।\n"


def test_a_markdown_translation_of_an_unknown_session_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "kb.md").write_text("## Session 1: Safety\nWear gloves.\n")
    (tmp_path / "kb.hi.md").write_text("## Session 4: चार\nकुछ\n", encoding="utf-8")
    with pytest.raises(KBFileError, match=r"kb\.hi\.md: session 4 is not in the main file"):
        load_kb_file(tmp_path / "kb.md")


@pytest.mark.usefixtures("db")
def test_kb_load_reports_languages_and_export_writes_one_markdown_file_per_language(
    tmp_path: Path,
) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(YAML, encoding="utf-8")
    runner = CliRunner()
    loaded = runner.invoke(app, ["kb", "load", str(kb)])
    assert loaded.exit_code == 0, loaded.output
    assert "hi: 1/2 sessions translated; missing: session 2" in loaded.output
    exported = runner.invoke(
        app, ["kb", "export", "--format", "md", "-o", str(tmp_path / "out.md")]
    )
    assert exported.exit_code == 0, exported.output
    assert "सुरक्षा" in (tmp_path / "out.hi.md").read_text(encoding="utf-8")
    assert load_kb_file(tmp_path / "out.md") == load_kb_text(YAML, "yaml")


def test_the_sample_exports_to_markdown_per_language_and_back(tmp_path: Path) -> None:
    sessions = sample_sessions()
    (tmp_path / "kb.md").write_text(dump_kb(sessions, "md"), encoding="utf-8")
    (tmp_path / "kb.hi.md").write_text(dump_translation_md(sessions, "hi"), encoding="utf-8")
    assert load_kb_file(tmp_path / "kb.md") == sessions

"""Translated quizzes: loading (answers from the original), validation, kb load report, engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.quiz.flow import active_quiz
from agent.translations import has_quiz_translation
from prompts import use_language
from store.kb_files import KBFileError, dump_kb, load_kb_file, load_kb_text, quiz_coverage
from store.models import Progress
from store.quiz_model import quiz_of
from store.sqlite_store import SQLiteStore
from tests.test_cli import db  # noqa: F401  (the CLI's fresh-database fixture)

ORIGINAL = """\
- s_no: 1
  heading: Safety
  content: Wear gloves.
  quiz:
    pass_mark: 60
    questions:
      - question: Who is the safety officer?
        options: [Meera, Ravi]
        answer: 1
      - question: Gloves are optional.
        answer: false
      - question: What do you wear?
        answer: [gloves]
        explanation: Always gloves.
  translations:
    hi:
      heading: सुरक्षा
      content: दस्ताने पहनें।
"""

HINDI_QUIZ = """\
      quiz:
        questions:
          - question: सुरक्षा अधिकारी कौन हैं?
            options: [मीरा, रवि]
          - question: दस्ताने पहनना ज़रूरी नहीं है।
          - question: आप क्या पहनते हैं?
            answer: दस्ताने
            explanation: हमेशा दस्ताने।
"""


def _load(quiz: str = HINDI_QUIZ) -> list:
    return load_kb_text(ORIGINAL + quiz, "yaml", "kb.yaml")


def test_a_translated_quiz_takes_the_original_answers_and_adds_its_short_answers() -> None:
    [session] = _load()
    hindi = quiz_of(session.model_copy(update={"quiz": session.translations["hi"]["quiz"]}))
    assert hindi is not None and hindi.pass_mark == 60
    assert hindi.questions[0].question == "सुरक्षा अधिकारी कौन हैं?"
    assert hindi.questions[0].answer == 1 and hindi.questions[0].options == ["मीरा", "रवि"]
    assert hindi.questions[1].answer is False
    assert hindi.questions[2].accepted == ["दस्ताने", "gloves"]  # a partner may answer either
    assert hindi.questions[2].explanation == "हमेशा दस्ताने।"
    assert load_kb_text(dump_kb([session], "yaml"), "yaml") == [session]  # reads back the same
    assert quiz_coverage([session]) == {"hi": []}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("            options: [मीरा, रवि]\n", ""), "has 0 options; the original has 2"),
        (
            (
                "            options: [मीरा, रवि]\n",
                "            options: [मीरा, रवि]\n            answer: 2\n",
            ),
            "answer must be the original's option 1",
        ),
        (
            ("दस्ताने पहनना ज़रूरी नहीं है।\n", "दस्ताने पहनना ज़रूरी नहीं है।\n            answer: true\n"),
            "answer must be false like the original's",
        ),
        (("          - question: आप क्या पहनते हैं?\n", "          - questoin: x\n"), "unknown key"),
        (
            ("      quiz:\n", "      quiz:\n        pass_mark: 10\n"),
            "pass_mark must be the original's",
        ),
        (
            ("          - question: दस्ताने पहनना ज़रूरी नहीं है।\n", ""),
            "quiz has 2 questions; the original has 3",
        ),
    ],
)
def test_a_translated_quiz_that_does_not_fit_the_original_is_reported(
    change: tuple[str, str], problem: str
) -> None:
    old, new = change
    assert old in HINDI_QUIZ
    with pytest.raises(KBFileError, match=problem) as error:
        _load(HINDI_QUIZ.replace(old, new, 1))
    assert "session 1 translation 'hi' quiz" in str(error.value)


def test_a_quiz_translation_needs_a_quiz_to_translate() -> None:
    text = ORIGINAL.replace("  quiz:\n    pass_mark: 60\n", "  xquiz:\n", 1)
    text = text[: text.index("  xquiz:")] + text[text.index("  translations:") :]
    with pytest.raises(KBFileError, match="the session itself has no quiz to translate"):
        load_kb_text(text + HINDI_QUIZ, "yaml", "kb.yaml")


def test_a_markdown_translation_file_carries_its_quiz(tmp_path: Path) -> None:
    (tmp_path / "kb.md").write_text(
        "## Session 1: Safety\nWear gloves.\n\n"
        "### Quiz\n1. Gloves are optional.\n   Answer: false\n"
    )
    (tmp_path / "kb.hi.md").write_text(
        "## Session 1: सुरक्षा\nदस्ताने पहनें।\n\n### Quiz\n1. दस्ताने ज़रूरी नहीं हैं।\n   Answer: true\n",
        encoding="utf-8",
    )
    with pytest.raises(KBFileError, match=r"kb\.hi\.md: session 1 .*answer must be false"):
        load_kb_file(tmp_path / "kb.md")
    (tmp_path / "kb.hi.md").write_text(
        (tmp_path / "kb.hi.md").read_text(encoding="utf-8").replace("true", "false"),
        encoding="utf-8",
    )
    [session] = load_kb_file(tmp_path / "kb.md")
    assert session.translations["hi"]["quiz"]["questions"][0]["question"] == "दस्ताने ज़रूरी नहीं हैं।"


@pytest.mark.usefixtures("db")
def test_kb_load_names_the_sessions_whose_quiz_is_not_translated(tmp_path: Path) -> None:
    kb = tmp_path / "kb.yaml"
    kb.write_text(ORIGINAL, encoding="utf-8")
    loaded = CliRunner().invoke(app, ["kb", "load", str(kb)])
    assert loaded.exit_code == 0, loaded.output
    assert "hi: 1/1 sessions translated" in loaded.output
    assert "hi: quiz not translated: session 1 (asked in en)" in loaded.output
    kb.write_text(ORIGINAL + HINDI_QUIZ, encoding="utf-8")
    loaded = CliRunner().invoke(app, ["kb", "load", str(kb)])
    assert "quiz not translated" not in loaded.output


def test_the_quiz_in_progress_reads_in_the_turns_language(store: SQLiteStore) -> None:
    [translated] = _load()
    [untranslated] = _load("")
    assert has_quiz_translation(translated, "hi", "en")
    assert not has_quiz_translation(untranslated, "hi", "en")
    assert has_quiz_translation(untranslated, "en", "en")

    store.replace_sessions([translated])
    progress = Progress(phone="+1", quiz={"s_no": 1, "queue": [0, 1, 2]})

    class _Trainer:
        def __init__(self) -> None:
            self.store = store

    with use_language("hi", "en"):
        found = active_quiz(_Trainer(), progress)  # type: ignore[arg-type]
    assert found is not None and found[1].questions[0].question == "सुरक्षा अधिकारी कौन हैं?"
    with use_language("en", "en"):
        found = active_quiz(_Trainer(), progress)  # type: ignore[arg-type]
    assert found is not None and found[1].questions[0].question == "Who is the safety officer?"

"""Quiz content: validation with file and line, lossless YAML/Markdown, the deterministic grader."""

from __future__ import annotations

import pytest

from agent.quiz.grading import grade_exact, grade_lenient
from store.kb_files import KBFileError, KBFormat, dump_kb, load_kb_text, sample_sessions
from store.quiz_model import Kind, Question, quiz_of

BAD = """\
- s_no: 1
  heading: One
  content: Text.
  quiz:
    questions:
      - question: Pick one
        options: [Red, ""]
        answer: 1
      - question: Pick again
        options: [Red, Blue]
        answer: 3
      - question: Yes or no?
        options: [Agree, Disagree]
        answer: true
      - question: Short
        answer: []
      - question: Typo
        answr: x
"""


def test_problems_name_the_file_and_the_line_of_each_question() -> None:
    with pytest.raises(KBFileError) as error:
        load_kb_text(BAD, "yaml", "kb.yaml")
    assert error.value.problems == [
        "kb.yaml line 6: session 1 quiz question 1 has an empty option",
        "kb.yaml line 9: session 1 quiz question 2 answer 3 is out of range (options 1 to 2)",
        "kb.yaml line 12: session 1 quiz question 3 is a true/false answer with options"
        " (drop the options or answer a number)",
        "kb.yaml line 15: session 1 quiz question 4 has an empty list of accepted answers",
        "kb.yaml line 17: session 1 quiz question 5 has unknown key 'answr'"
        " (question, options, answer, explanation)",
        "kb.yaml line 17: session 1 quiz question 5 is missing its answer",
    ]


def test_markdown_quiz_problems_have_lines_too() -> None:
    text = (
        "## Session 1: One\n\nText.\n\n### Quiz\nPass mark: 80\n\n"
        "A) stray\n1. Q?\n   Answer: maybe\n   A) x\n"
    )
    with pytest.raises(KBFileError) as error:
        load_kb_text(text, "md", "kb.md")
    assert error.value.problems[0].startswith("kb.md line 8: session 1 quiz: expected a numbered")


@pytest.mark.parametrize("fmt", ["yaml", "md"])
def test_the_sample_quizzes_survive_a_round_trip(fmt: KBFormat) -> None:
    sessions = sample_sessions()
    assert all(len(quiz_of(s).questions) == 3 for s in sessions)  # type: ignore[union-attr]
    kinds = {q.kind for s in sessions for q in quiz_of(s).questions}  # type: ignore[union-attr]
    assert kinds == set(Kind)
    if fmt == "md":  # Markdown keeps each translation in a file of its own (kb.hi.md)
        sessions = [s.model_copy(update={"translations": {}}) for s in sessions]
    assert load_kb_text(dump_kb(sessions, fmt), fmt) == sessions


def test_answers_are_normalised_so_both_formats_agree() -> None:
    text = ("- s_no: 1\n  heading: H\n  content: C\n  quiz:\n    pass_mark: 50\n    questions:\n"
            "      - {question: Q1, options: [a, b], answer: b}\n"
            "      - {question: Q2, answer: SS316}\n")  # fmt: skip
    [session] = load_kb_text(text, "yaml")
    assert session.quiz == {
        "pass_mark": 50,
        "questions": [
            {"question": "Q1", "options": ["a", "b"], "answer": 2},
            {"question": "Q2", "answer": ["SS316"]},
        ],
    }


CHOICE = Question(
    question="Quote validity?", options=["48 hours", "7 calendar days", "30 days"], answer=2
)
TRUTH = Question(question="Commission before payment?", answer=False)
SHORT = Question(question="Coastal grade?", answer=["SS316", "316"])


@pytest.mark.parametrize(
    ("question", "text", "correct"),
    [
        (CHOICE, "2", True), (CHOICE, "b", True), (CHOICE, "B)", True), (CHOICE, "option B", True),
        (CHOICE, "I think B", True), (CHOICE, "7 Calendar Days", True), (CHOICE, "A", False),
        (CHOICE, "48 hours", False), (TRUTH, "false", True), (TRUTH, "galat", True),
        (TRUTH, "no", True), (TRUTH, "sahi", False), (TRUTH, "yes", False),
        (SHORT, "ss 316", True), (SHORT, "SS316!", True), (SHORT, "it is 316", True),
    ],
)  # fmt: skip
def test_exact_answers_are_graded_without_any_model(
    question: Question, text: str, correct: bool
) -> None:
    graded = grade_exact(question, text)
    assert graded is not None and graded.correct is correct


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (CHOICE, "seven calendar days I guess", True), (CHOICE, "banana", None),
        (CHOICE, "4", None), (TRUTH, "maybe", None), (SHORT, "SSS316", True),
        (SHORT, "SS304", False), (Question(question="Payout day?", answer=["10th"]), "11th", False),
    ],
)  # fmt: skip
def test_the_lenient_grader(question: Question, text: str, expected: bool | None) -> None:
    graded = grade_lenient(question, text)
    assert (graded.correct if graded else None) is expected

"""Validate a session's `quiz` as read from a KB file, naming the file and line of each problem.

The loaded quiz is normalised so YAML and Markdown exports read back identically: a
multiple-choice answer becomes its 1-based option number, a short answer a list of texts.
"""

from __future__ import annotations

from typing import Any

from store.kb_validation import located
from store.quiz_model import question_problem

QUIZ_KEYS = ("pass_mark", "questions")
QUESTION_KEYS = ("question", "options", "answer", "explanation")


def _normalised_answer(options: list[str], answer: Any) -> Any:
    if options and isinstance(answer, str):
        return options.index(answer) + 1
    if not options and isinstance(answer, str):
        return [answer.strip()]
    if isinstance(answer, list):
        return [a.strip() for a in answer]
    return answer


def _question(
    raw: object, where: str, line: int, name: str, problems: list[str]
) -> dict[str, Any] | None:
    """One question checked and normalised, or None after recording its problems."""
    if not isinstance(raw, dict):
        problems.append(located(name, line, f"{where} must be a mapping with question and answer"))
        return None
    before = len(problems)
    for key in raw:
        if key not in QUESTION_KEYS:
            allowed = ", ".join(QUESTION_KEYS)
            problems.append(located(name, line, f"{where} has unknown key {key!r} ({allowed})"))
    text, options = raw.get("question"), raw.get("options") or []
    explanation = raw.get("explanation")
    if not isinstance(text, str) or not text.strip():
        problems.append(located(name, line, f"{where} is missing its question text"))
    if not isinstance(options, list):
        problems.append(located(name, line, f"{where} options must be a list"))
        options = []
    if "answer" not in raw or raw["answer"] is None:
        problems.append(located(name, line, f"{where} is missing its answer"))
    else:
        problem = question_problem(options, raw["answer"])
        if problem:
            problems.append(located(name, line, f"{where} {problem}"))
    if explanation is not None and (not isinstance(explanation, str) or not explanation.strip()):
        problems.append(located(name, line, f"{where} explanation must be non-empty text"))
    if len(problems) > before:
        return None
    assert isinstance(text, str)
    checked: dict[str, Any] = {"question": text.strip()}
    if options:
        checked["options"] = [str(o).strip() for o in options]
    checked["answer"] = _normalised_answer(checked.get("options", []), raw["answer"])
    if isinstance(explanation, str):
        checked["explanation"] = explanation.strip()
    return checked


def validate_quiz(
    raw: object, line: int, question_lines: list[int], label: str, name: str, problems: list[str]
) -> dict[str, Any] | None:
    """A session's quiz checked and normalised (None when absent or broken; problems recorded).

    `question_lines` holds the file line of each question, where the parser knows it.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(located(name, line, f"{label} quiz must be a mapping with questions"))
        return None
    before = len(problems)
    for key in raw:
        if key not in QUIZ_KEYS:
            msg = f"{label} quiz has unknown key {key!r} (allowed: {', '.join(QUIZ_KEYS)})"
            problems.append(located(name, line, msg))
    mark = raw.get("pass_mark")
    if mark is not None and (isinstance(mark, bool) or not isinstance(mark, int)):
        problems.append(located(name, line, f"{label} quiz pass_mark must be a whole number"))
    elif mark is not None and not 0 <= mark <= 100:
        problems.append(located(name, line, f"{label} quiz pass_mark must be 0 to 100"))
    raws = raw.get("questions")
    if not isinstance(raws, list) or not raws:
        problems.append(located(name, line, f"{label} quiz needs a list of questions"))
        return None
    questions = []
    for i, item in enumerate(raws):
        at = question_lines[i] if i < len(question_lines) else line
        questions.append(_question(item, f"{label} quiz question {i + 1}", at, name, problems))
    if len(problems) > before:
        return None
    quiz: dict[str, Any] = {"questions": questions}
    if mark is not None:
        quiz = {"pass_mark": mark, **quiz}
    return quiz

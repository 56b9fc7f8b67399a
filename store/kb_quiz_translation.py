"""A session's quiz in another language, checked against the original and completed from it.

A translated quiz has the original's questions in the same order, each with its `question`,
the same number of `options` and an optional `explanation`. Answers may be left out: a
multiple-choice or true/false answer is the original's (given, it must be the same), and a
short answer's accepted texts are the translated ones plus the original's (a partner
reading Hindi may still answer "3" or "KYC"). The stored translation is a complete quiz, so
the quiz engine reads it exactly like the original.
"""

from __future__ import annotations

from typing import Any

from store.quiz_model import Question

QUESTION_KEYS = ("question", "options", "answer", "explanation")


def _short_answers(raw: object) -> list[str] | None:
    if isinstance(raw, str) and raw.strip():
        return [raw.strip()]
    if isinstance(raw, list) and raw and all(isinstance(a, str) and a.strip() for a in raw):
        return [a.strip() for a in raw]
    return None


def _answer(original: Question, raw: dict[str, Any], options: list[str]) -> tuple[Any, str | None]:
    """The translated question's answer, or a problem with the one it gives."""
    given = raw.get("answer")
    if original.options:
        right = original.correct_option + 1
        chosen = options.index(given) + 1 if isinstance(given, str) and given in options else given
        if chosen is None or chosen == right:
            return right, None
        return None, f"answer must be the original's option {right} (or left out)"
    if isinstance(original.answer, bool):
        if given is None or given is original.answer:
            return original.answer, None
        return None, f"answer must be {str(original.answer).lower()} like the original's"
    if given is None:
        return original.accepted, None
    accepted = _short_answers(given)
    if accepted is None:
        return None, "answer must be a text or a list of texts"
    merged = list(dict.fromkeys([*accepted, *original.accepted]))
    return merged, None


def _question(original: Question, raw: object, where: str, problems: list[str]) -> dict | None:
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a mapping with question")
        return None
    before = len(problems)
    for key in raw:
        if key not in QUESTION_KEYS:
            problems.append(f"{where} has unknown key {key!r} ({', '.join(QUESTION_KEYS)})")
    text, options, explanation = (
        raw.get("question"),
        raw.get("options") or [],
        raw.get("explanation"),
    )
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where} is missing its question text")
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        problems.append(f"{where} options must be a list of non-empty texts")
        options = []
    elif len(options) != len(original.options):
        problems.append(
            f"{where} has {len(options)} options; the original has {len(original.options)}"
        )
    if explanation is not None and (not isinstance(explanation, str) or not explanation.strip()):
        problems.append(f"{where} explanation must be non-empty text")
    answer, problem = _answer(original, raw, [str(o).strip() for o in options])
    if problem:
        problems.append(f"{where} {problem}")
    if len(problems) > before:
        return None
    assert isinstance(text, str)
    checked: dict[str, Any] = {"question": text.strip()}
    if options:
        checked["options"] = [o.strip() for o in options]
    checked["answer"] = answer
    if isinstance(explanation, str):
        checked["explanation"] = explanation.strip()
    return checked


def translated_quiz(
    original: dict[str, Any] | None, raw: object, where: str, problems: list[str]
) -> dict[str, Any] | None:
    """The translation's quiz completed from `original` (None after recording its problems)."""
    if original is None:
        problems.append(f"{where} quiz: the session itself has no quiz to translate")
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        problems.append(f"{where} quiz needs a list of questions")
        return None
    before = len(problems)
    for key in raw:
        if key not in ("questions", "pass_mark"):
            problems.append(f"{where} quiz has unknown key {key!r} (questions, pass_mark)")
    if raw.get("pass_mark", original.get("pass_mark")) != original.get("pass_mark"):
        problems.append(f"{where} quiz pass_mark must be the original's (or left out)")
    questions = [Question.model_validate(q) for q in original["questions"]]
    if len(raw["questions"]) != len(questions):
        count = len(raw["questions"])
        problems.append(f"{where} quiz has {count} questions; the original has {len(questions)}")
        return None
    checked = [
        _question(q, item, f"{where} quiz question {i + 1}", problems)
        for i, (q, item) in enumerate(zip(questions, raw["questions"], strict=True))
    ]
    if len(problems) > before:
        return None
    quiz: dict[str, Any] = {"questions": checked}
    if original.get("pass_mark") is not None:
        quiz = {"pass_mark": original["pass_mark"], **quiz}
    return quiz

"""The `### Quiz` block of a Markdown KB session: parse it into a raw quiz, and write one back.

    ### Quiz
    Pass mark: 80

    1. Within how many working days is a cut-to-size quote sent?
       A) Same day
       B) 2 working days
       Answer: B
       Explanation: Cut-to-size items are quoted within 2 working days.

`Answer:` is a letter (or number) with options, `true`/`false` for a true/false question,
and accepted short answers separated by `|` otherwise. `Pass mark:` and `Explanation:`
are optional. Every field is one line.
"""

from __future__ import annotations

import re
from typing import Any

from store.kb_validation import KBFileError, located

QUIZ_HEADING = re.compile(r"^###[ \t]+quiz[ \t]*$", re.IGNORECASE)
_QUESTION = re.compile(r"^\s*(\d+)[.)][ \t]+(.+?)\s*$")
_OPTION = re.compile(r"^\s*([A-Za-z])\)[ \t]+(.+?)\s*$")
_FIELD = re.compile(r"^\s*(pass mark|answer|explanation):[ \t]*(.*?)\s*$", re.IGNORECASE)
_TRUTH = {"true": True, "false": False}


def _answer(text: str, options: list[str]) -> object:
    """An `Answer:` value in the meaning its question's shape gives it."""
    if options:
        letter = text.strip().upper()
        if len(letter) == 1 and letter.isalpha():
            return ord(letter) - ord("A") + 1
        return int(text) if text.strip().isdigit() else text.strip()
    if text.strip().lower() in _TRUTH:
        return _TRUTH[text.strip().lower()]
    return [part.strip() for part in text.split("|") if part.strip()] or text


def parse_quiz_block(
    lines: list[tuple[int, str]], label: str, name: str, problems: list[str]
) -> tuple[dict[str, Any], list[int]]:
    """The raw quiz (for store.kb_quiz) and the line of each question."""
    quiz: dict[str, Any] = {"questions": []}
    question_lines: list[int] = []
    current: dict[str, Any] | None = None
    for number, line in lines:
        if not line.strip():
            continue
        field, question, option = _FIELD.match(line), _QUESTION.match(line), _OPTION.match(line)
        if question and not field:
            current = {"question": question.group(2), "options": []}
            quiz["questions"].append(current)
            question_lines.append(number)
        elif field and field.group(1).lower() == "pass mark":
            value = field.group(2).rstrip("%").strip()
            quiz["pass_mark"] = int(value) if value.isdigit() else value
        elif current is None:
            msg = f"{label} quiz: expected a numbered question ('1. ...'), got {line.strip()!r}"
            problems.append(located(name, number, msg))
        elif field and field.group(1).lower() == "answer":
            current["answer"] = _answer(field.group(2), current["options"])
        elif field:
            current["explanation"] = field.group(2)
        elif option:
            current["options"].append(option.group(2))
        else:
            msg = f"{label} quiz: unexpected line {line.strip()!r} (use 'A) option', 'Answer:')"
            problems.append(located(name, number, msg))
    return quiz, question_lines


def _one_line(text: str, s_no: int, what: str) -> str:
    if "\n" in text or "\r" in text or (what == "short answer" and "|" in text):
        extra = " without '|'" if what == "short answer" else ""
        raise KBFileError(f"session {s_no}: a Markdown quiz {what} must be one line{extra}")
    return text


def dump_quiz_block(quiz: dict[str, Any], s_no: int) -> str:
    """The quiz as a `### Quiz` block that parse_quiz_block reads back."""
    out = ["### Quiz"]
    if quiz.get("pass_mark") is not None:
        out.append(f"Pass mark: {quiz['pass_mark']}")
    for i, q in enumerate(quiz["questions"], start=1):
        out += ["", f"{i}. {_one_line(q['question'], s_no, 'question')}"]
        options = q.get("options") or []
        for j, option in enumerate(options):
            out.append(f"   {chr(ord('A') + j)}) {_one_line(option, s_no, 'option')}")
        answer = q["answer"]
        if options:
            index = answer - 1 if isinstance(answer, int) else options.index(answer)
            shown = chr(ord("A") + index)
        elif isinstance(answer, bool):
            shown = "true" if answer else "false"
        else:
            accepted = answer if isinstance(answer, list) else [answer]
            shown = " | ".join(_one_line(a, s_no, "short answer") for a in accepted)
        out.append(f"   Answer: {shown}")
        if q.get("explanation"):
            out.append(f"   Explanation: {_one_line(q['explanation'], s_no, 'explanation')}")
    return "\n".join(out) + "\n"

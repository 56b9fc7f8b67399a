"""Read and write the Markdown form of the knowledge base: one heading per session.

Layout: each session starts with a `# ` or `## ` heading, either "Session 3: Title" or
just "Title" (numbered by order). The text below it, up to the next such heading, is
the content; a line `Media: <url>` in it sets media_url, and a line
`Image: <url> <caption>` (or `Video:`, `Document:`, `Audio:`) between paragraphs places a
media item there. A line `Questions:` ends the content and starts the example questions, one
`- ` bullet per line. A file that opens with a single `# ` heading above `## ` sessions treats
that first heading as the title. A content line starting with `#`, `Media:`, `Questions:` or a
media kind is written with a leading backslash.
A `### Quiz` line ends the content: what follows is the session's quiz (store.kb_markdown_quiz).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from store.kb_markdown_quiz import QUIZ_HEADING, dump_quiz_block, parse_quiz_block
from store.kb_media import in_reading_order, paragraphs
from store.kb_validation import KBFileError, RawSession, located
from store.models import TrainingSession

_HEADING = re.compile(r"^(#{1,2})(?:[ \t]+(.*))?$")
_NUMBERED = re.compile(r"^session[ \t]+(\d+)\b[ \t]*(?:[:.\-–—][ \t]*)?(.*)$", re.IGNORECASE)
_MEDIA = re.compile(r"^media:[ \t]*(.*?)[ \t]*$", re.IGNORECASE)
_ITEM = re.compile(r"^(image|video|document|audio):[ \t]*(\S*)(?:[ \t]+(.*?))?[ \t]*$", re.I)
_QUESTIONS = re.compile(r"^questions:[ \t]*$", re.IGNORECASE)
_BULLET = re.compile(r"^[ \t]*[-*][ \t]+(.*?)[ \t]*$")
_KEYS = r"(?:#|media:|questions:|image:|video:|document:|audio:)"
_ESCAPED = re.compile(r"^\\+" + _KEYS, re.IGNORECASE)
_NEEDS_ESCAPE = re.compile(r"^\\*" + _KEYS, re.IGNORECASE)


@dataclass
class _Heading:
    line: int
    level: int
    text: str
    body: list[tuple[int, str]] = field(default_factory=list)


def _split(text: str) -> tuple[list[_Heading], list[tuple[int, str]]]:
    """Split text into headings with their body lines, plus the lines before any heading."""
    headings: list[_Heading] = []
    preamble: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        match = _HEADING.match(line)
        if match:
            headings.append(_Heading(number, len(match.group(1)), (match.group(2) or "").strip()))
        elif headings:
            headings[-1].body.append((number, line))
        else:
            preamble.append((number, line))
    return headings, preamble


def _is_title(headings: list[_Heading]) -> bool:
    """A lone leading `# ` heading above `## ` sessions names the document, not a session."""
    levels = [heading.level for heading in headings]
    return len(levels) > 1 and levels[0] == 1 and all(level == 2 for level in levels[1:])


def _to_raw(heading: _Heading, position: int, name: str, problems: list[str]) -> RawSession:
    """Turn one heading and its body into a raw session, pulling out the Media line."""
    raw = RawSession(position=position, line=heading.line, s_no=position, heading=heading.text)
    raw.s_no_line = raw.heading_line = raw.content_line = heading.line
    numbered = _NUMBERED.match(heading.text)
    if numbered:
        raw.s_no, raw.heading = int(numbered.group(1)), numbered.group(2).strip()
    content: list[str] = []
    body = heading.body
    quiz_at = next((i for i, (_, line) in enumerate(body) if QUIZ_HEADING.match(line)), None)
    if quiz_at is not None:
        label = f"session {raw.s_no}"
        raw.quiz_line = body[quiz_at][0]
        raw.quiz, raw.quiz_question_lines = parse_quiz_block(
            body[quiz_at + 1 :], label, name, problems
        )
        body = body[:quiz_at]
    items: list[dict[str, object]] = []
    skip_blank = False
    questions: list[str] | None = None
    for number, line in body:
        if skip_blank and not line.strip():
            skip_blank = False
            continue  # the blank line that separated the media line from the next paragraph
        skip_blank = False
        media = _MEDIA.match(line)
        if questions is not None and not media:
            bullet = _BULLET.match(line)
            if bullet:
                questions.append(bullet.group(1))
            elif line.strip():
                msg = f"session {raw.s_no}: below 'Questions:' write one '- question' per line"
                problems.append(located(name, number, msg))
            continue
        if _QUESTIONS.match(line):
            questions, raw.questions_line = [], number
            continue
        item = _ITEM.match(line)
        if item:
            kind, url, caption = item.group(1).lower(), item.group(2), item.group(3)
            entry: dict[str, object] = {"url": url, "kind": kind}
            entry |= {"caption": caption} if caption else {}
            items.append(entry | {"after_paragraph": _paragraphs(content)})
            raw.media_line = raw.media_line or number
            skip_blank = bool(content) and not content[-1].strip()
        elif media and raw.media_url is not None:
            msg = f"session {raw.s_no} has more than one Media line"
            problems.append(located(name, number, msg))
        elif media:
            raw.media_url, raw.media_url_line = media.group(1), number
        else:
            content.append(line[1:] if _ESCAPED.match(line) else line)
    raw.content = "\n".join(content)
    raw.media = items or None
    raw.questions = questions
    return raw


def _paragraphs(lines: list[str]) -> int:
    """How many paragraphs (blocks of non-blank lines) the lines hold."""
    return len(paragraphs("\n".join(lines)))


def parse_markdown(text: str, name: str) -> tuple[list[RawSession], list[str]]:
    """Parse Markdown text into raw sessions plus any layout problems found on the way."""
    headings, preamble = _split(text)
    problems: list[str] = []
    if _is_title(headings):
        headings = headings[1:]
    elif stray := next(((n, line) for n, line in preamble if line.strip()), None):
        msg = "text before the first session heading (start each session with '# ' or '## ')"
        problems.append(located(name, stray[0], msg))
    raws = [
        _to_raw(heading, position, name, problems)
        for position, heading in enumerate(headings, start=1)
    ]
    return raws, problems


def _escape(content: str) -> str:
    return "\n".join(
        "\\" + line if _NEEDS_ESCAPE.match(line) else line for line in content.split("\n")
    )


def dump_markdown(sessions: list[TrainingSession]) -> str:
    """Write sessions as Markdown in the same layout parse_markdown reads."""
    parts: list[str] = []
    for session in sessions:
        if "\n" in session.heading or "\r" in session.heading:
            raise KBFileError(f"session {session.s_no}: a Markdown heading must be one line")
        if session.media_url and ("\n" in session.media_url or "\r" in session.media_url):
            raise KBFileError(f"session {session.s_no}: media_url must be one line")
        if any("\n" in str(item.get("caption") or "") for item in session.media):
            raise KBFileError(f"session {session.s_no}: a Markdown media caption must be one line")
        body = _with_media_lines(_escape(session.content), session.media)
        part = f"## Session {session.s_no}: {session.heading}\n\n{body}\n"
        if session.media_url:
            part += f"\nMedia: {session.media_url}\n"
        if session.questions:
            part += "\nQuestions:\n" + "".join(f"- {q}\n" for q in session.questions)
        if session.quiz:
            part += "\n" + dump_quiz_block(session.quiz, session.s_no)
        parts.append(part)
    return "\n".join(parts)


def _with_media_lines(content: str, media: list[dict[str, Any]]) -> str:
    """The content with an `Image: url caption` line after the paragraph each item follows."""
    if not media:
        return content
    return "\n\n".join(
        block if isinstance(block, str) else _media_line(block)
        for block in in_reading_order(content, media)
    )


def _media_line(item: dict[str, Any]) -> str:
    caption = f" {item['caption']}" if item.get("caption") else ""
    return f"{str(item['kind']).capitalize()}: {item['url']}{caption}"

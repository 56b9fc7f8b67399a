"""Read and write the YAML form of the knowledge base, keeping line numbers for errors."""

from __future__ import annotations

from typing import Any

import yaml

from store.kb_validation import KBFileError, RawSession, located
from store.models import TrainingSession

FIELDS = ("s_no", "heading", "content", "media_url", "media", "questions", "quiz", "translations")
_LAYOUT_HINT = "expected a list of sessions, or a mapping with a 'sessions' key holding that list"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _session_nodes(root: yaml.Node | None, name: str) -> list[yaml.Node]:
    """Find the list of session nodes: the root itself, or the root's 'sessions' value."""
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "sessions":
                root = value
                break
        else:
            raise KBFileError(located(name, _line(root), _LAYOUT_HINT))
    if isinstance(root, yaml.ScalarNode) and root.value in ("", "~", "null"):
        return []  # "sessions:" with nothing under it
    if not isinstance(root, yaml.SequenceNode):
        raise KBFileError(located(name, _line(root), _LAYOUT_HINT))
    return list(root.value)


def _read_entry(
    loader: yaml.SafeLoader, node: yaml.Node, position: int, name: str, problems: list[str]
) -> RawSession | None:
    """Collect one session mapping's fields and their lines; record layout problems."""
    if not isinstance(node, yaml.MappingNode):
        msg = f"entry #{position} must be a mapping with s_no, heading and content"
        problems.append(located(name, _line(node), msg))
        return None
    loader.flatten_mapping(node)  # honour '<<' merge keys like yaml.safe_load does
    raw = RawSession(position=position, line=_line(node))
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        if key not in FIELDS:
            msg = f"entry #{position} has unknown key {key!r} (allowed: {', '.join(FIELDS)})"
            problems.append(located(name, _line(key_node), msg))
            continue
        if key in seen:
            msg = f"entry #{position} has '{key}' twice"
            problems.append(located(name, _line(key_node), msg))
            continue
        seen.add(key)
        setattr(raw, key, loader.construct_object(value_node, deep=True))
        setattr(raw, f"{key}_line", _line(key_node))
        if key == "quiz":
            raw.quiz_question_lines = _question_lines(value_node)
    return raw


def _question_lines(quiz: yaml.Node) -> list[int]:
    """The line of each question under a quiz mapping's `questions` list."""
    if not isinstance(quiz, yaml.MappingNode):
        return []
    for key, value in quiz.value:
        is_questions = isinstance(key, yaml.ScalarNode) and key.value == "questions"
        if is_questions and isinstance(value, yaml.SequenceNode):
            return [_line(item) for item in value.value]
    return []


def _syntax_error(name: str, error: yaml.YAMLError) -> KBFileError:
    """Describe a YAML syntax error at the line PyYAML pinned it to."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        parts = [part for part in (error.context, error.problem) if part]
        problem = ", ".join(parts) or "syntax error"
        line = mark.line + 1 if mark is not None else None
        return KBFileError(located(name, line, f"invalid YAML: {problem}"))
    return KBFileError(located(name, None, f"invalid YAML: {error}"))


def parse_yaml(text: str, name: str) -> tuple[list[RawSession], list[str]]:
    """Parse YAML text into raw sessions plus any layout problems found on the way."""
    loader = yaml.SafeLoader(text)
    try:
        nodes = _session_nodes(loader.get_single_node(), name)
        problems: list[str] = []
        raws = [
            raw
            for position, node in enumerate(nodes, start=1)
            if (raw := _read_entry(loader, node, position, name, problems)) is not None
        ]
    except yaml.YAMLError as error:
        raise _syntax_error(name, error) from error
    finally:
        loader.dispose()
    return raws, problems


class _BlockDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line text as readable '|' blocks."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_text)


def dump_yaml(sessions: list[TrainingSession]) -> str:
    """Write sessions as a YAML list in the same layout load_kb_file reads."""
    rows: list[dict[str, Any]] = [
        {k: v for k, v in session.model_dump(exclude_none=True, include=set(FIELDS)).items() if v}
        for session in sessions
    ]
    return yaml.dump(rows, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100_000)

"""Tests for loading, validating and exporting knowledge-base files (YAML and Markdown)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.kb_files import KBFileError, dump_kb, load_kb_file, load_kb_text, sample_sessions
from store.models import TrainingSession

TRICKY = [
    TrainingSession(s_no=2, heading="Session 9: Grades & “quotes”", content="# not a heading\n\nx"),
    TrainingSession(
        s_no=1,
        heading="Prices: ₹ and 50%",
        content="Media: not the url\n\\# escaped already\n## also text\n  indented: yes\n- item",
        media_url="https://example.com/a.pdf",
    ),
    TrainingSession(s_no=5, heading="'quoted' #tag", content="line one\nline two   \n\n\n3"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["yaml", "md"])
def test_round_trip_keeps_every_field(fmt: str) -> None:
    for sessions in (sample_sessions(), TRICKY):
        text = dump_kb(sessions, fmt)  # type: ignore[arg-type]
        loaded = load_kb_text(text, fmt)  # type: ignore[arg-type]
        if fmt == "md":  # Markdown keeps translations in files of their own (test_kb_translations)
            sessions = [s.model_copy(update={"translations": {}}) for s in sessions]
        assert loaded == sorted(sessions, key=lambda s: s.s_no)


@pytest.mark.parametrize("fmt", ["yaml", "md"])
def test_round_trip_through_files(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, f"kb.{fmt}", dump_kb(TRICKY, fmt))  # type: ignore[arg-type]
    assert [s.s_no for s in load_kb_file(path)] == [1, 2, 5]
    assert load_kb_file(path)[0].media_url == "https://example.com/a.pdf"


_line = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1)
_session = st.builds(
    TrainingSession,
    s_no=st.integers(min_value=1, max_value=10_000),
    heading=_line.map(str.strip).filter(bool),
    content=st.lists(_line | st.just(""), min_size=1, max_size=5)
    .map(lambda lines: "\n".join(lines).strip())
    .filter(bool),
    media_url=st.none() | _line.map(str.strip).filter(bool),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_session, min_size=1, max_size=4, unique_by=lambda s: s.s_no))
def test_round_trip_property(sessions: list[TrainingSession]) -> None:
    expected = sorted(sessions, key=lambda s: s.s_no)
    for fmt in ("yaml", "md"):
        assert load_kb_text(dump_kb(sessions, fmt), fmt) == expected  # type: ignore[arg-type]


def test_yaml_mapping_with_sessions_key_and_yml_suffix(tmp_path: Path) -> None:
    text = (
        "company: Kestrel\nsessions:\n"
        "  - s_no: 2\n    heading: Two\n    content: |\n      Para one.\n\n      Para two.\n"
        "  - {s_no: 1, heading: '  One  ', content: First, media_url: https://x.example/v}\n"
    )
    sessions = load_kb_file(write(tmp_path, "kb.yml", text))
    assert [(s.s_no, s.heading) for s in sessions] == [(1, "One"), (2, "Two")]
    assert sessions[1].content == "Para one.\n\nPara two."
    assert sessions[0].media_url == "https://x.example/v"


def test_markdown_numbers_by_order_and_reads_media(tmp_path: Path) -> None:
    text = (
        "\ufeff# Partner training\nIntro that is not a session.\n"
        "## Welcome\n\nHello there.\n\nMedia: https://example.com/w.pdf\n"
        "## Session 7 - Support\nCall us.\n### Sub heading stays content\nmore\n"
        "## Products\n#hashtag is content\n"
    )
    path = tmp_path / "kb.md"
    path.write_bytes(text.encode("utf-8"))
    sessions = load_kb_file(path)
    assert [(s.s_no, s.heading) for s in sessions] == [
        (1, "Welcome"),
        (3, "Products"),
        (7, "Support"),
    ]
    assert sessions[0].content == "Hello there."
    assert sessions[0].media_url == "https://example.com/w.pdf"
    assert sessions[2].content == "Call us.\n### Sub heading stays content\nmore"
    assert sessions[1].content == "#hashtag is content"


def test_markdown_with_single_hash_headings() -> None:
    sessions = load_kb_text("# Session 1: A\nx\n# Session 2: B\ny\n", "md")
    assert [(s.s_no, s.heading, s.content) for s in sessions] == [(1, "A", "x"), (2, "B", "y")]


ERROR_CASES = [
    ("kb.yaml", "- s_no: 1\n  heading: [oops\n  content: x\n", "kb.yaml line 3: invalid YAML"),
    ("kb.yaml", "- s_no: 1\n\theading: x\n", "kb.yaml line 2: invalid YAML"),
    ("kb.yaml", "- s_no: 1\n---\n- s_no: 2\n", "kb.yaml line 2: invalid YAML"),
    (
        "kb.yaml",
        "- s_no: 1\n  heading: A\n  content: x\n- s_no: 3\n  heading: ''\n  content: y\n",
        "kb.yaml line 5: session 3 has an empty heading",
    ),
    (
        "kb.yaml",
        "- s_no: 1\n  heading: A\n  content: '   '\n",
        "kb.yaml line 3: session 1 has empty content",
    ),
    ("kb.yaml", "- s_no: 4\n  heading: A\n", "kb.yaml line 1: session 4 is missing its content"),
    (
        "kb.yaml",
        "- s_no: 1\n  heading: A\n  content: x\n- s_no: 1\n  heading: B\n  content: y\n",
        "kb.yaml line 4: session 1 is a duplicate (first defined on line 1)",
    ),
    ("kb.yaml", "- s_no: 0\n  heading: A\n  content: x\n", "line 1: entry #1 s_no must be 1"),
    ("kb.yaml", "- heading: A\n  content: x\n", "line 1: entry #1 is missing its s_no"),
    ("kb.yaml", "- s_no: two\n  heading: A\n  content: x\n", "line 1: entry #1 s_no must be"),
    ("kb.yaml", "- s_no: true\n  heading: A\n  content: x\n", "line 1: entry #1 s_no must be"),
    ("kb.yaml", "- s_no: 1\n  heading: 2024\n  content: x\n", "line 2: session 1 heading must be"),
    ("kb.yaml", "- s_no: 1\n  heading: A\n  contnet: x\n", "line 3: entry #1 has unknown key"),
    ("kb.yaml", "- s_no: 1\n  heading: A\n  heading: B\n", "line 3: entry #1 has 'heading' twice"),
    (
        "kb.yaml",
        "- s_no: 1\n  heading: A\n  content: x\n  media_url: ''\n",
        "line 4: session 1 media",
    ),
    ("kb.yaml", "- s_no: 1\n- just text\n", "kb.yaml line 2: entry #2 must be a mapping"),
    ("kb.yaml", "title: x\nsession: []\n", "kb.yaml line 1: expected a list of sessions"),
    ("kb.yaml", "sessions: 5\n", "kb.yaml line 1: expected a list of sessions"),
    ("kb.yaml", "", "kb.yaml: no sessions found"),
    ("kb.yaml", "sessions:\n", "kb.yaml: no sessions found"),
    ("kb.md", "", "kb.md: no sessions found"),
    ("kb.md", "Intro\n# A\ntext\n", "kb.md line 1: text before the first session heading"),
    ("kb.md", "# A\nx\n\n# B\n\n", "kb.md line 4: session 2 has empty content"),
    ("kb.md", "# A\nx\n## Session 5\nbody\n", "kb.md line 3: session 5 has an empty heading"),
    ("kb.md", "# A\nx\nMedia: a\nMedia: b\n", "kb.md line 4: session 1 has more than one Media"),
    ("kb.md", "# A\nx\nMedia:\n", "kb.md line 3: session 1 media_url must be"),
    (
        "kb.md",
        "# Session 2: A\nx\n\n# Session 2: B\ny\n",
        "kb.md line 4: session 2 is a duplicate (first defined on line 1)",
    ),
    ("kb.txt", "anything", "kb.txt: unsupported file type"),
]


@pytest.mark.parametrize(("name", "text", "expected"), ERROR_CASES)
def test_bad_files_name_file_and_line(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(KBFileError) as caught:
        load_kb_file(write(tmp_path, name, text))
    assert expected in str(caught.value)


def test_all_problems_are_reported_together() -> None:
    text = "- s_no: 1\n  heading: ''\n  content: x\n- s_no: 1\n  heading: B\n  content: ''\n"
    with pytest.raises(KBFileError) as caught:
        load_kb_text(text, "yaml", "kb.yaml")
    assert caught.value.problems == [
        "kb.yaml line 2: session 1 has an empty heading",
        "kb.yaml line 4: session 1 is a duplicate (first defined on line 1)",
        "kb.yaml line 6: session 1 has empty content",
    ]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(KBFileError, match=r"missing\.yaml: file not found"):
        load_kb_file(tmp_path / "missing.yaml")
    bad = tmp_path / "latin.md"
    bad.write_bytes("# Caf\xe9\ntext\n".encode("latin-1"))
    with pytest.raises(KBFileError, match=r"latin\.md: not UTF-8"):
        load_kb_file(bad)


def test_dump_rejects_what_it_cannot_write() -> None:
    with pytest.raises(KBFileError, match="one line"):
        dump_kb([TrainingSession(s_no=1, heading="two\nlines", content="x")], "md")
    with pytest.raises(ValueError, match="unknown knowledge-base format"):
        dump_kb(TRICKY, "csv")  # type: ignore[arg-type]


def test_yaml_export_is_readable() -> None:
    text = dump_kb(sample_sessions(), "yaml")
    assert text.startswith("- s_no: 1\n  heading: Welcome")
    assert text.count("\n  content: |") == 7
    assert text.count("\n    hi:\n      heading: ") == 7  # the Hindi translation


def test_sample_content_shape() -> None:
    sessions = sample_sessions()
    assert [s.s_no for s in sessions] == [1, 2, 3, 4, 5, 6, 7]
    for session in sessions:
        words = len(session.content.split())
        assert 250 <= words <= 500, (session.s_no, words)
        assert "\n\n" in session.content, "content should be split into paragraphs"
    assert sum(len(s.content) > 1500 for s in sessions) >= 2
    assert any(s.media_url and s.media_url.startswith("https://") for s in sessions)
    assert len({s.heading for s in sessions}) == 7


# -- example questions (`questions:`) --


def test_example_questions_load_from_yaml_and_markdown_and_export_losslessly() -> None:
    yaml_text = (
        "- s_no: 1\n  heading: Quotes\n  questions:\n    - ' How long is a quote valid? '\n"
        "    - Kitne din valid hai quote?\n  content: Quotes are valid for 7 days.\n"
    )
    sessions = load_kb_text(yaml_text, "yaml")
    assert sessions[0].questions == ["How long is a quote valid?", "Kitne din valid hai quote?"]
    for fmt in ("yaml", "md"):
        assert load_kb_text(dump_kb(sessions, fmt), fmt) == sessions
    markdown = dump_kb(sessions, "md")
    assert "Questions:\n- How long is a quote valid?\n- Kitne din valid hai quote?\n" in markdown


def test_markdown_questions_block_and_escaped_content_line() -> None:
    text = (
        "## Session 2: Orders\n\nOrders ship in 2 days.\n\\Questions: this line is content\n\n"
        "Questions:\n- When do orders ship?\n* Dispatch kab hota hai?\n\nMedia: https://x.example/a.pdf\n"
    )
    [session] = load_kb_text(text, "md")
    assert session.content == "Orders ship in 2 days.\nQuestions: this line is content"
    assert session.questions == ["When do orders ship?", "Dispatch kab hota hai?"]
    assert session.media_url == "https://x.example/a.pdf"
    assert load_kb_text(dump_kb([session], "md"), "md") == [session]


@pytest.mark.parametrize(
    ("questions", "problem"),
    [
        ("questions: how long?", "questions must be a list"),
        ("questions: ['']", "question #1 must be non-empty text"),
        ("questions: [12]", "question #1 must be non-empty text"),
        ("questions: [Same, same]", "question #2 repeats an earlier one"),
        ("questions: ['" + "x" * 301 + "']", "question #1 is longer than 300 characters"),
    ],
)
def test_bad_example_questions_are_reported_with_their_line(questions: str, problem: str) -> None:
    text = f"- s_no: 1\n  heading: H\n  content: C\n  {questions}\n"
    with pytest.raises(KBFileError) as caught:
        load_kb_text(text, "yaml", "kb.yaml")
    assert f"kb.yaml line 4: session 1 {problem}" in str(caught.value)


def test_markdown_text_after_questions_is_an_error() -> None:
    text = "## Session 1: H\n\nContent.\n\nQuestions:\n- One?\nnot a bullet\n"
    with pytest.raises(KBFileError, match=r"line 7: session 1: below 'Questions:'"):
        load_kb_text(text, "md", "kb.md")


def test_the_sample_content_has_example_questions_for_every_session() -> None:
    assert all(len(s.questions) >= 8 for s in sample_sessions())

"""Sessions with several media items: KB validation, lossless files, and where they are sent."""

from __future__ import annotations

import pytest

from agent.render import session_replies
from store.kb_files import KBFileError, dump_kb, load_kb_text
from store.models import TrainingSession

YAML_WITH_MEDIA = """\
- s_no: 1
  heading: Handling sheets
  content: |
    First paragraph about gloves.

    Second paragraph about stacking.

    Third paragraph about forklifts.
  media:
    - {url: "https://cdn.test/intro.mp4", kind: video, after_paragraph: 0}
    - url: "https://cdn.test/gloves.png"
      kind: image
      caption: Cut-resistant gloves
      after_paragraph: 1
    - {url: "https://cdn.test/checklist.pdf", kind: document, caption: List, after_paragraph: 9}
"""


def loaded() -> TrainingSession:
    [session] = load_kb_text(YAML_WITH_MEDIA, "yaml", "kb.yaml")
    return session


def test_media_items_load_in_order_with_their_places() -> None:
    session = loaded()
    assert [(m["kind"], m["after_paragraph"]) for m in session.media] == [
        ("video", 0), ("image", 1), ("document", 9),
    ]  # fmt: skip
    assert session.media[1]["caption"] == "Cut-resistant gloves"


@pytest.mark.parametrize("fmt", ["yaml", "md"])
def test_export_and_load_again_is_lossless(fmt: str) -> None:
    session = loaded()
    again = load_kb_text(dump_kb([session], fmt), fmt, f"kb.{fmt}")  # type: ignore[arg-type]
    expected = session.media
    if fmt == "md":  # Markdown places a past-the-end item after the last paragraph
        expected = [m | {"after_paragraph": min(m["after_paragraph"], 3)} for m in expected]
    assert again[0].media == expected and again[0].content == session.content


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ('{url: "http://cdn.test/a.png", kind: image}', "url must be an https:// URL"),
        ('{url: "https://cdn.test/a.gif", kind: gif}', "kind Input should be"),
        ('{url: "https://cdn.test/a.mp4", kind: video, size_bytes: 20000000}', "at most 16 MB"),
        ("{kind: image}", "url Field required"),
        ('"https://cdn.test/a.png"', "media item 1 must be a mapping"),
    ],
)
def test_bad_media_items_name_the_line_and_load_nothing(item: str, problem: str) -> None:
    text = f"- s_no: 1\n  heading: H\n  content: Text.\n  media:\n    - {item}\n"
    with pytest.raises(KBFileError) as error:
        load_kb_text(text, "yaml", "kb.yaml")
    assert str(error.value).startswith("kb.yaml line 4: session 1 media item 1")
    assert problem in str(error.value)


def test_markdown_media_lines_are_placed_between_paragraphs() -> None:
    text = (
        "## Session 1: Safety\n\nImage: https://cdn.test/a.png Gloves on\n\nPara one.\n\n"
        "Para two.\n\nVideo: https://cdn.test/b.mp4\n"
    )
    [session] = load_kb_text(text, "md", "kb.md")
    assert session.content == "Para one.\n\nPara two."
    assert session.media == [
        {"url": "https://cdn.test/a.png", "kind": "image", "caption": "Gloves on",
         "after_paragraph": 0},
        {"url": "https://cdn.test/b.mp4", "kind": "video", "after_paragraph": 2},
    ]  # fmt: skip


def test_replies_put_each_item_in_its_own_message_where_it_belongs() -> None:
    replies = session_replies(loaded(), "Asha Rao")
    shape = [(r.media_url or "text", r.text.split("\n")[0][:20]) for r in replies]
    assert shape == [
        ("text", "📚 *Session 1: Handli"),
        ("https://cdn.test/intro.mp4", ""),
        ("text", "First paragraph abou"),
        ("https://cdn.test/gloves.png", "Cut-resistant gloves"),
        ("text", "Second paragraph abo"),
        ("https://cdn.test/checklist.pdf", "List"),
        ("text", "💡 Asha, ask me anyth"),
    ]
    texts = [r.text for r in replies if not r.media_url]
    assert [t.rsplit("\n", 1)[-1] for t in texts] == ["(1/4)", "(2/4)", "(3/4)", "(4/4)"]
    assert "Third paragraph" in texts[2]


def test_a_session_without_media_items_is_sent_as_before() -> None:
    plain = TrainingSession(s_no=1, heading="H", content="Short text.", media_url="https://x/a.pdf")
    [reply] = session_replies(plain, None)
    assert reply.media_url == "https://x/a.pdf" and "Short text." in reply.text

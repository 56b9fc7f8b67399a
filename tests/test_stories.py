"""Play every conversation story in tests/stories; and prove the story checker can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.stories import (
    Expect,
    Story,
    StoryFileError,
    StoryResult,
    Turn,
    load_stories,
    play_story,
)

STORIES_DIR = Path(__file__).parent / "stories"
STORIES = [
    pytest.param(story, id=f"{path.stem}: {story.name}")
    for path in sorted(STORIES_DIR.glob("*.yaml"))
    for story in load_stories(path)
]


def explain(result: StoryResult) -> str:
    """Every failing turn with its problems and the start of the actual reply."""
    lines = [f"story {result.story!r} failed:"]
    for failure in result.failures:
        lines.append(f"  turn {failure.index} {failure.user!r}: {'; '.join(failure.problems)}")
        lines.append(f"    actual reply: {' | '.join(failure.replies)[:400]}")
    return "\n".join(lines)


def test_there_are_enough_stories() -> None:
    assert len(STORIES) >= 8
    names = [param.values[0].name for param in STORIES]  # type: ignore[union-attr]
    assert len(set(names)) == len(names), "story names must be unique"


@pytest.mark.parametrize("story", STORIES)
def test_story(story: Story) -> None:
    result = play_story(story)
    assert result.passed, explain(result)


ENROL = "I am a new partner"


@pytest.mark.parametrize(
    ("expect", "problem"),
    [
        (Expect(in_training=False), "in_training: expected False, got True"),
        (Expect(current_session=2), "current_session: expected 2, got 1"),
        (Expect(completed=[1]), "completed: expected [1], got []"),
        (Expect(reply_contains=["molybdenum"]), "reply should contain 'molybdenum'"),
        (Expect(reply_not_contains=["welcome"]), "reply should not contain 'welcome'"),
        (
            Expect(media_contains=["nothing-sent.pdf"]),
            "media should contain 'nothing-sent.pdf', sent "
            "['https://example.com/kestrel/partner-handbook.pdf']",
        ),
    ],
)
def test_a_wrong_expectation_fails_the_story(expect: Expect, problem: str) -> None:
    story = Story(name="wrong on purpose", turns=[Turn(user="hi"), Turn(user=ENROL, expect=expect)])
    result = play_story(story)
    assert not result.passed
    [failure] = result.failures
    assert (failure.index, failure.user, failure.problems) == (2, ENROL, [problem])
    assert "Welcome to the partner programme" in failure.replies[0]


def test_the_right_expectation_passes_and_matching_ignores_case() -> None:
    expect = Expect(in_training=True, current_session=1, completed=[], reply_contains=["WELCOME"])
    assert play_story(Story(name="right", turns=[Turn(user=ENROL, expect=expect)])).passed


def test_a_story_with_a_missing_content_file_is_a_story_file_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: x\ncontent: nowhere.yaml\nturns: [{user: hi}]\n", encoding="utf-8")
    with pytest.raises(StoryFileError, match=r"nowhere\.yaml"):
        load_stories(path)


@pytest.mark.parametrize(
    ("turn", "problem"),
    [
        ("{user: hi, wait: 1h}", "either `user:` or `wait:`"),
        ("{expect: {sent: 0}}", "either `user:` or `wait:`"),
        ("{wait: soon}", "not a duration"),
        ("{user: hi, expect: {template: any}}", "for `wait:` turns"),
    ],
)
def test_bad_turns_are_story_file_errors(tmp_path: Path, turn: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: bad\nturns:\n  - {turn}\n", encoding="utf-8")
    with pytest.raises(StoryFileError, match=problem):
        load_stories(path)


WAIT_STORY = """\
name: wait
clock: 2026-03-02T10:00:00+05:30
partner: {phone: "+919800000001", name: Asha}
turns:
  - user: I am a new partner
  - wait: 3d
    expect: %s
"""


@pytest.mark.parametrize(
    ("expect", "problem"),
    [
        ("{template: null}", "template: expected none, sent ['genie_training_nudge']"),
        ("{template: other}", "template: expected 'other', sent ['genie_training_nudge']"),
        ("{sent: 2}", "sent: expected 2, got 1"),
        ("{reply_not_contains: ['[template']}", "reply should not contain '[template'"),
    ],
)
def test_a_wrong_wait_expectation_fails(tmp_path: Path, expect: str, problem: str) -> None:
    path = tmp_path / "wait.yaml"
    path.write_text(WAIT_STORY % expect, encoding="utf-8")
    [story] = load_stories(path)
    [failure] = play_story(story).failures
    assert (failure.index, failure.user, failure.problems) == (2, "wait 3d", [problem])


def test_template_any_and_by_name_pass(tmp_path: Path) -> None:
    path = tmp_path / "wait.yaml"
    path.write_text(WAIT_STORY % "{template: any, sent: 1}", encoding="utf-8")
    assert play_story(load_stories(path)[0]).passed
    path.write_text(WAIT_STORY % "{template: genie_training_nudge}", encoding="utf-8")
    assert play_story(load_stories(path)[0]).passed

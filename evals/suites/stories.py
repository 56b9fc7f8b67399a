"""Story suite: whole conversations from YAML, played with agent.stories.play_story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.stories import Story, load_stories, play_story
from evals.harness import Harness, TappedEngine
from evals.metrics import ratio
from evals.results import SuiteResult
from evals.suites.common import Tick, finish, usage_fields
from store.base import TrainingStore


def load_all(files: list[Path]) -> list[tuple[str, Story]]:
    """Every story of the files, with the file it came from (StoryFileError on a bad file)."""
    return [(file.name, story) for file in files for story in load_stories(file)]


def score_story(item: tuple[str, Story], harness: Harness) -> dict[str, Any]:
    """Play one story on a fresh store; the failing turns and what they cost."""
    file, story = item
    engines: list[TappedEngine] = []

    def make_engine(store: TrainingStore) -> TappedEngine:
        engines.append(harness.engine(store))
        return engines[-1]

    result = play_story(story, make_engine=make_engine)
    records = engines[0].records if engines else []
    return {
        "key": f"{file}: {story.name}",
        "file": file,
        "story": story.name,
        "passed": result.passed,
        "turns": len(story.turns),
        "failed_turns": [
            {"turn": f.index, "user": f.user, "problems": f.problems, "replies": f.replies}
            for f in result.failures
        ],
        "tags": [file.rsplit(".", 1)[0]],
        **usage_fields(records),
    }


def run_stories(
    items: list[tuple[str, Story]], harness: Harness, tick: Tick, datasets: list[str]
) -> SuiteResult:
    """Play every story; metrics: pass_rate (stories) and turn_pass_rate (turns)."""
    cases = harness.map(lambda item: score_story(item, harness), items, tick)
    turns = sum(c["turns"] for c in cases)
    failed_turns = sum(len(c["failed_turns"]) for c in cases)
    metrics: dict[str, float | None] = {
        "pass_rate": ratio(sum(c["passed"] for c in cases), len(cases)) if cases else None,
        "turn_pass_rate": ratio(turns - failed_turns, turns) if turns else None,
        "failed": float(sum(not c["passed"] for c in cases)),
    }
    details = {
        "counts": {"stories": len(cases), "turns": turns, "failed_turns": failed_turns},
        "failures": [c for c in cases if not c["passed"]],
    }
    return finish("stories", datasets, metrics, details, cases, harness)

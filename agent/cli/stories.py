"""`genie stories FILE...`: play conversation stories and report failing turns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.stories import StoryFileError, load_stories, play_story


def stories(
    files: Annotated[list[Path], typer.Argument(help="Story YAML files")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing stories")] = False,
) -> None:
    """Play each story against a fresh database with the sample content."""
    passed = failed = 0
    for file in files:
        try:
            loaded = load_stories(file)
        except StoryFileError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        for story in loaded:
            result = play_story(story)
            if result.passed:
                passed += 1
                if verbose:
                    typer.echo(f"PASS {file}: {story.name}")
                continue
            failed += 1
            typer.echo(f"FAIL {file}: {story.name}")
            for f in result.failures:
                typer.echo(f"  turn {f.index}: {f.user!r}")
                for problem in f.problems:
                    typer.echo(f"    - {problem}")
                reply = " | ".join(f.replies)
                typer.echo(f"    actual reply: {reply[:300]}{'…' if len(reply) > 300 else ''}")
    typer.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)

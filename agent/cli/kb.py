"""`genie kb load|restore|versions|export|show`: manage the training content."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from agent.content_load import load_impact, replace_training, undo_sessions
from agent.settings import get_settings
from store.admin_factory import admin_store_for
from store.audit import cli_user, record
from store.base import TrainingStore
from store.factory import open_store
from store.kb_files import (
    KBFileError,
    coverage,
    dump_kb,
    dump_translation_md,
    load_kb_file,
    quiz_coverage,
)
from store.models import TrainingSession

app = typer.Typer(help="Manage the training knowledge base.", no_args_is_help=True)
Yes = Annotated[bool, typer.Option("--yes", help="Go ahead although partners are in training")]


def _replace(
    store: TrainingStore,
    sessions: list[TrainingSession],
    yes: bool,
    action: Literal["load", "restore"],
) -> str:
    """Print what happens to partners, then replace the training (with --yes when needed)."""
    admin = admin_store_for(store)
    impact = load_impact(admin, sessions)
    for line in impact.lines():
        typer.echo(line)
    if impact.in_training and not yes:
        typer.echo("nothing changed: run again with --yes to go ahead", err=True)
        raise typer.Exit(1)
    version = replace_training(store, admin, sessions, cli_user(), action)
    return str(version.id)


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="YAML or Markdown file")], yes: Yes = False
) -> None:
    """Replace the training content with FILE: validated first, recorded as a version
    (undo: `genie kb restore ID`), partners' progress fitted to it."""
    try:
        sessions = load_kb_file(file)
    except (KBFileError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    store = open_store(get_settings(), seed=False)
    try:
        version = _replace(store, sessions, yes, "load")
        _audit_load(store, file, len(sessions))
    finally:
        store.close()
    typer.echo(f"loaded {len(sessions)} sessions from {file} as version {version}")
    _report_languages(sessions, get_settings().default_language)
    typer.echo(f"undo: genie kb restore {version}")


@app.command("restore")
def restore(
    version_id: Annotated[str, typer.Argument(help="A load's version id (genie kb versions)")],
    yes: Yes = False,
) -> None:
    """Undo a whole-training version: put back the training from before it."""
    store = open_store(get_settings(), seed=False)
    try:
        version = admin_store_for(store).get_version(version_id)
        if version is None:
            typer.echo(f"error: no version {version_id}", err=True)
            raise typer.Exit(1)
        try:
            sessions = undo_sessions(version)
        except ValueError as exc:
            typer.echo(f"error: {exc} (undo one session's change in the dashboard)", err=True)
            raise typer.Exit(1) from exc
        restored = _replace(store, sessions, yes, "restore")
        admin = admin_store_for(store)
        record(admin, cli_user(), "content.restore", "all sessions", None, version=version_id)
    finally:
        store.close()
    typer.echo(f"restored the {len(sessions)} sessions from before version {version_id}")
    typer.echo(f"recorded as version {restored} (undo: genie kb restore {restored})")


@app.command("versions")
def versions(limit: Annotated[int, typer.Option(help="How many")] = 20) -> None:
    """The latest content changes, newest first ('all' = the whole training)."""
    store = open_store(get_settings(), seed=False)
    try:
        for v in admin_store_for(store).list_versions(None, limit):
            what = (
                f"all ({len(v.current_kb or [])} sessions)" if v.whole_kb else f"session {v.s_no}"
            )
            typer.echo(f"{v.id}  {v.at:%Y-%m-%d %H:%M}  {v.action:<8} {what}  by {v.who}")
    finally:
        store.close()


def _report_languages(sessions: list[TrainingSession], default: str) -> None:
    """One line per language: how many sessions it covers and which lack a translation."""
    typer.echo(f"  {default}: {len(sessions)} sessions (default language)")
    for language, lacking in coverage(sessions).items():
        done = len(sessions) - len(lacking)
        line = f"  {language}: {done}/{len(sessions)} sessions translated"
        if lacking:
            numbers = ", ".join(map(str, lacking))
            line += f"; missing: session {numbers} (partners get the {default} text with a note)"
        typer.echo(line)
        quizzes = quiz_coverage(sessions)[language]
        if quizzes:
            numbers = ", ".join(map(str, quizzes))
            typer.echo(f"  {language}: quiz not translated: session {numbers} (asked in {default})")


def _audit_load(store: TrainingStore, file: Path, count: int) -> None:
    """Record the load in the admin activity list (who ran it, which file, how many sessions)."""
    record(admin_store_for(store), cli_user(), "content.load", file.name, None, sessions=count)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="yaml or md")] = "yaml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write")] = None,
) -> None:
    """Print (or write) the current training content, for backups and edits."""
    if fmt not in ("yaml", "md"):
        typer.echo("error: --format must be yaml or md", err=True)
        raise typer.Exit(2)
    kind: Literal["yaml", "md"] = "yaml" if fmt == "yaml" else "md"
    sessions = open_store(get_settings()).list_sessions()
    text = dump_kb(sessions, kind)
    languages = list(coverage(sessions)) if kind == "md" else []
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
        for language in languages:  # Markdown keeps one file per language
            other = output.with_name(f"{output.stem}.{language}{output.suffix}")
            other.write_text(dump_translation_md(sessions, language), encoding="utf-8")
            typer.echo(f"wrote {other}")
    else:
        typer.echo(text, nl=False)
        if languages:
            note = ", ".join(languages)
            typer.echo(f"note: translations ({note}) not printed; use -o FILE.md", err=True)


@app.command("show")
def show() -> None:
    """List the sessions with their length."""
    for s in open_store(get_settings()).list_sessions():
        typer.echo(f"{s.s_no:>3}  {s.heading}  ({len(s.content.split())} words)")

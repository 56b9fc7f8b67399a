"""`genie kb load|export|show`: manage the training content."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from agent.settings import get_settings
from store.base import TrainingStore
from store.factory import open_store
from store.kb_files import KBFileError, coverage, dump_kb, dump_translation_md, load_kb_file
from store.models import TrainingSession

app = typer.Typer(help="Manage the training knowledge base.", no_args_is_help=True)


@app.command("load")
def load(file: Annotated[Path, typer.Argument(help="YAML or Markdown file")]) -> None:
    """Replace the training content with FILE (validated first: a bad file changes nothing)."""
    try:
        sessions = load_kb_file(file)
    except (KBFileError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    store = open_store(get_settings(), seed=False)
    store.replace_sessions(sessions)
    _audit_load(store, file, len(sessions))
    typer.echo(f"loaded {len(sessions)} sessions from {file}")
    _report_languages(sessions, get_settings().default_language)


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


def _audit_load(store: TrainingStore, file: Path, count: int) -> None:
    """Record the load in the admin activity list (who ran it, which file, how many sessions)."""
    from store.admin_factory import admin_store_for
    from store.audit import cli_user, record

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

"""`genie admin`: tools for the admin dashboard (screenshots of its pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Admin dashboard tools.", no_args_is_help=True)


@app.command("screenshots")
def screenshots(
    out: Annotated[Path, typer.Option(help="Folder for the PNG files")] = Path("screenshots"),
    chromium: Annotated[str, typer.Option(help="Chromium executable")] = "/usr/bin/chromium",
) -> None:
    """Start the app on demo data and save PNGs of every dashboard page (laptop and phone)."""
    if not Path(chromium).exists():
        typer.echo(f"Chromium not found at {chromium} (apt-get install chromium)", err=True)
        raise typer.Exit(1)
    from api.admin.screens import emoji_font_missing, take_screenshots

    missing = emoji_font_missing()
    if missing:
        typer.echo(f"warning: emoji will not render: {missing}", err=True)
    for path in take_screenshots(out, chromium):
        typer.echo(str(path))

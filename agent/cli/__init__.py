"""The `genie` command line: chat, serve, kb, stories, evals, bench."""

from __future__ import annotations

import typer

from agent.cli.admin import app as admin_app
from agent.cli.chat import chat
from agent.cli.kb import app as kb_app
from agent.cli.reminders import app as reminders_app
from agent.cli.serve import serve
from agent.cli.stories import stories
from agent.cli.whatsapp import app as whatsapp_app
from evals.bench.cli import bench
from evals.cli import app as evals_app

app = typer.Typer(help="Genie, the WhatsApp partner-training assistant.", no_args_is_help=True)
app.command("chat")(chat)
app.command("serve")(serve)
app.command("stories")(stories)
app.command("bench")(bench)
app.add_typer(kb_app, name="kb")
app.add_typer(admin_app, name="admin")
app.add_typer(reminders_app, name="reminders")
app.add_typer(evals_app, name="evals")
app.add_typer(whatsapp_app, name="whatsapp")


def main() -> None:
    """Entry point of the `genie` console script."""
    app()

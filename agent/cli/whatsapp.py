"""`genie whatsapp templates sync`: create the buttons and list templates at Twilio, record SIDs."""

from __future__ import annotations

from typing import Annotated

import typer
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from agent.settings import get_settings
from api.whatsapp.templates import sync
from prompts import message_languages
from store.content_templates import registry_for
from store.factory import open_store

app = typer.Typer(help="WhatsApp set-up through Twilio.", no_args_is_help=True)
templates_app = typer.Typer(help="Content templates for buttons and lists.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@templates_app.command("sync")
def sync_templates(
    language: Annotated[
        str | None, typer.Option("--language", "-l", help="texts of this language (e.g. hi)")
    ] = None,
) -> None:
    """Create the in-session button and list templates Twilio lacks; list what was done."""
    settings = get_settings()
    language = language or settings.default_language
    if language not in message_languages():
        typer.echo(f"error: no prompts/messages.{language}.yaml", err=True)
        raise typer.Exit(1)
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        typer.echo("error: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN first", err=True)
        raise typer.Exit(1)
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=settings.twilio_timeout_s),
    )
    if settings.twilio_content_base_url:
        client.content.base_url = settings.twilio_content_base_url.rstrip("/")
    store = open_store(settings, seed=False)
    try:
        for line in sync(client, registry_for(store), language):
            typer.echo(line)
    except TwilioException as exc:
        typer.echo(f"error: Twilio refused the template sync: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()

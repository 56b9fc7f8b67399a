"""`genie chat`: a WhatsApp-like terminal chat with the real engine and storage."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel

from agent.bootstrap import build_engine
from agent.chat_time import WAIT_COMMAND, ChatTime
from agent.clock import ManualClock
from agent.messages import Inbound, Reply
from agent.settings import get_settings


def _show(console: Console, replies: list[Reply], plain: bool) -> None:
    for reply in replies:
        media = f"\n[media: {reply.media_url}]" if reply.media_url else ""
        if plain:
            print(f"genie> {reply.text}{media}\n", flush=True)
        else:
            console.print(
                Panel(reply.text + media, title="Genie", title_align="left", border_style="green",
                      width=min(console.width, 72)),
                markup=False,
            )  # fmt: skip


def chat(
    phone: Annotated[str, typer.Option(help="Partner's WhatsApp number")] = "+15550001",
    name: Annotated[str | None, typer.Option(help="WhatsApp profile name")] = None,
    url: Annotated[
        str | None, typer.Option(help="Talk to a running server's Twilio webhook instead")
    ] = None,
) -> None:
    """Chat as a partner. Type messages; piped stdin is read one message per line."""
    if url:
        from agent.cli.remote_chat import remote_chat

        status = remote_chat(url, phone, name)
        if status:
            raise typer.Exit(status)
        return
    console = Console(highlight=False)
    plain = not sys.stdin.isatty()
    settings = get_settings()
    engine = build_engine(settings)
    # One clock for the engine and `/wait`, so moved time is the time the chat is recorded at.
    clock = ManualClock()
    engine.clock = clock
    time = ChatTime(settings, engine.store, clock)
    if not plain:
        console.print(
            f"[dim]Chatting as {phone}. Ctrl-D to quit. Try: I am a new partner."
            " /wait 26h moves time and shows the reminders.[/dim]"
        )
    while True:
        try:
            line = input("" if plain else "you> ")
        except (EOFError, KeyboardInterrupt):
            break
        if plain:
            print(f"you> {line}", flush=True)
        if not line.strip():
            continue
        if line.strip().startswith(WAIT_COMMAND):
            try:
                texts = time.wait(phone, line.strip())
            except ValueError as exc:
                texts = [f"({exc})"]
            _show(console, [Reply(text=text) for text in texts], plain)
            continue
        inbound = Inbound(phone=phone, text=line, profile_name=name, received_at=clock.now())
        _show(console, engine.handle_message(inbound), plain)

"""`genie chat --url`: chat with a running server through its Twilio webhook, as WhatsApp would."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from rich.console import Console
from rich.panel import Panel

from agent.cli.webhook_client import HttpClient, SignatureRefused, WebhookClient, WebhookError
from agent.settings import Settings, get_settings

REPLY_TIMEOUT_S = 90.0  # above the engine's worst case (LLM retries plus fallback)
POLL_S = 0.25


def wait_for_replies(
    client: WebhookClient,
    message_sid: str,
    show: Callable[[dict[str, Any]], None],
    timeout_s: float = REPLY_TIMEOUT_S,
) -> bool | None:
    """Show each reply part once it was sent (or failed); True when all are out, None if hidden."""
    shown, deadline = 0, time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.replies(message_sid)
        if state is None:
            return None
        parts = state["parts"]
        while shown < len(parts) and parts[shown]["status"] != "pending":
            show(parts[shown])
            shown += 1
        if state["processed"] and shown == len(parts):
            return True
        time.sleep(POLL_S)
    return False


def _printer(console: Console, plain: bool) -> Callable[[dict[str, Any]], None]:
    def show(part: dict[str, Any]) -> None:
        text = part["body"] + (f"\n[media: {part['media_url']}]" if part.get("media_url") else "")
        if part["status"] == "failed":
            text += f"\n[not delivered: {part.get('error')}]"
        if plain:
            print(f"genie> {text}\n", flush=True)
        else:
            console.print(
                Panel(text, title="Genie", title_align="left", border_style="green",
                      width=min(console.width, 72)),
                markup=False,
            )  # fmt: skip

    return show


def remote_chat(
    url: str,
    phone: str,
    name: str | None,
    *,
    settings: Settings | None = None,
    http: HttpClient | None = None,
    lines: Iterable[str] | None = None,
) -> int:
    """Send each typed (or piped) line to the server's webhook, signed, and show the replies.

    Returns the exit status: 0 when every message was accepted, 1 otherwise. A refused
    signature ends the chat at once (every further message would be refused too)."""
    settings = settings or get_settings()
    console = Console(highlight=False)
    plain = lines is not None or not sys.stdin.isatty()
    with httpx.Client(timeout=10.0) as default_http:
        client = WebhookClient(
            http or default_http, url, settings.twilio_auth_token,
            public_base_url=settings.public_base_url, to_number=settings.twilio_whatsapp_from,
            account_sid=settings.twilio_account_sid,
        )  # fmt: skip
        if not settings.twilio_auth_token:
            console.print("[yellow]TWILIO_AUTH_TOKEN is not set: requests go unsigned.[/yellow]")
        if not plain:
            console.print(f"[dim]Chatting with {url} as {phone}. Ctrl-D to quit.[/dim]")
        show = _printer(console, plain)
        status = 0
        for line in lines if lines is not None else _stdin_lines(plain):
            if plain:
                print(f"you> {line}", flush=True)
            if not line.strip():
                continue
            try:
                sid = client.send(phone, line, name)
                outcome = wait_for_replies(client, sid, show)
            except (WebhookError, httpx.HTTPError) as exc:
                console.print(str(exc), style="red", markup=False)
                status = 1
                if isinstance(exc, SignatureRefused):
                    return status
                continue
            if outcome is None:
                console.print("[dim](sent; replies go out through Twilio, not shown here)[/dim]")
            elif outcome is False:
                console.print(
                    f"[yellow](no complete reply within {REPLY_TIMEOUT_S:.0f} s)[/yellow]"
                )
                status = 1
        return status


def _stdin_lines(plain: bool) -> Iterable[str]:
    while True:
        try:
            yield input("" if plain else "you> ")
        except (EOFError, KeyboardInterrupt):
            return

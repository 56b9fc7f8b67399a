"""Start and stop the WhatsApp transport with the app, and say loudly what is misconfigured."""

from __future__ import annotations

import logging
from typing import Any

from agent.settings import Settings
from api.logging_setup import configure_logging
from api.whatsapp.inbox_insert import inserts
from api.whatsapp.sender import Sender, TwilioSender, build_sender
from api.whatsapp.service import WhatsAppService
from api.whatsapp.status_write import statuses
from store.content_templates import TemplateRegistry, registry_for
from store.messaging import MessagingStore
from store.messaging_factory import open_messaging

log = logging.getLogger("genie.whatsapp")
_TWILIO_FIELDS = ("twilio_account_sid", "twilio_auth_token", "twilio_whatsapp_from")
DRAIN_S = 5.0  # webhook writes still waiting at shutdown get this long before the store closes


def missing_twilio_settings(settings: Settings) -> list[str]:
    """The Twilio sender settings left unset when some but not all are set (else [])."""
    missing = [name.upper() for name in _TWILIO_FIELDS if not getattr(settings, name)]
    sid_or_from_set = bool(settings.twilio_account_sid or settings.twilio_whatsapp_from)
    # A lone auth token is the local-development setup: signed webhooks, console replies.
    return missing if missing and sid_or_from_set else []


def sender_kind(sender: Sender) -> str:
    """Twilio for the real sender, else the class name (ConsoleSender, CollectingSender ...)."""
    return "twilio" if isinstance(sender, TwilioSender) else type(sender).__name__


def warn_about_configuration(settings: Settings, sender: Sender) -> None:
    """Log, once at start-up, every setting that makes the webhook insecure or useless."""
    if not settings.twilio_validate_signature:
        log.warning(
            "!!! TWILIO_VALIDATE_SIGNATURE=false: the webhook accepts requests from ANYONE. "
            "Local development only, never in production. !!!"
        )
    elif not settings.twilio_auth_token:
        log.warning("TWILIO_AUTH_TOKEN is not set: the webhook will answer 403 to every request")
    if missing := missing_twilio_settings(settings):
        log.error("Twilio partly configured, replies go to the console; missing %s", missing)
    if not isinstance(sender, TwilioSender):
        log.info("no Twilio credentials: WhatsApp replies are printed, not sent")
    elif not settings.public_base_url:
        log.warning("PUBLIC_BASE_URL is not set: signatures fail behind a TLS-terminating proxy")


def start_whatsapp(
    state: Any,
    settings: Settings,
    sender: Sender | None = None,
    messaging: MessagingStore | None = None,
) -> None:
    """Build the sender, messaging store and workers on app.state, and start the workers."""
    configure_logging(settings.log_level, settings.log_format)
    state.sender = sender or build_sender(settings)
    state.owns_messaging = messaging is None
    state.messaging = messaging or open_messaging(settings, state.store)
    warn_about_configuration(settings, state.sender)
    state.whatsapp = WhatsAppService.from_settings(
        settings, state.messaging, state.engine, state.sender, templates=_templates(state.store)
    )
    state.whatsapp.start()


def _templates(store: object) -> TemplateRegistry | None:
    """The content template registry beside the training store (None: buttons go as text)."""
    try:
        return registry_for(store)
    except TypeError:
        log.info("no template registry for this store: buttons and lists go as text")
        return None


def stop_whatsapp(state: Any) -> None:
    """Stop the workers (bounded wait), let the webhooks' waiting writes finish (bounded) and
    close the messaging store if we opened it."""
    state.whatsapp.stop()
    for writes in (inserts, statuses):
        if not writes.drain(DRAIN_S):
            log.error("webhook writes still waiting after %.0f s; the store closes anyway", DRAIN_S)
    if state.owns_messaging:
        state.messaging.close()

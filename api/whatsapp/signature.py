"""Check X-Twilio-Signature with twilio's RequestValidator against the public URL Twilio called."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from agent.settings import Settings
from api.deps import SettingsDep

log = logging.getLogger("genie.whatsapp")
FormParams = ImmutableMultiDict[str, str]


def public_url(request: Request, settings: Settings) -> str:
    """PUBLIC_BASE_URL + path + raw query behind a TLS-terminating proxy, else the request URL."""
    if not settings.public_base_url:
        return str(request.url)
    query = request.url.query
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{query}" if query else url


def signature_problem(request: Request, params: FormParams, settings: Settings) -> str | None:
    """Why the request is not provably from Twilio, or None when it is (or checks are off)."""
    if not settings.twilio_validate_signature:
        return None
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return f"missing {SIGNATURE_HEADER}"
    # A Webhooks Rule may make Twilio sign with a SharedKey and another algorithm instead.
    signing_settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    if signing_settings:
        secret = settings.twilio_webhook_signing_secret
        if not secret:
            return f"{SIGNATURE_SETTINGS_HEADER} present but TWILIO_WEBHOOK_SIGNING_SECRET unset"
    else:
        secret = settings.twilio_auth_token
        if not secret:
            return "TWILIO_AUTH_TOKEN is not set, so no signature can be checked"
    algorithm = get_signature_algorithm(signing_settings)
    url = public_url(request, settings)
    if not RequestValidator(secret).validate(url, params, signature, algorithm):
        return f"signature does not match {url}"
    return None


async def verified_form(request: Request, settings: SettingsDep) -> FormParams:
    """The form fields of a request signed by Twilio; 403 (nothing read further) otherwise."""
    params: FormParams = ImmutableMultiDict()
    if request.method == "POST":
        form = await request.form()
        params = ImmutableMultiDict([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    problem = signature_problem(request, params, settings)
    if problem:
        log.warning("rejected unsigned or forged webhook request: %s", problem)
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return params


VerifiedForm = Annotated[FormParams, Depends(verified_form)]

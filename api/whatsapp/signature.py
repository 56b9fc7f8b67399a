"""Check X-Twilio-Signature against the public URL Twilio called: one HMAC per URL variant.

Same rule as twilio's RequestValidator.validate (URL with and without its default port, every
form field sorted by name then value, duplicates once), but the field string is built once,
the HMAC is the one-shot C digest, and the second URL variant is tried only when the first fails.
"""

from __future__ import annotations

import base64
import hmac
import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    add_port,
    get_signature_algorithm,
    remove_port,
)

from agent.settings import Settings
from api.deps import SettingsDep
from api.whatsapp.form_body import read_urlencoded

log = logging.getLogger("genie.whatsapp")
FormParams = dict[str, str]
DIGESTS = {"HMAC_SHA1": "sha1", "HMAC_SHA256": "sha256"}


def public_url(request: Request, settings: Settings) -> str:
    """PUBLIC_BASE_URL + path + raw query behind a TLS-terminating proxy, else the request URL.

    The path and query come straight from the ASGI scope, escaped and decoded as Starlette's
    request.url does, without building its URL object (host parsing, URL assembly) per webhook.
    """
    if not settings.public_base_url:
        return str(request.url)
    scope = request.scope
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    url = settings.public_base_url.rstrip("/") + path
    query = scope.get("query_string", b"")
    return f"{url}?{query.decode()}" if query else url


@lru_cache(maxsize=256)
def url_variants(url: str) -> tuple[str, ...]:
    """The URL without, then with, its default port: Twilio may sign either form."""
    parsed = urlparse(url)
    return tuple(dict.fromkeys((remove_port(parsed), add_port(parsed))))


def signature_matches(
    secret: str, url: str, fields: Iterable[tuple[str, str]], signature: str, digest: str
) -> bool:
    """True when `signature` is the base64 HMAC of a URL variant + the sorted fields."""
    signed_fields = "".join(name + value for name, value in sorted(set(fields))).encode()
    key, expected = secret.encode(), signature.encode()
    for variant in url_variants(url):
        mac = hmac.digest(key, variant.encode() + signed_fields, digest)
        if hmac.compare_digest(base64.b64encode(mac), expected):
            return True
    return False


def signature_problem(
    request: Request, fields: list[tuple[str, str]], settings: Settings
) -> str | None:
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
    digest = DIGESTS.get(algorithm.upper())
    if digest is None:
        return f"unsupported signature algorithm {algorithm[:40]!r}"
    url = public_url(request, settings)
    if not signature_matches(secret, url, fields, signature, digest):
        return f"signature does not match {url}"
    return None


async def signed_form(request: Request, settings: Settings) -> FormParams:
    """The form fields of a request signed by Twilio (last value of a repeated field).

    Raises HTTPException: 415 for a body that is not urlencoded, 400 for one that cannot be
    read, 403 (nothing looked at further) when the signature is missing or wrong.
    """
    fields = await read_urlencoded(request) if request.method == "POST" else []
    problem = signature_problem(request, fields, settings)
    if problem:
        log.warning("rejected unsigned or forged webhook request: %s", problem)
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return dict(fields)


async def verified_form(request: Request, settings: SettingsDep) -> FormParams:
    """signed_form as a FastAPI dependency (routes that need FastAPI's other features)."""
    return await signed_form(request, settings)


VerifiedForm = Annotated[FormParams, Depends(verified_form)]

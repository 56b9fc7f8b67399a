"""Who may use POST /api/messages: off unless enabled; then a bearer token (own or admin)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.settings import Settings
from api.admin.auth import configured_tokens

_bearer = HTTPBearer(auto_error=False, description="MESSAGES_API_TOKEN or an admin token")
REALM = 'Bearer realm="genie-messages"'


def _digest(text: str) -> bytes:
    # The same digest as the admin tokens': equal lengths, so no length leaks through timing.
    return hashlib.sha256(text.encode()).digest()


def require_messages_client(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> str:
    """The caller's name ("messages-api" or the admin's); 404 when the endpoint is off, 401
    without a matching bearer token."""
    settings: Settings = request.app.state.settings
    if not settings.messages_api_enabled:
        raise HTTPException(status_code=404, detail="Not Found")
    candidates = list(configured_tokens(settings))
    if settings.messages_api_token:
        candidates.append(("messages-api", _digest(settings.messages_api_token)))
    name = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        given = _digest(credentials.credentials)
        for candidate, digest in candidates:  # no early exit: the same time for every token
            if secrets.compare_digest(given, digest):
                name = candidate
    if name is None:
        raise HTTPException(401, "Bearer token required", headers={"WWW-Authenticate": REALM})
    return name


MessagesClient = Annotated[str, Depends(require_messages_client)]

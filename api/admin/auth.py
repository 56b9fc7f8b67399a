"""Admin authentication: bearer tokens from settings, compared in constant time, rate-limited."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.settings import Settings

_NAMED = re.compile(r"^(?P<name>[A-Za-z0-9_.@-]{1,40}):(?P<token>.+)$")
_bearer = HTTPBearer(auto_error=False, description="An admin token from ADMIN_TOKENS")
REALM = 'Bearer realm="genie-admin"'


@dataclass(frozen=True)
class Admin:
    """The signed-in admin; `name` is recorded with every content change."""

    name: str


def _digest(text: str) -> bytes:
    # Equal-length digests, so compare_digest does not leak the token's length either.
    return hashlib.sha256(text.encode()).digest()


def configured_tokens(settings: Settings) -> list[tuple[str, bytes]]:
    """(admin name, token digest) per configured token; 'name:token' names the admin."""
    tokens = []
    for entry in settings.admin_tokens:
        named = _NAMED.match(entry)
        if named:
            tokens.append((named["name"], _digest(named["token"])))
        else:
            tokens.append((f"admin-{_digest(entry).hex()[:6]}", _digest(entry)))
    return tokens


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int, max_keys: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one request for `key`: 0 when allowed, else the seconds until the next one."""
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - updated) * self.refill_per_s)
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()  # bounded memory; at worst some keys get a fresh bucket
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) / self.refill_per_s
            self._buckets[key] = (tokens - 1, now)
            return 0.0


_limiter_lock = threading.Lock()


def limiter_for(request: Request, settings: Settings) -> RateLimiter:
    """The app's admin rate limiter, made on first use."""
    with _limiter_lock:
        limiter: RateLimiter | None = getattr(request.app.state, "admin_limiter", None)
        if limiter is None or limiter.capacity != settings.admin_rate_limit_per_minute:
            limiter = RateLimiter(settings.admin_rate_limit_per_minute)
            request.app.state.admin_limiter = limiter
        return limiter


def admin_enabled(request: Request) -> Settings:
    """The settings, or 404 when no admin token is configured (the admin area is off)."""
    settings: Settings = request.app.state.settings
    if not settings.admin_tokens:
        raise HTTPException(status_code=404, detail="Not Found")
    return settings


def require_admin(
    request: Request,
    response: Response,
    settings: Settings = Depends(admin_enabled),
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Admin:
    """The admin whose bearer token matches; 401 without or with a wrong token, 429 when limited."""
    name = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        given = _digest(credentials.credentials)
        for candidate, digest in configured_tokens(settings):  # no early exit: same time for all
            if secrets.compare_digest(given, digest):
                name = candidate
    # Failed attempts are limited per client address, so guessing tokens is slow too.
    client = request.client.host if request.client else "unknown"
    wait = limiter_for(request, settings).take(f"admin:{name}" if name else f"ip:{client}")
    if wait:
        retry = str(math.ceil(wait))
        raise HTTPException(429, "Too many admin requests", headers={"Retry-After": retry})
    if name is None:
        challenge = f'{REALM}, error="invalid_token"' if credentials else REALM
        detail = "Invalid admin token" if credentials else "Admin token required"
        raise HTTPException(401, detail, headers={"WWW-Authenticate": challenge})
    response.headers["Cache-Control"] = "no-store"
    return Admin(name=name)

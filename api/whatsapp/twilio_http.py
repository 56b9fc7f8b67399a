"""A lighter transport for the twilio REST client: a urllib3 connection pool per API host.

The library's TwilioHttpClient goes through a requests Session, which scans the whole process
environment for proxy settings twice per request and builds several intermediate objects:
more than half of a send's CPU. This client sends the same request (same form body, headers,
Basic auth, timeout, no redirects, no automatic retries) straight to a kept-alive urllib3 pool,
and raises requests' own exceptions for network failures, so callers classify failures exactly
as they did. What it does not do itself (a host the environment routes through a proxy,
following redirects) goes through the library's TwilioHttpClient, as before.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import requests
import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_environ_proxies, select_proxy
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

_logger = logging.getLogger("twilio.http_client")
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = ("application/json", "application/scim+json")
# Bytes quote_plus leaves alone (letters, digits, "_.-~") and the space, which becomes "+".
_ESCAPED_RUN = re.compile(rb"[^A-Za-z0-9_.~ -]+")


class PooledTwilioHttpClient(HttpClient):
    """A twilio HttpClient on urllib3: kept-alive connections, a timeout on every call."""

    def __init__(
        self, timeout: float, pool_size: int = 16, logger: logging.Logger = _logger
    ) -> None:
        if timeout is None or timeout <= 0:
            raise ValueError("a positive timeout is required")
        super().__init__(logger, is_async=False, timeout=timeout)
        self.pool_size = pool_size
        self._pools: dict[str, urllib3.HTTPConnectionPool | None] = {}  # None: via a proxy
        self._lock = threading.Lock()
        self._fallback: TwilioHttpClient | None = None
        self._auth_headers: dict[tuple[str, str], str] = {}

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, object] | None = None,
        data: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one request and return the library's Response. Network failures raise
        requests' ConnectTimeout, ReadTimeout or ConnectionError, as TwilioHttpClient does."""
        if timeout is None:
            timeout = self.timeout
        elif timeout <= 0:
            raise ValueError(timeout)
        parts = urlsplit(url)
        pool = self._pool_for(parts.scheme, parts.netloc)
        if pool is None or allow_redirects:
            return self._library_client().request(
                method, url, params=params, data=data, headers=headers,  # type: ignore[arg-type]
                auth=auth, timeout=timeout, allow_redirects=allow_redirects,
            )  # fmt: skip
        method = method.upper()
        if self.logger.isEnabledFor(logging.INFO):
            self.log_request({"method": method, "url": url, "params": params, "headers": headers})
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if params:
            target += ("&" if "?" in target else "?") + form_encode(_pairs(params))
        send_headers, body = self._encode(headers, auth, data)
        try:
            answer = pool.urlopen(
                method, target, body=body, headers=send_headers,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                retries=False, redirect=False, assert_same_host=False, preload_content=False,
            )  # fmt: skip
        except HTTPError as exc:
            raise _as_requests_error(exc) from exc
        try:
            raw = answer.read()
        except HTTPError as exc:
            raise _as_body_error(exc) from exc
        finally:
            answer.release_conn()  # back to the pool (closed first if the read failed)
        if self.logger.isEnabledFor(logging.INFO):
            self.log_response(answer.status, answer)  # type: ignore[arg-type]
        return Response(answer.status, _text(raw, answer.headers), answer.headers)

    def close(self) -> None:
        """Close the pooled connections."""
        with self._lock:
            pools, self._pools = self._pools, {}
        for pool in pools.values():
            if pool is not None:
                pool.close()

    def _pool_for(self, scheme: str, netloc: str) -> urllib3.HTTPConnectionPool | None:
        """The origin's pool (made once); None when the environment names a proxy for it."""
        origin = f"{scheme}://{netloc}"
        if origin in self._pools:
            return self._pools[origin]
        with self._lock:
            if origin not in self._pools:
                # requests' own rules (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), read once per host.
                proxied = select_proxy(origin, get_environ_proxies(origin)) is not None
                self._pools[origin] = None if proxied else self._new_pool(origin)
            return self._pools[origin]

    def _new_pool(self, origin: str) -> urllib3.HTTPConnectionPool:
        ca_bundle = _ca_bundle()
        ca = {"ca_cert_dir" if os.path.isdir(ca_bundle) else "ca_certs": ca_bundle}
        https = origin.startswith("https:")
        # block=False: a burst beyond pool_size opens extra connections instead of waiting.
        return urllib3.connection_from_url(
            origin, maxsize=self.pool_size, block=False, retries=False,
            **({"cert_reqs": "CERT_REQUIRED", **ca} if https else {}),
        )  # fmt: skip

    def _library_client(self) -> TwilioHttpClient:
        if self._fallback is None:
            self._fallback = TwilioHttpClient(timeout=self.timeout, logger=self.logger)
        return self._fallback

    def _encode(
        self,
        headers: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
        data: Mapping[str, object] | None,
    ) -> tuple[dict[str, str], bytes | None]:
        """Request headers and body as requests builds them."""
        out = dict(headers or {})
        if auth is not None:
            out["Authorization"] = self._basic(auth)
        if out.get("Content-Type") in JSON_TYPES:
            return out, None if data is None else json.dumps(data, allow_nan=False).encode()
        if not data:
            return out, None
        out.setdefault("Content-Type", FORM)
        return out, form_encode(_pairs(data)).encode("ascii")

    def _basic(self, auth: tuple[str, str]) -> str:
        """The Basic Authorization header (computed once per credentials)."""
        header = self._auth_headers.get(auth)
        if header is None:
            user, password = auth
            raw = f"{user}:{password}".encode("latin1")  # as requests encodes it
            header = self._auth_headers[auth] = "Basic " + base64.b64encode(raw).decode()
        return header


def form_encode(pairs: Iterable[tuple[str, object]]) -> str:
    """`urllib.parse.urlencode(pairs)`, byte for byte, escaping runs of bytes at C speed."""
    return "&".join(f"{_quote_plus(key)}={_quote_plus(value)}" for key, value in pairs)


def _quote_plus(value: object) -> str:
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return _ESCAPED_RUN.sub(_escape_run, raw).replace(b" ", b"+").decode("ascii")


def _escape_run(match: re.Match[bytes]) -> bytes:
    return b"%" + match[0].hex("%").upper().encode("ascii")


def _pairs(values: Mapping[str, object]) -> list[tuple[str, object]]:
    """Form pairs as requests encodes them: a list repeats its key; None values are left out."""
    pairs: list[tuple[str, object]] = []
    for key, value in values.items():
        items = value if isinstance(value, list | tuple) else (value,)
        pairs.extend((key, item) for item in items if item is not None)
    return pairs


def _text(raw: bytes, headers: Mapping[str, str]) -> str:
    """The body as text: the declared charset, else UTF-8 (Twilio answers JSON)."""
    charset = "utf-8"
    for param in headers.get("Content-Type", "").split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("'\"")
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return raw.decode("utf-8", errors="replace")


def _ca_bundle() -> str:
    """The CA bundle requests verifies with: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi."""
    env = os.environ
    return env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or DEFAULT_CA_BUNDLE_PATH


def _as_body_error(exc: HTTPError) -> requests.RequestException:
    """What requests raises when reading the body fails (Response.iter_content's mapping)."""
    if isinstance(exc, ProtocolError):
        return requests.exceptions.ChunkedEncodingError(exc)
    if isinstance(exc, DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(exc)
    return requests.ConnectionError(exc)  # a read timeout included, as requests does


def _as_requests_error(exc: HTTPError) -> requests.RequestException:
    """The requests exception TwilioHttpClient raises for the same failure."""
    if isinstance(exc, ConnectTimeoutError) and not isinstance(exc, NewConnectionError):
        return requests.ConnectTimeout(exc)
    if isinstance(exc, ReadTimeoutError):
        return requests.ReadTimeout(exc)
    if isinstance(exc, ProxyError):
        return requests.exceptions.ProxyError(exc)
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(exc)
    return requests.ConnectionError(exc)

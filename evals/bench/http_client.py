"""A minimal HTTP/1.1 keep-alive client on asyncio streams: one connection, one request at a time.

The partners need thousands of small form posts with little CPU: httpx's pool spends more CPU
than the service under test once hundreds of requests wait, and that CPU is the service's too.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode, urlsplit

IDLE_REUSE_S = 4.0  # uvicorn closes idle keep-alive connections after 5 s


class HTTPError(Exception):
    """The request failed (connection, timeout or a malformed answer)."""


class KeepAliveConnection:
    """One keep-alive connection to one base URL (http only), reopened when needed."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_used = 0.0

    async def post_form(
        self, path: str, form: dict[str, str], headers: dict[str, str], timeout_s: float
    ) -> int:
        """POST a form; the response status. A stale kept-alive connection is retried once."""
        body = urlencode(form).encode()
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}"]  # fmt: skip
        request = "\r\n".join(head + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n"
        payload = request.encode() + body
        reused = self._writer is not None and time.monotonic() - self._last_used < IDLE_REUSE_S
        if not reused:
            self.close()
        try:
            return await asyncio.wait_for(self._exchange(payload), timeout_s)
        except (OSError, EOFError, asyncio.IncompleteReadError, ValueError) as exc:
            self.close()
            if reused:  # the server may have closed it meanwhile: one fresh try
                return await self.post_form(path, form, headers, timeout_s)
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            self.close()
            raise HTTPError("timed out") from exc

    async def _exchange(self, payload: bytes) -> int:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(payload)
        await self._writer.drain()
        status_line = await self._reader.readline()
        if not status_line:
            raise EOFError("connection closed before the response")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await self._reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            length = int(value) if name == "content-length" else length
            chunked = chunked or (name == "transfer-encoding" and "chunked" in value)
            close = close or (name == "connection" and value == "close")
        await (self._skip_chunks() if chunked else self._reader.readexactly(length))
        self._last_used = time.monotonic()
        if close:
            self.close()
        return status

    async def _skip_chunks(self) -> None:
        assert self._reader is not None
        while size := int((await self._reader.readline()).split(b";")[0], 16):
            await self._reader.readexactly(size + 2)
        await self._reader.readline()

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

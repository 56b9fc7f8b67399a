"""The certificate render process: reads render requests on stdin, writes PDFs on stdout.

Started by renderer.py as `python -m agent.certificates.render_worker`. One frame each way:
a request is 4 bytes of length (big-endian) then JSON {"certificate": ..., "verify": url}; an
answer is one status byte (0 ok, 1 error), 4 bytes of length, then the PDF or the error text.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import BinaryIO

from agent.certificates.pdf import render_pdf
from store.quiz_store import Certificate

HEADER = struct.Struct(">I")
OK, ERROR = b"\x00", b"\x01"


def read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    """`size` bytes, or None at the end of the stream (the service went away)."""
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer render requests until the input ends."""
    while (header := read_exactly(requests, HEADER.size)) is not None:
        body = read_exactly(requests, HEADER.unpack(header)[0])
        if body is None:
            return
        try:
            request = json.loads(body)
            certificate = Certificate.model_validate(request["certificate"])
            status, payload = OK, render_pdf(certificate, request["verify"])
        except Exception as exc:
            status, payload = ERROR, f"{type(exc).__name__}: {exc}".encode()
        answers.write(status + HEADER.pack(len(payload)) + payload)
        answers.flush()


def main() -> None:
    """Serve on stdin/stdout; anything else that writes to stdout goes to stderr instead, so
    a stray print in a library cannot corrupt an answer."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()

"""The threaded HTTP server both fakes run on, quiet about clients that hang up."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class QuietThreadingServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) that ignores clients dropping the connection."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (e.g. a killed service) is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

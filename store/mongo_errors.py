"""Turn pymongo failures into StoreUnavailable, logging one line per failure."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from store.base import StoreUnavailable

log = logging.getLogger("genie.store")

# Errors that mean "the database is down, unreachable or too slow": pymongo reconnects
# by itself, so the next operation after the outage simply works again.
OUTAGE_ERRORS: tuple[type[PyMongoError], ...] = (
    ServerSelectionTimeoutError,
    NetworkTimeout,
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    WTimeoutError,
)


def is_outage(exc: PyMongoError) -> bool:
    """True when the error means unreachable or timed out (not a bad query or bad data)."""
    # `timeout` is pymongo's own flag for client-side (timeoutMS) expiries.
    return isinstance(exc, OUTAGE_ERRORS) or bool(getattr(exc, "timeout", False))


@contextmanager
def unavailable_on_error(operation: str) -> Iterator[None]:
    """Re-raise any pymongo error inside the block as StoreUnavailable naming `operation`."""
    try:
        yield
    except PyMongoError as exc:
        if is_outage(exc):
            log.warning("MongoDB unreachable or timed out during %s: %.300s", operation, exc)
            message = f"MongoDB is unreachable or timed out during {operation}"
        else:
            log.error("MongoDB error during %s: %s: %.300s", operation, type(exc).__name__, exc)
            message = f"MongoDB error during {operation} ({type(exc).__name__})"
        raise StoreUnavailable(message) from exc

"""Saving the outcome of a step that cannot be undone (a turn applied, a message sent)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from store.base import StoreUnavailable

log = logging.getLogger("genie.whatsapp")
T = TypeVar("T")


def persist_after_effect(
    save: Callable[[], T], what: str, budget_s: float, stopping: threading.Event
) -> T:
    """Call `save`, retrying a store outage for up to `budget_s` seconds.

    The effect already happened, so giving up means doing it again later (a progress step
    applied twice, a reply sent twice): a short bounded retry under the lease is the cheaper
    failure. The last StoreUnavailable is raised once the budget is spent or on shutdown.
    """
    deadline = time.monotonic() + budget_s
    delay_s = 0.1
    while True:
        try:
            return save()
        except StoreUnavailable as exc:
            if time.monotonic() + delay_s > deadline or stopping.is_set():
                raise
            log.warning("could not save %s yet, retrying in %.1f s: %s", what, delay_s, exc)
            if stopping.wait(delay_s):
                raise
            delay_s = min(delay_s * 2, 2.0)

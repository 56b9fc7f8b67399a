"""Twilio status callbacks in a load run: the fake posts them, the bench counts and checks them."""

from __future__ import annotations

import itertools
from typing import Any

from evals.bench.environment import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, StoreChoice
from evals.fakes.twilio_api import FakeTwilioAPI
from evals.fakes.twilio_status import StatusCallbacks
from store.factory import open_store
from store.messaging_factory import open_messaging

SETTLE_S = 30.0  # the callbacks still queued when the partners are done get this long


def attach(twilio: FakeTwilioAPI, per_message: int, urls: list[str]) -> StatusCallbacks | None:
    """Make the fake post `per_message` callbacks per accepted message (0: none), round robin
    over the service processes as a load balancer would."""
    if per_message == 0:
        return None
    turn = itertools.count()

    def route(public_url: str) -> str:
        return public_url.replace(PUBLIC_BASE_URL, urls[next(turn) % len(urls)], 1)

    callbacks = StatusCallbacks(ACCOUNT_SID, AUTH_TOKEN, per_message, route)
    twilio.status_callbacks = callbacks
    return callbacks


def report(
    callbacks: StatusCallbacks | None, twilio: FakeTwilioAPI, store: StoreChoice
) -> dict[str, Any]:
    """What was posted, and how many accepted messages' parts do not hold their last status
    (the services are stopped: everything they acknowledged is written)."""
    if callbacks is None:
        return {"per_message": 0}
    sids = [m.sid for m in twilio.messages if m.status_callback]
    final = callbacks.statuses[-1]
    settings = store.settings()
    training = open_store(settings, seed=False)
    messaging = open_messaging(settings, training)
    try:
        statuses = [getattr(messaging.part_by_sent_sid(sid), "delivery_status", None)
                    for sid in sids]  # fmt: skip
    finally:
        messaging.close()
        training.close()
    return {
        "per_message": len(callbacks.statuses),
        **callbacks.counts,
        "parts_checked": len(statuses),
        "parts_without_last_status": sum(1 for s in statuses if s != final),
    }

"""Work through one phone's queue while holding its lease in the database."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from enum import Enum

from api.whatsapp.lease_keeper import LeaseKeeper
from store.messaging import MessagingStore

log = logging.getLogger("genie.whatsapp")


class Step(Enum):
    """What one unit of work did."""

    WORKED = "worked"  # did something; there may be more
    IDLE = "idle"  # nothing left right now
    WAIT = "wait"  # stop here; the work was rescheduled (backoff) or we are shutting down


def drain(
    store: MessagingStore,
    key: str,
    ttl_s: float,
    step: Callable[[], Step],
    has_work: Callable[[], bool],
    keeper: LeaseKeeper | None = None,
) -> None:
    """Run `step` under the lease `key` until it stops working; no-op if another owner holds it.

    With a `keeper` the lease is renewed by its heartbeat, also during a long step; without one
    (or when the heartbeat has fallen behind) it is renewed after every step.
    The lease holder looks for work once more after releasing: work recorded between its last
    look and the release was refused the lease by its producer, so nobody else would do it.
    """
    owner = uuid.uuid4().hex
    while store.acquire_lease(key, owner, ttl_s):
        outcome = Step.IDLE
        try:
            if keeper is None:
                outcome = _steps_renewing(store, key, owner, ttl_s, step)
            else:
                with keeper.holding(key, owner) as lease:
                    while (outcome := step()) is Step.WORKED:
                        if lease.lost or (keeper.needs_renewal(lease) and not keeper.renew(lease)):
                            log.warning("lease %s lost mid-work; another worker took over", key)
                            return
        finally:
            store.release_lease(key, owner)
        if outcome is Step.WAIT or not has_work():
            return


def _steps_renewing(
    store: MessagingStore, key: str, owner: str, ttl_s: float, step: Callable[[], Step]
) -> Step:
    """Steps with a renewal after each one (no heartbeat)."""
    while (outcome := step()) is Step.WORKED:
        if not store.renew_lease(key, owner, ttl_s):
            log.warning("lease %s expired mid-work; another worker took over", key)
            return Step.WAIT
    return outcome

"""Work through one phone's queue while holding its lease in the database."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from enum import Enum

from api.whatsapp.lease_keeper import LeaseKeeper
from store.messaging import IdleRelease, MessagingStore

log = logging.getLogger("genie.whatsapp")


class Step(Enum):
    """What one unit of work did."""

    WORKED = "worked"  # did something; there may be more
    IDLE = "idle"  # nothing left right now
    WAIT = "wait"  # stop here; the work was rescheduled (backoff) or we are shutting down
    # The step's own write gave up the lease, having found no work left (IdleRelease): stop,
    # with nothing to release and no need to look again.
    RELEASED = "released"


def drain(
    store: MessagingStore,
    key: str,
    ttl_s: float,
    step: Callable[[IdleRelease], Step],
    has_work: Callable[[], bool],
    keeper: LeaseKeeper | None = None,
    claim: Callable[[IdleRelease], bool] | None = None,
) -> None:
    """Run `step` under the lease `key` until it stops working; no-op if another owner holds it.

    With a `keeper` the lease is renewed by its heartbeat, also during a long step; without one
    (or when the heartbeat has fallen behind) it is renewed after every step.
    A step that settles the phone's last piece of work may release the lease in that same
    write (it is handed an IdleRelease and answers RELEASED). Otherwise the lease holder looks
    for work once more after releasing: work recorded between its last look and the release
    was refused the lease by its producer, so nobody else would do it.
    `claim` takes the lease in place of acquire_lease, reading the first work in that write.
    """
    owner = uuid.uuid4().hex
    idle = IdleRelease(key, owner, ttl_s)
    take = claim or (lambda lease: store.acquire_lease(lease.key, lease.owner, lease.ttl_s))
    while take(idle):
        outcome = Step.IDLE
        try:
            if keeper is None:
                outcome = _steps_renewing(store, idle, lambda: step(idle))
            else:
                with keeper.holding(key, owner) as lease:
                    while (outcome := step(idle)) is Step.WORKED:
                        if lease.lost or (keeper.needs_renewal(lease) and not keeper.renew(lease)):
                            log.warning("lease %s lost mid-work; another worker took over", key)
                            return
        finally:
            if outcome is not Step.RELEASED:
                store.release_lease(key, owner)
        if outcome in (Step.WAIT, Step.RELEASED) or not has_work():
            return


def _steps_renewing(store: MessagingStore, lease: IdleRelease, step: Callable[[], Step]) -> Step:
    """Steps with a renewal after each one (no heartbeat)."""
    while (outcome := step()) is Step.WORKED:
        if not store.renew_lease(lease.key, lease.owner, lease.ttl_s):
            log.warning("lease %s expired mid-work; another worker took over", lease.key)
            return Step.WAIT
    return outcome

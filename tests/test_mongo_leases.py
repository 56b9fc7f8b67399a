"""MongoDB's release-when-idle, which has no transaction around its look and its delete."""

from __future__ import annotations

from collections.abc import Iterator

import mongomock

from store.messaging import IdleRelease
from store.mongo_leases import MongoLeases

LEASE = IdleRelease("outbox:+15550001", "worker", 30)


def leases() -> MongoLeases:
    """Leases on a fresh mongomock collection, LEASE held by its owner."""
    store = MongoLeases(mongomock.MongoClient()["genie"]["WA_Leases"])
    assert store.acquire(LEASE.key, LEASE.owner, LEASE.ttl_s)
    return store


def answers(*values: bool) -> Iterator[bool]:
    """has_work's answers, one per look."""
    return iter(values)


def test_work_found_first_keeps_the_lease() -> None:
    store = leases()
    looks = answers(True)
    assert store.release_if_idle(LEASE, lambda: next(looks)) is False
    assert store.acquire(LEASE.key, "other", 30) is False


def test_no_work_releases_it() -> None:
    store = leases()
    looks = answers(False, False)
    assert store.release_if_idle(LEASE, lambda: next(looks)) is True
    assert store.acquire(LEASE.key, "other", 30) is True


def test_work_recorded_during_the_release_takes_the_lease_back() -> None:
    store = leases()
    looks = answers(False, True)  # a producer added work between the look and the delete
    assert store.release_if_idle(LEASE, lambda: next(looks)) is False  # ours again: keep going
    assert store.acquire(LEASE.key, "other", 30) is False


def test_work_taken_by_a_new_holder_meanwhile_is_left_to_it() -> None:
    store = leases()

    def look() -> bool:
        if not calls:
            calls.append("first")
            return False
        assert store.acquire(LEASE.key, "other", 30)  # the producer's worker took the lease
        return True

    calls: list[str] = []
    assert store.release_if_idle(LEASE, look) is True
    assert store.renew(LEASE.key, "other", 30) is True

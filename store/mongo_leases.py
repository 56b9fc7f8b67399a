"""Per-key leases on MongoDB: documents keyed by name; an upsert racing a live lease hits _id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from store.messaging import IdleRelease
from store.models import utcnow
from store.mongo_errors import unavailable_on_error


class MongoLeases:
    """Acquire, renew and release leases in one collection."""

    def __init__(self, leases: Collection[Any]) -> None:
        self._leases = leases

    def acquire(self, key: str, owner: str, ttl_s: float) -> bool:
        """Take the lease when free, expired or ours."""
        now = utcnow()
        query = {"_id": key, "$or": [{"expires_at": {"$lte": now}}, {"owner": owner}]}
        lease = {"owner": owner, "expires_at": now + timedelta(seconds=ttl_s)}
        with unavailable_on_error("acquire_lease"):
            try:
                self._leases.update_one(query, {"$set": lease}, upsert=True)
            except DuplicateKeyError:
                return False
        return True

    def renew(self, key: str, owner: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""
        expires = utcnow() + timedelta(seconds=ttl_s)
        with unavailable_on_error("renew_lease"):
            result = self._leases.update_one(
                {"_id": key, "owner": owner}, {"$set": {"expires_at": expires}}
            )
        return result.matched_count == 1

    def release(self, key: str, owner: str) -> None:
        """Give up our lease."""
        with unavailable_on_error("release_lease"):
            self._leases.delete_one({"_id": key, "owner": owner})

    def release_if_idle(self, lease: IdleRelease, has_work: Callable[[], bool]) -> bool:
        """Give up `lease` when `has_work` finds nothing; True when the phone's work is left to
        nobody but a new holder. Without a transaction spanning the check and the delete, a
        producer may add work in between: look once more and take the lease back for it."""
        if has_work():
            return False
        self.release(lease.key, lease.owner)
        if not has_work():
            return True
        # Taken already: its holder does the work. Ours again: the caller keeps going.
        return not self.acquire(lease.key, lease.owner, lease.ttl_s)

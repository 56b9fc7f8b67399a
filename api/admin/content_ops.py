"""Content changes made by admins: each one is versioned first, then applied through the store."""

from __future__ import annotations

import logging

from fastapi import HTTPException

from agent.content_load import replace_training, undo_sessions
from store.admin import AdminStore
from store.admin_models import ContentVersion, VersionAction
from store.audit import record
from store.base import TrainingStore
from store.models import SESSION_EXTRAS, TrainingSession

log = logging.getLogger("genie.admin")


def unprocessable(field: str, message: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors."""
    detail = [{"loc": ["body", field], "msg": message, "type": "value_error"}]
    return HTTPException(status_code=422, detail=detail)


def not_found(s_no: int) -> HTTPException:
    """A 404 naming the missing session."""
    return HTTPException(status_code=404, detail=f"session {s_no} not found")


class ContentEditor:
    """Applies one admin's content changes; the engine reads the store each turn, so they are live.

    The version is recorded before the change: a failure in between leaves an extra history
    entry, never an unrecorded change.
    """

    def __init__(self, store: TrainingStore, admin: AdminStore, who: str) -> None:
        self.store = store
        self.admin = admin
        self.who = who

    def _record(
        self,
        s_no: int,
        action: VersionAction,
        previous: TrainingSession | None = None,
        current: TrainingSession | None = None,
    ) -> None:
        version = ContentVersion(
            s_no=s_no, action=action, who=self.who, previous=previous, current=current
        )
        saved = self.admin.record_version(version)
        shown = current or previous
        heading = shown.heading if shown else None
        record(self.admin, self.who, f"content.{action}", f"session {s_no}", None,
               heading=heading, version=saved.id)  # fmt: skip
        log.info("content %s of session %s by %s", action, s_no, self.who)

    def create(self, session: TrainingSession) -> TrainingSession:
        """Add a session whose number is not taken yet."""
        if self.store.get_session(session.s_no) is not None:
            raise unprocessable("s_no", f"session {session.s_no} already exists")
        self._record(session.s_no, "create", current=session)
        self.store.upsert_session(session)
        return session

    def update(self, session: TrainingSession) -> TrainingSession:
        """Replace an existing session's text; its quiz, translations and media stay."""
        before = self.store.get_session(session.s_no)
        if before is None:
            raise not_found(session.s_no)
        kept = before.model_dump(include=set(SESSION_EXTRAS))
        session = session.model_copy(update=kept | session.model_dump(exclude_defaults=True))
        self._record(session.s_no, "update", before, session)
        self.store.upsert_session(session)
        return session

    def delete(self, s_no: int) -> None:
        """Remove a session (its text stays in the history, so it can be restored)."""
        before = self.store.get_session(s_no)
        if before is None:
            raise not_found(s_no)
        self._record(s_no, "delete", previous=before)
        self.store.delete_session(s_no)

    def reorder(self, order: list[int]) -> list[TrainingSession]:
        """Put sessions in a new order; the existing numbers are handed out in that order.

        Partners' progress and chat lines move with their sessions, so nobody changes place.
        """
        sessions = {s.s_no: s for s in self.store.list_sessions()}
        if len(set(order)) != len(order):
            raise unprocessable("order", "order lists a session more than once")
        if set(order) != set(sessions):
            missing = sorted(set(sessions) - set(order))
            unknown = sorted(set(order) - set(sessions))
            raise unprocessable(
                "order",
                f"order must list every session once (missing {missing}, unknown {unknown})",
            )
        mapping = dict(zip(order, sorted(sessions), strict=True))
        moved = [sessions[old].model_copy(update={"s_no": new}) for old, new in mapping.items()]
        for old, new in mapping.items():
            if old != new:
                previous = sessions[old]
                self._record(new, "reorder", previous, previous.model_copy(update={"s_no": new}))
        self.store.replace_sessions(moved)
        self.admin.renumber_sessions(mapping)
        return sorted(moved, key=lambda s: s.s_no)

    def restore(self, version_id: str) -> tuple[int, TrainingSession | None]:
        """Undo one change: put back the text from before it (deleting a created session)."""
        version = self.admin.get_version(version_id)
        if version is None:
            raise HTTPException(status_code=404, detail=f"version {version_id} not found")
        if version.action == "reorder":
            raise unprocessable("version", "a reorder is undone by reordering the sessions back")
        if version.whole_kb:  # a `genie kb load` (or its undo): the whole training goes back
            try:
                sessions = undo_sessions(version)
            except ValueError as exc:
                raise unprocessable("version", str(exc)) from exc
            replace_training(self.store, self.admin, sessions, self.who, "restore")
            record(
                self.admin, self.who, "content.restore", "all sessions", None, version=version_id
            )
            return version.s_no, None
        before = self.store.get_session(version.s_no)
        restored = version.previous
        self._record(version.s_no, "restore", before, restored)
        if restored is None:
            self.store.delete_session(version.s_no)
        else:
            self.store.upsert_session(restored)
        return version.s_no, restored

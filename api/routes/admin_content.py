"""Admin API for training content: list, edit, reorder, preview and undo sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from agent.render import session_replies
from api.admin.auth import require_admin
from api.admin.content_ops import ContentEditor, not_found
from api.admin.errors import StoreErrorsRoute
from api.admin.schemas import (
    PreviewBody,
    PreviewOut,
    PreviewPart,
    ReorderBody,
    RestoreOut,
    SessionBody,
    SessionCreate,
)
from api.deps import AdminDep, AdminStoreDep, StoreDep
from store.admin_models import ContentVersion
from store.models import TrainingSession

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: content"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)
SNo = Annotated[int, Path(ge=1, le=999, description="Session number")]


@router.get("/sessions")
def list_sessions(store: StoreDep) -> list[TrainingSession]:
    """Every training session, ordered by number."""
    return store.list_sessions()


@router.get("/sessions/{s_no}", responses={404: {"description": "No such session"}})
def get_session(s_no: SNo, store: StoreDep) -> TrainingSession:
    """One training session."""
    session = store.get_session(s_no)
    if session is None:
        raise not_found(s_no)
    return session


@router.post("/sessions", status_code=201)
def create_session(
    body: SessionCreate, store: StoreDep, admin_store: AdminStoreDep, admin: AdminDep
) -> TrainingSession:
    """Add a session; 422 when its number is taken. Partners see it on their next message."""
    editor = ContentEditor(store, admin_store, admin.name)
    return editor.create(TrainingSession(**body.model_dump()))


@router.put("/sessions/{s_no}", responses={404: {"description": "No such session"}})
def update_session(
    s_no: SNo, body: SessionBody, store: StoreDep, admin_store: AdminStoreDep, admin: AdminDep
) -> TrainingSession:
    """Replace a session's heading, content and media URL (the old text is kept as a version)."""
    editor = ContentEditor(store, admin_store, admin.name)
    return editor.update(TrainingSession(s_no=s_no, **body.model_dump()))


@router.delete(
    "/sessions/{s_no}", status_code=204, responses={404: {"description": "No such session"}}
)
def delete_session(
    s_no: SNo, store: StoreDep, admin_store: AdminStoreDep, admin: AdminDep
) -> Response:
    """Delete a session (restorable from its versions)."""
    ContentEditor(store, admin_store, admin.name).delete(s_no)
    return Response(status_code=204)


@router.post("/sessions/reorder")
def reorder_sessions(
    body: ReorderBody, store: StoreDep, admin_store: AdminStoreDep, admin: AdminDep
) -> list[TrainingSession]:
    """Put the sessions in a new order; partners' progress and chats move with their sessions."""
    return ContentEditor(store, admin_store, admin.name).reorder(body.order)


@router.post("/sessions/preview")
def preview_session(body: PreviewBody, store: StoreDep) -> PreviewOut:
    """The session as WhatsApp messages, split into parts exactly as Genie will send it."""
    stored = store.get_session(body.s_no)
    media = body.media if body.media is not None else (stored.media if stored else [])
    session = TrainingSession(
        s_no=body.s_no,
        heading=body.heading,
        content=body.content,
        media_url=body.media_url,
        media=media,
    )
    replies = session_replies(session, body.name)
    parts = [
        PreviewPart(
            text=r.text,
            media_url=r.media_url,
            chars=len(r.text),
            options=[o.title for o in r.interactive.options] if r.interactive else [],
        )
        for r in replies
    ]
    return PreviewOut(parts=parts)


@router.get("/sessions/{s_no}/versions")
def session_versions(
    s_no: SNo,
    admin_store: AdminStoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ContentVersion]:
    """A session's changes, newest first: who, when, the text before and after."""
    return admin_store.list_versions(s_no, limit)


@router.get("/versions")
def recent_versions(
    admin_store: AdminStoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ContentVersion]:
    """The latest content changes across all sessions, newest first."""
    return admin_store.list_versions(None, limit)


@router.post("/versions/{version_id}/restore", responses={404: {"description": "No such version"}})
def restore_version(
    version_id: Annotated[str, Path(max_length=64)],
    store: StoreDep,
    admin_store: AdminStoreDep,
    admin: AdminDep,
) -> RestoreOut:
    """Undo one change: the session goes back to its text from before that change."""
    s_no, session = ContentEditor(store, admin_store, admin.name).restore(version_id)
    return RestoreOut(s_no=s_no, session=session)

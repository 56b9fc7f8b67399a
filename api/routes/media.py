"""Media for sessions: admins upload files; WhatsApp fetches them from a public, unguessable URL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from api.admin.auth import require_admin
from api.deps import MediaStorageDep, SettingsDep
from store.media_files import MEDIA_TYPES, MediaRejected, kind_and_extension, size_limit

router = APIRouter(tags=["media"])
CHUNK = 64 * 1024


class UploadedMedia(BaseModel):
    """Where an uploaded file is served, ready for a session's `media` list."""

    url: str
    kind: str
    size_bytes: int


@router.post(
    "/api/admin/media",
    status_code=201,
    dependencies=[Depends(require_admin)],
    responses={413: {"description": "Over WhatsApp's size limit"}, 415: {"description": "Type"}},
)
async def upload_media(
    file: UploadFile, storage: MediaStorageDep, settings: SettingsDep
) -> UploadedMedia:
    """Store a picture, video, document or audio file and return its public URL."""
    try:
        kind, extension = kind_and_extension(file.content_type or "")
    except MediaRejected as exc:
        raise HTTPException(status_code=415, detail=str(exc)) from exc
    limit = size_limit(kind)
    data = bytearray()
    while chunk := await file.read(CHUNK):
        data += chunk
        if len(data) > limit:
            mb = limit // (1024 * 1024)
            raise HTTPException(413, f"a WhatsApp {kind} can be at most {mb} MB")
    if not data:
        raise HTTPException(status_code=422, detail="the file is empty")
    name = storage.save(bytes(data), extension)
    base = (settings.public_base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return UploadedMedia(url=f"{base}/media/{name}", kind=kind, size_bytes=len(data))


_TYPES = {extension: content_type for content_type, (_, extension) in MEDIA_TYPES.items()}


@router.get("/media/{name}", responses={404: {"description": "No such file"}})
def serve_media(
    name: Annotated[str, "an uploaded file's name"], storage: MediaStorageDep
) -> FileResponse:
    """An uploaded file (public: WhatsApp fetches it; the name is the secret)."""
    path = storage.path(name)
    if path is None:
        raise HTTPException(status_code=404, detail="no such file")
    return FileResponse(
        path, media_type=_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
    )

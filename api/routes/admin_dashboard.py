"""The admin dashboard at /admin: static HTML, CSS and JS files, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from api.admin.auth import admin_enabled

STATIC = Path(__file__).resolve().parent.parent / "static" / "admin"
ASSETS = {
    "app.css": "text/css",
    "app.js": "text/javascript",
    "api.js": "text/javascript",
    "charts.js": "text/javascript",
    "dom.js": "text/javascript",
    "overview.js": "text/javascript",
    "partners.js": "text/javascript",
    "quiz.js": "text/javascript",
    "transcript.js": "text/javascript",
    "reminders.js": "text/javascript",
    "editor.js": "text/javascript",
    "kpis.js": "text/javascript",
    "period.js": "text/javascript",
    "questions.js": "text/javascript",
    "activity.js": "text/javascript",
}
# Only our own files run, nothing inline, and the page cannot be framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

# The page is public (it holds no data) but only exists when admin tokens are configured.
router = APIRouter(tags=["admin: dashboard"], dependencies=[Depends(admin_enabled)])


@router.get("/admin", include_in_schema=False)
def dashboard() -> FileResponse:
    """The dashboard page."""
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=SECURITY_HEADERS)


@router.get("/admin/{asset}", include_in_schema=False)
def dashboard_asset(asset: str) -> FileResponse:
    """One of the dashboard's own CSS or JS files."""
    media_type = ASSETS.get(asset)
    if media_type is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return FileResponse(STATIC / asset, media_type=media_type, headers=SECURITY_HEADERS)

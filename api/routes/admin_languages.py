"""Admin API for languages: what the content offers, what is missing, and a partner's language."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from agent.languages import available, name_of
from agent.translations import missing, missing_quizzes
from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import AdminDep, AdminStoreDep, PartnerPhoneDep, SettingsDep, StoreDep
from store.audit import partner_tag, record
from store.models import Progress, ProgressUpdate

log = logging.getLogger("genie.admin")
router = APIRouter(
    prefix="/api/admin",
    tags=["admin: languages"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


class LanguageInfo(BaseModel):
    """One language partners can choose, and the sessions it lacks."""

    code: str
    name: str
    default: bool = False
    missing_sessions: list[int] = Field(default_factory=list)
    missing_quizzes: list[int] = Field(default_factory=list)  # quizzes asked in the default


class LanguageBody(BaseModel):
    """A partner's language; null returns them to the default language."""

    language: str | None = Field(default=None, max_length=20)


@router.get("/languages")
def list_languages(store: StoreDep, settings: SettingsDep) -> list[LanguageInfo]:
    """The default language and every language the content is translated into."""
    sessions = store.list_sessions()
    default = settings.default_language
    return [
        LanguageInfo(
            code=code,
            name=name_of(code),
            default=code == default,
            missing_sessions=missing(sessions, code, default),
            missing_quizzes=missing_quizzes(sessions, code, default),
        )
        for code in available(sessions, default)
    ]


@router.put(
    "/partners/{phone}/language",
    responses={404: {"description": "Unknown partner"}, 422: {"description": "Not offered"}},
)
def set_partner_language(
    phone: PartnerPhoneDep,
    body: LanguageBody,
    store: StoreDep,
    admin_store: AdminStoreDep,
    settings: SettingsDep,
    admin: AdminDep,
) -> Progress:
    """Set the language Genie writes to the partner in (null: the default language)."""
    before = store.get_progress(phone)
    if before is None:
        raise HTTPException(status_code=404, detail="partner not found")
    language = body.language or settings.default_language
    offered = available(store.list_sessions(), settings.default_language)
    if language not in offered:
        detail = f"{language!r} is not offered; choose one of: {', '.join(offered)}"
        raise HTTPException(status_code=422, detail=detail)
    progress = store.update_progress(phone, ProgressUpdate(language=language))
    was = before.language or settings.default_language
    target = before.name or phone
    record(admin_store, admin.name, "partner.language", target, phone, was=was, now=language)
    log.info(
        "language of partner %s set to %s by %s",
        partner_tag(phone, settings.log_fingerprint_secret),
        language,
        admin.name,
    )
    return progress

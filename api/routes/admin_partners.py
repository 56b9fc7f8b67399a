"""Admin API for partners: list and filter, progress, transcript, reset, erase and CSV export."""

from __future__ import annotations

import csv
import io
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from agent.certificates.files import forget_partner_pdfs
from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.admin.schemas import (
    EraseOut,
    PartnerDetail,
    RateLimitView,
    ResetOut,
    SessionProgress,
    Transcript,
)
from api.deps import (
    AdminDep,
    AdminStoreDep,
    EngineDep,
    PartnerPhoneDep,
    QuizStoreDep,
    SettingsDep,
    StoreDep,
)
from api.whatsapp.rate_limit import RATE_LIMITED
from store.audit import partner_tag, record
from store.base import TrainingStore
from store.models import ChatEntry, ProgressUpdate, utcnow
from store.partner_list import (
    ChatActivity,
    PartnerPage,
    PartnerQuery,
    PartnerSort,
    PartnerSummary,
    StatusFilter,
    merge_activity,
)

log = logging.getLogger("genie.admin")
router = APIRouter(
    prefix="/api/admin",
    tags=["admin: partners"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)
MAX_TRANSCRIPT = 5000
MAX_EXPORT = 100_000
EXPORT_PAGE = 1000
CSV_FIELDS = [
    "phone", "name", "status", "last_activity", "current_section", "completed_count",
    "total_sessions", "completed_sections", "started_at", "completed_at", "last_updated",
    "last_message_at", "messages", "questions", "language",
]  # fmt: skip


def partner_query(
    settings: SettingsDep,
    status: StatusFilter = "all",
    paused_days: Annotated[
        int | None,
        Query(ge=1, le=365, description="Quiet this long = paused (PARTNER_PAUSED_DAYS)"),
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of a phone or name")] = None,
    sort: PartnerSort = "last_activity",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PartnerQuery:
    """The partner filters from the query string."""
    return PartnerQuery(
        status=status,
        paused_days=paused_days or settings.partner_paused_days,
        search=q or None,
        sort=sort,
        descending=order == "desc",
        limit=limit,
        offset=offset,
    )


QueryDep = Annotated[PartnerQuery, Depends(partner_query)]


@router.get("/partners")
def list_partners(query: QueryDep, admin_store: AdminStoreDep) -> PartnerPage:
    """Partners by status (new, in training, paused, completed, opted out) and search, sorted
    by last activity (default), name, status, progress or questions."""
    return admin_store.list_partners(query)


def _cell(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not text.lstrip("+").isdigit():
        return "'" + text
    return text


@router.get("/partners/export.csv", response_class=Response)
def export_partners(query: QueryDep, store: StoreDep, admin_store: AdminStoreDep) -> Response:
    """Every partner matching the filters, with progress, as CSV (limit and offset ignored)."""
    total_sessions = len(store.list_sessions())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for offset in range(0, MAX_EXPORT, EXPORT_PAGE):
        page = admin_store.list_partners(
            query.model_copy(update={"limit": EXPORT_PAGE, "offset": offset})
        )
        for p in page.items:
            row = p.model_dump()
            row["last_activity"] = p.last_activity
            row["completed_count"] = len(p.completed_sections)
            row["total_sessions"] = total_sessions
            row["completed_sections"] = " ".join(map(str, p.completed_sections))
            writer.writerow([_cell(row[field]) for field in CSV_FIELDS])
        if offset + EXPORT_PAGE >= page.total:
            break
    headers = {"Content-Disposition": 'attachment; filename="partners.csv"'}
    headers["Cache-Control"] = "no-store"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _summary(
    store: TrainingStore, phone: str, chat: list[ChatEntry], paused_days: int
) -> PartnerSummary:
    progress = store.get_progress(phone)
    if progress is None and not chat:
        raise HTTPException(status_code=404, detail="partner not found")
    said = [c for c in chat if c.who == "partner"]
    activity = {}
    if said:
        questions = sum(c.intent == "question" for c in said)
        activity[phone] = ChatActivity(said[0].time, said[-1].time, len(said), questions)
    paused_before = PartnerQuery(paused_days=paused_days).paused_before
    return merge_activity([progress] if progress else [], activity, paused_before)[0]


@router.get("/partners/{phone}", responses={404: {"description": "Unknown partner"}})
def partner_detail(phone: PartnerPhoneDep, store: StoreDep, settings: SettingsDep) -> PartnerDetail:
    """One partner's progress: state and message count for every session."""
    chat = store.chat_history(phone, limit=MAX_TRANSCRIPT)
    partner = _summary(store, phone, chat, settings.partner_paused_days)
    rows = []
    for s in store.list_sessions():
        state = "completed" if s.s_no in partner.completed_sections else "open"
        if s.s_no == partner.current_section and partner.status != "completed":
            state = "current"
        said = sum(c.who == "partner" and c.session == s.s_no for c in chat)
        rows.append(SessionProgress(s_no=s.s_no, heading=s.heading, state=state, messages=said))
    held = sum(c.who == "partner" and c.source == RATE_LIMITED for c in chat)
    limit = RateLimitView(
        messages=settings.rate_limit_messages, window_s=settings.rate_limit_window_s, held_back=held
    )
    return PartnerDetail(partner=partner, sessions=rows, rate_limit=limit)


@router.get("/partners/{phone}/transcript", responses={404: {"description": "Unknown partner"}})
def partner_transcript(
    phone: PartnerPhoneDep,
    store: StoreDep,
    session: Annotated[int | None, Query(ge=1, le=999, description="Only this session")] = None,
) -> Transcript:
    """The partner's chat, oldest first (the latest 5,000 lines): all of it or one session's."""
    chat = store.chat_history(phone, session=session, limit=MAX_TRANSCRIPT)
    progress = store.get_progress(phone)
    if progress is None and not chat and not store.chat_history(phone, limit=1):
        raise HTTPException(status_code=404, detail="partner not found")
    headings = {s.s_no: s.heading for s in store.list_sessions()}
    name = progress.name if progress else None
    return Transcript(phone=phone, name=name, session=session, headings=headings, entries=chat)


@router.post("/partners/{phone}/reset", responses={404: {"description": "Unknown partner"}})
def reset_partner(
    phone: PartnerPhoneDep,
    store: StoreDep,
    admin_store: AdminStoreDep,
    admin: AdminDep,
    settings: SettingsDep,
) -> ResetOut:
    """Start the partner's training over: no sessions done, not started (chat history kept)."""
    before = store.get_progress(phone)
    if before is None:
        raise HTTPException(status_code=404, detail="partner not found")
    done = before.completed_sections
    record(admin_store, admin.name, "partner.reset", before.name or phone, phone, completed=done)
    reset = ProgressUpdate(
        current_section=None,
        in_training_mode=False,
        training_started=False,
        started_at=None,
        clear_completed_at=True,
        reset_completed=True,
    )
    progress = store.update_progress(phone, reset)
    who = partner_tag(phone, settings.log_fingerprint_secret)
    log.info("training reset for %s by %s", who, admin.name)
    return ResetOut(progress=progress)


@router.delete("/partners/{phone}")
def erase_partner(
    phone: PartnerPhoneDep,
    admin_store: AdminStoreDep,
    admin: AdminDep,
    settings: SettingsDep,
    quiz_store: QuizStoreDep,
    engine: EngineDep,
) -> EraseOut:
    """Privacy erasure: delete every record about the phone (progress, chats, the CRM lead,
    WhatsApp inbox/outbox, certificates and their kept PDFs) in every table or collection.
    Repeating it deletes nothing more."""
    forget_partner_pdfs(engine.trainer.quiz_config, quiz_store, phone)
    deleted = admin_store.erase_partner(phone)
    # Neither the log nor the activity list may keep the number it just erased, not even a
    # plain hash of it: a keyed fingerprint or nothing (earlier audit entries went with it).
    who = partner_tag(phone, settings.log_fingerprint_secret)
    record(admin_store, admin.name, "partner.erase", who, None, deleted=deleted)
    log.info("erased %s by %s: %s", who, admin.name, deleted)
    return EraseOut(phone=phone, deleted=deleted, erased_at=utcnow())

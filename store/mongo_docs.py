"""Map Training_KB, Training_Progress, GMT_CH and GMT_Leads documents to and from models.

Training_Progress uses the production camelCase field names; records written before
inTrainingMode/trainingStarted existed lack them, which reads as False (no migration).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from store.models import (
    SESSION_EXTRAS,
    ChatEntry,
    ChatOptions,
    Progress,
    ProgressUpdate,
    TrainingSession,
)

Doc = dict[str, Any]

# model field -> Training_Progress field, for the plain fields a ProgressUpdate can set
PROGRESS_FIELDS = {
    "name": "name",
    "current_section": "currentSection",
    "in_training_mode": "inTrainingMode",
    "training_started": "trainingStarted",
    "started_at": "startedAt",
    "completed_at": "completedAt",
    "language": "language",
    "timezone": "timezone",
    "opted_out": "optedOut",
    "opted_out_at": "optedOutAt",
    "pending": "pending",
    "quiz": "quiz",
}

# GMT_Leads is filled by other tools (CRM exports, sheets), so several spellings exist.
LEAD_PHONE_FIELDS = ("phone", "Phone", "mobile", "Mobile", "phone_number", "phoneNumber")
LEAD_NAME_FIELDS = ("name", "Name", "full_name", "fullName", "first_name", "firstName")


def as_utc(value: object) -> datetime | None:
    """An aware UTC datetime from a BSON date (naive UTC) or ISO text; None otherwise."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def session_to_doc(session: TrainingSession) -> Doc:
    """A Training_KB document; media_url only when there is one."""
    doc: Doc = {"s_no": session.s_no, "heading": session.heading, "content": session.content}
    if session.media_url:
        doc["media_url"] = session.media_url
    doc.update(session.model_dump(include=set(SESSION_EXTRAS), exclude_defaults=True))
    return doc


def session_from_doc(doc: Mapping[str, Any]) -> TrainingSession:
    """A TrainingSession from a Training_KB document (raises ValueError when malformed)."""
    fields = {key: doc.get(key) for key in ("s_no", "heading", "content")}
    extras = {key: doc[key] for key in SESSION_EXTRAS if doc.get(key) is not None}
    return TrainingSession.model_validate(
        {**fields, **extras, "media_url": doc.get("media_url") or None}
    )


def _section_numbers(values: object) -> list[int]:
    """Completed sections as sorted unique ints, dropping anything that is not a number."""
    if not isinstance(values, list):
        return []
    numbers = {int(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)}
    return sorted(numbers)


def progress_from_doc(doc: Mapping[str, Any]) -> Progress:
    """A Progress from a Training_Progress document, old or new shape."""
    current = doc.get("currentSection")
    return Progress(
        phone=str(doc["phone"]),
        name=doc.get("name") or None,
        current_section=int(current) if isinstance(current, int | float) else None,
        completed_sections=_section_numbers(doc.get("completedSections")),
        in_training_mode=bool(doc.get("inTrainingMode", False)),
        training_started=bool(doc.get("trainingStarted", False)),
        started_at=as_utc(doc.get("startedAt")),
        completed_at=as_utc(doc.get("completedAt")),
        last_updated=as_utc(doc.get("lastUpdated")),
        created_at=as_utc(doc.get("createdAt")),
        language=doc.get("language") or None,
        timezone=doc.get("timezone") or None,
        opted_out=bool(doc.get("optedOut", False)),
        opted_out_at=as_utc(doc.get("optedOutAt")),
        pending=doc.get("pending") or None,
        quiz=doc.get("quiz") if isinstance(doc.get("quiz"), dict) else None,
        version=int(doc.get("version") or 0),
    )


def progress_doc(progress: Progress) -> Doc:
    """The Training_Progress fields of a whole Progress (for a turn's compare-and-set)."""
    doc: Doc = {"phone": progress.phone}
    doc |= {field: getattr(progress, name) for name, field in PROGRESS_FIELDS.items()}
    doc["completedSections"] = list(progress.completed_sections)
    doc["lastUpdated"] = progress.last_updated
    if progress.created_at is not None:
        doc["createdAt"] = progress.created_at
    return doc


def progress_update_ops(phone: str, update: ProgressUpdate, now: datetime) -> Doc:
    """The update operators applying `update` in one find_one_and_update (with upsert).

    Fields set on the ProgressUpdate (even to None) are $set; unset ones are left alone.
    $set and $addToSet may not touch the same field, so a reset that also adds sections
    becomes a $set of exactly the added list.
    """
    set_fields: Doc = {"lastUpdated": now}
    explicit = {k: v for k, v in update.explicit_fields().items() if k in PROGRESS_FIELDS}
    for field, value in explicit.items():
        set_fields[PROGRESS_FIELDS[field]] = value
    ops: Doc = {}
    if update.clear_completed_at:
        set_fields.pop("completedAt", None)
        ops["$unset"] = {"completedAt": ""}
    added = list(dict.fromkeys(update.add_completed))
    if update.reset_completed:
        set_fields["completedSections"] = sorted(added)
    elif added:
        ops["$addToSet"] = {"completedSections": {"$each": added}}
    on_insert: Doc = {"phone": phone, "createdAt": now}
    # A new record gets the full production shape, minus fields other operators touch.
    defaults: Doc = {
        "currentSection": None,
        "completedSections": [],
        "inTrainingMode": False,
        "trainingStarted": False,
    }
    touched = set(set_fields) | set(ops.get("$addToSet", {})) | set(ops.get("$unset", {}))
    on_insert.update({k: v for k, v in defaults.items() if k not in touched})
    ops["$set"] = set_fields
    ops["$setOnInsert"] = on_insert
    ops["$inc"] = {"version": 1}  # invalidates the compare-and-set of any turn in flight
    return ops


def chat_to_doc(entry: ChatEntry) -> Doc:
    """A GMT_CH document: one per chat line (`source` is Genie's addition to the old shape)."""
    return {
        "phone": entry.phone,
        "session": entry.session,
        "who": entry.who,
        "text": entry.text,
        "time": entry.time,
        "intent": entry.intent,
        "source": entry.source,
        "message_id": entry.message_id,
        **({"options": entry.options.model_dump()} if entry.options else {}),
    }


def chat_from_doc(doc: Mapping[str, Any]) -> ChatEntry:
    """A ChatEntry from a GMT_CH document."""
    session = doc.get("session")
    return ChatEntry(
        phone=str(doc["phone"]),
        who=doc.get("who", "partner"),
        text=str(doc.get("text", "")),
        time=as_utc(doc.get("time")) or datetime.fromtimestamp(0, UTC),
        intent=doc.get("intent"),
        message_id=doc.get("message_id"),
        session=int(session) if isinstance(session, int | float) else None,
        source=doc.get("source"),
        options=_options(doc.get("options")),
    )


def _options(raw: Any) -> ChatOptions | None:
    """A line's stored buttons or list; None when absent or unreadable (never fails a read)."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return ChatOptions.model_validate(raw)
    except ValidationError:
        return None


def phone_variants(phone: str) -> list[object]:
    """The ways a lead's phone may be stored: as given, with and without '+', as a number."""
    bare = phone.removeprefix("whatsapp:").strip().removeprefix("+")
    variants: list[object] = list(dict.fromkeys([phone, bare, "+" + bare]))
    if bare.isdigit():
        variants.append(int(bare))  # spreadsheet imports often store numbers
    return variants


def lead_query(phone: str) -> Doc:
    """A GMT_Leads filter matching any supported phone field against any phone variant."""
    variants = phone_variants(phone)
    return {"$or": [{field: {"$in": variants}} for field in LEAD_PHONE_FIELDS]}


def lead_name_from_docs(docs: list[Mapping[str, Any]], phone: str) -> str | None:
    """The first non-empty name, preferring a lead whose phone matches exactly."""
    exact = [d for d in docs if any(d.get(f) == phone for f in LEAD_PHONE_FIELDS)]
    for doc in exact + docs:
        for field in LEAD_NAME_FIELDS:
            name = doc.get(field)
            if isinstance(name, str) and name.strip():
                return name.strip()
    return None

"""FastAPI dependencies: settings, store, engine and the admin ones, overridable in tests.

The getters that only read app.state are `async def`: FastAPI runs a plain `def` dependency in
its thread pool, a hop that cost more than the webhook's own work under load. Plain Starlette
routes (the Twilio webhooks) call the same getters through `resolve`, which honours
app.dependency_overrides too.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request

from agent.engine import Engine
from agent.settings import Settings
from api.admin.auth import Admin, require_admin
from api.whatsapp.sender import Sender
from api.whatsapp.service import WhatsAppService
from store.admin import AdminStore
from store.base import TrainingStore
from store.feedback_reader import FeedbackReader
from store.media_files import LocalMediaStorage, MediaStorage
from store.messaging import MessagingStore
from store.quiz_store import QuizStore
from store.reminders import ReminderStore

T = TypeVar("T")


async def resolve(request: Request, getter: Callable[[Request], Awaitable[T]]) -> T:
    """What `getter` gives for a plain Starlette route, or its override from
    app.dependency_overrides (called with no arguments, as tests write them)."""
    override: Callable[[], Any] | None = request.app.dependency_overrides.get(getter)
    if override is None:
        return await getter(request)
    value = override()
    return await value if inspect.isawaitable(value) else value  # type: ignore[no-any-return]


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> TrainingStore:
    """The app's store."""
    store: TrainingStore = request.app.state.store
    return store


async def get_media_storage(request: Request) -> MediaStorage:
    """Where uploaded session media is kept (MEDIA_DIR)."""
    settings: Settings = request.app.state.settings
    return LocalMediaStorage(settings.media_dir)


async def get_engine(request: Request) -> Engine:
    """The app's conversation engine."""
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[TrainingStore, Depends(get_store)]
EngineDep = Annotated[Engine, Depends(get_engine)]
MediaStorageDep = Annotated[MediaStorage, Depends(get_media_storage)]

_admin_store_lock = threading.Lock()


def get_admin_store(request: Request) -> AdminStore:
    """The admin queries over the app's store (same connection), made on first use."""
    from store.admin_factory import admin_store_for

    state = request.app.state
    with _admin_store_lock:
        admin: AdminStore | None = getattr(state, "admin_store", None)
        if admin is None or getattr(admin, "store", None) is not state.store:
            admin = admin_store_for(state.store)
            state.admin_store = admin
        return admin


def get_quiz_store(request: Request) -> QuizStore:
    """Quiz answers, feedback and certificates, next to the app's store."""
    from store.quiz_factory import quiz_store_for

    return quiz_store_for(request.app.state.store)


QuizStoreDep = Annotated[QuizStore, Depends(get_quiz_store)]


def get_feedback_reader(request: Request) -> FeedbackReader:
    """Where partner feedback is read from: app.state.feedback if set, else the quiz store's
    ratings (None from it until a partner has given feedback)."""
    from store.quiz_factory import quiz_store_for
    from store.quiz_feedback_reader import QuizFeedbackReader

    reader: FeedbackReader | None = getattr(request.app.state, "feedback", None)
    return reader or QuizFeedbackReader(quiz_store_for(request.app.state.store))


def partner_phone(
    phone: Annotated[
        str,
        Path(
            pattern=r"^\s*(whatsapp:)?\+?[0-9]{3,20}\s*$",
            description="The partner's phone: +15550000100, 15550000100 or whatsapp:+15550000100",
        ),
    ],
) -> str:
    """The partner's phone from the path in the stored form, '+' and digits, however written."""
    return "+" + phone.strip().removeprefix("whatsapp:").lstrip("+")


AdminDep = Annotated[Admin, Depends(require_admin)]
PartnerPhoneDep = Annotated[str, Depends(partner_phone)]
AdminStoreDep = Annotated[AdminStore, Depends(get_admin_store)]
FeedbackDep = Annotated[FeedbackReader, Depends(get_feedback_reader)]


def get_reminder_store(request: Request) -> ReminderStore:
    """The reminder records next to the app's store (same connection), made on first use."""
    from store.reminders_factory import reminder_store_for

    state = request.app.state
    with _admin_store_lock:
        reminders: ReminderStore | None = getattr(state, "reminder_store", None)
        if reminders is None:
            reminders = reminder_store_for(state.store, state.settings.reminders_collection)
            state.reminder_store = reminders
        return reminders


ReminderStoreDep = Annotated[ReminderStore, Depends(get_reminder_store)]


# -- WhatsApp transport --
async def get_sender(request: Request) -> Sender:
    """The outbound WhatsApp sender (Twilio, or the console without credentials)."""
    sender: Sender = request.app.state.sender
    return sender


async def get_messaging(request: Request) -> MessagingStore:
    """The inbox/outbox store."""
    messaging: MessagingStore = request.app.state.messaging
    return messaging


async def get_whatsapp(request: Request) -> WhatsAppService:
    """The background service that processes the inbox and delivers the outbox."""
    service: WhatsAppService = request.app.state.whatsapp
    return service


SenderDep = Annotated[Sender, Depends(get_sender)]
MessagingDep = Annotated[MessagingStore, Depends(get_messaging)]
WhatsAppDep = Annotated[WhatsAppService, Depends(get_whatsapp)]

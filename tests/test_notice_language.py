"""Notices sent outside a turn (the apology after a crash) follow the partner's language."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.engine import Engine
from agent.messages import Inbound, Reply
from api.whatsapp.processor import InboundProcessor
from api.whatsapp.rate_limit import RateLimit
from store.messaging import NewInbound
from store.models import ProgressUpdate
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore


class Broken:
    """A handler with a bug; knows each partner's language like the Engine does."""

    def __init__(self, languages: dict[str, str]) -> None:
        self.languages = languages

    def handle_message(self, inbound: Inbound) -> list[Reply]:
        raise RuntimeError("a bug")

    def language_for(self, phone: str, text: str) -> str:
        return self.languages.get(phone, "en")


def _apology(tmp_path: Path, phone: str, text: str, handler: object) -> str:
    store = SQLiteMessagingStore(tmp_path / "genie.db")
    store.record_inbound(NewInbound(message_sid="SM1", phone=phone, text=text))
    processor = InboundProcessor(
        store, handler, lambda _p: None, rate_limit=RateLimit(), lease_s=10.0,  # type: ignore[arg-type]
        stopping=threading.Event(),
    )  # fmt: skip
    processor.process_phone(phone)
    [part] = store.parts_for("SM1")
    store.close()
    return part.body


def test_the_apology_after_a_crash_is_in_the_partners_language(tmp_path: Path) -> None:
    hindi = _apology(tmp_path, "+15550001", "next", Broken({"+15550001": "hi"}))
    assert "तकनीकी" in hindi and "technical problem" not in hindi
    english = _apology(tmp_path / "x", "+15550002", "next", Broken({}))
    assert "technical problem" in english


def test_the_engine_tells_the_stored_language_then_the_script(store: SQLiteStore) -> None:
    engine = Engine(store)
    assert engine.language_for("+15550003", "next") == "en"
    assert engine.language_for("+15550003", "अगला") == "hi"
    store.update_progress("+15550003", ProgressUpdate(language="hi"))
    assert engine.language_for("+15550003", "next") == "hi"

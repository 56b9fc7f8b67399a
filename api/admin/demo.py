"""Demo data for the dashboard: partners at different stages, talking to the real engine.

The conversations go through the engine, then each partner's timeline is moved into the past
(so the charts show stalls, activity and completion times). Fictional names and numbers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from agent.engine import Engine
from agent.messages import Inbound
from api.admin.content_ops import ContentEditor
from store.audit import record
from store.factory import seed_if_empty
from store.models import utcnow
from store.sqlite_admin import SQLiteAdmin
from store.sqlite_store import SQLiteStore

ENROL = "I am a new partner"
SS_QUESTION = "What is the difference between SS304 and SS316?"
MOQ_QUESTION = "What is the minimum order quantity?"
COMMISSION_QUESTION = "When is commission paid?"
HOSPITALS = "Can I sell to hospitals abroad?"  # not in the sample content: "not covered"
REFERRAL = "Is there a referral bonus for bringing another partner?"

# phone, name, days ago it started, hours between messages, messages
DEMO_PARTNERS: list[tuple[str, str, float, float, list[str]]] = [
    (
        "+15550101",
        "Asha Rao",
        9,
        10,
        [ENROL, "done", SS_QUESTION, *["done"] * 3, COMMISSION_QUESTION, *["done"] * 3],
    ),
    ("+15550102", "Vikram Shah", 6, 3, [ENROL, *["done"] * 7]),
    ("+15550103", "Meera Iyer", 20, 5, [ENROL, "done", "done", MOQ_QUESTION, HOSPITALS]),
    (
        "+15550104",
        "Ben Okafor",
        2,
        6,
        [ENROL, "next", SS_QUESTION, "done", "can i sell to hospitals abroad?", "how far am I?"],
    ),
    ("+15550105", "Chen Li", 0.05, 1, ["hello"]),
    ("+15550106", "Fatima Khan", 10, 8, [ENROL, *["done"] * 4, COMMISSION_QUESTION]),
    ("+15550107", "Rahul Verma", 4, 12, [ENROL, *["done"] * 5, COMMISSION_QUESTION, "menu"]),
    ("+15550108", "Priya Nair", 3, 20, [ENROL, "done", MOQ_QUESTION, REFERRAL, "talk later"]),
    ("+15550109", "Diego Alvarez", 30, 30, [ENROL, *["done"] * 7]),
    (
        "+15550110",
        "Sara Mensah",
        1,
        2,
        [ENROL, "done", "done", MOQ_QUESTION, SS_QUESTION, HOSPITALS],
    ),
]


def _retime(store: SQLiteStore, phone: str, times: list[datetime]) -> None:
    """Give the phone's chat lines and progress the planned times (message i at times[i])."""
    with store._tx() as db:
        rows = db.execute(
            "SELECT id, who FROM chat_history WHERE phone = ? ORDER BY id", (phone,)
        ).fetchall()
        turn, reply = -1, 0
        for row in rows:
            if row["who"] == "partner":
                turn, reply = turn + 1, 0
            reply += 1
            when = times[max(turn, 0)] + timedelta(seconds=reply)
            db.execute(
                "UPDATE chat_history SET time = ? WHERE id = ?", (when.isoformat(), row["id"])
            )
        progress = db.execute(
            "SELECT started_at, completed_at FROM training_progress WHERE phone = ?", (phone,)
        ).fetchone()
        db.execute(
            "UPDATE training_progress SET created_at = ?, last_updated = ?, started_at = ?,"
            " completed_at = ? WHERE phone = ?",
            (
                times[0].isoformat(),
                times[-1].isoformat(),
                times[0].isoformat() if progress["started_at"] else None,
                times[-1].isoformat() if progress["completed_at"] else None,
                phone,
            ),
        )


def _demo_edit(store: SQLiteStore) -> None:
    """One versioned content edit, so the editor's history has an entry."""
    session = store.get_session(2)
    if session is not None:
        extra = "Ask us for the grade chart: it fits on one page."
        changed = session.model_copy(update={"content": f"{session.content}\n\n{extra}"})
        ContentEditor(store, SQLiteAdmin(store), "maria").update(changed)


def _demo_admin_actions(store: SQLiteStore) -> None:
    """Entries for the activity list: a content load from the CLI and a training reset."""
    admin = SQLiteAdmin(store)
    sessions = len(store.list_sessions())
    record(admin, "cli:deploy", "content.load", "partner-training.yaml", None, sessions=sessions)
    record(admin, "maria", "partner.reset", "Chen Li", "+15550105", completed=[])


def seed_demo(store: SQLiteStore, now: datetime | None = None) -> None:
    """The sample content and ten partners: finished, active, paused and new."""
    seed_if_empty(store)
    _demo_admin_actions(store)
    _demo_edit(store)
    engine = Engine(store)
    now = now or utcnow()
    for phone, name, days_ago, gap_hours, texts in DEMO_PARTNERS:
        for text in texts:
            engine.handle_message(Inbound(phone=phone, text=text, profile_name=name))
        start = now - timedelta(days=days_ago)
        times = [start + timedelta(hours=gap_hours * i) for i in range(len(texts))]
        _retime(store, phone, [min(t, now - timedelta(minutes=5)) for t in times])


def demo_store(path: Path) -> SQLiteStore:
    """A new SQLite store at `path` holding the demo data."""
    store = SQLiteStore(path)
    seed_demo(store)
    return store

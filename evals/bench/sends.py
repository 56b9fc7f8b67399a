"""Send-path mode: the CPU one process spends per Twilio send and per delivered outbox part."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient

from api.whatsapp.lease_keeper import LeaseKeeper
from api.whatsapp.outbox import OutboxDeliverer, RetryPolicy
from api.whatsapp.sender import CollectingSender, OutboundMessage, Sender, TwilioSender
from api.whatsapp.twilio_http import PooledTwilioHttpClient
from evals.fakes.twilio_api import FakeTwilioAPI
from store.messaging import NewInbound, OutboundPart
from store.sqlite_messaging import SQLiteMessagingStore
from store.turns import TurnWrite

FROM = "+14155238886"
BODY = "Session 2: Meeting a customer. " * 8  # about a reply part's usual length
PARTS_PER_MESSAGE = 3  # a keyword reply is one to three parts


def run_sends(sends: int = 2000, repeats: int = 5) -> dict[str, Any]:
    """CPU ms per send through TwilioSender against the local fake Twilio, with the library's
    requests-based client and with the pooled one, interleaved so both see the same machine;
    and CPU ms per part OutboxDeliverer delivers on SQLite (store work alone, with a
    collecting sender, and with the real sender). Best of `repeats` runs (the machine's noise
    only ever adds CPU), medians alongside."""
    runs: dict[str, list[float]] = {name: [] for name in KINDS}
    with FakeTwilioAPI() as fake:
        senders = {
            "send, twilio TwilioHttpClient (requests)": _sender(fake, TwilioHttpClient),
            "send, PooledTwilioHttpClient (urllib3)": _sender(fake, PooledTwilioHttpClient),
        }
        for made in senders.values():
            _send(made, 50)  # warm the connection and the imports
        pooled = senders["send, PooledTwilioHttpClient (urllib3)"]
        for _ in range(repeats):
            for name, made in senders.items():
                runs[name].append(_send(made, sends))
            runs["outbox part, store work only"].append(_deliver(CollectingSender(), sends))
            runs["outbox part, with the pooled send"].append(_deliver(pooled, sends))
    return {
        "sends": sends,
        "repeats": repeats,
        "cpu_ms": {name: min(values) for name, values in runs.items()},
        "cpu_ms_median": {name: round(statistics.median(v), 3) for name, v in runs.items()},
    }


KINDS = (
    "send, twilio TwilioHttpClient (requests)",
    "send, PooledTwilioHttpClient (urllib3)",
    "outbox part, store work only",
    "outbox part, with the pooled send",
)


def _sender(fake: FakeTwilioAPI, client: Callable[..., HttpClient]) -> TwilioSender:
    made = TwilioSender(fake.account_sid, fake.auth_token, FROM, api_base_url=fake.base_url)
    made._client.http_client = client(timeout=10.0)
    return made


def _send(sender: Sender, count: int) -> float:
    """CPU ms of this thread per send (the fake answers in its own threads)."""
    message = OutboundMessage(to="+15550000001", body=BODY)
    started = time.thread_time()
    for _ in range(count):
        result = sender.send(message)
        if not result.ok:
            raise RuntimeError(f"fake Twilio refused a send: {result.error}")
    return round((time.thread_time() - started) * 1000 / count, 3)


def _deliver(sender: Sender, parts: int) -> float:
    """CPU ms of this thread per part delivered by OutboxDeliverer from a fresh SQLite file."""
    messages = max(1, parts // PARTS_PER_MESSAGE)
    phones = [f"+1555{n:07d}" for n in range(max(1, messages // 4))]
    with tempfile.TemporaryDirectory(prefix="genie-sends-") as folder:
        db = SQLiteMessagingStore(Path(folder) / "sends.db")
        try:
            for n in range(messages):
                _queue_reply(db, phones[n % len(phones)], f"SMbench{n:08d}")
            keeper = LeaseKeeper(db, 15.0)  # the service's heartbeat renews the leases
            keeper.start()
            deliverer = OutboxDeliverer(
                db, sender, lambda _phone, _delay: None, policy=RetryPolicy(),
                lease_s=15.0, stopping=threading.Event(), keeper=keeper,
            )  # fmt: skip
            started = time.thread_time()
            for phone in phones:
                deliverer.deliver_phone(phone)
            elapsed = time.thread_time() - started
            keeper.stop()
            if db.phones_with_pending_parts():
                raise RuntimeError("parts left undelivered")
        finally:
            db.close()
    return round(elapsed * 1000 / (messages * PARTS_PER_MESSAGE), 3)


def _queue_reply(db: SQLiteMessagingStore, phone: str, sid: str) -> None:
    """An inbound message and its committed reply parts, as a turn leaves them."""
    db.record_inbound(NewInbound(message_sid=sid, phone=phone, text="next"))
    parts = [OutboundPart(body=BODY) for _ in range(PARTS_PER_MESSAGE)]
    db.commit_turn(TurnWrite(key=sid, phone=phone, inbound_sid=sid, parts=parts))

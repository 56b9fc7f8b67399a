"""Retries, bursts and several processes: once each, in order per partner, all partners served."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import mongomock
from fastapi.testclient import TestClient

from agent.engine import Engine
from api.main import create_app
from api.whatsapp.outbox import RetryPolicy
from api.whatsapp.sender import CollectingSender
from api.whatsapp.service import WhatsAppService
from store.factory import open_store
from store.messaging import MessagingStore, NewInbound
from store.mongo_messaging import MongoMessagingStore
from tests.whatsapp_helpers import (
    EchoHandler,
    TrackingHandler,
    new_sid,
    post_signed,
    twilio_form,
    wa_settings,
    wait_until,
)

PHONE = "+919876543210"


def app_client(tmp_path: Path, handler: Any, sender: CollectingSender) -> TestClient:
    """An app (not started) on the shared SQLite file in tmp_path."""
    settings = wa_settings(tmp_path)
    store = open_store(settings)
    return TestClient(create_app(settings=settings, store=store, engine=handler, sender=sender))


def test_a_message_delivered_three_times_is_answered_once(tmp_path: Path) -> None:
    brain, sender = TrackingHandler(EchoHandler()), CollectingSender()
    form = twilio_form(PHONE, "hello")
    with app_client(tmp_path, brain, sender) as client, ThreadPoolExecutor(3) as pool:
        statuses = list(pool.map(lambda _: post_signed(client, form).status_code, range(3)))
        wait_until(lambda: len(sender.sent) == 1, what="the reply")
        time.sleep(0.3)  # a second reply would have had time to show up
    assert statuses == [200, 200, 200]
    assert brain.calls[PHONE] == ["hello"] and [m.body for m in sender.sent] == ["echo: hello"]


def test_two_messages_50_ms_apart_are_applied_once_each_in_order(tmp_path: Path) -> None:
    settings = wa_settings(tmp_path)
    store = open_store(settings)
    brain: Any = TrackingHandler(Engine(store), delay_s=0.2)
    sender = CollectingSender()
    with TestClient(
        create_app(settings=settings, store=store, engine=brain, sender=sender)
    ) as client:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(post_signed, client, twilio_form(PHONE, "I am a new partner"))
            time.sleep(0.05)
            second = pool.submit(post_signed, client, twilio_form(PHONE, "next"))
            assert first.result().status_code == second.result().status_code == 200
        wait_until(lambda: client.app.state.messaging.phones_with_unprocessed() == [])  # type: ignore[attr-defined]
        wait_until(lambda: client.app.state.messaging.next_part(PHONE) is None)  # type: ignore[attr-defined]
    assert brain.calls[PHONE] == ["I am a new partner", "next"]
    assert brain.max_parallel[PHONE] == 1
    progress = store.get_progress(PHONE)
    assert progress is not None and progress.current_section == 2
    bodies = [m.body for m in sender.sent]
    assert "Welcome to the partner programme" in bodies[0]
    session_two = [i for i, b in enumerate(bodies) if "Session 2" in b]
    assert session_two and session_two[0] > 1  # the "next" replies come after the welcome


def test_fifty_partners_at_once_each_get_their_own_replies(tmp_path: Path) -> None:
    settings = wa_settings(tmp_path)
    store = open_store(settings)
    sender = CollectingSender()
    partners = {f"+1555020{i:04d}": f"Partner{i}" for i in range(50)}
    app = create_app(settings=settings, store=store, sender=sender)
    with TestClient(app) as client, ThreadPoolExecutor(16) as pool:
        forms = [twilio_form(p, "I am a new partner", name=n) for p, n in partners.items()]
        assert set(pool.map(lambda f: post_signed(client, f).status_code, forms)) == {200}
        wait_until(lambda: {m.to for m in sender.sent} == set(partners), 20, "every partner")
        messaging = client.app.state.messaging  # type: ignore[attr-defined]
        wait_until(lambda: messaging.phones_with_pending_parts() == [], 20, "every part")
    per_phone = {p: [m.body for m in sender.sent if m.to == p] for p in partners}
    counts = {len(bodies) for bodies in per_phone.values()}
    assert len(counts) == 1 and counts.pop() >= 2  # everyone got the same, complete welcome
    for phone, name in partners.items():
        assert f"Welcome to the partner programme, {name}!" in per_phone[phone][0]
        progress = store.get_progress(phone)
        assert progress is not None and progress.name == name and progress.current_section == 1


def _check_serialised(brain: TrackingHandler, sender: CollectingSender, phones: list[str]) -> None:
    """Each phone: three messages handled once, in order, never two at once; replies in order."""
    for phone in phones:
        assert brain.calls[phone] == ["m0", "m1", "m2"], phone
        assert brain.max_parallel[phone] == 1, phone
        assert [m.body for m in sender.sent if m.to == phone] == [
            "echo: m0",
            "echo: m1",
            "echo: m2",
        ]


def test_two_app_instances_on_one_sqlite_file_serialise_each_partner(tmp_path: Path) -> None:
    brain, sender = TrackingHandler(EchoHandler(), delay_s=0.03), CollectingSender()
    phones = [f"+1555030{i:04d}" for i in range(8)]
    first, second = app_client(tmp_path, brain, sender), app_client(tmp_path, brain, sender)
    with first, second, ThreadPoolExecutor(8) as pool:
        for n in range(3):  # each partner's messages alternate between the two instances
            client = first if n % 2 == 0 else second
            forms = [twilio_form(p, f"m{n}") for p in phones]
            list(pool.map(lambda f, c=client: post_signed(c, f), forms))
            time.sleep(0.01)
        wait_until(lambda: len(sender.sent) == 3 * len(phones), what="all replies")
    assert first.app.state.messaging is not second.app.state.messaging  # type: ignore[attr-defined]
    _check_serialised(brain, sender, phones)


def test_two_worker_sets_on_one_mongodb_serialise_each_partner() -> None:
    db: Any = mongomock.MongoClient()["genie_test"]
    brain, sender = TrackingHandler(EchoHandler(), delay_s=0.03), CollectingSender()
    phones = [f"+1555040{i:04d}" for i in range(8)]
    stores: list[MessagingStore] = [MongoMessagingStore(db), MongoMessagingStore(db)]
    services = [
        WhatsAppService(
            s, brain, sender, lease_s=5, sweep_interval_s=0.1, retry=RetryPolicy(4, 0.01, 0.05)
        )
        for s in stores
    ]
    for svc in services:
        svc.start()
    for n in range(3):
        svc, store = services[n % 2], stores[n % 2]
        for phone in phones:
            store.record_inbound(NewInbound(message_sid=new_sid(), phone=phone, text=f"m{n}"))
            svc.notify_inbound(phone)
        time.sleep(0.01)
    wait_until(lambda: len(sender.sent) == 3 * len(phones), what="all replies")
    for svc in services:
        svc.stop()
    _check_serialised(brain, sender, phones)

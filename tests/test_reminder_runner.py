"""The reminder pass end to end: engine turns, the scheduler, the outbox and the fake Twilio."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.clock import ManualClock
from agent.engine import Engine
from agent.messages import Inbound
from agent.reminder_runner import ReminderScheduler
from agent.reminder_schedule import ReminderPolicy, load_schedule
from api.whatsapp.outbox import OutboxDeliverer, RetryPolicy
from store.factory import seed_if_empty
from store.reminders_factory import reminder_store_for
from store.sqlite_messaging import SQLiteMessagingStore
from store.sqlite_store import SQLiteStore
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import ACCOUNT, clear_proxies, twilio_sender
from tests.whatsapp_helpers import AUTH_TOKEN

PHONE = "+919800000001"
START = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)  # 10:00 in India
POLICY = ReminderPolicy(
    template_sids={"genie_training_nudge": "HXnudge", "genie_training_last_call": "HXlast"}
)
H = timedelta(hours=1)
FIRST_HEADING = "Welcome to Kestrel Metals and the Partner Network"


class World:
    """A store, an engine and a scheduler sharing one manual clock; sends go to the fake."""

    def __init__(self, path: Path, fake: FakeTwilioAPI) -> None:
        self.clock = ManualClock(START)
        self.store = SQLiteStore(path)
        seed_if_empty(self.store)
        self.messaging = SQLiteMessagingStore(self.store)
        self.reminders = reminder_store_for(self.store)
        self.engine = Engine(self.store, clock=self.clock)
        self.deliverer = OutboxDeliverer(
            self.messaging, twilio_sender(fake), lambda phone, delay: None,
            policy=RetryPolicy(2, 0.01, 0.02), lease_s=5.0, stopping=threading.Event(),
            on_give_up=lambda *args: self.scheduler.on_give_up(*args),
        )  # fmt: skip
        self.scheduler = self.new_scheduler()

    def new_scheduler(self) -> ReminderScheduler:
        """Another scheduler over the same database (as a second process would have)."""
        return ReminderScheduler(
            self.store, self.reminders, self.messaging, load_schedule(), POLICY, self.clock,
            notify=self.deliverer.deliver_phone,
        )  # fmt: skip

    def say(self, text: str) -> None:
        """The partner writes now (by the clock)."""
        inbound = Inbound(phone=PHONE, text=text, profile_name="Asha", received_at=self.clock.now())
        self.engine.handle_message(inbound)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilioAPI]:
    clear_proxies(monkeypatch)
    with FakeTwilioAPI(ACCOUNT, AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def world(tmp_path: Path, fake: FakeTwilioAPI) -> Iterator[World]:
    made = World(tmp_path / "g.db", fake)
    made.say("I am a new partner")
    yield made
    made.store.close()


def test_inside_the_window_a_text_reaches_twilio_once(world: World, fake: FakeTwilioAPI) -> None:
    world.clock.advance(23 * H)  # 09:00 the next morning in India
    report = world.scheduler.run_once()
    assert [r.step for r in report.queued] == ["nudge"]
    assert len(fake.messages) == 1 and "Session 1" in fake.messages[0].body
    assert fake.messages[0].content_sid is None
    assert world.scheduler.run_once().queued == []
    assert world.new_scheduler().run_once().queued == []  # another process: nothing twice
    assert len(fake.messages) == 1
    lines = world.store.chat_history(PHONE)
    assert lines[-1].source == "reminder" and lines[-1].time == START + 23 * H
    assert world.reminders.reminders_for(PHONE)[0].status == "queued"


def test_outside_the_window_a_template_without_body(world: World, fake: FakeTwilioAPI) -> None:
    world.clock.advance(3 * 24 * H)
    world.scheduler.run_once()
    sent = fake.messages[-1]
    assert (sent.content_sid, sent.body) == ("HXnudge", "")
    assert sent.variables == {"1": "Asha", "2": FIRST_HEADING}
    assert world.store.chat_history(PHONE)[-1].text.startswith("[template genie_training_nudge:")


def test_a_reply_reopens_the_window(world: World, fake: FakeTwilioAPI) -> None:
    world.clock.advance(3 * 24 * H)
    world.scheduler.run_once()  # three silent days: the day3 template
    assert fake.messages[-1].content_sid == "HXnudge"
    world.say("continue my training")
    world.clock.advance(23 * H)
    world.scheduler.run_once()  # the nudge is due again, and the window is open: a text
    assert fake.messages[-1].content_sid is None and "Hi Asha!" in fake.messages[-1].body
    world.clock.advance(7 * 24 * H)
    world.scheduler.run_once()
    steps = [r.step for r in world.reminders.reminders_for(PHONE)]
    assert steps == ["day3", "nudge", "day7"] and len(fake.messages) == 3


def test_twilio_63016_sends_the_template_instead(world: World, fake: FakeTwilioAPI) -> None:
    fake.close_window(PHONE)
    world.clock.advance(23 * H)
    world.scheduler.run_once()
    assert [m.content_sid for m in fake.messages] == ["HXnudge"]
    assert any(a.status == 400 for a in fake.attempts)
    reminder = world.reminders.reminders_for(PHONE)[0]
    assert reminder.fallback and reminder.channel == "template" and reminder.status == "queued"


def test_a_crash_after_recording_is_finished_once(world: World, fake: FakeTwilioAPI) -> None:
    world.clock.advance(23 * H)
    decision = world.scheduler.run_once(dry_run=True).decisions[0]
    assert decision.reminder is not None and fake.messages == []
    world.reminders.record_reminder(decision.reminder)  # ... and the process died here
    report = world.new_scheduler().run_once()
    assert [r.step for r in report.resumed] == ["nudge"] and report.queued == []
    world.new_scheduler().run_once()
    lines = [line for line in world.store.chat_history(PHONE) if line.source == "reminder"]
    assert len(fake.messages) == 1 and len(lines) == 1


def test_two_schedulers_at_once_send_one_reminder(world: World, fake: FakeTwilioAPI) -> None:
    world.clock.advance(23 * H)
    runners = [world.new_scheduler() for _ in range(4)]
    threads = [threading.Thread(target=r.run_once) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(fake.messages) == 1


def test_stop_then_nothing_start_then_reminders_again(world: World, fake: FakeTwilioAPI) -> None:
    world.say("STOP")
    world.clock.advance(23 * H)
    assert world.scheduler.run_once().decisions[0].reason == "opted out"
    world.say("START")
    world.clock.advance(25 * H)
    world.scheduler.run_once()
    assert [m.content_sid for m in fake.messages] == ["HXnudge"]

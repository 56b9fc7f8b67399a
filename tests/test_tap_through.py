"""A partner taps through the whole training on WhatsApp: real webhook, real twilio client,
the fake Twilio and Content API, 0 LLM calls; with interactive messages off, all is text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from agent.engine import Engine
from agent.quiz.options import parse_quiz_payload
from api.main import create_app
from api.whatsapp.templates import sync
from evals.fakes.twilio_api import FakeMessage, FakeTwilioAPI
from evals.fakes.twilio_content import FakeContentAPI
from evals.fakes.twilio_taps import shown, tap_form
from store.base import TrainingStore
from store.content_templates import registry_for
from store.factory import open_store
from store.quiz_model import Kind, quiz_of
from tests.outbox_helpers import clear_proxies
from tests.whatsapp_helpers import (
    AUTH_TOKEN,
    messaging_of,
    post_signed,
    twilio_form,
    wa_settings,
    wait_until,
)

PHONE = "+919800000042"
ACCOUNT = "AC" + "5e" * 16
FROM = "whatsapp:+14155238886"


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeTwilioAPI, FakeContentAPI]]:
    clear_proxies(monkeypatch)
    with FakeTwilioAPI(ACCOUNT, AUTH_TOKEN) as api, FakeContentAPI() as content:
        yield api, content


class Partner:
    """One partner on WhatsApp: writes or taps through the signed webhook, waits for replies."""

    def __init__(self, client: TestClient, api: FakeTwilioAPI, content: FakeContentAPI) -> None:
        self.client, self.api, self.content = client, api, content

    def sent(self) -> list[FakeMessage]:
        return [m for m in self.api.messages if m.to == f"whatsapp:{PHONE}"]

    def _settle(self) -> None:
        messaging = messaging_of(self.client)
        wait_until(
            lambda: (
                messaging.next_unprocessed(PHONE) is None and messaging.next_part(PHONE) is None
            ),
            what="the turn answered and its parts sent",
        )

    def write(self, text: str) -> None:
        assert post_signed(self.client, twilio_form(PHONE, text)).status_code == 200
        self._settle()

    def last_content(self) -> FakeMessage:
        last = self.sent()[-1]
        assert last.content_sid is not None and not last.body, "buttons or a list come last"
        return last

    def tap(self, wanted: str) -> None:
        form = tap_form(self.last_content(), self.content.contents, wanted)
        assert post_signed(self.client, form).status_code == 200
        self._settle()


def _app(tmp_path: Path, api: FakeTwilioAPI, content: FakeContentAPI, **overrides: Any) -> Any:
    settings = wa_settings(
        tmp_path, twilio_account_sid=ACCOUNT, twilio_whatsapp_from=FROM,
        twilio_api_base_url=api.base_url, rate_limit_messages=1000, **overrides,
    )  # fmt: skip
    store = open_store(settings)
    twilio = Client(ACCOUNT, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=5))
    twilio.content.base_url = content.base_url
    sync(twilio, registry_for(store))
    return create_app(settings=settings, store=store, engine=Engine(store)), store


def _right_answer(store: TrainingStore, payloads: list[str]) -> str:
    """The payload of the right option (the test knows the answers; the partner learnt them)."""
    for payload in payloads:
        tap = parse_quiz_payload(payload)
        assert tap is not None
        question = quiz_of(store.get_session(tap.s_no)).questions[tap.index]  # type: ignore[union-attr]
        if question.right_reply().lower() == tap.answer.lower():
            return payload
    raise AssertionError(f"no right answer among {payloads}")


def test_a_partner_taps_through_the_whole_training(
    tmp_path: Path, fakes: tuple[FakeTwilioAPI, FakeContentAPI]
) -> None:
    api, content = fakes
    app, store = _app(tmp_path, api, content)
    with TestClient(app) as client:
        partner = Partner(client, api, content)
        partner.write("I am a new partner")
        buttons = shown(partner.last_content(), content.contents)
        assert [c.id for c in buttons.choices] == ["nav:done:1", "nav:next:1", "nav:menu:1"]
        partner.tap("📋 Menu")
        listing = shown(partner.last_content(), content.contents)
        assert listing.kind == "list" and len(listing.choices) == 7
        partner.tap("nav:jump:1")  # the list row of Session 1
        taps = {"button": 0, "list": 0}
        for _ in range(80):
            progress = store.get_progress(PHONE)
            assert progress is not None
            if progress.completed_at is not None:
                break
            last = partner.sent()[-1]
            if last.content_sid is None:  # a free-text quiz question: typed, as it must be
                state = progress.quiz
                assert state is not None, last.body
                session = quiz_of(store.get_session(state["s_no"]))
                assert session is not None
                question = session.questions[state["queue"][state["pos"]]]
                assert question.kind is Kind.SHORT
                partner.write(question.right_reply())
                continue
            seen = shown(last, content.contents)
            ids = [c.id for c in seen.choices]
            wanted = _right_answer(store, ids) if ids[0].startswith("quiz:") else ids[0]
            assert wanted.startswith(("quiz:", "nav:done:")), ids
            partner.tap(wanted)
            taps[seen.kind] += 1
        else:
            raise AssertionError("the training never completed")
    assert sorted(progress.completed_sections) == [1, 2, 3, 4, 5, 6, 7]
    assert taps["button"] == 7 and taps["list"] == 14  # Done per session; 2 options per quiz
    chat = store.chat_history(PHONE, limit=1000)
    taps_in_chat = [e for e in chat if e.who == "partner" and e.source == "button"]
    assert len(taps_in_chat) == 2 + 7 + 14  # menu, list row, then every tap
    assert {e.text for e in taps_in_chat} >= {"📋 Menu", "✅ Done"}
    assert any(e.text.startswith("📘 1.") for e in taps_in_chat)  # the list row's title
    assert all(e.source in ("button", "keyword") for e in chat if e.who == "partner")
    bodies = [m for m in partner.sent() if m.content_sid]
    assert all(m.body == "" for m in bodies)  # a content send carries no body


def test_with_interactive_messages_off_everything_is_text(
    tmp_path: Path, fakes: tuple[FakeTwilioAPI, FakeContentAPI]
) -> None:
    api, content = fakes
    app, _ = _app(tmp_path, api, content, whatsapp_interactive=False)
    with TestClient(app) as client:
        partner = Partner(client, api, content)
        partner.write("I am a new partner")
        partner.write("✅ Done")  # a button's title, typed, does what the tap does
        partner.write("menu")
    sent = partner.sent()
    assert sent and all(m.content_sid is None and m.body for m in sent)
    assert "Reply with A, B or C." in "\n".join(m.body for m in sent)  # the quiz, as text
    assert "\n1. Welcome to Kestrel Metals" in sent[-1].body  # the menu's numbered rows

"""Voice notes become typed messages (real OpenAI client, local fake); other media is kept."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from agent.engine import Engine
from agent.inbound_media import MediaReader
from agent.messages import Inbound
from agent.voice import OpenAITranscriber, ogg_duration_s
from evals.fakes.media_api import FakeMediaAPI
from store.sqlite_store import SQLiteStore

PHONE = "+919812345678"


def ogg(seconds: float) -> bytes:
    """A minimal Ogg Opus-like byte string whose last page says how long it is."""
    page = b"OggS" + b"\x00\x00" + struct.pack("<q", int(seconds * 48_000)) + b"\x00" * 20
    return b"OggS" + b"\x00" * 30 + page


@pytest.fixture
def fake() -> Iterator[FakeMediaAPI]:
    with FakeMediaAPI() as api:
        yield api


def engine_for(store: SQLiteStore, fake: FakeMediaAPI, *, transcribe: bool = True) -> Engine:
    transcriber = OpenAITranscriber(
        api_key="sk-test", model="gpt-4o-mini-transcribe", base_url=fake.base_url + "/v1",
        timeout_s=2, max_seconds=120,
    ) if transcribe else None  # fmt: skip
    reader = MediaReader(auth=fake.state.auth, transcriber=transcriber, timeout_s=2)
    return Engine(store, media_reader=reader)


def voice(fake: FakeMediaAPI, seconds: float = 4) -> Inbound:
    url = fake.add_file("ME1", "audio/ogg", ogg(seconds))
    return Inbound(phone=PHONE, text="", media_urls=[url])


def test_a_voice_note_is_handled_as_if_typed_and_echoed(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    engine = engine_for(store, fake)
    engine.handle_message(Inbound(phone=PHONE, text="I am a new partner"))
    fake.state.transcript = "next please"
    replies = engine.handle_message(voice(fake))
    assert replies[0].text == '🎤 I heard: "next please"'
    assert "Session 2" in replies[1].text
    progress = store.get_progress(PHONE)
    assert progress is not None and progress.current_section == 2
    assert b"gpt-4o-mini-transcribe" in fake.state.uploads[0]
    partner_line = [c for c in store.chat_history(PHONE) if c.who == "partner"][-1]
    assert partner_line.text.startswith("[audio: http") and partner_line.text.endswith(
        "next please"
    )


def test_without_a_transcriber_the_partner_is_asked_to_type_and_the_note_is_kept(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    replies = engine_for(store, fake, transcribe=False).handle_message(voice(fake))
    assert "please type" in replies[0].text
    assert [c.text[:8] for c in store.chat_history(PHONE)] == ["[audio: ", replies[0].text[:8]]


def test_a_failed_transcription_asks_to_type_after_one_retry(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    fake.state.transcribe_status = 500
    replies = engine_for(store, fake).handle_message(voice(fake))
    assert "please type" in replies[0].text and len(fake.state.uploads) == 2


def test_a_voice_note_over_the_duration_cap_is_not_sent_for_transcription(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    replies = engine_for(store, fake).handle_message(voice(fake, seconds=600))
    assert "please type" in replies[0].text and fake.state.uploads == []


def test_an_image_gets_a_thank_you_and_is_recorded_with_its_url(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    url = fake.add_file("ME2", "image/jpeg", b"\xff\xd8 jpeg")
    replies = engine_for(store, fake).handle_message(Inbound(phone=PHONE, media_urls=[url]))
    assert "received your file" in replies[0].text
    assert store.chat_history(PHONE)[0].text == f"[image: {url}]"


def test_media_behind_wrong_credentials_is_still_acknowledged(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    url = fake.add_file("ME3", "image/png", b"png")
    reader = MediaReader(auth=("AC1", "wrong"), transcriber=None, timeout_s=2)
    replies = Engine(store, media_reader=reader).handle_message(
        Inbound(phone=PHONE, media_urls=[url])
    )
    assert "attachment" in replies[0].text
    assert store.chat_history(PHONE)[0].text == f"[other: {url}]"


def test_a_caption_is_handled_as_text_without_downloading(
    store: SQLiteStore, fake: FakeMediaAPI
) -> None:
    url = fake.add_file("ME4", "image/png", b"png")
    engine_for(store, fake).handle_message(
        Inbound(phone=PHONE, text="I am a new partner", media_urls=[url])
    )
    assert fake.state.downloads == []
    assert store.chat_history(PHONE)[0].text == f"[media: {url}] I am a new partner"


def test_ogg_duration_reads_the_last_page() -> None:
    assert ogg_duration_s(ogg(12.5)) == pytest.approx(12.5)
    assert ogg_duration_s(b"not ogg") is None

"""WhatsApp template sends: Content SID and variables reach Twilio with no body; bad ones fail."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from api.whatsapp.sender import ConsoleSender, OutboundMessage, TwilioSender
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import clear_proxies

PARTNER = "+919800000001"
TEMPLATE = OutboundMessage(
    to=PARTNER, body="[template genie_training_nudge: 1=Asha, 2=Basics]",
    content_sid="HX" + "1" * 32, content_variables='{"1": "Asha", "2": "Basics"}',
)  # fmt: skip


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilioAPI]:
    clear_proxies(monkeypatch)
    with FakeTwilioAPI("AC" + "c3" * 16, "token") as api:
        yield api


def _sender(fake: FakeTwilioAPI) -> TwilioSender:
    return TwilioSender(fake.account_sid, "token", "+14155238886", api_base_url=fake.base_url)


def test_a_template_goes_as_content_sid_and_variables_without_body(fake: FakeTwilioAPI) -> None:
    assert _sender(fake).send(TEMPLATE).ok
    [attempt] = fake.attempts
    assert "Body" not in attempt.form and "MediaUrl" not in attempt.form
    [sent] = fake.messages
    assert sent.content_sid == TEMPLATE.content_sid
    assert sent.variables == {"1": "Asha", "2": "Basics"}


def test_outside_the_window_twilio_refuses_text_with_63016_not_templates(
    fake: FakeTwilioAPI,
) -> None:
    fake.close_window(PARTNER)
    refused = _sender(fake).send(OutboundMessage(to=PARTNER, body="Hi Asha!"))
    assert not refused.ok and not refused.retryable and refused.error_code == 63016
    assert _sender(fake).send(TEMPLATE).ok
    fake.open_window(PARTNER)
    assert _sender(fake).send(OutboundMessage(to=PARTNER, body="Hi again")).ok


def test_the_fake_refuses_empty_variables_like_twilio(fake: FakeTwilioAPI) -> None:
    # Bypass our own validation to see the fake answer as Twilio does (21656).
    bad = TEMPLATE.model_copy(update={"content_variables": '{"1": ""}'})
    result = _sender(fake).send(bad)
    assert not result.ok and result.error_code == 21656


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"content_variables": '{"1": "Asha"}'}, "without content_sid"),
        ({"content_sid": "HX1", "content_variables": '{"1": " "}'}, "empty"),
        ({"content_sid": "HX1", "content_variables": "[1]"}, "JSON object"),
        ({"content_sid": "HX1", "content_variables": "{"}, "not JSON"),
    ],
)
def test_template_fields_twilio_would_refuse_are_caught_first(
    fields: dict[str, str], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        OutboundMessage(to=PARTNER, body="x", **fields)  # type: ignore[arg-type]


def test_the_console_shows_a_template_as_its_description() -> None:
    out = io.StringIO()
    ConsoleSender(out).send(TEMPLATE)
    assert "[template genie_training_nudge: 1=Asha, 2=Basics]" in out.getvalue()

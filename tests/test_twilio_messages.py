"""The sender's one-request Messages create sends what `client.messages.create` sends, and
reads its answers (the SID, every kind of error) as the library does."""

from __future__ import annotations

import pytest
from twilio.base import values
from twilio.base.exceptions import TwilioRestException

from api.whatsapp.sender import OutboundMessage, TwilioSender
from api.whatsapp.twilio_messages import MessagesEndpoint
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.outbox_helpers import ACCOUNT
from tests.whatsapp_helpers import AUTH_TOKEN

pytestmark = pytest.mark.usefixtures("no_proxies")  # loopback calls to the fakes

PARTNER, FROM = "+15550001", "+14155238886"
CALLBACK = "https://genie.example.com/api/webhook/twilio/status"


def _library_create(sender: TwilioSender, message: OutboundMessage) -> str | None:
    """The same send through the library's resource layers (the sender's code before)."""
    template = message.content_sid is not None
    created = sender._client.messages.create(
        to="whatsapp:" + message.to,
        from_="whatsapp:" + FROM,
        body=values.unset if template else message.body,
        media_url=[message.media_url] if message.media_url and not template else values.unset,
        content_sid=message.content_sid or values.unset,
        content_variables=message.content_variables or values.unset,
        status_callback=CALLBACK,
    )
    return created.sid


MESSAGES = [
    OutboundMessage(to=PARTNER, body="नमस्ते Asha! 50% done & next → 😀\nline two"),
    OutboundMessage(to=PARTNER, body="cert", media_url="https://example.com/a b.pdf?x=1&y=2"),
    OutboundMessage(
        to=PARTNER, body="t", content_sid="HX" + "1" * 32, content_variables='{"1": "Asha & co"}'
    ),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_the_request_is_the_librarys(fake_twilio: FakeTwilioAPI, message: OutboundMessage) -> None:
    sender = TwilioSender(
        ACCOUNT, AUTH_TOKEN, FROM, api_base_url=fake_twilio.base_url, status_callback=CALLBACK
    )
    ours = sender.send(message)
    theirs = _library_create(sender, message)
    mine, library = fake_twilio.attempts
    assert mine.path == library.path and mine.auth == library.auth == (ACCOUNT, AUTH_TOKEN)
    assert list(mine.form.items()) == list(library.form.items())  # same fields, same order
    assert (
        ours.ok
        and ours.sid == fake_twilio.messages[0].sid
        and theirs == fake_twilio.messages[1].sid
    )


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 503])
def test_error_answers_raise_the_librarys_exception(
    fake_twilio: FakeTwilioAPI, status: int
) -> None:
    sender = TwilioSender(ACCOUNT, AUTH_TOKEN, FROM, api_base_url=fake_twilio.base_url)
    endpoint = MessagesEndpoint(sender._client)
    form = {"To": "whatsapp:" + PARTNER, "From": "whatsapp:" + FROM, "Body": "hi"}
    fake_twilio.fail_next(status, count=2)
    with pytest.raises(TwilioRestException) as ours:
        endpoint.create(form)
    with pytest.raises(TwilioRestException) as theirs:
        _library_create(sender, OutboundMessage(to=PARTNER, body="hi"))
    fields = ("status", "code", "msg", "uri", "method")
    assert [getattr(ours.value, f) for f in fields] == [getattr(theirs.value, f) for f in fields]

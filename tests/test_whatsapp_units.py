"""Small pieces of the WhatsApp transport: queue, backoff, form parsing, parts, masking, ids."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agent.messages import Reply
from api.logging_setup import (
    JsonFormatter,
    RequestIdMiddleware,
    log_context,
    mask_phone,
    mask_phones,
)
from api.whatsapp.due_queue import DueQueue
from api.whatsapp.inbound_form import IgnoredMessage, parse_inbound
from api.whatsapp.outbox import RetryPolicy
from api.whatsapp.reply_parts import to_parts


def test_due_queue_hands_out_due_phones_once_each() -> None:
    queue = DueQueue()
    queue.put("+1", delay_s=0.15)
    queue.put("+2")
    queue.put("+2")  # queued twice: handed out once
    queue.put("+1")  # an earlier due time wins
    assert len(queue) == 2
    assert {queue.get(0.5), queue.get(0.5)} == {"+1", "+2"}
    assert queue.get(0.05) is None

    queue.put("+3", delay_s=0.1)
    started = time.monotonic()
    assert queue.get(1.0) == "+3" and time.monotonic() - started >= 0.09
    queue.close()
    assert queue.get(1.0) is None


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=6, base_s=1.0, max_s=10.0)
    for attempts, nominal in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)]:
        assert 0.8 * nominal <= policy.delay_s(attempts) <= min(10.0, 1.2 * nominal)
    assert {policy.delay_s(30) for _ in range(50)} == {10.0}


def test_parse_inbound_reads_twilio_fields() -> None:
    form = {
        "MessageSid": "MM" + "a" * 32, "From": "whatsapp:+919876543210", "Body": "hi",
        "ProfileName": "  Asha  ", "NumMedia": "2", "MediaUrl0": "https://api.twilio.com/1",
        "MediaUrl1": "javascript:alert(1)", "MediaUrl2": "https://not-counted",
    }  # fmt: skip
    message = parse_inbound(form)
    assert (message.phone, message.text, message.profile_name) == ("+919876543210", "hi", "Asha")
    assert message.media_urls == ["https://api.twilio.com/1"]
    assert parse_inbound(form | {"NumMedia": "lots"}).media_urls == []
    assert parse_inbound(form | {"Body": "x" * 9000}).text == "x" * 5000
    with pytest.raises(IgnoredMessage):
        parse_inbound(form | {"From": "whatsapp:+0123"})


def test_to_parts_splits_over_long_text_and_skips_empty_replies() -> None:
    long_text = "\n\n".join(f"Paragraph {i}. " + "word " * 120 for i in range(6))
    parts = to_parts(
        [Reply(text="short"), Reply(text=""), Reply(text=long_text, media_url="https://x/a.pdf")]
    )
    assert parts[0].body == "short" and len(parts) >= 3
    assert all(len(p.body) <= 1600 for p in parts)
    assert [p.media_url for p in parts[1:]] == ["https://x/a.pdf"] + [None] * (len(parts) - 2)
    assert to_parts([Reply(text="", media_url="https://x/b.jpg")])[0].media_url == "https://x/b.jpg"


def test_phones_are_masked_to_the_last_four_digits() -> None:
    assert mask_phone("whatsapp:+919876543210") == "***3210"
    assert mask_phone(None) == "***"
    text = "to +919876543210 and +15550001, sid SM123456789012345678"
    assert mask_phones(text) == "to ***3210 and ***0001, sid SM123456789012345678"


def test_json_lines_carry_the_request_id_and_extras() -> None:
    record = logging.LogRecord(
        "genie.x", logging.INFO, __file__, 1, "to %s", ("+919876543210",), None
    )
    record.status = 200
    with log_context("req-1"):
        line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "to ***3210" and line["request_id"] == "req-1" and line["status"] == 200


def test_request_ids_are_kept_when_safe_and_made_up_otherwise() -> None:
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    with TestClient(app) as client:
        assert client.get("/ping", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"] == (
            "abc-123"
        )
        made_up = client.get("/ping", headers={"X-Request-Id": "bad id\n"}).headers["x-request-id"]
        assert made_up != "bad id\n" and len(made_up) == 16

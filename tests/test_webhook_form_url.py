"""The webhook's hand-rolled parts agree with what they replace: the urlencoded parser with
parse_qsl, public_url with Starlette's request.url (the signature depends on both)."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.requests import Request

from agent.settings import Settings
from api.whatsapp.form_body import parse_urlencoded
from api.whatsapp.signature import public_url

PIECES = ["a", "Body", "=", "&", "+", "%", "%2", "%20", "%2B", "%3D", "%26", "%E0%A4%A8", "%E0",
          "%zz", "é", "ñ", " ", ";", "whatsapp%3A%2B91", "&&", "=="]  # fmt: skip


def test_parse_urlencoded_gives_what_parse_qsl_gives() -> None:
    rng = random.Random(13)
    texts = ["", "&", "=", "a", "a=", "=b", "a=b=c", "a=1&a=2&a=1", "x+y=p+q%2Bz&&&"]
    texts += ["".join(rng.choices(PIECES, k=rng.randint(1, 30))) for _ in range(3000)]
    for text in texts:
        expected = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
        assert parse_urlencoded(text) == expected, text


def test_parse_urlencoded_refuses_more_fields_than_parse_qsl_allows() -> None:
    limit = "&".join(f"f{i}=" for i in range(5))
    assert len(parse_urlencoded(limit, max_fields=5)) == 5
    with pytest.raises(ValueError):
        parse_qsl(limit + "&f5=", max_num_fields=5)
    with pytest.raises(ValueError):
        parse_urlencoded(limit + "&f5=", max_fields=5)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/webhook/twilio", b""),
        ("/api/webhook/twilio", b"tenant=a%20b&x=1+2"),
        ("/api/webhook/twilio", "t=नमस्ते".encode()),
        ("/api/webhook/a?b#c\\d", b"q=%3F"),
        ("/api/webhook/स्थिति", b"empty="),
    ],
)
@pytest.mark.parametrize("base", ["https://genie.example.com", "https://genie.example.com/"])
def test_public_url_is_the_base_plus_starlettes_path_and_query(
    path: str, query: bytes, base: str
) -> None:
    scope: dict[str, Any] = {
        "type": "http", "method": "POST", "path": path, "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8000")], "scheme": "http",
        "server": ("127.0.0.1", 8000), "root_path": "",
    }  # fmt: skip
    request = Request(scope)
    settings = Settings(_env_file=None, public_base_url=base)  # type: ignore[call-arg]
    url = base.rstrip("/") + request.url.path
    expected = f"{url}?{request.url.query}" if request.url.query else url
    assert public_url(request, settings) == expected
    without_base = Settings(_env_file=None, public_base_url="")  # type: ignore[call-arg]
    assert public_url(request, without_base) == str(request.url)

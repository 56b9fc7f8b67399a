"""Template sync through the real twilio client against a local Content API; what a send uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from agent.interactive import menu_list, session_buttons
from api.whatsapp.templates import content_for, definitions, sync
from evals.fakes.twilio_content import FakeContentAPI
from store.content_templates import SQLiteTemplateRegistry
from store.kb_files import sample_sessions
from store.models import Progress

# The buttons, a sessions list of 1-10 rows and a quiz options list of 2-10 rows.
TEMPLATES = 1 + 10 + 9


@pytest.fixture
def fake() -> Iterator[FakeContentAPI]:
    with FakeContentAPI() as api:
        yield api


@pytest.fixture
def registry(tmp_path: Path) -> SQLiteTemplateRegistry:
    return SQLiteTemplateRegistry(str(tmp_path / "g.db"))


def client_for(fake: FakeContentAPI) -> Client:
    client = Client("AC" + "0" * 32, "token", http_client=TwilioHttpClient(timeout=5))
    client.content.base_url = fake.base_url
    return client


def test_sync_creates_every_template_once_and_records_the_sids(
    fake: FakeContentAPI, registry: SQLiteTemplateRegistry
) -> None:
    first = sync(client_for(fake), registry)
    assert len(first) == TEMPLATES and all(line.startswith("created") for line in first)
    again = sync(client_for(fake), registry)
    assert all(line.startswith("exists") for line in again) and len(fake.contents) == TEMPLATES
    assert set(registry.sids()) == set(definitions())
    quick = next(c for c in fake.contents if c["friendly_name"].startswith("genie_buttons"))
    actions = quick["types"]["twilio/quick-reply"]["actions"]
    assert [a["id"] for a in actions] == ["nav:done:{{1}}", "nav:next:{{1}}", "nav:menu:{{1}}"]
    assert all(len(a["title"]) <= 20 for a in actions)


def test_a_send_names_the_template_and_fills_every_variable(
    fake: FakeContentAPI, registry: SQLiteTemplateRegistry
) -> None:
    assert content_for(session_buttons(3), registry) is None  # not synced yet: plain text
    sync(client_for(fake), registry)
    buttons = content_for(session_buttons(3), registry)
    assert buttons is not None and json.loads(buttons.content_variables) == {"1": "3"}
    sessions = sample_sessions()
    listing = content_for(
        menu_list(Progress(phone="+1", completed_sections=[1]), sessions), registry
    )
    assert listing is not None
    variables = json.loads(listing.content_variables)
    assert len(variables) == 3 * len(sessions) and all(v.strip() for v in variables.values())
    assert variables["1"] == "nav:jump:1" and variables["2"].startswith("✅ 1.")
    assert all(len(v) <= 255 for v in variables.values())
    made = {c["sid"]: c["friendly_name"] for c in fake.contents}
    assert made[listing.content_sid].startswith(f"genie_list_{len(sessions)}_")


def test_genie_whatsapp_templates_sync_lists_what_it_did(
    fake: FakeContentAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from agent.cli import app
    from agent.settings import get_settings

    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SQLITE_PATH": str(tmp_path / "cli.db"), "STORE": "sqlite", "LLM_PROVIDER": "none",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "token",
        "TWILIO_CONTENT_BASE_URL": fake.base_url,
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["whatsapp", "templates", "sync"])
        second = CliRunner().invoke(app, ["whatsapp", "templates", "sync"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0 and first.output.count("created") == TEMPLATES
    assert second.exit_code == 0 and second.output.count("exists") == TEMPLATES
    assert len(fake.contents) == TEMPLATES
    hindi = CliRunner().invoke(app, ["whatsapp", "templates", "sync", "--language", "hi"])
    assert hindi.exit_code == 0 and hindi.output.count("created") == TEMPLATES, hindi.output
    assert {c["language"] for c in fake.contents} == {"en", "hi"}
    unknown = CliRunner().invoke(app, ["whatsapp", "templates", "sync", "-l", "xx"])
    assert unknown.exit_code == 1 and "messages.xx.yaml" in unknown.output


def test_a_hindi_partner_gets_the_hindi_buttons_once_they_are_synced(
    fake: FakeContentAPI, registry: SQLiteTemplateRegistry
) -> None:
    from prompts import use_language

    sync(client_for(fake), registry)
    with use_language("hi"):
        assert content_for(session_buttons(3), registry) is None  # only English synced
    sync(client_for(fake), registry, "hi")
    with use_language("hi"):
        buttons = content_for(session_buttons(3), registry)
    assert buttons is not None
    made = {c["sid"]: c for c in fake.contents}
    quick = made[buttons.content_sid]
    assert quick["language"] == "hi"
    titles = [a["title"] for a in quick["types"]["twilio/quick-reply"]["actions"]]
    assert titles == ["✅ हो गया", "➡️ अगला", "📋 मेनू"]

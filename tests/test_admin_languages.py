"""Admin API for languages: offered languages with gaps, and setting a partner's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from agent.messages import Inbound
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import signed_in_client

PHONE = "+15550101"


@pytest.fixture(autouse=True)
def _enrolled(store: SQLiteStore) -> None:
    """One partner has enrolled (in English, the default)."""
    Engine(store).handle_message(Inbound(phone=PHONE, text="I am a new partner"))


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    yield from signed_in_client(tmp_path, store)


def test_languages_list_the_default_and_the_translations_with_their_gaps(
    client: TestClient, store: SQLiteStore
) -> None:
    [english, hindi] = client.get("/api/admin/languages").json()
    assert english == {
        "code": "en", "name": "English", "default": True, "missing_sessions": [],
        "missing_quizzes": [],
    }  # fmt: skip
    assert hindi["code"] == "hi" and hindi["missing_sessions"] == hindi["missing_quizzes"] == []
    quiz = {"questions": [{"question": "Ready?", "answer": True}]}
    store.upsert_session(
        TrainingSession(s_no=8, heading="New", content="Not translated yet.", quiz=quiz)
    )
    hindi = client.get("/api/admin/languages").json()[1]
    assert hindi["missing_sessions"] == [8] and hindi["missing_quizzes"] == [8]


def test_an_admin_sets_the_language_and_the_partner_reads_in_it(
    client: TestClient, store: SQLiteStore
) -> None:
    assert store.get_progress(PHONE).language == "en"  # type: ignore[union-attr]
    answer = client.put(f"/api/admin/partners/{PHONE}/language", json={"language": "hi"})
    assert answer.status_code == 200 and answer.json()["language"] == "hi"
    detail = client.get(f"/api/admin/partners/{PHONE}").json()
    assert detail["partner"]["language"] == "hi"
    rows = list(csv.DictReader(io.StringIO(client.get("/api/admin/partners/export.csv").text)))
    assert [r["language"] for r in rows if r["phone"] == PHONE] == ["hi"]
    replies = Engine(store).handle_message(Inbound(phone=PHONE, text="menu"))
    assert "ट्रेनिंग मेनू" in replies[0].text
    back = client.put(f"/api/admin/partners/{PHONE}/language", json={"language": None})
    assert back.json()["language"] == "en"
    activity = client.get("/api/admin/activity", params={"area": "partner"}).json()
    changes = [e["detail"] for e in activity if e["action"] == "partner.language"]
    assert {"was": "en", "now": "hi"} in changes and {"was": "hi", "now": "en"} in changes


def test_a_language_the_content_lacks_or_an_unknown_partner_is_refused(client: TestClient) -> None:
    refused = client.put(f"/api/admin/partners/{PHONE}/language", json={"language": "ta"})
    assert refused.status_code == 422 and "choose one of: en, hi" in refused.text
    unknown = client.put("/api/admin/partners/+15559999/language", json={"language": "hi"})
    assert unknown.status_code == 404

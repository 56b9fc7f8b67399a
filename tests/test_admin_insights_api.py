"""Admin API for KPIs, questions to act on, feedback and the activity list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from api.main import create_app
from store.feedback_reader import FeedbackSummary
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, bearer, signed_in_client, talk


@pytest.fixture(autouse=True)
def _ben_asks_more(partners: SQLiteStore) -> None:
    """The sample partners, and Ben asks twice more about something the content lacks."""
    engine = Engine(partners)
    talk(engine, "+15550002", "Ben Okafor", "Can I sell to hospitals abroad?")  # not covered
    talk(engine, "+15550002", "Ben Okafor", "can i sell to hospitals abroad??")


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    """A client signed in as alice."""
    yield from signed_in_client(tmp_path, store)


def test_kpis_with_targets_definitions_and_weeks(client: TestClient) -> None:
    got = client.get("/api/admin/kpis").json()
    kpis = {k["key"]: k for k in got["kpis"]}
    assert list(kpis) == ["enrolment", "completion", "time", "questions", "feedback"]
    assert (got["new_partners"], got["cohort"]) == (3, 2)
    assert kpis["enrolment"]["value"] == pytest.approx(0.6667)
    assert kpis["enrolment"]["target_text"] == "80%+" and kpis["enrolment"]["met"] is False
    assert kpis["completion"]["value"] == 0.5 and kpis["completion"]["numerator"] == 1
    assert kpis["time"]["value"] is not None and kpis["time"]["value"] < 1  # minutes in a test
    assert kpis["time"]["met"] is True and "median" in kpis["time"]["definition"]
    assert kpis["questions"]["numerator"] == 3  # Ben asked three times
    assert kpis["feedback"]["value"] is None and kpis["feedback"]["denominator"] == 0
    assert sum(w["new"] for w in got["weeks"]) == 3
    future = client.get("/api/admin/kpis", params={"start": "2999-01-01"}).json()
    assert future["new_partners"] == 0
    bad = client.get("/api/admin/kpis", params={"start": "2025-02-01", "end": "2025-01-01"})
    assert bad.status_code == 422
    assert client.get("/api/admin/kpis", params={"start": "June"}).status_code == 422


def test_kpi_csv_exports(client: TestClient) -> None:
    response = client.get("/api/admin/kpis/export.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["kpi", "value"] and len(rows) == 6
    assert rows[1][0] == "Enrolment rate" and rows[1][4] == "80%+"
    weeks = list(csv.reader(io.StringIO(client.get("/api/admin/kpis/weeks.csv").text)))
    assert weeks[0][0] == "week_start" and sum(int(r[1]) for r in weeks[1:]) == 3


def test_feedback_is_none_until_a_reader_exists(tmp_path: Path, store: SQLiteStore) -> None:
    app = create_app(settings=admin_settings(tmp_path), store=store)
    with TestClient(app, headers=bearer()) as client:
        assert client.get("/api/admin/feedback").json() is None

        class Ratings:
            def feedback_summary(self, phones: object, start: object, end: object) -> object:
                return FeedbackSummary(rated=4, positive=3)

        app.state.feedback = Ratings()
        assert client.get("/api/admin/feedback").json()["rated"] == 4
        kpis = {k["key"]: k for k in client.get("/api/admin/kpis").json()["kpis"]}
        assert kpis["feedback"]["value"] == 0.75 and kpis["feedback"]["met"] is False


def test_questions_not_covered_first(client: TestClient) -> None:
    got = client.get("/api/admin/questions").json()
    assert got["questions"] == 3 and got["not_covered"] == 2
    first, second = got["groups"]
    assert (first["count"], first["not_covered"], first["partners"]) == (2, 2, 1)
    assert first["text"].lower().startswith("can i sell to hospitals")
    assert first["answer"] is None
    assert second["answered"] == 1 and "SS316" in second["text"]
    assert "SS316" in second["answer"] and second["session"] == 2
    only = client.get("/api/admin/questions", params={"only": "answered"}).json()
    assert [g["text"] for g in only["groups"]] == [second["text"]]
    assert "cosine" in got["method"]


def test_activity_lists_content_changes_and_partner_actions(client: TestClient) -> None:
    assert client.get("/api/admin/activity").json() == []
    session = client.get("/api/admin/sessions/1").json()
    body = {"heading": "New heading", "content": session["content"]}
    assert client.put("/api/admin/sessions/1", json=body).status_code == 200
    assert client.post("/api/admin/partners/+15550002/reset").status_code == 200
    assert client.delete("/api/admin/partners/+15550003").status_code == 200
    got = client.get("/api/admin/activity").json()
    assert [(e["who"], e["action"]) for e in got] == [
        ("alice", "partner.erase"),
        ("alice", "partner.reset"),
        ("alice", "content.update"),
    ]
    assert got[2]["target"] == "session 1" and got[2]["detail"]["heading"] == "New heading"
    assert got[1]["phone"] == "+15550002" and got[1]["target"] == "Ben Okafor"
    assert "+15550003" not in str(got[0]) and got[0]["detail"]["deleted"]
    content = client.get("/api/admin/activity", params={"area": "content"}).json()
    assert [e["action"] for e in content] == ["content.update"]
    assert client.get("/api/admin/activity", params={"area": "x"}).status_code == 422

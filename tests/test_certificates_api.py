"""Certificates and quiz analytics over HTTP: PDF, verify page, admin list/revoke/reissue, CSV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.engine import Engine
from api.main import create_app
from store.models import utcnow
from store.quiz_factory import quiz_store_for
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import admin_settings, signed_in_client, talk

ASHA = "+15550001"
# Asha finished the training (every quiz right first time); Ben and Chen did not.
pytestmark = pytest.mark.usefixtures("partners")


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    yield from signed_in_client(
        tmp_path,
        store,
        public_base_url="https://genie.example.com",
        certificate_dir=str(tmp_path / "c"),
    )


def _code(store: SQLiteStore) -> str:
    [certificate] = quiz_store_for(store).certificates(ASHA)
    return certificate.code


def test_the_certificate_pdf_and_its_verify_page(client: TestClient, store: SQLiteStore) -> None:
    code = _code(store)
    assert len(code) >= 22  # 144 random bits, URL-safe
    pdf = client.get(f"/certificates/{code}.pdf", headers={})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"/MediaBox [0 0 841.89 595.28]" in pdf.content
    page = client.get(f"/verify/{code}", headers={})  # public: no token
    assert page.status_code == 200
    assert "Valid certificate" in page.text and "Asha Rao" in page.text
    assert "Partner Training Programme" in page.text and "Average quiz score" in page.text
    assert client.get("/verify/not-a-real-code-0123456789", headers={}).status_code == 404
    assert client.get("/certificates/not-a-real-code-0123456789.pdf").status_code == 404


def test_admins_list_revoke_and_reissue(client: TestClient, store: SQLiteStore) -> None:
    code = _code(store)
    listed = client.get("/api/admin/certificates").json()
    assert [c["code"] for c in listed] == [code] and listed[0]["score"] == 100
    revoked = client.post(f"/api/admin/certificates/{code}/revoke").json()
    assert revoked["revoked_at"] is not None
    assert "Certificate revoked" in client.get(f"/verify/{code}").text
    assert client.get(f"/certificates/{code}.pdf").status_code == 410
    new = client.post(f"/api/admin/certificates/{code}/reissue", json={"name": "Asha R. Rao"})
    assert new.status_code == 200
    fresh = new.json()
    assert fresh["replaces"] == code and fresh["code"] != code and fresh["revoked_at"] is None
    assert "Asha R. Rao" in client.get(f"/verify/{fresh['code']}").text
    assert len(client.get("/api/admin/certificates", params={"phone": ASHA}).json()) == 2
    assert client.post("/api/admin/certificates/nope/revoke").status_code == 404


def test_revoking_deletes_the_kept_pdf_and_a_reissue_gets_a_fresh_one(
    client: TestClient, store: SQLiteStore, tmp_path: Path
) -> None:
    code = _code(store)
    kept = tmp_path / "c" / f"{code}.pdf"
    old = client.get(f"/certificates/{code}.pdf", headers={}).content
    assert kept.read_bytes() == old  # rendered on the first request, then kept
    fresh = client.post(f"/api/admin/certificates/{code}/reissue", json={"name": "Asha R. Rao"})
    new_code = fresh.json()["code"]
    assert not kept.exists()  # the revoked certificate's PDF is not kept
    assert client.get(f"/certificates/{code}.pdf", headers={}).status_code == 410
    new = client.get(f"/certificates/{new_code}.pdf", headers={})
    assert new.status_code == 200 and new.content.startswith(b"%PDF") and new.content != old
    assert (tmp_path / "c" / f"{new_code}.pdf").read_bytes() == new.content


def test_a_pdf_requested_before_the_background_work_ran_is_served(
    client: TestClient, store: SQLiteStore, tmp_path: Path
) -> None:
    """Twilio may fetch the media URL before the worker has made the file: it is made now."""
    quiz_store = quiz_store_for(store)
    [certificate] = quiz_store.certificates(ASHA)
    quiz_store.save_certificate(certificate.model_copy(update={"publish_due": utcnow()}))
    pdf = client.get(f"/certificates/{certificate.code}.pdf", headers={})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (tmp_path / "c" / f"{certificate.code}.pdf").read_bytes() == pdf.content


def test_the_partner_gets_the_certificate_as_whatsapp_media(
    tmp_path: Path, store: SQLiteStore
) -> None:
    settings = admin_settings(
        tmp_path, public_base_url="https://genie.example.com", certificate_dir=str(tmp_path / "c")
    )
    with TestClient(create_app(settings=settings, store=store)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        done = engine.handle_message
        from agent.messages import Inbound
        from store.kb_files import sample_sessions
        from tests.conversation import passing_turns

        replies = []
        for text in ["I am a new partner"] + [
            t for s in sample_sessions() for t in passing_turns(s)
        ]:
            replies = done(Inbound(phone="+15550077", text=text, profile_name="Kabir"))
        media = [r.media_url for r in replies if r.media_url]
        assert len(media) == 1
        match = re.fullmatch(r"https://genie\.example\.com/certificates/([\w-]+)\.pdf", media[0])
        assert match is not None
        path = match.group(0).removeprefix("https://genie.example.com")
        assert client.get(path).content.startswith(b"%PDF")


def test_quiz_analytics_and_csv(client: TestClient, store: SQLiteStore) -> None:
    talk(Engine(store), "+15550002", "Ben", "previous", "done", "A", "true", "3", "retry", "B",
         "false", "done", "C", "true", "E250", "5", "Very clear")  # fmt: skip
    data = client.get("/api/admin/quiz/analytics").json()
    first = next(q for q in data["questions"] if (q["s_no"], q["q_no"]) == (1, 1))
    assert (first["partners"], first["first_try_correct"], first["first_try_pct"]) == (2, 1, 50.0)
    session_1 = next(s for s in data["sessions"] if s["s_no"] == 1)
    assert session_1["passed"] == 2 and session_1["distribution"] == {"1": 1, "2": 1}
    assert session_1["average_attempts"] == 1.5
    assert data["ratings"] == 0  # Ben has not finished: "5" and "Very clear" were not feedback
    assert client.get("/api/admin/feedback").json() is None  # no feedback given yet
    csv_text = client.get("/api/admin/quiz/questions.csv").text
    assert csv_text.splitlines()[0] == "s_no,q_no,question,partners,first_try_correct,first_try_pct"
    assert len(csv_text.splitlines()) == 1 + 21
    talk(Engine(store), ASHA, "Asha Rao", "4", "Loved the quizzes")
    data = client.get("/api/admin/quiz/analytics").json()
    assert (data["ratings"], data["average_rating"], data["positive_pct"]) == (1, 4.0, 100.0)
    assert [c["comment"] for c in data["comments"]] == ["Loved the quizzes"]
    panel = client.get("/api/admin/feedback").json()  # the KPI page's feedback reader
    assert (panel["rated"], panel["positive"]) == (1, 1)
    assert [c["text"] for c in panel["comments"]] == ["Loved the quizzes"]
    feedback = client.get("/api/admin/feedback.csv").text.splitlines()
    assert feedback[0] == "phone,time,rating,thumbs,comment" and len(feedback) == 3


def test_erasing_a_partner_erases_answers_feedback_and_certificates(
    client: TestClient, store: SQLiteStore, tmp_path: Path
) -> None:
    talk(Engine(store), ASHA, "Asha Rao", "5", "great")
    code = _code(store)
    assert client.get(f"/certificates/{code}.pdf", headers={}).status_code == 200
    assert (tmp_path / "c" / f"{code}.pdf").exists()  # kept after the first request
    erased = client.delete(f"/api/admin/partners/{ASHA}").json()["deleted"]
    assert not (tmp_path / "c" / f"{code}.pdf").exists()
    assert erased["quiz_answers"] == 21 and erased["certificates"] == 1
    assert erased["partner_feedback"] == 2
    quiz_store = quiz_store_for(store)
    assert quiz_store.answers(phone=ASHA) == [] and quiz_store.certificates(ASHA) == []
    assert quiz_store.feedback(ASHA) == []

"""Admin API: auth (off, 401, 429), content editing with versions, partners, analytics, export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from agent.engine import Engine
from agent.messages import Inbound
from api.admin.auth import RateLimiter
from api.main import create_app
from api.routes.admin import ADMIN_ROUTERS
from store.base import StoreUnavailable
from store.models import ChatEntry, ProgressUpdate
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import (
    OTHER_TOKEN,
    TOKEN,
    admin_settings,
    bearer,
    signed_in_client,
)

ADMIN_PREFIXES = ("/api/admin", "/admin")
# The sample content with three partners at different stages.
pytestmark = pytest.mark.usefixtures("partners")


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    """A client signed in as alice."""
    yield from signed_in_client(tmp_path, store)


def admin_routes() -> list[tuple[str, str]]:
    """(method, path with sample parameters) for every admin route."""
    samples = {"{s_no}": "1", "{phone}": "+15550001", "{version_id}": "1", "{asset}": "app.js"}
    found = []
    for route in (r for router in ADMIN_ROUTERS for r in router.routes):
        if isinstance(route, APIRoute):
            assert route.path.startswith(ADMIN_PREFIXES)
            path = route.path
            for key, value in samples.items():
                path = path.replace(key, value)
            found += [(method, path) for method in sorted(route.methods or ())]
    return found


# -- auth --
def test_admin_area_is_off_without_tokens(tmp_path: Path, store: SQLiteStore) -> None:
    app = create_app(settings=admin_settings(tmp_path, admin_tokens=[]), store=store)
    with TestClient(app, headers=bearer()) as off:
        routes = admin_routes()
        assert len(routes) >= 20
        for method, path in routes:
            assert off.request(method, path).status_code == 404, (method, path)


def test_every_admin_api_route_needs_a_token(client: TestClient) -> None:
    routes = [(m, p) for m, p in admin_routes() if p.startswith("/api/admin")]
    for method, path in routes:
        anonymous = client.request(method, path, headers={"Authorization": ""})
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = client.request(method, path, headers=bearer("wrong-token"))
        assert wrong.status_code == 401, (method, path)
        assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


def test_tokens_name_the_admin(client: TestClient) -> None:
    assert client.get("/api/admin/me").json() == {"name": "alice"}
    other = client.get("/api/admin/me", headers=bearer(OTHER_TOKEN)).json()["name"]
    assert other.startswith("admin-") and OTHER_TOKEN not in other
    basic = client.get("/api/admin/me", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert basic.status_code == 401
    prefix = client.get("/api/admin/me", headers=bearer(TOKEN.split(":")[1][:-1]))
    assert prefix.status_code == 401
    assert client.get("/api/admin/me").headers["Cache-Control"] == "no-store"


def test_env_comma_separated_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.settings import Settings

    monkeypatch.setenv("ADMIN_TOKENS", " ann:one-token , two-token ,")
    assert Settings().admin_tokens == ["ann:one-token", "two-token"]


def test_rate_limit_per_token_and_per_address(tmp_path: Path, store: SQLiteStore) -> None:
    settings = admin_settings(tmp_path, admin_rate_limit_per_minute=3)
    with TestClient(create_app(settings=settings, store=store)) as limited:
        codes = [limited.get("/api/admin/me", headers=bearer()).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        blocked = limited.get("/api/admin/me", headers=bearer())
        assert int(blocked.headers["Retry-After"]) >= 1
        assert limited.get("/api/admin/me", headers=bearer(OTHER_TOKEN)).status_code == 200
        guesses = [limited.get("/api/admin/me", headers=bearer(f"guess{i}")) for i in range(4)]
        assert [g.status_code for g in guesses] == [401, 401, 401, 429]


def test_rate_limiter_refills(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("api.admin.auth.time.monotonic", lambda: clock[0])
    limiter = RateLimiter(per_minute=2)
    assert [limiter.take("k"), limiter.take("k")] == [0, 0]
    assert limiter.take("k") == pytest.approx(30.0)
    assert limiter.take("other") == 0
    clock[0] += 30
    assert limiter.take("k") == 0


# -- content --
def test_list_and_get_sessions(client: TestClient) -> None:
    sessions = client.get("/api/admin/sessions").json()
    assert [s["s_no"] for s in sessions] == [1, 2, 3, 4, 5, 6, 7]
    assert client.get("/api/admin/sessions/2").json()["heading"] == "Our Products and Grades"
    assert client.get("/api/admin/sessions/99").status_code == 404
    assert client.get("/api/admin/sessions/0").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"s_no": 8, "heading": "  ", "content": "x"}, "heading"),
        ({"s_no": 8, "heading": "H", "content": ""}, "content"),
        ({"s_no": 8, "heading": "H" * 201, "content": "x"}, "heading"),
        ({"s_no": 8, "heading": "H", "content": "x" * 12_001}, "content"),
        ({"s_no": 8, "heading": "H", "content": "x", "media_url": "ftp://x.test/a"}, "media_url"),
        ({"s_no": 8, "heading": "H", "content": "x", "media_url": "not a url"}, "media_url"),
        ({"s_no": 0, "heading": "H", "content": "x"}, "s_no"),
        ({"s_no": 1000, "heading": "H", "content": "x"}, "s_no"),
        ({"s_no": 2, "heading": "H", "content": "x"}, "s_no"),  # taken
    ],
)
def test_create_rejects_bad_sessions(
    client: TestClient, body: dict[str, object], field: str
) -> None:
    response = client.post("/api/admin/sessions", json=body)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


def test_create_update_delete_are_versioned_and_undoable(client: TestClient) -> None:
    new = {"s_no": 8, "heading": " Bonus ", "content": "Extra tips.", "media_url": ""}
    created = client.post("/api/admin/sessions", json=new)
    assert created.status_code == 201
    assert created.json() == {
        "s_no": 8,
        "heading": "Bonus",
        "content": "Extra tips.",
        "media_url": None,
        "questions": [],
        "quiz": None,
        "translations": {},
        "media": [],
    }
    edit = {"heading": "Bonus", "content": "Better tips.", "media_url": "https://x.test/b.pdf"}
    assert client.put("/api/admin/sessions/8", json=edit).json()["content"] == "Better tips."
    assert client.put("/api/admin/sessions/9", json=edit).status_code == 404
    assert client.put("/api/admin/sessions/8", json={**edit, "content": " "}).status_code == 422
    versions = client.get("/api/admin/sessions/8/versions").json()
    assert [(v["action"], v["who"]) for v in versions] == [("update", "alice"), ("create", "alice")]
    assert versions[0]["previous"]["content"] == "Extra tips."
    assert versions[0]["current"]["content"] == "Better tips."
    undo = client.post(f"/api/admin/versions/{versions[0]['id']}/restore").json()
    assert undo["session"]["content"] == "Extra tips."
    assert client.get("/api/admin/sessions/8").json()["content"] == "Extra tips."
    assert client.delete("/api/admin/sessions/8").status_code == 204
    assert client.delete("/api/admin/sessions/8").status_code == 404
    deleted = client.get("/api/admin/versions", params={"limit": 1}).json()[0]
    assert deleted["action"] == "delete" and deleted["s_no"] == 8
    assert client.post(f"/api/admin/versions/{deleted['id']}/restore").status_code == 200
    assert client.get("/api/admin/sessions/8").json()["heading"] == "Bonus"
    undo_create = client.post(f"/api/admin/versions/{versions[1]['id']}/restore").json()
    assert undo_create == {"s_no": 8, "session": None}
    assert client.get("/api/admin/sessions/8").status_code == 404
    assert client.post("/api/admin/versions/424242/restore").status_code == 404
    assert client.get("/api/admin/versions", params={"limit": 0}).status_code == 422


def test_edit_reaches_partners_at_once(client: TestClient, store: SQLiteStore) -> None:
    session = client.get("/api/admin/sessions/1").json()
    client.put("/api/admin/sessions/1", json={**session, "content": "Fresh welcome text."})
    replies = Engine(store).handle_message(Inbound(phone="+15559999", text="I am a new partner"))
    assert "Fresh welcome text." in "\n".join(r.text for r in replies)


def test_reorder_moves_sessions_and_partners(client: TestClient, store: SQLiteStore) -> None:
    before = {s["s_no"]: s["heading"] for s in client.get("/api/admin/sessions").json()}
    ben_before = store.get_progress("+15550002")
    assert ben_before is not None and ben_before.current_section == 2
    order = [2, 1, 3, 4, 5, 6, 7]
    after = client.post("/api/admin/sessions/reorder", json={"order": order}).json()
    assert [s["heading"] for s in after] == [before[n] for n in order]
    ben = store.get_progress("+15550002")
    assert ben is not None and ben.current_section == 1  # still on "Our Products and Grades"
    actions = [v["action"] for v in client.get("/api/admin/versions").json()[:2]]
    assert actions == ["reorder", "reorder"]
    reorder_id = client.get("/api/admin/versions").json()[0]["id"]
    assert client.post(f"/api/admin/versions/{reorder_id}/restore").status_code == 422
    for bad in ([1, 2, 3], [1, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 9], []):
        assert client.post("/api/admin/sessions/reorder", json={"order": bad}).status_code == 422


def test_preview_splits_like_whatsapp(client: TestClient) -> None:
    long = "\n\n".join(f"Paragraph {i}. " + "Steel grades matter. " * 20 for i in range(8))
    body = {
        "s_no": 3,
        "heading": "Long one",
        "content": long,
        "media_url": "https://x.test/a.pdf",
        "name": "Ben Okafor",
    }
    parts = client.post("/api/admin/sessions/preview", json=body).json()["parts"]
    assert len(parts) >= 3 and all(p["chars"] <= 1600 for p in parts)
    assert parts[0]["text"].startswith("📚 *Session 3: Long one*")
    assert parts[0]["media_url"] == "https://x.test/a.pdf" and parts[1]["media_url"] is None
    assert parts[-1]["text"].endswith(f"({len(parts)}/{len(parts)})") and "Ben" in parts[-1]["text"]
    short = client.post("/api/admin/sessions/preview", json={"heading": "H", "content": "Hi"})
    assert len(short.json()["parts"]) == 1
    assert (
        client.post("/api/admin/sessions/preview", json={"heading": "", "content": "x"}).status_code
        == 422
    )


# -- partners --
def test_list_filter_and_search_partners(client: TestClient, store: SQLiteStore) -> None:
    page = client.get("/api/admin/partners").json()
    assert page["total"] == 3
    by_phone = {p["phone"]: p for p in page["items"]}
    assert by_phone["+15550001"]["status"] == "completed"
    assert by_phone["+15550002"]["questions"] == 1 and by_phone["+15550002"]["messages"] == 3

    def phones(**params: str | int) -> list[str]:
        page = client.get("/api/admin/partners", params=params).json()
        return [p["phone"] for p in page["items"]]

    assert phones(status="completed") == ["+15550001"]
    assert phones(status="in_training") == ["+15550002"]
    assert phones(status="new") == ["+15550003"]
    assert phones(status="paused") == []
    store.update_progress("+15550002", ProgressUpdate(in_training_mode=False))  # Ben said bye
    assert phones(status="paused") == ["+15550002"]
    assert phones(sort="name", order="asc") == ["+15550001", "+15550002", "+15550003"]
    assert phones(q="ben") == ["+15550002"] and phones(q="5550003") == ["+15550003"]
    assert len(phones(limit=1)) == 1
    bad_filters: list[dict[str, str | int]] = [
        {"status": "lost"},
        {"paused_days": 0},
        {"sort": "phone"},
        {"order": "up"},
        {"limit": 501},
        {"offset": -1},
        {"q": "x" * 101},
    ]
    for bad in bad_filters:
        assert client.get("/api/admin/partners", params=bad).status_code == 422, bad


def test_partner_detail_and_transcript(client: TestClient) -> None:
    detail = client.get("/api/admin/partners/+15550002").json()
    assert detail["partner"]["name"] == "Ben Okafor"
    states = {s["s_no"]: s["state"] for s in detail["sessions"]}
    assert states[2] == "current" and states[1] == "open" and len(states) == 7
    done = client.get("/api/admin/partners/+15550001").json()["sessions"]
    assert {s["state"] for s in done} == {"completed"}
    whole = client.get("/api/admin/partners/+15550002/transcript").json()
    assert whole["name"] == "Ben Okafor" and whole["headings"]["2"] == "Our Products and Grades"
    said = [e["text"] for e in whole["entries"] if e["who"] == "partner"]
    assert said == ["I am a new partner", "next", "What is the difference between SS304 and SS316?"]
    assert whole["entries"][1]["who"] == "genie"
    offered = [e["options"] for e in whole["entries"] if e["options"]]
    assert offered[-1] == {"kind": "buttons", "titles": ["✅ Done", "➡️ Next", "📋 Menu"],
                           "button": None}  # fmt: skip
    two = client.get("/api/admin/partners/+15550002/transcript", params={"session": 2}).json()
    assert {e["session"] for e in two["entries"]} == {2} and len(two["entries"]) < len(
        whole["entries"]
    )
    assert client.get("/api/admin/partners/+15557777").status_code == 404
    assert client.get("/api/admin/partners/+15557777/transcript").status_code == 404
    assert client.get("/api/admin/partners/not-a-phone").status_code == 422


def test_partner_detail_shows_the_rate_limit_and_what_it_held_back(
    client: TestClient, store: SQLiteStore
) -> None:
    store.append_chat(
        ChatEntry(phone="+15550002", who="partner", text="spam", source="rate_limited")
    )
    limit = client.get("/api/admin/partners/+15550002").json()["rate_limit"]
    assert limit == {"messages": 20, "window_s": 60.0, "held_back": 1}


def test_reset_partner(client: TestClient, store: SQLiteStore) -> None:
    progress = client.post("/api/admin/partners/+15550001/reset").json()["progress"]
    assert progress["completed_sections"] == [] and progress["current_section"] is None
    assert progress["training_started"] is False and progress["completed_at"] is None
    assert store.chat_history("+15550001")  # the chat is kept
    assert client.post("/api/admin/partners/+15557777/reset").status_code == 404


def test_erase_partner(client: TestClient, store: SQLiteStore) -> None:
    store.upsert_lead("15550002", "Ben From CRM")
    erased = client.delete("/api/admin/partners/+15550002").json()
    assert erased["deleted"]["training_progress"] == 1 and erased["deleted"]["leads"] == 1
    assert erased["deleted"]["chat_history"] >= 6
    assert store.get_progress("+15550002") is None and store.chat_history("+15550002") == []
    assert client.get("/api/admin/partners/+15550002").status_code == 404
    assert client.delete("/api/admin/partners/+15550002").json()["deleted"] == {}
    assert client.get("/api/admin/partners").json()["total"] == 2


def test_export_csv(client: TestClient, store: SQLiteStore) -> None:
    store.update_progress("+15550003", ProgressUpdate(name="=HYPERLINK(1)"))
    response = client.get("/api/admin/partners/export.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_phone = {r["phone"]: r for r in rows}
    assert set(by_phone) == {"+15550001", "+15550002", "+15550003"}
    assert (
        by_phone["+15550001"]["completed_count"] == "7"
        and by_phone["+15550001"]["total_sessions"] == "7"
    )
    assert by_phone["+15550002"]["status"] == "in_training"
    assert by_phone["+15550003"]["name"] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet
    only = client.get("/api/admin/partners/export.csv", params={"status": "completed"}).text
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1


# -- analytics and docs --
def test_analytics(client: TestClient) -> None:
    got = client.get("/api/admin/analytics").json()
    assert (got["partners"], got["enrolled"], got["completed"], got["in_training"]) == (3, 2, 1, 1)
    assert got["completion_rate"] == 0.5 and got["active_24h"] == 3
    funnel = {s["s_no"]: (s["reached"], s["completed"], s["stopped"]) for s in got["sessions"]}
    assert funnel[1] == (2, 1, 0) and funnel[2] == (2, 1, 1) and funnel[7] == (1, 1, 0)
    assert got["top_questions"][0]["text"].startswith("What is the difference")
    assert client.get("/api/admin/analytics", params={"stalled_days": 0}).status_code == 422
    assert client.get("/api/admin/analytics", params={"top": 51}).status_code == 422


def test_openapi_documents_the_admin_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/admin/sessions/{s_no}" in spec["paths"] and "/api/admin/analytics" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert not any(path.startswith("/admin") for path in spec["paths"])


def test_dashboard_files(client: TestClient) -> None:
    page = client.get("/admin", headers={"Authorization": ""})
    assert page.status_code == 200 and "<title>Genie admin</title>" in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for asset, kind in (("app.js", "javascript"), ("app.css", "css")):
        response = client.get(f"/admin/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    assert client.get("/admin/secrets.py").status_code == 404
    assert client.get("/admin/..%2Fmain.py").status_code == 404


def test_database_outage_is_503(
    client: TestClient, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("SQLite error: disk I/O error")

    monkeypatch.setattr(store, "list_sessions", down)
    monkeypatch.setattr("store.sqlite_admin.SQLiteAdmin.analytics", down)
    for path in ("/api/admin/sessions", "/api/admin/analytics"):
        response = client.get(path)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert "unavailable" in response.json()["detail"]


def test_editing_a_session_keeps_its_quiz_translations_and_media(
    client: TestClient, store: SQLiteStore
) -> None:
    rich = store.get_session(1)
    assert rich is not None
    extras = {"quiz": {"questions": [{"question": "Q?", "answer": True}]}, "questions": ["Q?"]}
    store.upsert_session(rich.model_copy(update=extras))
    edit = {"heading": "New heading", "content": "New text.", "media_url": ""}
    assert client.put("/api/admin/sessions/1", json=edit).status_code == 200
    after = store.get_session(1)
    assert after is not None and after.heading == "New heading"
    assert after.quiz == extras["quiz"] and after.questions == ["Q?"]

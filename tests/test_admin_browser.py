"""The dashboard in headless Chromium: sign in, chart, transcript, an edit reaching `genie chat`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from agent.engine import Engine
from api.admin.screens import CHROMIUM, chromium_browser, sign_in
from api.live_server import LiveServer
from api.main import create_app
from store.factory import seed_if_empty
from store.models import ProgressUpdate, utcnow
from store.sqlite_store import SQLiteStore
from tests.admin_helpers import TOKEN, admin_settings, seed_partners, talk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"Chromium not installed at {CHROMIUM} (Debian package)"
    ),
]
SECRET = TOKEN.split(":", 1)[1]
ROOT = Path(__file__).resolve().parent.parent
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real app (uvicorn, SQLite file) with three partners; yields its URL and database."""
    tmp = tmp_path_factory.mktemp("admin-browser")
    store = SQLiteStore(tmp / "genie.db")
    seed_if_empty(store)
    engine = Engine(store)
    seed_partners(engine)
    talk(engine, "+15550004", "Mallory", "I am a new partner", "<img src=x onerror=alert(1)>?")
    talk(engine, "+15550004", "Mallory", "menu")  # her transcript ends with a list picker
    with LiveServer(create_app(admin_settings(tmp), store=store)) as url:
        yield url, tmp / "genie.db"
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with chromium_browser() as launched:
        yield launched


def new_page(browser: Any, width: int = 1280, height: int = 900) -> Any:
    """A fresh tab (own sessionStorage) that fails the test on any JavaScript error."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return page


@pytest.fixture
def page(browser: Any, live: tuple[str, Path]) -> Iterator[Any]:
    """A tab signed in as alice."""
    tab = new_page(browser)
    sign_in(tab, live[0], SECRET)
    yield tab
    assert tab.js_errors == []
    tab.context.close()


def test_sign_in_checks_the_token(browser: Any, live: tuple[str, Path]) -> None:
    tab = new_page(browser)
    tab.goto(f"{live[0]}/admin")
    tab.fill("#token", "not-the-token")
    tab.click("#signin-button")
    tab.wait_for_selector("#signin-error:has-text('not valid')", timeout=WAIT_MS)
    assert tab.is_hidden("#app")
    tab.fill("#token", SECRET)
    tab.click("#signin-button")
    tab.wait_for_selector("#app:not([hidden])", timeout=WAIT_MS)
    assert tab.text_content("#who") == "alice"
    tab.click("#signout")
    tab.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    assert tab.evaluate("sessionStorage.length") == 0
    tab.context.close()


def test_overview_draws_the_funnel(page: Any) -> None:
    page.wait_for_selector("#funnel svg rect.bar.reached", timeout=WAIT_MS)
    widths = page.eval_on_selector_all(
        "#funnel rect.bar.reached", "bars => bars.map(b => Number(b.getAttribute('width')))"
    )
    assert len(widths) == 7 and widths[0] > 0
    assert widths[0] >= widths[-1]  # the funnel narrows
    assert page.locator("#funnel rect.bar.active").count() >= 1  # Ben is on a session now
    kpis = page.inner_text("#kpis")
    assert "Enrolled\n3" in kpis and "Completion rate\n33.3%" in kpis
    assert "SS304" in page.inner_text("#top-questions")


def test_quizzes_page_shows_analytics_and_revokes_a_certificate(
    page: Any, live: tuple[str, Path]
) -> None:
    page.goto(f"{live[0]}/admin#quizzes")
    page.wait_for_selector("#quiz-questions tbody tr:nth-child(21)", timeout=WAIT_MS)
    assert "How many warehouses" in page.inner_text("#quiz-questions")
    assert "100%" in page.inner_text("#quiz-questions")  # Asha got every question first time
    assert "Asha Rao" in page.inner_text("#certificates")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#certificates button:has-text('Revoke')")
    page.wait_for_selector("#certificates :text('revoked')", timeout=WAIT_MS)


def test_open_a_transcript(page: Any) -> None:
    page.click("nav a[data-view=partners]")
    page.wait_for_selector("#partners-table tr[data-phone='+15550002']", timeout=WAIT_MS)
    page.fill("#partner-search", "okafor")
    # The page's CSP forbids eval, so waits use locators, not wait_for_function.
    expect(page.locator("#partners-table tr[data-phone]")).to_have_count(1, timeout=WAIT_MS)
    page.click("#partners-table tr[data-phone='+15550002']")
    page.wait_for_selector("#transcript .bubble", timeout=WAIT_MS)
    assert page.text_content("#partner-name") == "Ben Okafor"
    question = page.locator(".bubble.in", has_text="difference between SS304 and SS316")
    assert question.count() == 1
    assert page.locator(".bubble.out").count() >= 3
    assert page.locator(".divider.session", has_text="Session 2").count() == 1
    chips = page.locator(".bubble.out .options").last  # the session's buttons, as chips
    assert chips.inner_text().split("\n") == ["✅ Done", "➡️ Next", "📋 Menu"]
    page.select_option("#transcript-session", "2")
    transcript = page.locator("#transcript")
    expect(transcript).not_to_contain_text("I am a new partner", timeout=WAIT_MS)
    expect(transcript).to_contain_text("SS304 and SS316")


def test_partner_text_is_shown_not_run(page: Any, live: tuple[str, Path]) -> None:
    page.goto(f"{live[0]}/admin#partner/%2B15550004")
    page.wait_for_selector(".bubble.in:has-text('<img src=x')", timeout=WAIT_MS)
    assert page.locator("#transcript img").count() == 0


def test_a_list_picker_shows_its_button_and_rows(page: Any, live: tuple[str, Path]) -> None:
    page.goto(f"{live[0]}/admin#partner/%2B15550004")
    picker = page.locator(".bubble.out .list-picker").last
    picker.wait_for(timeout=WAIT_MS)
    assert picker.locator(".list-button").inner_text() == "☰ Sessions"
    rows = picker.locator("li").all_inner_texts()
    assert len(rows) == 7 and rows[0].startswith("📘 1. Welcome")


def test_edit_a_session_and_a_partner_sees_it_in_genie_chat(
    page: Any, live: tuple[str, Path]
) -> None:
    page.goto(f"{live[0]}/admin#content/1")
    page.wait_for_selector("#preview .bubble", timeout=WAIT_MS)
    marker = "Browser-edited welcome: ask for Priya at the Chakan desk."
    page.fill("#f-content", marker)
    page.wait_for_selector(f"#preview .bubble:has-text('{marker}')", timeout=WAIT_MS)
    page.fill("#f-heading", "")
    page.wait_for_selector(".field-error[data-for=heading]:not(:empty)", timeout=WAIT_MS)
    page.fill("#f-heading", "Welcome, edited")
    page.click("#save-session")
    page.wait_for_selector("#toast:has-text('Saved')", timeout=WAIT_MS)
    page.wait_for_selector("#versions li:has-text('update by alice')", timeout=WAIT_MS)

    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "MONGODB_URI")}
    env.update(STORE="sqlite", SQLITE_PATH=str(live[1]), LLM_PROVIDER="none", ADMIN_TOKENS="")
    chat = subprocess.run(
        [
            sys.executable,
            "-c",
            "from agent.cli import main; main()",
            "chat",
            "--phone",
            "+15550777",
        ],
        input="I am a new partner\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=True,
    )
    assert "Session 1: Welcome, edited" in chat.stdout
    assert marker in chat.stdout


def test_pages_fit_a_phone_screen(browser: Any, live: tuple[str, Path]) -> None:
    tab = new_page(browser, width=375, height=740)
    sign_in(tab, live[0], SECRET)
    for fragment, ready in (
        ("#overview", "#funnel svg rect.bar"),
        ("#partners", "#partners-table tr[data-phone]"),
        ("#partner/%2B15550002", "#transcript .bubble"),
        ("#content/2", "#preview .bubble"),
        ("#kpis", "#kpi-cards .kpi-card"),
        ("#questions", "#question-groups .question-group"),
        ("#activity", "#activity-table tbody tr"),
    ):
        tab.goto(f"{live[0]}/admin{fragment}")
        tab.wait_for_selector(ready, timeout=WAIT_MS)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375, fragment
    assert tab.js_errors == []
    tab.context.close()


def test_kpis_show_targets_definitions_and_no_feedback_yet(page: Any) -> None:
    page.click("nav a[data-view=kpis]")
    page.wait_for_selector("#kpi-cards .kpi-card", timeout=WAIT_MS)
    assert page.locator("#kpi-cards .kpi-card").count() == 5
    enrolment = page.inner_text("[data-kpi=enrolment]")
    assert "Enrolment rate" in enrolment and "Target 80%+" in enrolment
    assert "new partners in the period" in enrolment  # the definition sits next to the number
    assert "No feedback yet" in page.inner_text("[data-kpi=feedback]")
    assert "No feedback yet" in page.inner_text("#feedback-panel")
    assert page.locator("#weeks-chart rect.bar.new").count() >= 1
    page.select_option("#kpi-preset", "all")
    expect(page.locator("#kpi-scope")).to_contain_text("all time", timeout=WAIT_MS)
    assert page.input_value("#kpi-start") == ""


def test_questions_open_their_session_in_the_editor(page: Any) -> None:
    page.click("nav a[data-view=questions]")
    page.wait_for_selector("#question-groups .question-group", timeout=WAIT_MS)
    groups = page.locator("#question-groups .question-group")
    assert groups.count() >= 2
    assert page.locator("#question-groups img").count() == 0  # partner text is never HTML
    steel = page.locator(".question-group", has_text="SS304")
    assert "answered" in steel.inner_text()
    steel.locator("a.open-session").click()
    page.wait_for_selector("#view-content:not([hidden])", timeout=WAIT_MS)
    expect(page.locator("#editor-title")).to_have_text("Edit session 2", timeout=WAIT_MS)


def test_partner_status_filter_and_reset_in_the_activity_list(page: Any) -> None:
    page.click("nav a[data-view=partners]")
    page.wait_for_selector("#partners-table tr[data-phone]", timeout=WAIT_MS)
    page.select_option("#partner-status", "new")
    expect(page.locator("#partners-table tr[data-phone]")).to_have_count(1, timeout=WAIT_MS)
    assert page.locator("#partners-table tr[data-phone='+15550003'] .badge.new").count() == 1
    page.goto(page.url.split("#")[0] + "#partner/%2B15550004")
    page.wait_for_selector("#transcript .bubble", timeout=WAIT_MS)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset-partner")
    page.wait_for_selector("#toast:not([hidden])", timeout=WAIT_MS)
    page.click("nav a[data-view=activity]")
    row = page.locator("#activity-table tr[data-action='partner.reset']")
    expect(row).to_have_count(1, timeout=WAIT_MS)
    assert "alice" in row.inner_text() and "Mallory" in row.inner_text()


def test_opted_out_partners_and_their_reminders(page: Any, live: tuple[str, Path]) -> None:
    store = SQLiteStore(live[1])
    store.update_progress("+15550004", ProgressUpdate(opted_out=True, opted_out_at=utcnow()))
    store.close()
    page.click("nav a[data-view=partners]")
    page.wait_for_selector("#reminder-summary table", timeout=WAIT_MS)
    assert "partners opted out" in page.inner_text("#reminder-summary")
    page.select_option("#partner-status", "opted_out")
    rows = page.locator("#partners-table tr[data-phone]")
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    page.click("#partners-table tr[data-phone='+15550004']")
    panel = page.locator("#partner-reminders")
    expect(panel).to_contain_text("Opted out", timeout=WAIT_MS)
    expect(panel).to_contain_text("No reminders sent.")
    page.fill("#partner-timezone", "Europe/London")
    page.click("#partner-reminders button")
    expect(page.locator("body")).to_contain_text(
        "Quiet hours follow Europe/London", timeout=WAIT_MS
    )
    store = SQLiteStore(live[1])
    assert store.get_progress("+15550004").timezone == "Europe/London"  # type: ignore[union-attr]
    store.close()

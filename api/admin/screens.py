"""Screenshots of the dashboard pages: the app on demo data, driven by headless Chromium."""

from __future__ import annotations

import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent.settings import Settings
from api.admin.demo import demo_store
from api.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES = {"laptop": (1440, 900), "phone": (390, 844)}
DEMO_PARTNER = "+15550104"
TIMEOUT_MS = 15_000

# page name -> (hash to open, selector that shows the page has drawn its data)
PAGES = {
    "overview": ("#overview", "#funnel svg rect.bar"),
    "kpis": ("#kpis", "#kpi-cards .kpi-card"),
    "partners": ("#partners", "#partners-table tbody tr[data-phone]"),
    "questions": ("#questions", "#question-groups .question-group"),
    "transcript": (f"#partner/{DEMO_PARTNER}", "#transcript .bubble"),
    "editor": ("#content/2", "#preview .bubble"),
    "activity": ("#activity", "#activity-table tbody tr[data-action]"),
}
EMOJI_FONT = "Noto Color Emoji"  # Debian: fonts-noto-color-emoji


def emoji_font_missing() -> str | None:
    """Why emoji would show as empty boxes in the screenshots, or None when the font is there."""
    try:
        found = subprocess.run(
            ["fc-list", ":family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot check the installed fonts ({exc}); install fonts-noto-color-emoji"
    if EMOJI_FONT.lower() not in found.lower():
        return f"the {EMOJI_FONT} font is missing: apt-get install fonts-noto-color-emoji"
    return None


@contextmanager
def chromium_browser(executable: str = CHROMIUM) -> Iterator[Any]:
    """A headless Chromium (the Debian package) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, base_url: str, token: str) -> None:
    """Open the dashboard and sign in with the token."""
    page.goto(f"{base_url}/admin")
    page.fill("#token", token)
    page.click("#signin-button")
    page.wait_for_selector("#app:not([hidden])", timeout=TIMEOUT_MS)


def capture(browser: Any, base_url: str, token: str, out_dir: Path) -> list[Path]:
    """One PNG per page and size, named <page>-<size>.png."""
    written = []
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, base_url, token)
        for name, (fragment, ready) in PAGES.items():
            page.goto(f"{base_url}/admin{fragment}")
            page.wait_for_selector(ready, timeout=TIMEOUT_MS)
            page.wait_for_timeout(400)  # the debounced preview and fonts settle
            path = out_dir / f"{name}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
        context.close()
    return written


def take_screenshots(out_dir: Path, chromium: str = CHROMIUM) -> list[Path]:
    """Start the app on a temporary demo database and photograph every dashboard page."""
    from api.main import create_app

    out_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        store = demo_store(path)
        settings = Settings(
            store="sqlite",
            sqlite_path=str(path),
            llm_provider="none",
            admin_tokens=[f"demo:{token}"],
            twilio_account_sid=None,
            twilio_auth_token=None,
            twilio_whatsapp_from=None,
        )
        try:
            with (
                LiveServer(create_app(settings, store=store)) as url,
                chromium_browser(chromium) as browser,
            ):
                return capture(browser, url, token, out_dir)
        finally:
            store.close()

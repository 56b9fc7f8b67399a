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
# A close-up of one part of a page (laptop width only): name -> (hash, the element to frame).
# Rahul's last message is "menu": his transcript ends with the sessions as a list picker.
CLOSE_UPS = {"list-picker": ("#partner/+15550107", "#transcript .bubble:has(.list-picker)")}
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
        if size == "laptop":
            written += [close_up(page, base_url, name, out_dir) for name in CLOSE_UPS]
        context.close()
    return written


def close_up(page: Any, base_url: str, name: str, out_dir: Path) -> Path:
    """`<name>.png`: the element and the partner's message before it, with a margin."""
    fragment, selector = CLOSE_UPS[name]
    page.goto(f"{base_url}/admin{fragment}")
    target = page.locator(selector).last
    target.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")  # the transcript may be drawn twice
    page.wait_for_timeout(400)
    target.scroll_into_view_if_needed()
    boxes = [target.bounding_box()]
    before = target.locator("xpath=preceding-sibling::*[contains(@class, 'bubble')][1]")
    if before.count():
        boxes.append(before.bounding_box())
    found = [b for b in boxes if b]
    left = min(b["x"] for b in found) - 24
    top = min(b["y"] for b in found) - 16
    right = max(b["x"] + b["width"] for b in found) + 24
    bottom = max(b["y"] + b["height"] for b in found) + 16
    clip = {"x": max(left, 0), "y": max(top, 0), "width": right - left, "height": bottom - top}
    path = out_dir / f"{name}.png"
    page.screenshot(path=str(path), clip=clip)  # viewport coordinates, as the boxes are
    return path


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

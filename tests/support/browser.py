"""Debian's Chromium driven by Playwright, as the browser tests use it."""

import contextlib
import os

# A test tool's own browser download fails here; Debian's package is used instead. Without
# the background-networking flag Chromium keeps calling hosts this machine cannot reach.
CHROMIUM = {
    "executable_path": "/usr/bin/chromium",
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
}


@contextlib.contextmanager
def chromium():
    """A headless Chromium for one test (skipped where Playwright is not installed)."""
    import pytest

    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in on the admin's own login page, as a person would."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

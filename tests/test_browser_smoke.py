"""Proves the browser path used by the page tests: Playwright drives Debian's chromium."""

from __future__ import annotations

from playwright.sync_api import Browser


def test_login_page_renders_in_chromium(browser: Browser, server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{server}/login")
        assert page.locator("h1").inner_text() == "Log in to cxloop"
        assert page.get_by_label("Email").is_visible()
        assert page.get_by_role("button", name="Log in").is_enabled()
    finally:
        page.close()

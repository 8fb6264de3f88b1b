"""Headless Chromium for the diagram tests: Mermaid's own parser and renderer, in a real browser.

Debian's ``chromium`` (``/usr/bin/chromium``, or ``SCHEMAVET_CHROMIUM``) driven by Playwright.
Where either is missing the browser tests are skipped with the reason, loudly; with
``SCHEMAVET_REQUIRE_BROWSER=1`` (``.ci/run`` sets it) they fail instead, so CI never passes
them by not running them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MERMAID = Path(str(resources.files("schemavet.report").joinpath("vendor/mermaid.min.js")))


def chromium_path() -> str | None:
    """Debian's Chromium, or the one ``SCHEMAVET_CHROMIUM`` names."""
    named = os.environ.get("SCHEMAVET_CHROMIUM")
    if named:
        return named if os.path.exists(named) else None
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")


def unavailable(reason: str) -> None:
    """Fail when CI requires the browser, else skip loudly."""
    if os.environ.get("SCHEMAVET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests cannot run: {reason} (SCHEMAVET_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(f"BROWSER TESTS NOT RUN: {reason}; install it (.ci/run does) to run them")


def launch() -> Iterator[Any]:
    """A Playwright Chromium browser for a session's tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        unavailable("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Loaded:
    """A page opened in the browser, with the console errors and page errors it produced."""

    def __init__(self, browser: Any, url: str, wait_for_render: bool = True) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        if wait_for_render:
            self.page.wait_for_function("document.body.dataset.rendered !== 'pending'", timeout=120_000)

    def close(self) -> None:
        """Close the page."""
        self.page.close()


def open_page(browser: Any, path: Path) -> Loaded:
    """A schemavet HTML page, once every diagram on it is drawn (or failed)."""
    return Loaded(browser, path.resolve().as_uri())


def parse_all(browser: Any, texts: list[str], tmp_path: Path) -> list[str | None]:
    """Each Mermaid text through ``mermaid.parse`` of the vendored bundle: None, or its error."""
    harness = tmp_path / "parse.html"
    harness.write_text(f'<!doctype html><meta charset="utf-8"><script src="{MERMAID.as_uri()}"></script>')
    loaded = Loaded(browser, harness.as_uri(), wait_for_render=False)
    try:
        return loaded.page.evaluate(
            """async (texts) => {
                mermaid.initialize({ startOnLoad: false });
                const results = [];
                for (const text of texts) {
                    try { await mermaid.parse(text); results.push(null); }
                    catch (e) { results.push(String(e && e.message ? e.message : e)); }
                }
                return results;
            }""",
            texts,
        )
    finally:
        loaded.close()

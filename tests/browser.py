"""Shared set-up of the browser tests: Debian's Chromium, headless, driven by Playwright.

Playwright's own browser download is never used: ``executable_path`` points at the system Chromium
(``apt-get install chromium``; ``./dev test`` installs it). Background networking is off, so the
browser talks to the loopback server only. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from server.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# How long any wait of a browser test may take, in milliseconds. Waiting is how a browser test learns
# that something happened, not a judgement of speed: far above what the work needs on a quiet machine,
# so that a loaded one (two cores, a full suite beside other work) still passes.
PATIENCE_MS = 120_000

MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                       "(apt-get install -y chromium); the CI setup script installs it"),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """The system Chromium, headless, with screenshots' folder ready; closed afterwards."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True,
                                             timeout=PATIENCE_MS)
        try:
            yield browser
        finally:
            browser.close()


def patient(context: Any) -> Any:
    """A browser context whose waits (navigation, selectors, clicks) all allow ``PATIENCE_MS``."""
    context.set_default_timeout(PATIENCE_MS)
    context.set_default_navigation_timeout(PATIENCE_MS)
    return context


def run_query(page: Any, query: str) -> None:
    """Put ``query`` in the query page's editor (YASGUI's CodeMirror, in the open tab) and run it."""
    page.wait_for_selector(".tabPanel.active .CodeMirror")
    page.evaluate("q => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(q)", query)
    page.click(".tabPanel.active .yasqe_queryButton")

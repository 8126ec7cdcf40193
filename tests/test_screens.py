"""Every page on a phone (320, 390 and 414 px wide) in a real browser: no sideways
scrolling, the search results before the filters, every facet value reachable.

Uses the Chromium and the ``kennisbank serve`` fixtures of :mod:`tests.test_browser`.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_browser import ARTIFACTS, browser, expect, server  # noqa: F401 - the fixtures
from tests.test_web import KST, WIJK

WIDTHS = (320, 390, 414)

#: One page of every kind (the document page is added from the list of documents).
PAGES = [
    "/",
    "/?q=wijk",
    "/?q=wijkactieplan&f.gemeente=Utrecht",
    "/?q=wonen&pagina=50",
    "/?q=zzzzqqq",
    "/documenten",
    "/entiteiten",
    "/entiteiten?type=wijk",
    f"/{WIJK}",
    "/gemeente/utrecht",
    "/wijken",
    "/experimenten",
    "/partners",
    "/kamerstukken",
    f"/kamerstuk/{KST}",
    "/toezeggingen",
    "/vraagbaak",
]

_WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && e.offsetParent !== null)
    .filter(e => !e.closest('.table-scroll, figure.table, .chart-figure'))
    .slice(0, 3)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: wide};
}"""


def _document_page(server: str) -> str:  # noqa: F811 - the fixture's value
    with urllib.request.urlopen(server + "/api/documents", timeout=10) as response:
        documents = json.loads(response.read().decode("utf-8"))["documents"]
    return f"/document/{documents[-1]['id']}"


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:  # noqa: F811
    """A page in a phone-sized window of ``request.param`` CSS pixels."""
    width = request.param
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="nl-NL", has_touch=True
    )  # not is_mobile: a phone browser would zoom out to the content and hide the overflow
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def test_no_page_scrolls_sideways_on_a_phone(phone: Any, server: str) -> None:  # noqa: F811
    measured = {}
    for path in [*PAGES, _document_page(server)]:
        phone.goto(server + path)
        size = phone.evaluate(_WIDEST)
        measured[path] = (size["scroll"], size["inner"])
        assert size["inner"] == phone.viewport_size["width"], (path, size)
        assert size["scroll"] <= size["inner"], (path, size)
    assert len(measured) == len(PAGES) + 1
    ARTIFACTS.mkdir(exist_ok=True)
    width = phone.viewport_size["width"]
    (ARTIFACTS / f"screens-{width}.json").write_text(json.dumps(measured, indent=1))


def test_results_come_before_the_filters_on_a_phone(phone: Any, server: str) -> None:  # noqa: F811
    phone.goto(server + "/?q=wijk")
    first_hit = phone.locator("ol.hits li.hit").first
    expect(first_hit).to_be_visible()
    filters = phone.locator("details.filters")
    expect(filters.locator("> summary")).to_be_visible()
    assert filters.get_attribute("open") is None, "op een telefoon zijn de filters dicht"
    expect(phone.locator("a.facet-value").first).to_be_hidden()
    top = first_hit.bounding_box()
    assert top is not None and top["y"] < 800, top  # the first hit on the first screen
    filters.locator("> summary").click()
    expect(phone.locator("section.facet a.facet-value").first).to_be_visible()


def test_every_facet_value_is_reachable(phone: Any, server: str) -> None:  # noqa: F811
    phone.goto(server + "/api/search?q=wijk")
    data = json.loads(phone.locator("body").inner_text())
    longest = max(data["facets"], key=lambda f: len(f["values"]))
    values = longest["values"]
    assert len(values) > 10, "een facet met meer dan tien waarden"
    phone.goto(server + "/?q=wijk")
    phone.locator("details.filters > summary").click()
    facet = phone.locator(f"#alle-{longest['name']}")
    summary = facet.locator("summary")
    expect(summary).to_contain_text(f"Toon alle {len(values)}")
    summary.click()
    section = phone.locator("section.facet", has=phone.locator(f"#facet-{longest['name']}"))
    assert section.locator("a.facet-value").count() == len(values)
    expect(section.locator("a.facet-value").last).to_be_visible()
    # the filter box (app.js) narrows the long list as one types
    box = facet.get_by_role("searchbox")
    expect(box).to_be_visible()
    wanted = values[-1]["label"]
    box.fill(wanted)
    shown = facet.locator("ul li:not([hidden]) .label")
    expect(shown.first).to_have_text(wanted)
    assert shown.count() < len(values) - 10


def test_wide_screen_shows_filters_beside_the_results(browser: Any, server: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "/?q=wijk")
    facet = page.locator("section.facet a.facet-value").first
    expect(facet).to_be_visible()
    hit = page.locator("ol.hits li.hit").first.bounding_box()
    box = facet.bounding_box()
    assert box is not None and hit is not None and box["x"] < hit["x"]
    context.close()


def test_hits_are_headed_by_their_section(browser: Any, server: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + "/?q=wijk")
    headings = page.locator("ol.hits li.hit h3").all_inner_texts()
    assert len(headings) > 3 and len(set(headings)) > 1, headings
    titles = page.locator("ol.hits li.hit .hit-document").all_inner_texts()
    assert len(set(titles)) < len(headings)  # the same document, different sections
    text = page.locator("p.total").inner_text()
    assert " van " in text and "passages" in text
    context.close()


def test_the_table_of_contents_numbers_once_and_folds(browser: Any, server: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(server + _document_page(server))
    toc = page.locator("details.toc")
    expect(toc).to_have_attribute("open", "")
    numbered = page.locator("ol.toc a").all_inner_texts()
    if any(t.lstrip()[:1].isdigit() for t in numbered):
        style = page.locator("ol.toc").evaluate("e => getComputedStyle(e).listStyleType")
        assert style == "none"  # no list number before the heading's own number
    toc.locator("> summary").click()
    expect(page.locator("ol.toc")).to_be_hidden()
    context.close()

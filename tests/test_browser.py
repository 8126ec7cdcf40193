"""A real browser against a real ``kennisbank serve``: search, facets, passages, cards, safety.

Needs Chromium at ``/usr/bin/chromium`` and the ``playwright`` package (the browser that
``playwright install`` would download is not used); skips with a message without them.
The screenshot of the search page goes to ``test-artifacts/zoeken.png``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.chromium import launch, playwright_or_skip
from tests.conftest import CORPUS_DIR, REPO_ROOT
from tests.indexproc import serve_process

ARTIFACTS = REPO_ROOT / "test-artifacts"
CITATION = "Kamerstukken II 2009/10, 30 995, nr. 78"

sync_api = playwright_or_skip()
expect = sync_api.expect


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m cli serve`` on a free loopback port over a fresh data dir."""
    proc, base = serve_process(tmp_path_factory.mktemp("browser") / "data", CORPUS_DIR)
    try:
        yield base
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system, driven by Playwright."""
    with launch(sync_api) as browser:
        yield browser


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page; records dialogs, script errors, CSP reports and outside requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.seen = {"dialogs": [], "errors": [], "csp": [], "outside": []}

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(server):
            request_route.continue_()
        else:
            page.seen["outside"].append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page.on("dialog", lambda d: (page.seen["dialogs"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.seen["errors"].append(str(e)))
    page.on(
        "console",
        lambda m: page.seen["csp"].append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    assert page.seen["outside"] == [], "alles komt van de eigen server"
    assert page.seen["csp"] == [], "geen inline scripts of stijlen"
    assert page.seen["errors"] == []
    context.close()


def _search(page: Any, server: str, text: str) -> None:
    page.goto(server + "/")
    page.get_by_label("Zoekvraag").fill(text)
    with page.expect_navigation():
        page.get_by_label("Zoekvraag").press("Enter")


def test_search_click_a_facet_go_back_and_screenshot(page: Any, server: str) -> None:
    _search(page, server, "wijkactieplan")
    expect(page.locator("ol.hits li.hit").first).to_be_visible()
    expect(page.locator("ol.hits mark").first).to_be_visible()
    facet = page.locator("section.facet", has=page.get_by_role("heading", name="Gemeente"))
    link = facet.locator("a.facet-value").first
    name = link.locator(".label").inner_text()
    with page.expect_navigation():
        link.click()
    assert "f.gemeente=" in page.url
    expect(page.locator("a.chip.removable", has_text=name)).to_be_visible()
    expect(facet.locator("a.facet-value.selected").first).to_be_visible()
    expect(page.locator("ol.hits mark").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "zoeken.png"), full_page=False)
    page.go_back(wait_until="load")
    assert "f.gemeente=" not in page.url and "q=wijkactieplan" in page.url


def test_facets_work_from_the_keyboard(page: Any, server: str) -> None:
    page.goto(server + "/?q=wijk")
    link = page.locator("section.facet a.facet-value").first
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "f." in page.url


def test_open_a_hit_at_its_passage(page: Any, server: str) -> None:
    _search(page, server, "straatcoaches")
    with page.expect_navigation():
        page.locator("ol.hits li.hit h3 a").first.click()
    assert "/document/" in page.url and "#p-" in page.url
    target = page.locator("#" + page.url.split("#", 1)[1])
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()


def test_open_a_wijk_card(page: Any, server: str) -> None:
    page.goto(server + "/wijken")
    with page.expect_navigation():
        page.get_by_role("link", name="Kanaleneiland", exact=True).click()
    assert page.url.endswith("/wijk/utrecht-kanaleneiland")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kanaleneiland")
    expect(page.locator("svg.graph")).to_be_visible()
    expect(page.get_by_role("link", name="Utrecht").first).to_be_visible()


def test_a_pasted_citation_opens_the_kamerstuk(page: Any, server: str) -> None:
    _search(page, server, CITATION)
    assert page.url.endswith("/kamerstuk/kst-30995-78")
    expect(page.get_by_role("heading", level=1)).to_have_text(CITATION)
    with page.expect_navigation():
        page.locator("ul.citations a").first.click()
    assert "#p-" in page.url


def test_script_in_a_query_does_not_run(page: Any, server: str) -> None:
    hostile = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">"'
    page.goto(server + "/?q=" + quote(hostile))
    _search(page, server, hostile)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.seen["dialogs"] == []
    assert page.get_by_label("Zoekvraag").input_value() == hostile
    page.goto(server + "/?q=wonen&f.gemeente=" + quote('<img src=x onerror="alert(1)">'))
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.seen["dialogs"] == []


def test_search_tips_open_and_close(page: Any, server: str) -> None:
    page.goto(server + "/")
    help_box = page.locator("#zoekhulp")
    expect(help_box).to_be_hidden()
    page.get_by_role("button", name="Zoektips").click()
    expect(help_box).to_be_visible()
    expect(help_box.get_by_role("heading", name="Zo zoekt u")).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()


_CONTRAST_JS = """
(selector) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const el = document.querySelector(selector);
  if (!el) { return null; }
  let bg = el, color = parse(getComputedStyle(el).color);
  while (bg) {
    const c = parse(getComputedStyle(bg).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { break; }
    bg = bg.parentElement;
  }
  const back = bg ? parse(getComputedStyle(bg).backgroundColor) : [255, 255, 255];
  const [a, b] = [lum(color), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


def test_text_has_enough_contrast(page: Any, server: str) -> None:
    page.goto(server + "/?q=wijkactieplan")
    for selector in (
        "h1",
        "label[for=q]",
        "ol.hits li.hit h3 a",
        "p.snippet",
        "mark",
        "a.facet-value .label",
        "a.facet-value .count",
        "p.section-path",
        "header.site a.brand",
        "nav.menu a",
        "footer.site p",
    ):
        ratio = page.evaluate(_CONTRAST_JS, selector)
        assert ratio is not None, selector
        assert ratio >= 4.5, (selector, round(ratio, 2))


def test_json_twin_link_serves_the_same_search(page: Any, server: str) -> None:
    page.goto(server + "/?q=wijkactieplan")
    href = page.get_by_role("link", name="Deze pagina als JSON").get_attribute("href")
    status, body = _get(server + href)
    assert status == 200
    data = json.loads(body)
    first = page.locator("ol.hits li.hit h3 a").first.inner_text()
    hit = data["hits"][0]  # a hit is headed by its section, else by its document
    assert (hit["section_path"] or [hit["document_title"]])[-1] == first
    assert page.locator("ol.hits li.hit .hit-document").first.inner_text() == hit["document_title"]


def test_copy_a_passage_citation_to_the_clipboard(page: Any, server: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    _search(page, server, "wijkagenten")
    first = page.locator("ol.hits > li.hit").first
    first.get_by_text("Citeer", exact=True).click()
    button = first.get_by_role("button", name="Kopieer citaat")
    expect(button).to_be_visible()  # the script shows it: the clipboard is there
    button.click()
    expect(first.locator(".copy-status")).to_have_text("Gekopieerd.")
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = first.locator("textarea.citeertekst").input_value()
    assert copied == expected
    href = first.locator("h3 a").get_attribute("href")
    assert href is not None and copied.endswith(server + href)  # the passage's permalink
    assert copied.startswith(first.locator(".hit-document").inner_text())
    assert " › " in copied and "Kennisbank Wijkenaanpak" in copied
    # and from the keyboard on the document page, at the passage the permalink opens
    page.goto(server + href)
    passage = page.locator(href[href.index("#") :])
    cite = passage.locator("details.cite-passage summary")
    cite.focus()
    page.keyboard.press("Enter")
    passage.get_by_role("button", name="Kopieer citaat").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("navigator.clipboard.readText()") == copied


def test_open_the_register_and_filter_on_a_dossier(page: Any, server: str) -> None:
    page.goto(server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Toezeggingen").click()
    expect(page.get_by_role("heading", name="Toezeggingen", level=1)).to_be_visible()
    everything = page.locator("li.toezegging").count()
    assert everything == 32
    with page.expect_navigation():
        page.locator("section.facet", has_text="Kamerstukdossier").get_by_role(
            "link", name="30 995"
        ).click()
    assert "f.dossier=30995" in page.url
    shown = page.locator("li.toezegging")
    assert 0 < shown.count() < everything
    expect(page.locator("p.result-count")).to_have_text(f"{shown.count()} toezeggingen")
    for i in range(shown.count()):
        expect(shown.nth(i)).to_contain_text("30 995")
    expect(page.locator("li.toezegging.status-nagekomen").first).to_contain_text("Bewijs")

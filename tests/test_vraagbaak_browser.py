"""The Vraagbaak in a real browser against a real ``kennisbank serve`` (issue 14).

A visitor asks a question, a medewerker of the routed centre (CCV) takes it, cites two
passages found inside the page, answers and publishes; the answer is public with its
citations and the first hit of the main search, a "Vraag en antwoord"; a medewerker of
another centre (RIVM) neither sees nor opens it; an XSS
payload as question text stays inert.  Accounts are made with the CLI
(``kennisbank gebruiker toevoegen``, password on stdin).

Needs Chromium at ``/usr/bin/chromium`` and the ``playwright`` package; skips without them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kennisbank.vraagbaak.routing import route
from tests.chromium import launch, playwright_or_skip
from tests.conftest import CORPUS_DIR, REPO_ROOT
from tests.indexproc import clean_env, serve_process

sync_api = playwright_or_skip()
expect = sync_api.expect

TIMEOUT = 30_000
PASSWORD = "een lang genoeg wachtwoord"
QUESTION = "Hoe pakken andere gemeenten overlast van hangjongeren in de wijk aan?"
XSS = '<img src=x onerror="window.__xss=1"> Hoe pakken wijken overlast van hangjongeren aan?'
XSS_NAME = '"><svg onload="window.__xss=2">'
XSS_ANSWER = (
    '<script>window.__xss=3</script><b onmouseover="window.__xss=4">Overlast</b> hangjongeren'
)
NAME, EMAIL = "Jantje Geheimnaam", "jantje.geheim@example.org"
ANSWER = "Kijk naar de aanpak van overlast door hangjongeren in de voortgangsrapportage."
CCV, RIVM = "ccv.medewerker", "rivm.medewerker"


def _add_user(data_dir: Path, naam: str, centrum: str) -> None:
    """``kennisbank gebruiker toevoegen`` in a subprocess, the password as one stdin line."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "gebruiker", "toevoegen", naam, "--centrum", centrum,
         "--rol", "medewerker", "--data-dir", str(data_dir)],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO_ROOT, env=clean_env(),
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Gebruiker {naam}" in result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kennisbank serve`` over a fresh data dir with the bundled corpus, plus two accounts."""
    data_dir = tmp_path_factory.mktemp("vraagbaak-browser") / "data"
    proc, base = serve_process(data_dir, CORPUS_DIR)
    try:
        _add_user(data_dir, CCV, "CCV")
        _add_user(data_dir, RIVM, "RIVM")
        yield base
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system, driven by Playwright."""
    with launch(sync_api) as browser:
        yield browser


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    """Pages in fresh contexts (one per person); script errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def _ask(page: Any, server: str, text: str, **contact: str) -> str:
    """Search first, then submit ``text``; the status page's reference number."""
    page.goto(server + "/vraagbaak")
    page.get_by_label("Waar gaat uw vraag over?").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Zoek eerst in de kennisbank").click()
    expect(page.get_by_role("heading", name="Passages in de documenten")).to_be_visible()
    expect(page.locator("ol.vraagbaak-passages li a").first).to_be_visible()  # suggestions
    expect(page.get_by_role("textbox", name=re.compile(r"^Uw vraag"))).to_have_value(text)
    for field, value in contact.items():
        page.locator(f"#{field}").fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="Verstuur mijn vraag").click()
    expect(page).to_have_url(re.compile(r"/vraagbaak/vraag/[\w-]+$"), timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Uw vraag aan de Vraagbaak")).to_be_visible()
    reference = page.locator("dl.vraagbaak-status dd").first.inner_text().strip()
    assert re.fullmatch(r"VB-\d{4}-\d{6}", reference), reference
    return reference


def _login(page: Any, server: str, naam: str) -> None:
    page.goto(server + "/beheer/inloggen")
    page.get_by_label("Gebruikersnaam").fill(naam)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Wachtrij van de Vraagbaak")).to_be_visible()
    expect(page.get_by_text(f"Ingelogd als {naam}")).to_be_visible()


def test_question_answered_with_citations_published_and_hidden_from_other_centre(
    new_page: Any, server: str
) -> None:
    assert route(QUESTION).centrum == "CCV"

    # 1. the visitor: search first, then ask; the status page has no contact details
    visitor = new_page()
    reference = _ask(visitor, server, QUESTION, naam=NAME, email=EMAIL)
    expect(visitor.locator("blockquote.vraag")).to_contain_text(QUESTION)
    status_html = visitor.content()
    assert NAME not in status_html and EMAIL not in status_html

    # 2. the CCV medewerker: queue, open, take, search passages, cite two, answer, publish
    staff = new_page()
    _login(staff, server, CCV)
    link = staff.get_by_role("link", name=reference)
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None
    vraag_id = int(href.rsplit("/", 1)[1])
    with staff.expect_navigation():
        link.click()
    expect(staff.get_by_role("heading", name=f"Vraag {reference}")).to_be_visible()
    expect(staff.get_by_text(EMAIL)).to_be_visible()  # staff see the contact details
    with staff.expect_navigation():
        staff.get_by_role("button", name="Oppakken").click()
    expect(staff.locator("dl.beheer-gegevens").first).to_contain_text(CCV)
    staff.get_by_label("Zoek passages om te citeren").fill("hangjongeren overlast")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Zoeken", exact=True).click()
    boxes = staff.locator('input[type="checkbox"][name="citaat"]')
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 2
    picked = [boxes.nth(i).get_attribute("value") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    staff.get_by_label("Antwoord", exact=True).fill(ANSWER)
    with staff.expect_navigation():
        staff.get_by_role("button", name="Antwoorden", exact=True).click()
    expect(staff.get_by_role("button", name="Publiceren")).to_be_visible()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Publiceren").click()
    expect(staff.get_by_role("link", name="openbare pagina")).to_be_visible()

    # 3. public: the answer page with two citation links, the API, the suggestions
    visitor.goto(f"{server}/vraagbaak/{vraag_id}")
    expect(visitor.get_by_role("heading", name="Vraag en antwoord")).to_be_visible()
    expect(visitor.locator("div.vraagbaak-antwoord")).to_contain_text(ANSWER)
    citations = visitor.locator("ol.vraagbaak-citaten a")
    expect(citations).to_have_count(2)
    expected = [f"/document/{v.split('|')[0]}#p-{v.split('|', 1)[1]}" for v in picked if v]
    assert [citations.nth(i).get_attribute("href") for i in range(2)] == expected
    public_html = visitor.content()
    assert NAME not in public_html and EMAIL not in public_html
    with visitor.expect_navigation():
        citations.first.click()
    assert visitor.url.endswith(expected[0])

    api = visitor.request.get(f"{server}/api/vragen/{vraag_id}")
    assert api.status == 200
    data = api.json()
    assert data["antwoord"] == ANSWER and data["referentie"] == reference
    assert [(c["document_id"], c["passage_id"]) for c in data["citaten"]] == [
        tuple(v.split("|", 1)) for v in picked if v
    ]
    assert NAME not in api.text() and EMAIL not in api.text()

    # The main search lists it as a "Vraag en antwoord" hit, first, without a restart,
    # and the facet value "Vraag en antwoord" keeps only answers
    visitor.goto(f"{server}/?q={quote('overlast hangjongeren wijk')}")
    first = visitor.locator("ol.hits > li").first
    expect(first.locator(".hit-kind")).to_have_text("Vraag en antwoord")
    expect(first.locator(f'h3 a[href="/vraagbaak/{vraag_id}"]')).to_have_text(QUESTION)
    visitor.locator("a", has_text="Vraag en antwoord").first.click()
    expect(visitor.locator("ol.hits > li")).to_have_count(1)
    assert NAME not in visitor.content() and EMAIL not in visitor.content()
    # and the Vraagbaak's "Zoek eerst" suggests it
    visitor.goto(f"{server}/vraagbaak?q={quote('overlast hangjongeren wijk')}")
    suggestions = visitor.locator("div.vraagbaak-suggesties ul.vraagbaak-lijst")
    expect(suggestions.locator(f'a[href="/vraagbaak/{vraag_id}"]')).to_be_visible()

    # 4. the RIVM medewerker: not in the queue, and the question page is a Dutch 403
    other = new_page()
    _login(other, server, RIVM)
    expect(other.get_by_text("Er wachten geen vragen.")).to_be_visible()
    assert other.locator(f'a[href="/beheer/vraag/{vraag_id}"]').count() == 0
    response = other.goto(f"{server}/beheer/vraag/{vraag_id}")
    assert response is not None and response.status == 403
    expect(other.get_by_role("heading", name="Fout 403")).to_be_visible()
    expect(other.get_by_role("alert")).to_contain_text("hoort niet bij uw kenniscentrum")
    assert EMAIL not in other.content() and ANSWER not in other.content()


def test_xss_payloads_in_question_name_and_answer_are_inert(new_page: Any, server: str) -> None:
    assert route(XSS).centrum == "CCV"
    visitor = new_page()
    reference = _ask(visitor, server, XSS, naam=XSS_NAME)
    expect(visitor.locator("blockquote.vraag")).to_contain_text(XSS)  # shown as text
    assert visitor.locator("blockquote.vraag img").count() == 0
    assert visitor.evaluate("window.__xss") is None

    staff = new_page()
    _login(staff, server, CCV)
    row = staff.locator("table.beheer-wachtrij tr", has=staff.get_by_role("link", name=reference))
    expect(row).to_contain_text(XSS)
    assert staff.locator("table.beheer-wachtrij img").count() == 0
    assert staff.evaluate("window.__xss") is None
    with staff.expect_navigation():
        staff.get_by_role("link", name=reference).click()
    expect(staff.locator("blockquote.vraag")).to_contain_text(XSS)
    assert staff.locator("blockquote.vraag img").count() == 0
    expect(staff.get_by_text(XSS_NAME)).to_be_visible()  # the contact name, as text
    assert staff.locator("svg[onload]").count() == 0
    assert staff.evaluate("window.__xss") is None

    # the answer: as text on the staff page, the public page and the search
    with staff.expect_navigation():
        staff.get_by_role("button", name="Oppakken").click()
    staff.get_by_label("Antwoord", exact=True).fill(XSS_ANSWER)
    with staff.expect_navigation():
        staff.get_by_role("button", name="Antwoorden", exact=True).click()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Publiceren").click()
    href = staff.get_by_role("link", name="openbare pagina").get_attribute("href")
    assert href is not None
    for page, url in ((visitor, href), (visitor, "/?q=" + quote("overlast hangjongeren"))):
        page.goto(server + url if url.startswith("/") else url)
        expect(page.get_by_text("window.__xss=3").first).to_be_visible()
        assert page.locator("b[onmouseover], script:text('__xss')").count() == 0
        page.mouse.move(200, 300)
        assert page.evaluate("window.__xss") is None, url
    assert XSS_NAME not in visitor.content()

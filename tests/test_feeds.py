"""Atom feeds (issue 16): ``/feed?q=…`` for a search and ``/feed/<type>/<slug>`` for an
entity, read back with feedparser (valid Atom 1.0, entries, links, hostile input)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient

from kennisbank.config import Settings
from kennisbank.vraagbaak import Vraagbaak, VraagbaakDB, add_user
from tests.test_vraagbaak_search import ANTWOORD, BUURTAGENTEN, PASSWORD, _publish
from tests.test_vraagbaak_web import _app, indexed_settings  # noqa: F401 - fixture
from web.feeds import Entry, atom, document_date, excerpt

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ET.fromstring(body)  # the elements Atom requires, read without feedparser's help
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    rels = {link.get("rel") for link in root.findall(f"{ATOM}link")}
    assert {"self", "alternate"} <= rels
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    return parsed


@pytest.fixture()
def published(indexed_settings: Settings) -> tuple[FlaskClient, int]:  # noqa: F811
    """A client whose Vraagbaak has one published answer (about Kanaleneiland, Utrecht)."""
    vb = Vraagbaak(VraagbaakDB.in_data_dir(indexed_settings.data_dir))
    user = add_user(vb.db, "beheerder", None, "beheerder", PASSWORD)
    return _app(indexed_settings).test_client(), _publish(vb, user, BUURTAGENTEN, ANTWOORD)


def test_search_feed_is_valid_atom_with_the_hits_newest_first(client: FlaskClient) -> None:
    feed = _feed(client, "/feed?q=kanaleneiland")
    assert feed.feed.title == "Kennisbank Wijkenaanpak: nieuw voor “kanaleneiland”"
    assert feed.feed.id == "http://localhost/feed?q=kanaleneiland"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "http://localhost/feed?q=kanaleneiland"
    assert links["alternate"] == "http://localhost/?q=kanaleneiland"
    assert feed.feed.author == "Kennisbank Wijkenaanpak"
    assert feed.entries
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids))
    for entry in feed.entries:
        assert entry.link.startswith("http://localhost/document/") and "#p-" in entry.link
        assert entry.id == entry.link  # the passage permalink
        assert " — Voortgangsrapportage" in entry.title or entry.title.startswith("Voortgang")
        assert "<" not in entry.summary and len(entry.summary) <= 402
    assert any("Kanaleneiland" in e.summary for e in feed.entries)
    search = client.get("/api/search?q=kanaleneiland&limit=100").get_json()
    found = {h["permalink"] for h in search["hits"] if h.get("permalink")}
    assert set(ids) <= found  # the same search as the page


def test_search_feed_uses_the_search_parameters(client: FlaskClient) -> None:
    feed = _feed(client, "/feed?q=wijk&jaar_van=2010&jaar_tot=2010&limit=5")
    assert len(feed.entries) == 5
    assert all(e.updated.startswith("2010-") for e in feed.entries)
    assert "wijkenaanpak-2010" in feed.entries[0].link
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == "http://localhost/feed?q=wijk&jaar_van=2010&jaar_tot=2010&limit=5"
    everything = _feed(client, "/feed")
    assert everything.feed.title.endswith("nieuwste passages en antwoorden")
    assert len(everything.entries) == 50
    assert client.get("/feed?limit=1000").status_code == 400
    assert client.get("/feed?jaar_van=twintig").status_code == 400


def test_hostile_input_is_escaped(client: FlaskClient) -> None:
    response = client.get("/feed", query_string={"q": '<script>alert("x")</script> & wijk'})
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body
    feed = _feed(client, "/feed?q=%3Cscript%3E%26%22")
    assert "script" in feed.feed.title
    control = client.get("/feed", query_string={"q": "wijk\x01\x0b\ufffe"})
    assert control.status_code in (200, 400)
    if control.status_code == 200:
        assert feedparser.parse(control.get_data()).bozo == 0


def test_atom_writer_escapes_and_drops_what_xml_cannot_hold() -> None:
    when = datetime(2010, 5, 1, tzinfo=UTC)
    entry = Entry(
        id="tag:example.nl,2008:x",
        title="<b>vet</b> & \x00 \x1f",
        updated=when,
        link="http://example.nl/a?b=1&c=2",
        summary="]]> <script>",
    )
    body = atom(
        feed_id="http://example.nl/feed",
        title="T & <t>",
        self_url="http://example.nl/feed?a=1&b=2",
        alternate="http://example.nl/",
        entries=[entry],
    )
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    root = ET.fromstring(body)
    node = root.find(f"{ATOM}entry")
    assert node is not None
    assert node.findtext(f"{ATOM}title") == "<b>vet</b> &  "
    assert node.findtext(f"{ATOM}summary") == "]]> <script>"
    assert node.findtext(f"{ATOM}updated") == "2010-05-01T00:00:00Z"
    assert root.findtext(f"{ATOM}updated") == "2010-05-01T00:00:00Z"
    assert document_date("2009-11", None) == datetime(2009, 11, 1, tzinfo=UTC)
    assert document_date(None, 2008) == datetime(2008, 1, 1, tzinfo=UTC)
    assert excerpt("woord " * 200, 20) == "woord woord woord …"


def test_entity_feed_has_passages_commitments_and_answers(
    published: tuple[FlaskClient, int],
) -> None:
    client, qa_id = published
    short = client.get("/feed/wijk/kanaleneiland")
    assert short.status_code == 302
    url = short.headers["Location"]
    assert url.startswith("/feed/wijk/")
    feed = _feed(client, url)
    assert "Kanaleneiland" in feed.feed.title
    alternate = next(link.href for link in feed.feed.links if link.rel == "alternate")
    assert alternate == "http://localhost" + url.replace("/feed", "", 1)
    answers = [e for e in feed.entries if "/vraagbaak/" in e.link]
    assert [e.link for e in answers] == [f"http://localhost/vraagbaak/{qa_id}"]
    assert answers[0].title == f"Vraag en antwoord: {BUURTAGENTEN}"
    assert answers[0].summary == ANTWOORD and "Geheimeplaats" not in str(feed)
    passages = [e for e in feed.entries if e.link.startswith("http://localhost/document/")]
    assert passages and all("#p-" in e.link for e in passages)
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_entity_feed_lists_commitments(client: FlaskClient) -> None:
    data = client.get("/api/toezeggingen").get_json()
    entity = next(e for t in data["toezeggingen"] for e in t["entities"] if e["url"])
    feed = _feed(client, "/feed" + entity["url"])
    commitments = [e for e in feed.entries if e.id.startswith("tag:localhost,2008:toezegging/")]
    assert commitments
    assert all(e.title.startswith("Toezegging: ") for e in commitments)
    assert all(e.link.startswith("http://localhost/document/") for e in commitments)


def test_unknown_entities_are_404(client: FlaskClient) -> None:
    assert client.get("/feed/wijk/bestaat-niet-xyz").status_code == 404
    assert client.get("/feed/onbekend/iets").status_code == 404
    assert client.get("/feed/wijk/" + "a" * 300).status_code == 404


def test_pages_link_their_feed_in_the_head_and_offer_the_exports(client: FlaskClient) -> None:
    page = client.get("/?q=wonen&f.jaar=2010").get_data(as_text=True)
    head = page[: page.index("</head>")]
    links = re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', head
    )
    assert links == ["/feed?q=wonen&amp;f.jaar=2010"]
    assert _feed(client, links[0].replace("&amp;", "&")).entries
    exports = re.search(r'<p class="exporteer">(.*?)</p>', page, re.S)
    assert exports and "/api/search.xlsx?q=wonen" in exports.group(1)
    assert "/api/search.csv?q=wonen" in exports.group(1)
    card = client.get("/wijk/utrecht-kanaleneiland").get_data(as_text=True)
    head = card[: card.index("</head>")]
    assert 'href="/feed/wijk/utrecht-kanaleneiland"' in head
    assert '<link rel="alternate"' not in client.get("/").get_data(as_text=True)  # no search

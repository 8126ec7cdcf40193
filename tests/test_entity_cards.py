"""Entity cards a new user can trust: Dutch facts with "bron" links and no internal keys,
names with their gemeente where they are ambiguous, short slugs that redirect, a bounded
404 for a huge slug, similar wijken with a reason, excerpts centred on the mention."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from typing import Any

from flask.testing import FlaskClient

from kennisbank.store import Store
from tests.test_web import assert_accessible_and_safe

WIJK = "wijk/utrecht-kanaleneiland"
#: What a card must never show: raw keys of the registry, its curation files and paths.
FORBIDDEN = ("label:", "opmerking:", "SOURCES.md", "shared/corpus", "{'")
#: "regel 1740" and the like: the word "regel" (not "Beleidsregel …", a title).
LINE_NUMBER = re.compile(r"(?<!\w)regel\s", re.IGNORECASE)


def _all_entities(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/api/entities").get_json()["entities"]


def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_every_card_is_free_of_internal_keys_line_numbers_and_paths(client: FlaskClient) -> None:
    entities = _all_entities(client)
    assert len(entities) > 300  # every type of the bundled registry and the recognised persons
    checked = 0
    for entity in entities:
        response = client.get(f"/{entity['id']}")
        assert response.status_code == 200, entity["id"]
        html = response.get_data(as_text=True)
        for needle in FORBIDDEN:
            assert needle not in html, (entity["id"], needle)
        assert not LINE_NUMBER.search(html), entity["id"]
        assert_accessible_and_safe(html)
        checked += 1
    assert checked == len(entities)


def test_facts_are_sentences_with_bron_links_to_passages_or_official_texts(
    client: FlaskClient,
) -> None:
    data = client.get("/api/entities/experiment/gezonde-wijk").get_json()
    facts = {f["key"]: f for f in data["facts"]}
    first = facts["deelnemers"]["lines"][0]
    assert first["text"].startswith("Volgens de voortgangsrapportage 2008 (plannen van aanpak)")
    assert "label" not in first["text"] and "VR2008" not in first["text"]
    assert any(p["entity_id"] == "gemeente/den-haag" for p in first["parts"])
    assert re.fullmatch(r"/document/[\w-]+#p-\w+", first["links"][0]["url"])
    html = client.get("/experiment/gezonde-wijk").get_data(as_text=True)
    assert re.search(r'<a class="bron" href="/document/[\w-]+#p-\w+"[^>]*>bron</a>', html)

    wijk = client.get(f"/api/entities/{WIJK}").get_json()
    status = next(f for f in wijk["facts"] if f["key"] == "status")
    assert status["text"] == "Een van de 40 aandachtswijken (krachtwijken)."
    urls = [link["url"] for line in status["lines"] for link in line["links"]]
    assert any(u.startswith("https://wetten.overheid.nl/BWBR0004418") for u in urls)
    for fact in wijk["facts"]:
        for source in fact["sources"]:
            assert "line" not in source and "file" not in source
            assert source["url"], (fact["key"], source)


def test_ambiguous_wijk_labels_carry_their_gemeente(client: FlaskClient) -> None:
    wijken = client.get("/api/entities?type=wijk").get_json()["entities"]
    names = Counter(w["name"] for w in wijken)
    gemeente_of = {
        w["id"]: client.get(f"/api/entities/{w['id']}").get_json()["entity"]["attributes"]
        for w in wijken
        if names[w["name"]] > 1
    }
    ambiguous = [w for w in wijken if names[w["name"]] > 1]
    assert {"Noord", "Oost", "West"} <= {w["name"] for w in ambiguous}
    gemeenten = {g["id"]: g["name"] for g in _all_entities(client) if g["type"] == "gemeente"}
    for wijk in ambiguous:
        gemeente = gemeenten[gemeente_of[wijk["id"]]["gemeente"]]
        assert wijk["label"] == f"{wijk['name']} ({gemeente})"
    pages = {
        "/entiteiten?type=wijk": ">Noord (Amsterdam)<",
        "/wijken": ">Noord (Rotterdam)<",
        "/wijk/gouda-oost": "<h1>Oost (Gouda)",
        "/gemeente/amsterdam": ">Noord (Amsterdam)<",
    }
    for url, expected in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert expected in html, url
        assert not re.search(r">(Noord|Oost|West)</a>", html), url


def test_facet_values_can_carry_the_labels(app) -> None:  # type: ignore[no-untyped-def]
    from kennisbank.graph import entity_names
    from web.entities import label_entity_facets

    facets = [
        {"name": "wijk", "values": [{"value": "wijk/leerdam-west", "label": "West"}]},
        {"name": "type", "values": [{"value": "voortgangsrapportage", "label": "Rapport"}]},
    ]
    with Store(app.config["KENNISBANK_SETTINGS"].db_path) as store:
        label_entity_facets(facets, entity_names(store.conn))
    assert facets[0]["values"][0]["label"] == "West (Leerdam)"
    assert facets[1]["values"][0]["label"] == "Rapport"


def test_a_short_slug_redirects_to_the_only_match(client: FlaskClient) -> None:
    for url, target in (
        ("/wijk/kanaleneiland", f"/{WIJK}"),
        ("/wijk/Kanaleneiland", f"/{WIJK}"),
        ("/api/entities/wijk/kanaleneiland", f"/api/entities/{WIJK}"),
        ("/wijk/zuid-west", "/wijk/den-haag-zuid-west"),
    ):
        response = client.get(url)
        assert response.status_code in (301, 302), url
        assert response.headers["Location"].endswith(target), url
    assert client.get(f"/{WIJK}").status_code == 200


def test_an_ambiguous_short_slug_is_a_404_that_suggests_every_match(client: FlaskClient) -> None:
    page = client.get("/wijk/noord")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    for wijk in ("amsterdam-noord", "rotterdam-noord", "delfzijl-noord"):
        assert f'href="/wijk/{wijk}"' in html
    api = client.get("/api/entities/wijk/noord").get_json()
    assert {"wijk/amsterdam-noord", "wijk/rotterdam-noord"} <= {s["id"] for s in api["suggesties"]}
    assert client.get("/wijk/kanaleneilnd").status_code == 404  # a typo names nothing exactly


def test_a_huge_slug_is_a_short_404(client: FlaskClient) -> None:
    # 1,000 characters reach the card code (which refuses a slug over 200 at once);
    # 100,000 are refused before any routing (414, web.errors.HostGuard)
    for slug, status in (("a" * 1_000, 404), ("a" * 100_000, 414)):
        for url in (f"/wijk/{slug}", f"/api/entities/wijk/{slug}"):
            response = client.get(url)
            assert response.status_code == status, (len(slug), url[:30])
            body = response.get_data(as_text=True)
            assert len(body) < 10_000 and "a" * 300 not in body
    assert client.get("/api/entities/wijk/" + "a" * 1_000).get_json()["suggesties"] == []


def test_similar_wijken_differ_and_say_why(client: FlaskClient) -> None:
    scores, with_similar = [], 0
    for wijk in client.get("/api/entities?type=wijk").get_json()["entities"]:
        card = client.get(f"/api/entities/{wijk['id']}").get_json()
        with_similar += bool(card["similar"])
        for item in card["similar"]:
            assert item["id"] != wijk["id"] and item["reason"].startswith("Gedeeld: ")
            assert any(not f.startswith("status:") for f in item["features"])
            scores.append(item["score"])
    assert with_similar >= 3 and scores
    assert not all(score == 1 for score in scores)
    # the wijken of Amsterdam are not alike for sharing their gemeente alone
    noord = client.get("/api/entities/wijk/amsterdam-noord").get_json()
    assert noord["similar"] == []
    html = client.get("/wijk/amsterdam-noord").get_data(as_text=True)
    assert "% overlap" not in html and "Geen wijk deelt genoeg" in html
    hatert = client.get("/wijk/nijmegen-hatert").get_data(as_text=True)
    assert re.search(
        r'<ul class="similar">\s*<li><a [^>]*>[^<]+</a> <span class="meta">— Gedeeld:', hatert
    )


def test_a_card_excerpt_is_a_marked_window_around_the_mention(client: FlaskClient) -> None:
    from web.entities import EXCERPT_CHARS

    data = client.get(f"/api/entities/{WIJK}").get_json()
    passages = [p for g in data["passage_groups"] for p in g["passages"]]
    long = [p for p in passages if len(p["text"]) > EXCERPT_CHARS + 100]
    assert long
    html = client.get(f"/{WIJK}").get_data(as_text=True)
    for passage in long:
        excerpt = passage["excerpt_html"]
        assert "<mark>Kanaleneiland</mark>" in excerpt
        assert len(_plain(excerpt)) < len(passage["text"]) and "…" in excerpt
        assert excerpt in html
    # a mention deep in a passage: the window starts near it, not at the passage's start
    deep = [p for p in long if p["spans"] and p["spans"][0]["start"] > EXCERPT_CHARS]
    for passage in deep:
        assert passage["excerpt_html"].startswith("…")


def test_an_excerpt_escapes_the_text_and_marks_only_the_mention(app) -> None:  # type: ignore[no-untyped-def]
    from web.entities import excerpt

    text = (
        "<b>x</b> " + "woord " * 80 + "in Kanaleneiland <script>alert(1)</script> " + "eind " * 80
    )
    at = text.index("Kanaleneiland")
    html = str(excerpt(text, [{"start": at, "end": at + 13}]))
    assert "<mark>Kanaleneiland</mark>" in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "<script>" not in html
    assert html.startswith("…") and html.endswith("…") and len(html) < len(text)
    found = str(excerpt("De wijk Kanaleneiland.", [{"start": 0, "end": 0}], ("kanaleneiland",)))
    assert found == "De wijk <mark>Kanaleneiland</mark>."

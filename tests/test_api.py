"""The JSON API and the search page: twins, filters, paging, CSV, errors, hostile input."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kennisbank.config import Settings
from tests.test_web import DOC_2010, KST, WIJK, assert_accessible_and_safe, settings_with_search
from web import create_app
from web.params import search_params
from web.searching import search_context

# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_settings(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the corpus index with a search index next to it."""
    return settings_with_search(built_settings, tmp_path_factory)


@pytest.fixture()
def search_app(search_settings: Settings) -> Flask:
    """An app that can search."""
    return create_app({"TESTING": True, "KENNISBANK_SETTINGS": search_settings})


@pytest.fixture()
def search_client(search_app: Flask) -> FlaskClient:
    """A test client of :func:`search_app`."""
    return search_app.test_client()


def _args(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def _first_facet_value(data: dict[str, Any], name: str) -> dict[str, Any]:
    facet = next(f for f in data["facets"] if f["name"] == name)
    return facet["values"][0]


# -- the search page and its twin ------------------------------------------------------------


def test_search_page_and_json_twin_share_one_context(search_app: Flask) -> None:
    client = search_app.test_client()
    url = "/api/search?q=wijkactieplannen&f.type=voortgangsrapportage&jaar_van=2008"
    with search_app.test_request_context(url):  # the twin's links stay in /api/search
        from flask import request

        expected = json.loads(json.dumps(search_context(search_params(request.args))))
    assert client.get(url).get_json() == expected
    assert expected["total"] > 0 and expected["hits"]


def test_search_page_shows_highlighted_hits_facets_and_charts(search_client: FlaskClient) -> None:
    response = search_client.get("/?q=wijkactieplan")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="q">Zoekvraag</label>' in html
    assert "<mark>" in html
    assert 'class="facet-value' in html and "Gemeente" in html
    assert '<svg class="chart bars"' in html and '<svg class="chart timeline"' in html
    assert 'popovertarget="zoekhulp"' in html
    assert_accessible_and_safe(html)
    data = search_client.get("/api/search?q=wijkactieplan").get_json()
    hit = data["hits"][0]
    assert f'href="/document/{hit["document_id"]}#p-{hit["passage_id"]}"' in html
    assert hit["document_title"] in html


def test_facet_links_toggle_values_and_chips_remove_them(search_client: FlaskClient) -> None:
    data = search_client.get("/api/search?q=wijk").get_json()
    value = _first_facet_value(data, "gemeente")
    assert ("f.gemeente", value["value"]) in _args(value["toggle_url"])
    assert value["toggle_url"].startswith("/api/search?")  # the twin links to twins
    chosen = search_client.get(value["toggle_url"]).get_json()
    assert chosen["params"]["filters"] == {"gemeente": [value["value"]]}
    assert chosen["total"] <= data["total"]
    assert _first_facet_value(chosen, "gemeente")["selected"] is True
    chip = chosen["active_filters"][0]
    assert ("f.gemeente", value["value"]) not in _args(chip["remove_url"])
    assert ("q", "wijk") in _args(chosen["clear_url"])
    assert not any(k.startswith("f.") for k, _ in _args(chosen["clear_url"]))
    html = search_client.get(value["toggle_url"].replace("/api/search", "/", 1))
    html = html.get_data(as_text=True)
    assert "Alle filters wissen" in html and 'class="chip removable"' in html


def test_two_values_of_one_facet_widen_the_result(search_client: FlaskClient) -> None:
    data = search_client.get("/api/search?q=wijk").get_json()
    facet = next(f for f in data["facets"] if f["name"] == "gemeente")
    if len(facet["values"]) < 2:
        pytest.skip("te weinig gemeenten in de resultaten")
    a, b = facet["values"][0]["value"], facet["values"][1]["value"]
    one = search_client.get(f"/api/search?q=wijk&f.gemeente={a}").get_json()
    both = search_client.get(f"/api/search?q=wijk&f.gemeente={a}&f.gemeente={b}").get_json()
    assert both["total"] >= one["total"]


def test_paging_sorting_and_years(search_client: FlaskClient) -> None:
    first = search_client.get("/api/search?q=wijk&limit=5").get_json()
    second = search_client.get("/api/search?q=wijk&limit=5&pagina=2").get_json()
    assert first["total"] == second["total"] > 5
    assert {h["passage_id"] for h in first["hits"]}.isdisjoint(
        h["passage_id"] for h in second["hits"]
    )
    assert first["pagination"]["next_url"] and second["pagination"]["prev_url"]
    by_date = search_client.get("/api/search?q=wijk&sort=datum").get_json()
    years = [h["year"] or 0 for h in by_date["hits"]]
    assert years == sorted(years, reverse=True)
    only_2008 = search_client.get("/api/search?q=wijk&jaar_van=2008&jaar_tot=2008").get_json()
    assert only_2008["total"] > 0 and {h["year"] for h in only_2008["hits"]} == {2008}


def test_hits_carry_entity_chips_linked_to_cards(search_client: FlaskClient) -> None:
    data = search_client.get("/api/search?q=Kanaleneiland").get_json()
    entities = [e for hit in data["hits"] for e in hit["entities"]]
    assert any(e["id"] == WIJK for e in entities)
    html = search_client.get("/?q=Kanaleneiland").get_data(as_text=True)
    assert f'href="/{WIJK}"' in html


def test_misspelling_offers_bedoelde_u(search_client: FlaskClient) -> None:
    data = search_client.get("/api/search?q=wijkactieplannenn").get_json()
    if not (data["suggestion"] or data["corrected_query"]):
        pytest.skip("de spellingcorrectie is (nog) niet actief")
    html = search_client.get("/?q=wijkactieplannenn").get_data(as_text=True)
    assert "Bedoelde u" in html or "Gezocht naar" in html


@pytest.mark.parametrize(
    "query",
    [
        "Kamerstukken II 2009/10, 30 995, nr. 78",
        "kst-30995-78",
        "30995-78",
        "https://zoek.officielebekendmakingen.nl/kst-30995-78.html",
        "TK 2009-2010, 30995, nr. 78",
    ],
)
def test_a_kamerstuk_reference_in_the_search_box_opens_its_page(
    client: FlaskClient, query: str
) -> None:
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kamerstuk/{KST}")


def test_zoek_1_searches_a_reference_instead_of_jumping(search_client: FlaskClient) -> None:
    response = search_client.get("/", query_string={"q": "kst-30995-78", "zoek": "1"})
    assert response.status_code == 200
    assert f'href="/kamerstuk/{KST}"' in response.get_data(as_text=True)


def test_words_with_a_number_are_searched_not_redirected(client: FlaskClient) -> None:
    response = client.get("/", query_string={"q": "wijkaanpak 2008"})
    assert response.status_code != 302


def test_search_without_search_index_says_so_in_dutch(built_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dataclasses
    import shutil

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copy(built_settings.db_path, data_dir / built_settings.db_path.name)
    settings = dataclasses.replace(built_settings, data_dir=data_dir)
    client = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings}).test_client()
    page = client.get("/?q=wonen")
    assert page.status_code == 503
    assert "nog niet beschikbaar" in page.get_data(as_text=True)


# -- CSV ----------------------------------------------------------------------------------------


def test_csv_export_has_every_hit_of_every_page(search_client: FlaskClient) -> None:
    total = search_client.get("/api/search?q=wijk&f.type=voortgangsrapportage").get_json()["total"]
    response = search_client.get("/api/search.csv?q=wijk&f.type=voortgangsrapportage&pagina=3")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "document",
        "titel",
        "jaar",
        "sectie",
        "passage_id",
        "tekst",
        "url",
        "citaat",
        "gemeente",
        "wijk",
        "thema",
        "score",
    ]
    assert len(rows) - 1 == min(total, 10_000)
    assert all(r[6].startswith("http://localhost/document/") and "#p-" in r[6] for r in rows[1:])
    assert all(r[7].endswith(r[6]) and r[1] in r[7] for r in rows[1:])


def test_csv_respects_filters(search_client: FlaskClient) -> None:
    response = search_client.get("/api/search.csv?q=wijk&jaar_van=2010&jaar_tot=2010")
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows and {r["jaar"] for r in rows} == {"2010"}


def test_csv_cells_are_never_formulas() -> None:
    from web.exports import csv_cell as _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("-1") == "'-1" and _cell("wijk") == "wijk" and _cell(None) == ""


# -- other endpoints ------------------------------------------------------------------------------


def test_refs_endpoint_finds_references(client: FlaskClient) -> None:
    data = client.get(
        "/api/refs",
        query_string={
            "text": "Zie TK 2007-2008, 30995.47 en Kamerstukken II 2009/10, 30 995, nr. 78."
        },
    ).get_json()
    assert [r["identifier"] for r in data["refs"]] == ["kst-30995-47", KST]
    assert data["refs"][1]["citation"] == "Kamerstukken II 2009/10, 30 995, nr. 78"
    assert data["refs"][1]["cited"] is True and data["count"] == 2


def test_entities_endpoint_filters_by_type(client: FlaskClient) -> None:
    data = client.get("/api/entities?type=wijk").get_json()
    assert data["entities"] and {e["type"] for e in data["entities"]} == {"wijk"}
    everything = client.get("/api/entities").get_json()
    assert everything["total"] > data["total"]
    bad = client.get("/api/entities?type=<script>")
    assert bad.status_code == 400 and "Onbekend type" in bad.get_json()["fout"]


def test_api_kamerstuk_accepts_any_notation(client: FlaskClient) -> None:
    for notation in ("kst-30995-78", "KST-30995-78", "30995-78"):
        assert client.get(f"/api/kamerstukken/{notation}").get_json()["identifier"] == KST


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/search?q=wijk&pagina=abc", "pagina"),
        ("/api/search?q=wijk&pagina=-1", "pagina"),
        ("/api/search?q=wijk&pagina=0", "pagina"),
        ("/api/search?q=wijk&limit=101", "limit"),
        ("/api/search?q=wijk&limit=0", "limit"),
        ("/api/search?q=wijk&limit=100&pagina=102", "pagina"),
        ("/api/search?q=wijk&jaar_van=twintig", "jaar_van"),
        ("/api/search?q=wijk&jaar_van=2010&jaar_tot=2008", "jaar_van"),
        ("/api/search?q=wijk&sort=willekeurig", "sort"),
        ("/api/search?q=" + "a" * 501, "q"),
        ("/api/search.csv?q=wijk&limit=9999", "limit"),
        ("/api/refs", "text"),
        ("/api/refs?text=" + "x" * 20_001, "text"),
    ],
)
def test_bad_parameters_are_dutch_400s(client: FlaskClient, url: str, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and body["parameter"] == parameter and body["fout"]
    if url.startswith("/api/search?"):
        page = client.get("/" + url[len("/api/search") :])
        assert page.status_code == 400 and "Fout 400" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/documents/bestaat-niet",
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
        "/api/entities/wijk/bestaat-niet",
        "/api/kamerstukken/onzin",
        "/api/bestaat-niet",
    ],
)
def test_unknown_ids_are_dutch_json_404s(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.is_json and response.get_json()["status"] == 404


# -- hostile input ----------------------------------------------------------------------------

HOSTILE = [
    "/?q=<script>window.__xss=1</script>",
    "/?q=" + "wijk " * 2_000,
    '/?q="achter de voordeur',
    "/?q=(((wonen",
    "/?q=wonen&f.gemeente=<img src=x onerror=alert(1)>",
    "/?q=wonen&f.onbekend=1&pagina=1",
    "/?q=wonen&pagina=-1",
    '/?q=gemeente:"<b>x',
    "/?q=%00%ff",
    "/document/..%2F..%2Fetc%2Fpasswd",
    "/wijk/<script>",
    "/kamerstuk/<script>alert(1)</script>",
    "/entiteiten?type=<script>",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_input_never_breaks_or_injects(search_client: FlaskClient, url: str) -> None:
    response = search_client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    body = response.get_data(as_text=True)
    assert "<script>window" not in body and "<script>alert" not in body
    assert "<img src=x" not in body and "<b>x" not in body
    if response.status_code == 200:
        assert_accessible_and_safe(body)


@pytest.mark.parametrize("url", [u for u in HOSTILE if u.startswith("/?")])
def test_hostile_input_to_the_api_gives_json(search_client: FlaskClient, url: str) -> None:
    response = search_client.get("/api/search" + url[1:])
    assert response.status_code < 500, (url, response.status_code)
    # JSON may echo the text; with nosniff it is never read as HTML
    assert response.is_json and response.headers["X-Content-Type-Options"] == "nosniff"
    for hit in response.get_json().get("hits", []):
        assert not re.search(r"<(?!/?mark>)", hit["snippet_html"])


def test_documents_twin_still_matches(client: FlaskClient) -> None:
    data = client.get(f"/api/documents/{DOC_2010}").get_json()
    assert data["document"]["id"] == DOC_2010 and data["passages"]


def test_twins_share_one_context(app, client) -> None:  # type: ignore[no-untyped-def]
    from web.context import kamerstuk_context, kamerstukken_context
    from web.entities import entities_context, entity_context
    from web.overviews import experimenten_context, partners_context, wijken_context

    pairs = {
        f"/api/entities/{WIJK}": lambda: entity_context("wijk", "utrecht-kanaleneiland"),
        "/api/entities?type=thema": lambda: entities_context("thema"),
        "/api/wijken": wijken_context,
        "/api/experimenten": experimenten_context,
        "/api/partners": partners_context,
        "/api/kamerstukken": kamerstukken_context,
        f"/api/kamerstukken/{KST}": lambda: kamerstuk_context(KST),
    }
    for url, build in pairs.items():
        with app.test_request_context(url):
            expected = json.loads(json.dumps(build()))
        assert client.get(url).get_json() == expected, url

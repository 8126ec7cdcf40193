"""Links in the JSON twins: page-state links stay in the API, permalinks go to the pages.

The rule (README, "Web"): in a JSON twin every value of a key ending in ``_url`` (and
``sort_urls``, ``pagination.links[].url``) that is a path on this site points to a JSON
twin (``/api/…`` — or a CSV export under ``/api/``), with the same parameters as the page
link; the keys ``url``, ``permalink``, ``page`` and ``source_url`` are the permalinks of the
HTML page a person reads (a passage ``/document/<id>#p-…``, an entity card, a Kamerstuk
page, a published answer) and may stay HTML.  Links to other sites (official publications) are
absolute ``https://`` URLs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kennisbank.config import Settings
from tests.test_api import search_settings  # noqa: F401 - the fixture
from tests.test_web import KST, WIJK
from web import create_app

#: Keys whose site paths are HTML permalinks by the rule above.
HTML_KEYS = {"url", "permalink", "page", "source_url"}


@pytest.fixture(scope="module")
def api(search_settings: Settings) -> FlaskClient:  # noqa: F811 - the fixture
    app: Flask = create_app({"TESTING": True, "KENNISBANK_SETTINGS": search_settings})
    return app.test_client()


def _links(data: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """``(path, key, value)`` of every string under a key that names a link."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}"
            if isinstance(value, str) and (key.endswith("_url") or key in HTML_KEYS):
                yield where, key, value
            elif key == "sort_urls" and isinstance(value, dict):
                for sort, url in value.items():
                    yield f"{where}.{sort}", "sort_urls", url
            else:
                yield from _links(value, where)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _links(value, f"{path}[{i}]")


def _site_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//")


def _twins(api: FlaskClient) -> list[str]:
    """One URL of every JSON twin, with ids taken from the lists."""
    documents = api.get("/api/documents").get_json()["documents"]
    kamerstukken = api.get("/api/kamerstukken").get_json()["kamerstukken"]
    return [
        "/api/search?q=wijk",
        "/api/search?q=wijk&f.gemeente=Utrecht&jaar_van=2008&pagina=2&limit=5",
        "/api/search?q=wijkactieplannenn",
        "/api/search?q=wonen&pagina=50",
        "/api/search",
        "/api/documents",
        f"/api/documents/{documents[0]['id']}",
        "/api/entities",
        "/api/entities?type=wijk",
        f"/api/entities/{WIJK}",
        "/api/entities/gemeente/utrecht",
        "/api/wijken",
        "/api/experimenten",
        "/api/partners",
        "/api/kamerstukken",
        f"/api/kamerstukken/{kamerstukken[0]['identifier']}",
        f"/api/kamerstukken/{KST}",
        "/api/toezeggingen",
        "/api/toezeggingen?status=open",
        "/api/vragen",
    ]


def test_links_in_every_json_twin_follow_the_rule(api: FlaskClient) -> None:
    checked, wrong, followed = 0, [], set()
    for twin in _twins(api):
        response = api.get(twin)
        assert response.status_code == 200, twin
        for where, key, value in _links(response.get_json()):
            if not _site_path(value):
                assert value.startswith(("http://", "https://")), (twin, where, value)
                continue
            checked += 1
            page_state = ".pagination.links[" in where
            if key in HTML_KEYS and not page_state:
                if value.startswith("/api/"):
                    wrong.append((twin, where, value))
            elif not value.startswith("/api/"):
                wrong.append((twin, where, value))
            elif len(followed) < 60 and value not in followed:
                followed.add(value)
                assert api.get(value).status_code == 200, (twin, where, value)
    assert wrong == [], "\n".join(map(str, wrong))
    assert checked > 100


def test_search_links_keep_the_parameters_of_the_page(api: FlaskClient) -> None:
    url = "/api/search?q=wijk&f.gemeente=Utrecht&limit=5&pagina=2"
    data = api.get(url).get_json()
    html = api.get(url.replace("/api/search", "/", 1))
    assert html.status_code == 200
    nav = data["pagination"]
    assert urlsplit(nav["next_url"]).path == "/api/search"
    assert ("pagina", "3") in parse_qsl(urlsplit(nav["next_url"]).query)
    assert ("f.gemeente", "Utrecht") in parse_qsl(urlsplit(nav["prev_url"]).query)
    assert all(link["url"].startswith("/api/search?") for link in nav["links"])
    value = data["facets"][0]["values"][0]
    page = html.get_data(as_text=True)
    # the HTML page links the same state at "/?"
    html_toggle = value["toggle_url"].replace("/api/search?", "/?", 1).replace("&", "&amp;")
    assert html_toggle in page


def test_a_page_past_the_end_is_explained_not_negative(api: FlaskClient) -> None:
    data = api.get("/api/search?q=wonen&pagina=50").get_json()
    nav = data["pagination"]
    assert data["total"] > 0 and not data["hits"]
    assert nav["first"] <= nav["last"] and nav["past_end"] is True
    assert "bestaat niet" in nav["note"]
    assert nav["last_page_url"].startswith("/api/search?")
    page = api.get("/?q=wonen&pagina=50").get_data(as_text=True)
    assert "bestaat niet" in page and "naar de laatste pagina" in page
    assert "981–" not in page

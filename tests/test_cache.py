"""The cache of rendered answers (issue 16, :mod:`web.cache`): a repeated request does not
run the view again; a new generation or a published answer changes what is served; forms,
staff pages, POSTs, streamed and cookie-setting answers are never stored; the bounds hold."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response

from kennisbank.config import Settings
from kennisbank.store import Store
from kennisbank.vraagbaak import Citation
from tests.test_vraagbaak_web import (
    CONTACT,
    _csrf,
    _publish,
    _submit,
    _vraag_id,
    indexed_settings,  # noqa: F401 - a fixture
)
from tests.test_web import DOC_2010
from web import create_app, response_cache
from web.cache import MAX_BYTES, MAX_ENTRIES, Entry, ResponseCache, entry_of, storable


def _counting(app: Flask) -> Counter[str]:
    """Count the calls of every view of ``app`` (by endpoint)."""
    calls: Counter[str] = Counter()

    def wrap(endpoint: str, view: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[endpoint] += 1
            return view(*args, **kwargs)

        return counted

    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = wrap(endpoint, view)
    return calls


def _app(settings: Settings) -> Flask:
    return create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings})


def test_the_bounds_are_documented_constants() -> None:
    assert (MAX_ENTRIES, MAX_BYTES) == (512, 64 * 1024 * 1024)
    cache = ResponseCache()
    assert (cache.max_entries, cache.max_bytes) == (MAX_ENTRIES, MAX_BYTES)


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/wijken", "views.wijken"),
        ("/?q=bewonersbudgetten", "views.index"),
        ("/api/search?q=wijkactieplan&limit=5", "api.search"),
        (f"/document/{DOC_2010}", "views.document"),
    ],
)
def test_a_repeated_request_is_served_from_the_cache(
    built_settings: Settings, path: str, endpoint: str
) -> None:
    app = _app(built_settings)
    if endpoint not in app.view_functions:
        endpoint = app.url_map.bind("localhost").match(path.partition("?")[0])[0]
    calls = _counting(app)
    client = app.test_client()
    first = client.get(path)
    assert first.status_code == 200 and calls[endpoint] == 1
    second = client.get(path)
    head = client.head(path)
    assert calls[endpoint] == 1, "the view ran again"
    assert second.status_code == 200 and head.status_code == 200
    assert second.get_data() == first.get_data() and head.get_data() == b""
    for name in ("ETag", "Cache-Control", "Content-Type", "Content-Security-Policy"):
        assert second.headers[name] == first.headers[name], name
    assert int(second.headers["Content-Length"]) == len(first.get_data())
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    other = client.get(path + ("&" if "?" in path else "?") + "pagina=1")  # another URL
    assert other.status_code == 200 and calls[endpoint] == 2
    with app.app_context():
        assert len(response_cache()) == 2


def test_a_published_answer_changes_what_is_served(
    indexed_settings: Settings,  # noqa: F811 - the fixture imported above
) -> None:
    app = _app(indexed_settings)
    calls = _counting(app)
    client = app.test_client()
    urls = ("/?q=overlast+hangjongeren+aanpak", "/api/search?q=overlast+hangjongeren+aanpak")
    before = {url: client.get(url).get_data(as_text=True) for url in urls}
    assert {url: client.get(url).get_data(as_text=True) for url in urls} == before
    assert calls["views.index"] == 1 and calls["api.search"] == 1  # the second time: cached
    with Store(indexed_settings.db_path) as store:
        passage = store.passages(DOC_2010)[5]
    token = _csrf(client)
    location = _submit(client, token, **CONTACT).headers["Location"]
    vraag_id = _vraag_id(indexed_settings, location)
    citation = Citation(passage["id"], DOC_2010, "Voortgangsrapportage Wijkenaanpak 2010")
    _publish(indexed_settings, vraag_id, [citation])
    for url in urls:
        assert f"/vraagbaak/{vraag_id}" not in before[url]
        assert f"/vraagbaak/{vraag_id}" in client.get(url).get_data(as_text=True), url
    assert calls["views.index"] == 2 and calls["api.search"] == 2


def test_a_new_generation_changes_what_is_served(built_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, data)
    settings = built_settings.with_overrides(data_dir=data)
    app = _app(settings)
    calls = _counting(app)
    client = app.test_client()
    first = client.get("/wijken")
    client.get("/wijken")
    assert calls["views.wijken"] == 1
    live = settings.live_generation
    assert live is not None
    renamed = live.with_name(live.name + "-b")
    shutil.copytree(live, renamed)
    (data / "CURRENT").write_text(renamed.name + "\n", encoding="utf-8")
    if settings.live_generation != renamed:
        pytest.skip("CURRENT has another format here")
    again = client.get("/wijken")
    assert calls["views.wijken"] == 2, "an answer of the old generation was served"
    assert again.headers["ETag"] != first.headers["ETag"]


def test_private_pages_posts_and_streams_are_never_cached(
    indexed_settings: Settings,  # noqa: F811 - the fixture imported above
) -> None:
    app = _app(indexed_settings)
    calls = _counting(app)
    client = app.test_client()
    cache: ResponseCache = app.extensions["kennisbank_response_cache"]
    for _ in range(2):
        assert client.get("/vraagbaak").status_code == 200
        assert client.get("/beheer/inloggen").status_code in (200, 302)
        assert client.get("/api/search.csv?q=wijk").status_code == 200
    assert sum(n for endpoint, n in calls.items() if endpoint.startswith("vraagbaak.")) == 2
    assert sum(n for endpoint, n in calls.items() if endpoint.startswith("beheer.")) == 2
    assert calls["api.search_csv"] == 2, "a streamed answer is not stored"
    assert len(cache) == 0
    token = _csrf(client)
    for _ in range(2):
        _submit(client, token, vraag="Welke wijken kregen geld voor sport en spel?", **CONTACT)
    assert calls["vraagbaak.submit"] == 2 and len(cache) == 0
    with app.test_request_context("/wijken", method="POST"):
        assert not storable(Response("x"))
    with app.test_request_context("/wijken"):
        assert storable(Response("x"))
        cookie = Response("x")
        cookie.set_cookie("a", "b")
        assert not storable(cookie)
        assert not storable(Response("x", status=404))
    with app.test_request_context("/wijken"):
        from flask import session  # noqa: PLC0415 - needs the request context

        session.get("csrf_token")  # the view read the session (a CSRF token)
        assert not storable(Response("x"))
    with app.test_request_context("/vraagbaak/extra"):
        assert not storable(Response("x"))


def _entry(size: int) -> Entry:
    return Entry(200, (("Content-Type", "text/plain"),), b"x" * size)


def test_the_bounds_hold_least_recently_used_first() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=1000)
    for key in "abc":
        assert cache.put(key, _entry(100))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", _entry(100))
    assert len(cache) == 3 and cache.get("b") is None and cache.get("a") is not None
    cache.put("e", _entry(800))  # bytes: 100 + 100 + 800 > 1000 → the oldest go
    assert cache.size <= 1000 and cache.get("e") is not None
    assert not cache.put("f", _entry(1001)) and cache.get("f") is None  # larger than the bound
    cache.put("e", _entry(10))  # replacing counts the bytes once
    assert cache.size == sum(len(cache.get(k).body) for k in "ade" if cache.get(k))  # type: ignore[union-attr]
    cache.clear()
    assert len(cache) == 0 and cache.size == 0


def test_the_cache_is_safe_across_threads() -> None:
    cache = ResponseCache(max_entries=50, max_bytes=50 * 64)

    def work(n: int) -> None:
        for i in range(2000):
            key = f"{(n * 7 + i) % 120}"
            if cache.get(key) is None:
                cache.put(key, _entry(1 + (i % 64)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) <= 50 and cache.size <= 50 * 64
    assert cache.size == sum(len(e.body) for e in cache._entries.values())  # noqa: SLF001


def test_an_entry_keeps_the_answer_but_not_its_cookies_or_validators(app: Flask) -> None:
    with app.test_request_context("/wijken"):
        response = Response("<p>hallo</p>", content_type="text/html; charset=utf-8")
        response.set_etag("abc")
        response.headers["X-Extra"] = "1"
        entry = entry_of(response)
    names = {name for name, _ in entry.headers}
    assert "X-Extra" in names and "Content-Type" in names and "ETag" not in names
    assert entry.response().get_data() == b"<p>hallo</p>"

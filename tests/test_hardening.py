"""Issue 16: no request stalls the public web service.

A malformed or untrusted ``Host`` is a short Dutch 400 (never a 500 or a traceback), many
idle connections do not lock out a normal visitor, and answers that depend only on the index
carry an ``ETag`` and ``Cache-Control: public`` and are revalidated with 304.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kennisbank.config import Settings, load_settings
from kennisbank.errors import InvalidInput
from kennisbank.vraagbaak.service import Vraagbaak
from tests.indexproc import serve_process
from web import CACHE_MAX_AGE, create_app
from web.server import WAITRESS_OPTIONS

BAD_HOSTS = ["a..b", "a" * 64 + ".nl", "evil.example.com", "localhost:99999", "[::1", "a b", ""]
PAGES = ["/", "/?q=wijk", "/documenten", "/wijken", "/kamerstukken", "/toezeggingen"]
API = ["/api/search?q=wijk", "/api/search.csv?q=wijk", "/api/documents", "/api/vragen"]


def test_trusted_hosts_setting() -> None:
    default = load_settings(env={})
    assert default.trusted_hosts is None
    assert default.allowed_hosts == ("127.0.0.1", "localhost")
    assert default.with_overrides(host="0.0.0.0").allowed_hosts[-1] == "0.0.0.0"
    env = {"KENNISBANK_TRUSTED_HOSTS": " Kennisbank.Example.NL, localhost:8000 ,[::1]"}
    hosts = load_settings(env=env).allowed_hosts
    assert hosts == ("kennisbank.example.nl", "localhost:8000", "[::1]")
    for bad in ("a..b", "a" * 64, "x.nl:0", "x.nl:70000", "http://x.nl", "x_y.nl", ","):
        with pytest.raises(InvalidInput, match="KENNISBANK_TRUSTED_HOSTS moet"):
            load_settings(env={"KENNISBANK_TRUSTED_HOSTS": bad})


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_bad_host_is_a_short_dutch_400(
    client: FlaskClient, host: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for path in [*PAGES, "/vraagbaak", "/document/x", "//"]:
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert "onbekende of ongeldige host" in response.get_data(as_text=True)
        assert response.content_type.startswith("text/html")
    for path in API:
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert response.is_json and response.get_json()["status"] == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_trusted_host_is_used_for_absolute_urls(built_settings: Settings) -> None:
    settings = built_settings.with_overrides(
        trusted_hosts=("kennisbank.example.nl", "localhost:8000")
    )
    client = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings}).test_client()
    csv = client.get("/api/search.csv?q=wijk", headers={"Host": "Kennisbank.Example.NL"})
    assert csv.status_code == 200
    assert "http://kennisbank.example.nl/document/" in csv.get_data(as_text=True)
    assert client.get("/documenten", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/documenten", headers={"Host": "localhost:8001"}).status_code == 400
    assert client.get("/documenten", headers={"Host": "localhost"}).status_code == 400


@pytest.mark.parametrize("path", PAGES + API + ["/api/entities?type=wijk", "/api/openapi.json"])
def test_index_answers_carry_an_etag_and_revalidate(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200 and first.get_data(), path
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == f"public, max-age={CACHE_MAX_AGE}"
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    fresh = client.get(path, headers={"If-None-Match": '"anders"'})
    assert fresh.status_code == 200 and fresh.get_data()
    other = client.get(path + ("&" if "?" in path else "?") + "x=1")
    assert other.get_data() and other.headers["ETag"] != tag  # the query is part of the validator


def test_forms_and_staff_pages_are_never_public(client: FlaskClient) -> None:
    for path in ("/vraagbaak", "/beheer/inloggen", "/beheer"):
        response = client.get(path)
        assert "ETag" not in response.headers, path
        assert "public" not in response.headers.get("Cache-Control", ""), path
    form = client.get("/vraagbaak")
    assert "no-store" in form.headers["Cache-Control"]
    # errors are not cached either
    assert "ETag" not in client.get("/api/search?limit=0").headers


def _copy_index(built: Settings, target: Path) -> Settings:
    shutil.copytree(built.data_dir, target)
    return built.with_overrides(data_dir=target)


def test_the_validator_follows_the_vraagbaak_and_the_generation(
    built_settings: Settings, tmp_path: Path
) -> None:
    settings = _copy_index(built_settings, tmp_path / "data")
    app: Flask = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings})
    client = app.test_client()
    before = {path: client.get(path).headers["ETag"] for path in ("/", "/api/search", "/wijken")}
    with app.app_context():
        from web.context import vraagbaak_service  # noqa: PLC0415 - the app's own service

        service: Vraagbaak = vraagbaak_service()
        service.submit_question("Hoe pakken andere wijken overlast van hangjongeren aan?")
    after = {path: client.get(path).headers["ETag"] for path in before}
    assert after["/"] != before["/"] and after["/api/search"] != before["/api/search"]
    assert after["/wijken"] == before["/wijken"]  # index only: unchanged
    stale = client.get("/", headers={"If-None-Match": before["/"]})
    assert stale.status_code == 200
    # a new live generation (here: the same files under another name) changes every tag
    live = settings.live_generation
    assert live is not None
    renamed = live.with_name(live.name + "-b")
    shutil.copytree(live, renamed)
    (settings.data_dir / "CURRENT").write_text(renamed.name + "\n", encoding="utf-8")
    if settings.live_generation != renamed:
        pytest.skip("CURRENT has another format here")
    assert client.get("/wijken").headers["ETag"] != after["/wijken"]


def _get(url: str, host: str | None = None, timeout: float = 30) -> tuple[int, bytes, float]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started


def test_a_real_server_survives_idle_sockets_and_bad_hosts(
    built_settings: Settings, tmp_path: Path
) -> None:
    assert WAITRESS_OPTIONS["connection_limit"] >= 500
    data = _copy_index(built_settings, tmp_path / "data").data_dir
    server, base = serve_process(data)
    port = int(base.rsplit(":", 1)[1])
    idle: list[socket.socket] = []
    try:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            idle.append(sock)
        status, body, seconds = _get(f"{base}/api/documents", timeout=15)
        print(f"\n/api/documents with 150 idle sockets open: {status} in {seconds * 1000:.0f} ms")
        assert status == 200 and body.startswith(b"{")
        for host in ("a..b", "a" * 64 + ".nl"):
            status, body, _ = _get(f"{base}/documenten", host=host)
            assert status == 400 and b"onbekende of ongeldige host" in body
            status, _, _ = _get(f"{base}/api/documents", host=host)
            assert status == 400
        status, _, _ = _get(f"{base}/documenten")
        assert status == 200
        # a proxy on this machine says the visitor came over https: permalinks follow
        request = urllib.request.Request(
            f"{base}/api/search?q=wonen&limit=1", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            hit = json.loads(response.read())["hits"][0]
        assert hit["permalink"].startswith("https://127.0.0.1:")
    finally:
        for sock in idle:
            sock.close()
        server.stop()
    assert "Traceback" not in server.output
    assert "Internal Server Error" not in server.output


def test_a_too_long_path_or_query_is_414_before_any_work(client: FlaskClient) -> None:
    for url in (
        "/wijk/" + "a" * 100_000,
        "/document/" + "x" * 5_000,
        "/api/entities/wijk/" + "b" * 5_000,
        "/?q=" + "wonen+" * 12_000,
    ):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        body = response.get_data(as_text=True)
        assert response.status_code == 414, url[:40]
        assert len(body) < 1_000 and "aaaa" not in body and "xxxx" not in body
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        print(f"{url[:20]}… {len(url)} tekens: {elapsed * 1000:.2f} ms")
    assert client.get("/api/entities/wijk/" + "b" * 5_000).get_json()["status"] == 414
    assert client.get("/wijk/" + "a" * 300).status_code == 404  # long, but not absurd

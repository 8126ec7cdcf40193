"""The minimal web app: document list, document page, JSON twins, errors, headers, a real server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from indexer.pipeline import run_index
from kennisbank.config import load_settings
from tests.conftest import REPO_ROOT, make_corpus
from web import create_app
from web.views import document_context, documents_context

DOC_2010 = "voortgangsrapportage-wijkenaanpak-2010"


def test_start_page_lists_both_reports(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Voortgangsrapportage Wijkenaanpak 2008" in html
    assert "Voortgangsrapportage Wijkenaanpak 2010" in html
    assert '<html lang="nl">' in html


def test_html_page_and_json_twin_share_one_context(app, client) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        expected = documents_context()
        expected_doc = document_context(DOC_2010)
    assert client.get("/api/documents").get_json() == expected
    assert client.get(f"/api/documents/{DOC_2010}").get_json() == expected_doc


def test_document_page_has_passage_anchors_and_footnotes(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/documents/{DOC_2010}").get_json()
    html = client.get(f"/document/{DOC_2010}").get_data(as_text=True)
    for passage in data["passages"][:50]:
        assert f'id="p-{passage["id"]}"' in html
    assert 'class="footnote"' in html
    assert "zoek.officielebekendmakingen.nl/kst-30995-78.html" in html


def test_unknown_document_is_a_dutch_404(client) -> None:  # type: ignore[no-untyped-def]
    api = client.get("/api/documents/bestaat-niet")
    assert api.status_code == 404
    assert "bestaat niet" in api.get_json()["fout"]
    page = client.get("/document/bestaat-niet")
    assert page.status_code == 404
    assert "bestaat niet" in page.get_data(as_text=True)
    traversal = client.get("/document/..%2F..%2Fetc%2Fpasswd")
    assert traversal.status_code == 404


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_html_in_a_document_is_shown_as_text(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"xss.txt": (
        "Titel <script>alert(1)</script>\n\n"
        "Een alinea met <img src=x onerror=alert(2)> erin.\n")})
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    run_index(settings)
    client = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings}).test_client()
    html = client.get("/document/xss").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)" in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_missing_index_gives_a_dutch_503(tmp_path: Path) -> None:
    settings = load_settings(corpus_dir=tmp_path, data_dir=tmp_path / "leeg", env={})
    client = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings}).test_client()
    response = client.get("/api/documents")
    assert response.status_code == 503
    assert "kennisbank index" in response.get_json()["fout"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_builds_the_index_on_first_run_and_serves(tmp_path: Path) -> None:
    """A real `kennisbank serve` process on loopback, started on an empty data dir."""
    port = _free_port()
    data_dir = tmp_path / "data"
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "serve", "--port", str(port),
         "--data-dir", str(data_dir), "--corpus", str(REPO_ROOT / "corpus")],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    body = resp.read().decode("utf-8")
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        output = (tmp_path / "serve.log").read_text()
        assert "Voortgangsrapportage Wijkenaanpak 2008" in body, output
        assert "Nog geen index" in output
        assert (data_dir / "kennisbank.sqlite").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()

"""SRU answers (the real record of ../shared/data and pages built from it) and the polite
HTTP client, against a local server only."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.acquisition.sru import (
    USER_AGENT,
    Fetcher,
    FetchError,
    SruDiagnostic,
    SruError,
    build_query,
    parse_sru_response,
    search_url,
)
from tests.test_harvest import NS, SAMPLE_RECORD, namespaced, sru_page, sru_record

BASE = "http://replay.test"


# -- the real record ---------------------------------------------------------------------
def test_the_real_sru_record() -> None:
    if not SAMPLE_RECORD.is_file():
        pytest.skip("../shared/data ontbreekt")
    page = parse_sru_response(SAMPLE_RECORD.read_bytes())
    (record,) = page.records
    assert record.identifier == "gmb-2023-174296"
    assert record.title.startswith("Ingekomen melding, Frater Romboutsstraat 42")
    assert (record.type, record.date, record.position) == (
        "omgevingsvergunning",
        "2023-04-20",
        641420,
    )
    assert record.metadata["organisatie"] == "Bergeijk"
    assert record.metadata["publication"] == "Gemeenteblad"
    repo = "https://repository.overheid.nl/frbr/officielepublicaties/gmb/2023/gmb-2023-174296/1"
    assert record.urls["xml"] == f"{repo}/xml/gmb-2023-174296.xml"
    assert record.urls["html"] == f"{repo}/html/gmb-2023-174296.html"
    assert record.urls["pdf"] == f"{repo}/pdf/gmb-2023-174296.pdf"
    assert record.urls["metadata"] == f"{repo}/metadata/metadata.xml"
    assert record.source_url == "https://zoek.officielebekendmakingen.nl/gmb-2023-174296.html"
    assert b"<gzd>" in record.raw


def test_a_namespaced_page_of_kamerstukken_built_from_the_real_record() -> None:
    records = [namespaced(sru_record(i, BASE, n)) for n, i in enumerate(["kst-30995-78"], 11)]
    data = sru_page(records + [namespaced(sru_record("kst-30995-30-b2", BASE, 12))], 167, 13)
    assert f'xmlns:dcterms="{NS["dcterms"]}"'.encode() in data
    page = parse_sru_response(data)
    assert (page.number_of_records, page.next_record_position) == (167, 13)
    first, second = page.records
    assert (first.identifier, first.type, first.dossier, first.ondernummer) == (
        "kst-30995-78", "Kamerstuk", "30995", "78",
    )  # fmt: skip
    assert (first.vergaderjaar, first.position) == ("2009-2010", 11)
    assert first.metadata["documentsoort"] == "Brief"
    assert first.urls["xml"].endswith("/1/xml/kst-30995-78.xml")
    assert first.urls["metadata"].endswith("/1/metadata/metadata.xml")
    assert first.urls["preferred"] == f"{BASE}/zoek/kst-30995-78.html"
    assert (second.identifier, second.ondernummer) == ("kst-30995-30-b2", "30")
    assert "xml" not in second.urls and second.urls["html"].endswith(".html")


def test_identifier_as_uri_and_record_without_identifier() -> None:
    good = sru_record("kst-30995-1", BASE, 1)
    next(el for el in good.iter() if el.tag == "identifier").text = "/sgd/kst-30995-1"
    bad = sru_record("kst-30995-2", BASE, 2)
    next(el for el in bad.iter() if el.tag == "identifier").text = ""
    page = parse_sru_response(sru_page([namespaced(good), namespaced(bad)], 2, None))
    assert [r.identifier for r in page.records] == ["kst-30995-1"]
    assert page.warnings == [
        "record 2 van de pagina overgeslagen: Een SRU-record heeft geen identifier "
        "(owmskern/identifier)."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het SRU-antwoord is leeg."),
        (b"<searchRetrieveResponse><numberOfRecords>3</numb", "geen geldige XML (regel 1)"),
        (b"<html><body>Onderhoud</body></html>", "geen SRU-antwoord (hoofdelement <html>)"),
        (b"<searchRetrieveResponse><records/></searchRetrieveResponse>", "mist numberOfRecords"),
        (
            b"<searchRetrieveResponse><numberOfRecords>veel</numberOfRecords>"
            b"</searchRetrieveResponse>",
            "ongeldig numberOfRecords: 'veel'",
        ),
        (
            b'<!DOCTYPE r [<!ENTITY x "y">]><searchRetrieveResponse/>',
            "entiteitsdefinities",
        ),
    ],
)
def test_malformed_answers_are_rejected_in_dutch(data: bytes, message: str) -> None:
    with pytest.raises(SruError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_sru_response(data)


def test_diagnostics_mean_the_server_refused_the_query() -> None:
    data = (
        b'<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse" '
        b'xmlns:d="http://docs.oasis-open.org/ns/search-ws/diagnostic"><version>2.0</version>'
        b"<diagnostics><d:diagnostic><d:uri>info:srw/diagnostic/1/10</d:uri>"
        b"<d:message>Query syntax error</d:message></d:diagnostic></diagnostics>"
        b"</searchRetrieveResponse>"
    )
    with pytest.raises(SruDiagnostic, match="De SRU-server weigert de vraag: Query syntax error"):
        parse_sru_response(data)


def test_build_query_and_search_url() -> None:
    assert build_query("30995") == (
        "c.product-area==officielepublicaties AND w.dossiernummer==30995"
    )
    assert build_query(" 32123-XVIII ", since="2010-01-01").endswith(
        "w.dossiernummer==32123-XVIII AND dt.date>=2010-01-01"
    )
    for dossier in ("", "30995 OR 1==1", "abc", "12"):
        with pytest.raises(SruError, match="geen dossiernummer"):
            build_query(dossier)
    for since in ("2010", "01-01-2010", "2010-13-01"):
        with pytest.raises(SruError, match="geen datum van de vorm JJJJ-MM-DD"):
            build_query("30995", since=since)
    url = search_url("https://repository.overheid.nl/sru", build_query("30995"), 101, 50)
    query = parse_qs(urlsplit(url).query)
    assert query["query"] == [build_query("30995")]
    assert (query["startRecord"], query["maximumRecords"]) == (["101"], ["50"])
    assert query["operation"] == ["searchRetrieve"] and query["version"] == ["2.0"]


# -- the polite HTTP client ------------------------------------------------------------------
class Script:
    """Per path, a queue of answers ``(status, body, headers, delay)``; the last one repeats."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, bytes, dict[str, str], float]]] = {}
        self.seen: list[tuple[str, str]] = []

    def next(self, path: str) -> tuple[int, bytes, dict[str, str], float]:
        queue = self.answers.get(path) or [(404, b"weg", {}, 0.0)]
        return queue.pop(0) if len(queue) > 1 else queue[0]


class ScriptHandler(BaseHTTPRequestHandler):
    script: Script

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.script.seen.append((self.path, self.headers.get("User-Agent", "")))
        status, body, headers, delay = self.script.next(self.path)
        time.sleep(delay)
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture()
def scripted() -> Iterator[tuple[Script, str]]:
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (ScriptHandler,), {"script": script}))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield script, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_rate_limit_and_user_agent(scripted: tuple[Script, str]) -> None:
    script, base = scripted
    script.answers["/a"] = [(200, b"<ok/>", {}, 0.0)]
    fake = FakeTime()
    fetcher = Fetcher(rate=2.0, sleep=fake.sleep, clock=fake.clock)
    assert [fetcher.get(f"{base}/a") for _ in range(3)] == [b"<ok/>"] * 3
    assert fake.sleeps == [0.5, 0.5] and fetcher.requests == 3
    assert {agent for _, agent in script.seen} == {USER_AGENT}


def test_server_errors_are_retried_with_exponential_back_off(scripted: tuple[Script, str]) -> None:
    script, base = scripted
    script.answers["/b"] = [(503, b"", {}, 0.0), (500, b"", {}, 0.0), (200, b"ok", {}, 0.0)]
    script.answers["/c"] = [(429, b"", {"Retry-After": "7"}, 0.0), (200, b"ok", {}, 0.0)]
    fake = FakeTime()
    fetcher = Fetcher(rate=0, backoff=1.5, sleep=fake.sleep, clock=fake.clock)
    assert fetcher.get(f"{base}/b") == b"ok" and fake.sleeps == [1.5, 3.0]
    assert fetcher.get(f"{base}/c") == b"ok" and fake.sleeps[-1] == 7.0


def test_giving_up_and_definitive_errors(scripted: tuple[Script, str]) -> None:
    script, base = scripted
    script.answers["/down"] = [(502, b"", {}, 0.0)]
    fake = FakeTime()
    fetcher = Fetcher(rate=0, retries=2, backoff=1.0, sleep=fake.sleep, clock=fake.clock)
    with pytest.raises(FetchError, match=r"na 3 pogingen niet gelukt \(HTTP-fout 502\)"):
        fetcher.get(f"{base}/down")
    assert fake.sleeps == [1.0, 2.0]
    with pytest.raises(FetchError, match="HTTP-fout 404") as info:
        fetcher.get(f"{base}/missing")
    assert info.value.status == 404 and [p for p, _ in script.seen].count("/missing") == 1
    for url in ("file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"):
        with pytest.raises(FetchError, match="alleen http- en https-adressen"):
            fetcher.get(url)


def test_a_time_out_is_retried(scripted: tuple[Script, str]) -> None:
    script, base = scripted
    script.answers["/slow"] = [(200, b"laat", {}, 0.8), (200, b"snel", {}, 0.0)]
    fetcher = Fetcher(rate=0, timeout=0.3, retries=1, backoff=0.0)
    assert fetcher.get(f"{base}/slow") == b"snel" and fetcher.requests == 2
    script.answers["/slower"] = [(200, b"laat", {}, 0.6)]
    with pytest.raises(FetchError, match=r"na 2 pogingen niet gelukt \(time-out\)"):
        fetcher.get(f"{base}/slower")


def test_connection_refused_is_a_clear_error() -> None:
    fetcher = Fetcher(rate=0, retries=1, backoff=0.0, timeout=1.0)
    with pytest.raises(FetchError, match="verbindingsfout"):
        fetcher.get("http://127.0.0.1:9/niets")


def test_oversized_answers_are_refused(scripted: tuple[Script, str], tmp_path: Path) -> None:
    script, base = scripted
    script.answers["/big"] = [(200, b"x" * 2048, {}, 0.0)]
    fetcher = Fetcher(rate=0, retries=0, max_bytes=1024)
    with pytest.raises(FetchError, match="antwoord groter dan"):
        fetcher.get(f"{base}/big")

"""The harvester against a local replay of repository.overheid.nl (never the internet).

The SRU pages are built from the real SRU record in ../shared/data/ob-samples (its
structure, with the identifiers of dossier 30 995 from identifiers/kst-30995.txt put in and
the namespaces of the live service added); the documents are OP-XML Kamerstukken, HTML
renderings for the bijlagen and classic ``metadata.xml`` files.  Faults are injected once
each: a time-out, an HTTP 500, a malformed page and a duplicate record.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from indexer.acquisition.harvest import METADATA_DIR, HarvestOptions, harvest
from indexer.acquisition.sru import USER_AGENT
from tests.test_official_formats import (
    bijlage_html,
    is_bijlage,
    kamerstuk_xml,
    metadata_xml,
    ondernummer,
    vergaderjaar,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OB = SHARED / "ob-samples"
IDS_FILE = OB / "identifiers" / "kst-30995.txt"
SAMPLE_RECORD = OB / "sru" / "gmb-2023-174296.sru-record.xml"
NS = {
    "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "gzd": "http://standaarden.overheid.nl/sru",
    "dcterms": "http://purl.org/dc/terms/",
    "overheidwetgeving": "http://standaarden.overheid.nl/wetgeving/",
    "c": "http://standaarden.overheid.nl/collectie/",
}
#: The structure of the real record, used only when ../shared/data is absent.
FALLBACK_RECORD = (
    "<record><recordSchema>http://standaarden.overheid.nl/sru/</recordSchema><recordPacking>xml"
    "</recordPacking><recordData><gzd><originalData><meta><owmskern><identifier/><title/>"
    "<language>nl</language><type/><creator/><modified/></owmskern><owmsmantel><available/>"
    "<date/><hasVersion resourceIdentifier=''>1</hasVersion></owmsmantel><tpmeta/></meta>"
    "</originalData><enrichedData/></gzd></recordData><recordPosition/></record>"
)
#: Identifiers cited by the bundled reports, plus bijlagen, for the small indexed corpus.
SMALL = [f"kst-30995-{n}" for n in (43, 45, 47, 49, 50, 54, 77, 78, 79, 80, 81, 82)]
SMALL += ["kst-30995-43-b1", "kst-30995-49-b1", "kst-30995-54-b1"]
SMALL += [f"kst-30995-{n}" for n in range(60, 75)]


def dossier_ids() -> list[str]:
    """The real identifier list of dossier 30 995, or a small stand-in when it is absent."""
    if IDS_FILE.is_file():
        return IDS_FILE.read_text(encoding="utf-8").split()
    return [f"kst-30995-{n}" for n in range(1, 25)] + ["kst-30995-1-b1", "kst-30995-2-b1"]


# -- building the replayed answers ---------------------------------------------------------
def _set(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
    el = next((c for c in parent if c.tag == name), None)
    if el is None:
        el = etree.SubElement(parent, name)
    el.text = text
    for key, value in attrs.items():
        el.set(key, value)
    return el


def _find(root: etree._Element, name: str) -> etree._Element:
    return next(el for el in root.iter() if el.tag == name)


def sru_record(ident: str, base: str, position: int) -> etree._Element:
    """The real record with the fields of Kamerstuk ``ident`` put in (no namespaces yet)."""
    source = SAMPLE_RECORD.read_bytes() if SAMPLE_RECORD.is_file() else FALLBACK_RECORD.encode()
    rec = deepcopy(etree.fromstring(source))
    year = vergaderjaar(ident)[-4:]
    date = f"{year}-03-{ondernummer(ident) % 27 + 1:02d}"
    kern, mantel, tp = _find(rec, "owmskern"), _find(rec, "owmsmantel"), _find(rec, "tpmeta")
    kamerstuk = not ident.startswith("h-")
    _set(kern, "identifier", ident)
    soort = "Bijlage" if is_bijlage(ident) else "Brief"
    _set(kern, "title", f"Aanpak Wijken; {soort} {ident}")
    _set(kern, "type", "Kamerstuk" if kamerstuk else "Handelingen").attrib.clear()
    _set(kern, "creator", "Tweede Kamer der Staten-Generaal", scheme="OVERHEID.StatenGeneraal")
    _set(kern, "modified", date)
    for el in [c for c in kern if c.tag == "authority"]:
        kern.remove(el)
    for child in list(mantel):
        if child.tag not in ("available", "date", "hasVersion"):
            mantel.remove(child)
    _set(mantel, "available", date)
    _set(mantel, "date", date)
    _set(mantel, "hasVersion", "1", resourceIdentifier=f"{base}/zoek/{ident}.html")
    tp.clear()
    fields = {"product-area": "officielepublicaties", "content-area": "officielepublicaties/kst"}
    if kamerstuk:
        fields |= {"dossiernummer": "30995", "ondernummer": str(ondernummer(ident))}
        fields |= {"publicatienaam": "Kamerstuk", "subrubriek": soort}
    fields |= {"vergaderjaar": vergaderjaar(ident), "organisatietype": "staten generaal"}
    for name, value in fields.items():
        _set(tp, name, value)
    enriched = _find(rec, "enrichedData")
    enriched.clear()
    frbr = f"{base}/frbr/officielepublicaties/kst/30995/{ident}/1"
    formats = ["html"] if is_bijlage(ident) else ["html", "xml"]
    if "xml" in formats:
        _set(enriched, "url", f"{frbr}/xml/{ident}.xml")
    _set(enriched, "preferredUrl", f"{base}/zoek/{ident}.html")
    for fmt in [*formats, "metadata"]:
        name = "metadata.xml" if fmt == "metadata" else f"{ident}.{fmt}"
        item = etree.SubElement(enriched, "itemUrl", manifestation=fmt)
        item.text = f"{frbr}/{fmt}/{name}"
    _set(rec, "recordPosition", str(position))
    return rec


def namespaced(rec: etree._Element) -> etree._Element:
    """Put the record in the namespaces the live service uses (sru/gzd/dcterms/…)."""
    plan = []
    for el in rec.iter():
        section = next((a.tag for a in el.iterancestors() if a.tag in _SECTION_NS), None)
        if el.tag in _SECTION_NS or el.tag == "meta":
            ns = NS["overheidwetgeving"]
        elif section == "tpmeta" and el.tag in ("product-area", "content-area"):
            ns = NS["c"]
        elif section:
            ns = _SECTION_NS[section]
        elif el.tag in ("gzd", "originalData", "enrichedData", "url", "preferredUrl", "itemUrl"):
            ns = NS["gzd"]
        else:
            ns = NS["sru"]
        plan.append((el, f"{{{ns}}}{el.tag}"))
    for el, tag in plan:
        el.tag = tag
    return rec


_SECTION_NS = {
    "owmskern": NS["dcterms"],
    "owmsmantel": NS["dcterms"],
    "tpmeta": NS["overheidwetgeving"],
}


def sru_page(records: list[etree._Element], total: int, following: int | None) -> bytes:
    root = etree.Element(f"{{{NS['sru']}}}searchRetrieveResponse", nsmap=NS)
    etree.SubElement(root, f"{{{NS['sru']}}}version").text = "2.0"
    etree.SubElement(root, f"{{{NS['sru']}}}numberOfRecords").text = str(total)
    holder = etree.SubElement(root, f"{{{NS['sru']}}}records")
    holder.extend(records)
    if following is not None:
        etree.SubElement(root, f"{{{NS['sru']}}}nextRecordPosition").text = str(following)
    etree.cleanup_namespaces(root, top_nsmap=NS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# -- the replay server ---------------------------------------------------------------------
class Replay:
    """What the fake repository serves, the faults it injects once, and what it was asked."""

    def __init__(self, identifiers: list[str]) -> None:
        self.identifiers = list(identifiers)
        self.order = list(identifiers)
        self.faults: dict[str, list[str]] = {}
        self.requests: list[tuple[str, str]] = []
        self.agents: set[str] = set()
        self.broken_pages: set[int] = set()
        self.delay = 1.0
        self.lock = threading.Lock()
        self.base = ""

    def fault(self, key: str) -> str | None:
        with self.lock:
            actions = self.faults.get(key)
            return actions.pop(0) if actions else None

    def documents(self) -> Counter[str]:
        """Identifier → number of document (not metadata, not SRU) requests."""
        return Counter(key.split(":", 1)[1] for key, _ in self.requests if key.startswith("doc:"))

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[str, int, bytes]:
        if path == "/sru":
            start = int(query["startRecord"][0])
            size = int(query["maximumRecords"][0])
            if start in self.broken_pages:
                return f"sru:{start}", 200, b"<searchRetrieveResponse><numberOfRecords>"
            chosen = self.order[start - 1 : start - 1 + size]
            records = [
                namespaced(sru_record(i, self.base, start + n)) for n, i in enumerate(chosen)
            ]
            total = len(self.order)
            following = start + size if start + size <= total else None
            return f"sru:{start}", 200, sru_page(records, total, following)
        name = path.rsplit("/", 1)[-1]
        parts = path.split("/")
        ident = parts[-4] if len(parts) > 4 else ""
        if name == "metadata.xml" and ident in self.identifiers:
            return f"meta:{ident}", 200, metadata_xml(ident)
        if name == f"{ident}.xml" and ident in self.identifiers and not is_bijlage(ident):
            return f"doc:{ident}", 200, kamerstuk_xml(ident)
        if name == f"{ident}.html" and ident in self.identifiers:
            return f"doc:{ident}", 200, bijlage_html(ident)
        return f"404:{path}", 404, b"niet gevonden"


class Handler(BaseHTTPRequestHandler):
    replay: Replay

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        key, status, body = self.replay.answer(url.path, parse_qs(url.query))
        with self.replay.lock:
            self.replay.requests.append((key, self.path))
            self.replay.agents.add(self.headers.get("User-Agent", ""))
        action = self.replay.fault(key)
        if action == "sleep":
            time.sleep(self.replay.delay)
        elif action == "500":
            status, body = 500, b"interne fout"
        elif action == "malformed":
            body = body[: len(body) // 2]
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture()
def server() -> Iterator[Replay]:
    """A replay of repository.overheid.nl on 127.0.0.1 (free port), dossier 30 995."""
    replay = Replay(dossier_ids())
    handler = type("BoundHandler", (Handler,), {"replay": replay})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    replay.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        httpd.shutdown()
        httpd.server_close()


def options(replay: Replay, target: Path, **extra: Any) -> HarvestOptions:
    settings: dict[str, Any] = {
        "dossier": "30995", "target": target, "base_url": f"{replay.base}/sru", "rate": 0,
        "page_size": 50, "timeout": 0.5, "retries": 3, "backoff": 0.01,
    }  # fmt: skip
    return HarvestOptions(**(settings | extra))


def test_harvest_fetches_exactly_the_dossier_despite_faults_and_resumes(
    server: Replay, tmp_path: Path
) -> None:
    if not IDS_FILE.is_file():
        pytest.skip("../shared/data ontbreekt (identifiers/kst-30995.txt)")
    expected = IDS_FILE.read_text(encoding="utf-8").split()
    assert len(expected) == 167 and "kst-30995-30-b27" in expected
    # A Handelingen item of the dossier (not a Kamerstuk) and one record served twice.
    server.identifiers.append("h-tk-20092010-60-5")
    server.order = expected[:60] + ["h-tk-20092010-60-5", "kst-30995-49"] + expected[60:]
    server.faults = {
        "doc:kst-30995-3": ["sleep"],  # longer than the client's time-out, once
        "sru:51": ["500"],  # second page: HTTP 500 once, then fine
        "sru:101": ["malformed"],  # third page: cut off once, then fine
    }
    target = tmp_path / "corpus" / "harvested"
    report = harvest(options(server, target))

    assert report.stopped is None and report.failed == [] and report.exit_code == 0
    assert report.number_of_records == 169 and report.records == 169
    assert sorted(report.downloaded) == sorted(expected)
    assert report.duplicates == ["kst-30995-49"] and report.filtered == ["h-tk-20092010-60-5"]
    asked = server.documents()
    assert set(asked) == set(expected)  # exactly the dossier's identifiers, bijlagen included
    assert asked["kst-30995-3"] == 2 and all(n == 1 for i, n in asked.items() if i != "kst-30995-3")
    pages = [key for key, _ in server.requests if key.startswith("sru:")]
    assert pages == ["sru:1", "sru:51", "sru:51", "sru:101", "sru:101", "sru:151"]
    assert server.agents == {USER_AGENT} and USER_AGENT.startswith("Kennisbank-Wijkenaanpak/")

    assert (target / "kst-30995-78.xml").is_file() and (target / "kst-30995-30-b1.html").is_file()
    assert (target / METADATA_DIR / "kst-30995-78.metadata.xml").is_file()
    assert not list(target.glob("*.part")) and not list(target.glob(".*.part"))
    sidecar = json.loads((target / "kst-30995-78.meta.json").read_text(encoding="utf-8"))
    assert sidecar["identifier"] == "kst-30995-78" and sidecar["type"] == "kamerstuk"
    assert (
        sidecar["title"] == "Aanpak Wijken; Brief regering; voortgang kst-30995-78"
    )  # metadata.xml
    assert (sidecar["dossier"], sidecar["ondernummer"]) == ("30995", "78")
    assert (sidecar["vergaderjaar"], sidecar["date"], sidecar["year"]) == (
        "2009-2010",
        "2010-04-01",
        2010,
    )
    assert sidecar["indiener"] == "E.E. van der Laan"
    assert sidecar["source"] == f"{server.base}/zoek/kst-30995-78.html"
    bijlage = json.loads((target / "kst-30995-30-b1.meta.json").read_text(encoding="utf-8"))
    assert bijlage["type"] == "bijlage" and bijlage["download_url"].endswith(".html")

    before = len(server.documents())
    again = harvest(options(server, target))
    assert again.downloaded == [] and sorted(again.present) == sorted(expected)
    assert sum(server.documents().values()) == sum(asked.values()) and before == len(asked)
    assert again.exit_code == 0


def test_harvested_kamerstukken_are_indexed_searchable_and_cited(
    server: Replay, tmp_path: Path
) -> None:
    from indexer.pipeline import run_index
    from kennisbank.config import load_settings
    from kennisbank.search import LiveSearch
    from kennisbank.store import Store
    from tests.conftest import CORPUS_DIR

    server.identifiers = server.order = list(SMALL)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    report = harvest(options(server, corpus / "harvested"))
    assert sorted(report.downloaded) == sorted(SMALL) and set(server.documents()) == set(SMALL)

    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    indexed = run_index(settings)
    assert indexed.skipped == [] and len(indexed.parsed) == len(SMALL) + 2
    engine = LiveSearch(settings.data_dir).engine()
    hits = engine.search("wijkactieplannen", filters={"dossier": ["30995"]}, limit=50)
    found = {hit.document_id for hit in hits.hits}
    assert {"harvested-kst-30995-78", "harvested-kst-30995-49"} <= found
    by_year = engine.search("krachtwijken", filters={"vergaderjaar": ["2009-2010"]}, limit=50)
    harvested = {h.document_id for h in by_year.hits if h.document_id.startswith("harvested-")}
    assert "harvested-kst-30995-78" in harvested
    assert all(vergaderjaar(d.removeprefix("harvested-")) == "2009-2010" for d in harvested)
    soorten = {v.value for v in hits.facets["documentsoort"]}
    assert soorten, "documentsoort facet is empty"
    soort = sorted(soorten)[0]
    narrowed = engine.search("wijkactieplannen", filters={"documentsoort": [soort]}, limit=50)
    assert 0 < narrowed.total <= hits.total

    with Store(settings.db_path) as store:
        docs = {d["identifier"]: d for d in store.documents() if d["identifier"]}
        cited = {r["identifier"] for r in store.refs() if r["document_id"].startswith("voortgang")}
    assert docs["kst-30995-78"]["type"] == "kamerstuk" and docs["kst-30995-78"]["year"] == 2010
    assert docs["kst-30995-43-b1"]["type"] == "bijlage"
    assert docs["kst-30995-78"]["title"] == "Aanpak Wijken; Brief regering; voortgang kst-30995-78"
    in_corpus = cited & set(docs)
    assert {"kst-30995-78", "kst-30995-49", "kst-30995-50"} <= in_corpus


def test_a_page_that_stays_malformed_stops_cleanly_and_the_next_run_resumes(
    server: Replay, tmp_path: Path
) -> None:
    server.identifiers = server.order = [f"kst-30995-{n}" for n in range(1, 13)]
    server.broken_pages = {6}
    target = tmp_path / "harvested"
    report = harvest(options(server, target, page_size=5, retries=2))
    assert report.exit_code == 1 and report.stopped is not None
    assert "SRU-pagina vanaf record 6 blijft ongeldig na 3 pogingen" in report.stopped
    assert "geen geldige XML" in report.stopped
    assert sorted(report.downloaded) == sorted(f"kst-30995-{n}" for n in range(1, 6))
    assert len(list(target.glob("kst-*.xml"))) == 5

    server.broken_pages = set()
    resumed = harvest(options(server, target, page_size=5))
    assert resumed.exit_code == 0 and len(resumed.present) == 5
    assert sorted(resumed.downloaded) == sorted(f"kst-30995-{n}" for n in range(6, 13))
    assert all(n == 1 for n in server.documents().values())


def test_dry_run_lists_what_it_would_fetch_and_writes_nothing(
    server: Replay, tmp_path: Path
) -> None:
    server.identifiers = server.order = ["kst-30995-1", "kst-30995-1-b1", "kst-30995-2"]
    target = tmp_path / "harvested"
    report = harvest(options(server, target, dry_run=True))
    assert [p["identifier"] for p in report.planned] == server.order
    assert [p["format"] for p in report.planned] == ["xml", "html", "xml"]
    assert report.planned[0]["url"].endswith("/xml/kst-30995-1.xml")
    assert not target.exists() and server.documents() == Counter()


def test_max_records_and_since(server: Replay, tmp_path: Path) -> None:
    server.identifiers = server.order = [f"kst-30995-{n}" for n in range(1, 20)]
    report = harvest(
        options(server, tmp_path / "h", max_records=7, page_size=5, since="2008-01-01")
    )
    assert report.records == 7 and len(report.downloaded) == 7
    assert "AND dt.date>=2008-01-01" in report.query
    asked = [parse_qs(urlsplit(p).query) for k, p in server.requests if k.startswith("sru:")]
    assert [q["maximumRecords"] for q in asked] == [["5"], ["2"]]


def test_missing_document_falls_back_then_fails_without_stopping(
    server: Replay, tmp_path: Path
) -> None:
    server.identifiers = ["kst-30995-1", "kst-30995-3"]
    server.order = ["kst-30995-1", "kst-30995-2", "kst-30995-3"]  # nr. 2 is not served at all
    server.faults = {"doc:kst-30995-1": ["500", "500", "500", "500"]}  # xml fails 4 times
    report = harvest(options(server, tmp_path / "h"))
    assert report.exit_code == 2 and report.downloaded == ["kst-30995-1", "kst-30995-3"]
    assert (tmp_path / "h" / "kst-30995-1.html").is_file()  # the HTML rendering instead
    (failed,) = report.failed
    assert failed["identifier"] == "kst-30995-2" and "HTTP-fout 404" in failed["reason"]


def test_unsafe_identifiers_and_addresses_are_never_used(server: Replay, tmp_path: Path) -> None:
    first = sru_record("kst-30995-1", server.base, 1)
    next(el for el in first.iter() if el.tag == "identifier").text = "kst-..\\evil"
    second = sru_record("kst-30995-2", server.base, 2)
    for el in second.iter():
        if el.tag in ("url", "preferredUrl", "itemUrl"):
            el.text = "file:///etc/passwd"
    page = sru_page([namespaced(first), namespaced(second)], 2, None)
    server.answer = lambda path, query: ("sru:1", 200, page)  # type: ignore[method-assign]
    report = harvest(options(server, tmp_path / "h"))
    assert report.failed[0] == {"identifier": "kst-..\\evil", "reason": "ongeldige identifier"}
    assert report.failed[1]["identifier"] == "kst-30995-2"
    assert "alleen http- en https-adressen" in report.failed[1]["reason"]
    assert report.exit_code == 2 and not (tmp_path / "h").exists()


def test_cli_harvest_json_and_dutch_errors(server: Replay, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli.sources import harvest_command

    server.identifiers = server.order = ["kst-30995-1", "kst-30995-2"]
    runner = CliRunner()
    target = tmp_path / "harvested"
    args = ["--dossier", "30995", "--to", str(target), "--base-url", f"{server.base}/sru"]
    args += ["--rate", "0", "--timeout", "2", "--retries", "1"]
    result = runner.invoke(harvest_command, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "zou ophalen: kst-30995-1 (xml)" in result.output and not target.exists()
    result = runner.invoke(harvest_command, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["downloaded"] == ["kst-30995-1", "kst-30995-2"] and data["exit_code"] == 0
    result = runner.invoke(harvest_command, args)
    assert result.exit_code == 0 and "al aanwezig: 2" in result.output

    bad = runner.invoke(harvest_command, ["--dossier", "30995; drop", "--to", str(target)])
    assert bad.exit_code == 1 and "geen dossiernummer" in bad.output
    bad = runner.invoke(harvest_command, [*args, "--since", "2010-02-30"])
    assert bad.exit_code == 1 and "geen datum van de vorm JJJJ-MM-DD" in bad.output
    server.broken_pages = {1}
    stopped = runner.invoke(harvest_command, [*args, "--retries", "0"])
    assert stopped.exit_code == 1 and "Gestopt: De SRU-pagina vanaf record 1" in stopped.output
    assert "Traceback" not in stopped.output

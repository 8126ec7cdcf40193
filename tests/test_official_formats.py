"""Every official format → the document model (sections, passages, metadata), and a file with
its metadata file side by side as one document.

Real samples come from ../shared/data/ob-samples (skipped cleanly when absent); Kamerstuk
XML/HTML and metadata files are written by the tests in the official structure.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from indexer.acquisition.official import (
    companion_files,
    companion_metadata,
    is_companion_metadata,
    read_companion,
    sidecar_fields,
)
from indexer.metadata import resolve_metadata
from indexer.parsers.html import parse_html
from indexer.parsers.xml import parse_xml
from indexer.segment import segment
from indexer.sources import parse_source, read_source
from kennisbank.errors import ParseError, SkipFile
from kennisbank.model import DOCUMENT_TYPES

OB = Path(__file__).resolve().parents[2] / "shared" / "data" / "ob-samples"
MB = 1024 * 1024


def samples(*patterns: str) -> list:  # type: ignore[type-arg]
    """The real sample files as parameters, or one skipped parameter when they are absent."""
    files = sorted(p for pattern in patterns for p in OB.glob(pattern)) if OB.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/data ontbreekt"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in files]


def as_document(path: Path) -> tuple[dict, list, list]:  # type: ignore[type-arg]
    """Parse, segment and resolve one file the way the pipeline does."""
    parsed = parse_source(read_source(path, max_bytes=5 * MB))
    seg = segment(path.stem, parsed.blocks)
    return resolve_metadata(path, parsed, {}, seg.text), seg.sections, seg.passages


# -- documents in the official structure (also served by the replay in test_harvest) -----
def is_bijlage(ident: str) -> bool:
    return "-b" in ident


def vergaderjaar(ident: str) -> str:
    first = 2006 + min(ondernummer(ident) // 20, 5)
    return f"{first}-{first + 1}"


def ondernummer(ident: str) -> int:
    return int(ident.split("-")[2])


def kamerstuk_xml(ident: str) -> bytes:
    """An OP-XML Kamerstuk in the official structure (kamerstukkop, dossier, stuk)."""
    vj = vergaderjaar(ident).replace("-", "–")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<officiele-publicatie xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:noNamespaceSchemaLocation="http://technische-documentatie.oep.overheid.nl/schema/op-xsd-2012-2">
  <metadata><meta name="OVERHEIDop.externMetadataRecord" scheme="" \
content="https://zoek.officielebekendmakingen.nl/{ident}/metadata.xml" /></metadata>
  <kamerstuk>
    <kamerstukkop><kamer nummer="2">Tweede Kamer der Staten-Generaal</kamer>
      <vergaderjaar>Vergaderjaar {vj}</vergaderjaar></kamerstukkop>
    <dossier><dossiernummer><dossiernr>30995</dossiernr></dossiernummer>
      <titel>Aanpak Wijken</titel></dossier>
    <stuk><stuknr><ondernummer>{ondernummer(ident)}</ondernummer></stuknr>
      <titel>BRIEF VAN DE MINISTER VOOR WONEN, WIJKEN EN INTEGRATIE</titel>
      <algemeen><brief>
        <aanhef><al>Aan de Voorzitter van de Tweede Kamer der Staten-Generaal</al></aanhef>
        <al>Met deze brief ({ident}) informeer ik u over de voortgang van de wijkenaanpak in \
de veertig krachtwijken, waaronder Overvecht en Kanaleneiland.</al>
        <al>De wijkactieplannen worden uitgevoerd door gemeenten en corporaties samen.</al>
      </brief></algemeen>
    </stuk>
  </kamerstuk>
</officiele-publicatie>""".encode()


def bijlage_html(ident: str) -> bytes:
    return f"""<!DOCTYPE html><html lang="nl"><head><title>Bijlage {ident}</title>
<meta name="DC.identifier" scheme="OVERHEIDop.ParlID" content="{ident}">
<meta name="OVERHEIDop.vergaderjaar" content="{vergaderjaar(ident)}"></head>
<body><nav>Zoeken</nav><div id="broodtekst"><h1>Bijlage {ident}</h1>
<p>Overzicht van de wijkactieplannen van de krachtwijken.</p></div></body></html>""".encode()


def metadata_xml(ident: str) -> bytes:
    """A classic ``metadata.xml`` with the parliamentary fields (as in the real ah sample)."""
    soort = "Bijlage" if is_bijlage(ident) else "Brief"
    fields = [
        ("DC.title", "", f"Aanpak Wijken; {soort} regering; voortgang {ident}"),
        ("OVERHEIDop.dossiernummer", "", "30995"),
        ("OVERHEIDop.ondernummer", "", str(ondernummer(ident))),
        ("OVERHEIDop.vergaderjaar", "", vergaderjaar(ident)),
        ("OVERHEIDop.indiener", "", "E.E. van der Laan"),
        ("DCTERMS.issued", "DCTERMS.W3CDTF", f"{vergaderjaar(ident)[-4:]}-04-01"),
        ("DC.creator", "OVERHEID.StatenGeneraal", "Tweede Kamer der Staten-Generaal"),
        ("DC.type", "OVERHEIDop.Parlementair", "Kamerstuk"),
        ("DC.identifier", "OVERHEIDop.ParlID", ident),
    ]
    rows = "".join(f'  <metadata name="{n}" scheme="{s}" content="{c}"/>\n' for n, s, c in fields)
    return f"<metadata_gegevens>\n{rows}</metadata_gegevens>\n".encode()


DOCUMENTS = samples("op-xml/*.xml", "op-html/*.html", "handelingen/*/*.xml")


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_real_document_format_maps_to_the_model(path: Path) -> None:
    fields, sections, passages = as_document(path)
    assert passages and all(p.text.strip() for p in passages)
    assert {s.passage_id for s in sections} <= {p.id for p in passages}
    assert fields["identifier"] == path.stem and fields["title"]
    assert fields["doctype"] in DOCUMENT_TYPES
    # A Handelingen item states no date of its own (only the meeting's first item does).
    assert fields["year"] or fields["metadata"]["vergaderjaar"]
    if path.stem.startswith("h-"):
        assert fields["doctype"] == "handelingen"
        assert fields["metadata"]["vergaderjaar"] == "2017-2018"
        assert fields["metadata"]["organisatie"] == "Tweede Kamer der Staten-Generaal"


@pytest.mark.parametrize("path", samples("metadata/*.xml", "sru/*.xml"))
def test_every_real_metadata_format_is_metadata_only(path: Path) -> None:
    assert is_companion_metadata(path) == (path.parent.name == "metadata")
    parsed = parse_xml(path.read_bytes(), name=path.name)
    fields = sidecar_fields(parsed.metadata)
    assert fields["identifier"] == path.name.split(".")[0]
    assert fields["title"] and fields["date"][:4] == str(fields["year"])
    assert fields["organisatie"] and fields["type"] in DOCUMENT_TYPES
    with pytest.raises(ParseError, match="geen tekst gevonden"):
        parse_source(read_source(path, max_bytes=MB))


def test_parliamentary_metadata_fields_of_the_real_aanhangsel() -> None:
    path = OB / "metadata" / "ah-1151601.metadata.notebook-render.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    fields = sidecar_fields(parse_xml(path.read_bytes()).metadata)
    assert fields["type"] == "handelingen" and fields["documentsoort"] == (
        "Aanhangsel van de Handelingen"
    )
    assert (fields["indiener"], fields["vergaderjaar"]) == ("A. Pijpelink", "2023-2024")
    assert (fields["organisatie"], fields["date"]) == (
        "Tweede Kamer der Staten-Generaal",
        "2024-07-05",
    )


def test_handelingen_speeches_are_passages_that_name_the_speaker() -> None:
    path = OB / "handelingen" / "original" / "h-tk-20172018-61-10.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    parsed = parse_xml(path.read_bytes(), name=path.name)
    speakers = parsed.metadata["sprekers"]
    assert {"naam": "Wörsdörfer", "aanhef": "De heer", "partij": "VVD"} in speakers
    assert {"naam": "Keijzer", "aanhef": "Staatssecretaris"} in speakers
    passages = segment("h", parsed.blocks).passages
    by_him = [p.text for p in passages if p.text.startswith("De heer Wörsdörfer (VVD): ")]
    assert len(by_him) >= 2 and by_him[0].startswith("De heer Wörsdörfer (VVD): Dank u wel")
    # One turn of two al-groepen is one passage: both paragraphs after the one speaker label.
    assert "Veel mkb-ondernemers" in by_him[0] and "bizarre plaats 105" in by_him[0]
    turns = [p for p in passages if p.text.startswith("Staatssecretaris Keijzer: ")]
    assert turns and all(len(p.text) <= 1600 for p in passages)


def test_long_speeches_are_split_and_every_part_names_the_speaker() -> None:
    groups = "".join(
        f"<al-groep><al>Zin {n}. " + "Woorden over wijken. " * 30 + "</al></al-groep>"
        for n in range(6)
    )
    xml = (
        "<officiele-publicatie><handelingen><agendapunt><item-titel>Wijken</item-titel>"
        "<spreekbeurt><spreker><voorvoegsels>Mevrouw</voorvoegsels><naam><achternaam>Van Vliet"
        "</achternaam></naam> (<politiek>PvdA</politiek>):</spreker><tekst>"
        f"{groups}</tekst></spreekbeurt></agendapunt></handelingen></officiele-publicatie>"
    )
    parsed = parse_xml(xml.encode(), name="h-tk-20082009-1-1.xml")
    paragraphs = [b.text for b in parsed.blocks if b.kind == "paragraph"]
    assert len(paragraphs) >= 3 and all(
        t.startswith("Mevrouw Van Vliet (PvdA): ") for t in paragraphs
    )
    assert "".join(paragraphs).count("Zin ") == 6 and all(len(t) <= 1500 for t in paragraphs)


def test_a_kamerstuk_in_official_xml(tmp_path: Path) -> None:
    path = tmp_path / "kst-30995-78.xml"
    path.write_bytes(kamerstuk_xml("kst-30995-78"))
    fields, sections, passages = as_document(path)
    meta = fields["metadata"]
    assert fields["identifier"] == "kst-30995-78" and fields["doctype"] == "kamerstuk"
    assert (
        fields["title"] == "Aanpak Wijken; BRIEF VAN DE MINISTER VOOR WONEN, WIJKEN EN INTEGRATIE"
    )
    assert (meta["dossier"], meta["ondernummer"], meta["vergaderjaar"]) == (
        "30995",
        "78",
        "2009-2010",
    )
    assert meta["organisatie"] == "Tweede Kamer der Staten-Generaal"
    assert any("veertig krachtwijken" in p.text for p in passages)


def test_a_kamerstuk_html_rendering_with_official_meta() -> None:
    page = """<html><head><title>Aanpak Wijken; Brief regering</title>
    <meta name="DC.identifier" scheme="OVERHEIDop.ParlID" content="kst-30995-78">
    <meta name="DC.type" scheme="OVERHEIDop.Parlementair" content="Kamerstuk">
    <meta name="OVERHEIDop.subrubriek" content="Brief">
    <meta name="OVERHEIDop.dossiernummer" content="30995">
    <meta name="OVERHEIDop.ondernummer" content="78">
    <meta name="OVERHEIDop.vergaderjaar" content="2009–2010">
    <meta name="OVERHEIDop.indiener" content="E.E. van der Laan">
    <meta name="DC.title" content="Aanpak Wijken; Brief regering">
    <meta name="DC.creator" content="Tweede Kamer der Staten-Generaal">
    <meta name="DCTERMS.issued" content="2010-04-01"></head>
    <body><div id="broodtekst"><h1>Aanpak Wijken; Brief regering</h1>
    <p>De wijkenaanpak loopt.</p></div></body></html>"""
    fields = sidecar_fields(parse_html(page).metadata)
    assert fields == {
        "identifier": "kst-30995-78",
        "title": "Aanpak Wijken; Brief regering",
        "date": "2010-04-01",
        "year": 2010,
        "vergaderjaar": "2009-2010",
        "dossier": "30995",
        "ondernummer": "78",
        "indiener": "E.E. van der Laan",
        "organisatie": "Tweede Kamer der Staten-Generaal",
        "documentsoort": "Brief",
        "type": "kamerstuk",
    }


# -- a file and its metadata side by side ----------------------------------------------------
def test_document_with_its_metadata_file_next_to_it(tmp_path: Path) -> None:
    doc = tmp_path / "kst-30995-78.xml"
    doc.write_bytes(kamerstuk_xml("kst-30995-78"))
    meta = tmp_path / "kst-30995-78.metadata.xml"
    meta.write_bytes(metadata_xml("kst-30995-78"))
    assert is_companion_metadata(meta) and not is_companion_metadata(doc)
    assert companion_files(doc) == [meta]
    fields, raw = read_companion(doc)
    assert raw == meta.read_bytes()
    assert fields["title"] == "Aanpak Wijken; Brief regering; voortgang kst-30995-78"
    assert (fields["identifier"], fields["type"], fields["indiener"]) == (
        "kst-30995-78", "kamerstuk", "E.E. van der Laan",
    )  # fmt: skip
    assert (fields["date"], fields["vergaderjaar"]) == ("2010-04-01", "2009-2010")
    parsed = parse_source(read_source(doc, max_bytes=MB))
    resolved = resolve_metadata(doc, parsed, fields, "")
    assert resolved["title"] == fields["title"] and resolved["date"] == "2010-04-01"


def test_a_plain_metadata_xml_in_a_folder_of_one_document(tmp_path: Path) -> None:
    folder = tmp_path / "kst-30995-78"
    folder.mkdir()
    doc = folder / "kst-30995-78.xml"
    doc.write_bytes(kamerstuk_xml("kst-30995-78"))
    (folder / "metadata.xml").write_bytes(metadata_xml("kst-30995-78"))
    (folder / "kst-30995-78.meta.json").write_text("{}")
    assert companion_metadata(doc)["ondernummer"] == "78"
    other = folder / "kst-30995-79.xml"
    other.write_bytes(kamerstuk_xml("kst-30995-79"))
    assert companion_metadata(doc) == {}  # which document would it describe?
    # A real document called metadata.xml stays a document.
    (folder / "metadata.xml").write_bytes(kamerstuk_xml("kst-30995-80"))
    assert not is_companion_metadata(folder / "metadata.xml")


def test_a_malformed_metadata_file_is_a_clear_skip(tmp_path: Path) -> None:
    doc = tmp_path / "kst-30995-78.xml"
    doc.write_bytes(kamerstuk_xml("kst-30995-78"))
    meta = tmp_path / "kst-30995-78.metadata.xml"
    meta.write_bytes(metadata_xml("kst-30995-78")[:200])
    assert is_companion_metadata(meta)
    with pytest.raises(SkipFile, match=r"metadatabestand kst-30995-78\.metadata\.xml is ongeldig"):
        read_companion(doc)


def test_the_pipeline_merges_a_file_and_its_metadata_into_one_document(tmp_path: Path) -> None:
    import indexer.pipeline as pipeline
    import indexer.scan as scan

    if "is_companion_metadata" not in inspect.getsource(scan):
        pytest.skip(
            "indexer.scan roept indexer.acquisition.official nog niet aan"
            " (wordt door de lead gekoppeld)"
        )
    from kennisbank.config import load_settings
    from kennisbank.store import Store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kst-30995-78.xml").write_bytes(kamerstuk_xml("kst-30995-78"))
    (corpus / "kst-30995-78.metadata.xml").write_bytes(metadata_xml("kst-30995-78"))
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    report = pipeline.run_index(settings)
    assert report.skipped == [] and report.parsed == ["kst-30995-78.xml"]
    with Store(settings.db_path) as store:
        (doc,) = store.documents()
    assert doc["title"] == "Aanpak Wijken; Brief regering; voortgang kst-30995-78"
    assert doc["identifier"] == "kst-30995-78" and doc["date"] == "2010-04-01"


# -- malformed variants -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("kst-30995-1.xml", kamerstuk_xml("kst-30995-1")[:700], "onvolledige of ongeldige XML"),
        (
            "kst-30995-2.xml",
            b"<officiele-publicatie><kamerstuk><kamerstukkop><vergaderjaar>2007-2008"
            b"</vergaderjaar></kamerstukkop></kamerstuk></officiele-publicatie>",
            "geen tekst gevonden",
        ),
        (
            "kst-30995-3.metadata.xml",
            metadata_xml("kst-30995-3"),
            "geen tekst gevonden (alleen metadata)",
        ),
        (
            "kst-30995-4.html",
            b"<html><head><title>x</title></head><body></body></html>",
            "geen bruikbare tekst",
        ),
        (
            "kst-30995-5.xml",
            b'<!DOCTYPE d [<!ENTITY a "aaaa">]><officiele-publicatie>&a;</officiele-publicatie>',
            "entiteitsdefinities",
        ),
    ],
)
def test_malformed_official_files_are_rejected_in_dutch(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        parse_source(read_source(path, max_bytes=MB))
    assert reason in info.value.reason


def test_handelingen_speakers_become_person_entities(shared_data: Path) -> None:
    """Each speech passage of real Handelingen starts with its speaker, recognised as persoon."""
    from indexer.knowledge.extract import EntityExtractor

    path = shared_data / "ob-samples" / "handelingen" / "original" / "h-tk-20172018-61-10.xml"
    if not path.is_file():
        pytest.skip(f"{path} ontbreekt")
    parsed = parse_xml(path.read_bytes(), name=path.name)
    passages = segment("h-tk-20172018-61-10", parsed.blocks).passages
    speeches = [p for p in passages if p.kind == "paragraph" and "):" in p.text[:80]]
    assert len(speeches) > 10
    mentions = EntityExtractor().extract(speeches)
    speakers = {m.passage_id: m for m in mentions if m.entity_id.startswith("persoon/")}
    recognised = [p for p in speeches if p.id in speakers and speakers[p.id].start < 40]
    assert len(recognised) >= 0.8 * len(speeches)
    assert any(m.entity_id == "persoon/worsdorfer" for m in speakers.values())

"""The format parsers on the real official samples in ../shared/data and on small hand-made input.

The real samples are not part of the repository: the tests that need them skip
cleanly when ``../shared/data`` is absent.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from lxml import etree

from indexer.parsers.html import parse_html
from indexer.parsers.markdown import parse_markdown
from indexer.parsers.pdf import parse_pdf
from indexer.parsers.xml import parse_xml
from indexer.sources import parse_source, read_source
from kennisbank.errors import ParseError
from tests.test_sources import make_pdf

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
OB = SHARED / "ob-samples"
LAW_MD = SHARED / "laws-md" / "_historical-wijken" / "AMvB" / "BWBR0004418.2011-07-20.md"
MB = 1024 * 1024


def samples(folder: str, pattern: str) -> list:  # type: ignore[type-arg]
    """The sample files as parameters, or one skipped parameter when the data is absent."""
    files = sorted((OB / folder).glob(pattern)) if (OB / folder).is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/data ontbreekt"))]
    return [pytest.param(path, id=path.name) for path in files]


def kinds(doc) -> Counter:  # type: ignore[no-untyped-def, type-arg]
    return Counter(block.kind for block in doc.blocks)


def squash(text: str) -> str:
    return " ".join(text.split())


# -- official XML ---------------------------------------------------------------------------
def own_xml_title(data: bytes) -> str:
    """The document's own title element: the blad's ``kop/titel``, else ``intitule``."""
    root = etree.fromstring(data.removeprefix(b"\xef\xbb\xbf").lstrip())
    found = root.xpath("./*[not(self::kop) and not(self::metadata)]/kop/titel") or root.xpath(
        "//intitule"
    )
    return squash("".join(found[0].itertext()))


@pytest.mark.parametrize("path", samples("op-xml", "*.xml"))
def test_official_xml_samples(path: Path) -> None:
    src = read_source(path, max_bytes=5 * MB)
    assert src.format == "xml"
    doc = parse_source(src)
    assert doc.title and doc.title == own_xml_title(src.data)
    assert kinds(doc)["paragraph"] >= 1
    assert doc.metadata["identifier"] == path.stem
    heading = doc.blocks[0]
    assert (heading.kind, heading.role, heading.text) == ("heading", "title", doc.title)
    assert not any("Ã" in block.text for block in doc.blocks)


def test_staatsblad_articles_members_and_lists() -> None:
    path = OB / "op-xml" / "stb-2018-84.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    doc = parse_xml(path.read_bytes(), name=path.name)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings[1:] == ["Artikel 1", "Artikel 2", "Artikel 3"]
    texts = [b.text for b in doc.blocks]
    assert any(t.startswith("1. De bestanddelen van de beeldenaar") for t in texts)
    lists = [b for b in doc.blocks if b.kind == "list"]
    assert lists[0].items[0].startswith("a. op de voorzijde")
    assert lists[0].text.startswith("• a. op de voorzijde")
    assert "De Staatssecretaris van Financiën, M. Snel" in texts


def test_cals_table_in_a_note_becomes_a_table_block() -> None:
    path = OB / "op-xml" / "bgr-2024-715.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    doc = parse_xml(path.read_bytes(), name=path.name)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1 and len(tables[0].rows) >= 20
    assert tables[0].rows[0][0] == "Naam regeling/bevoegdheden"
    assert "Naam regeling/bevoegdheden | Mandaatverlening" in tables[0].text


@pytest.mark.parametrize("path", samples("handelingen/original", "*.xml"))
def test_handelingen_samples(path: Path) -> None:
    doc = parse_source(read_source(path, max_bytes=5 * MB))
    assert doc.title
    assert kinds(doc)["paragraph"] >= 1
    assert doc.metadata["identifier"] == path.stem
    assert doc.metadata["vergaderjaar"] == "2017-2018"


def test_handelingen_speakers_prefix_their_first_paragraph() -> None:
    path = OB / "handelingen" / "original" / "h-tk-20172018-61-10.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    doc = parse_xml(path.read_bytes())
    assert doc.title == "Ondernemen en Bedrijfsfinanciering"
    assert any(b.text.startswith("De heer Wörsdörfer (VVD): Dank u wel") for b in doc.blocks)


@pytest.mark.parametrize("path", samples("handelingen/bs4-prettified", "*.xml"))
def test_double_encoded_handelingen_are_repaired(path: Path) -> None:
    doc = parse_source(read_source(path, max_bytes=5 * MB))
    assert "dubbel gecodeerde UTF-8 hersteld" in doc.warnings
    assert not any("Ã" in block.text for block in doc.blocks)


@pytest.mark.parametrize("path", samples("bwb", "*.toestand.xml") + samples("cvdr", "*.xml"))
def test_bwb_and_cvdr_regulations(path: Path) -> None:
    doc = parse_source(read_source(path, max_bytes=5 * MB))
    assert doc.title and kinds(doc)["paragraph"] >= 1 and kinds(doc)["heading"] >= 1
    assert doc.metadata["identifier"] in path.stem


@pytest.mark.parametrize("path", samples("metadata", "*.xml") + samples("sru", "*.xml"))
def test_metadata_files(path: Path) -> None:
    data = path.read_bytes()
    doc = parse_xml(data, name=path.name)
    root = etree.fromstring(data)
    title = root.xpath("string(//*[@name='DC.title']/@content | //*[local-name()='title'])")
    ident = root.xpath(
        "string(//*[@name='DC.identifier']/@content | //*[local-name()='identifier'])"
    )
    assert doc.title == squash(title) and doc.metadata["identifier"] == ident
    assert doc.metadata["year"] >= 2023 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.metadata["date"])
    assert doc.blocks == []
    with pytest.raises(ParseError, match="geen tekst gevonden"):
        parse_source(read_source(path, max_bytes=MB))


def test_parliamentary_metadata_fields() -> None:
    path = OB / "metadata" / "ah-1151601.metadata.notebook-render.xml"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    meta = parse_xml(path.read_bytes()).metadata
    assert meta["vergaderjaar"] == "2023-2024"
    assert meta["doctype"] == "Aanhangsel van de Handelingen"
    assert meta["creator"] == "Tweede Kamer der Staten-Generaal"
    assert meta["raw"]["OVERHEIDop.vraagnummer"] == "2024Z11223"


# -- official HTML --------------------------------------------------------------------------
def own_html_title(data: bytes) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(data, "lxml")
    title = squash(soup.title.get_text()) if soup.title else ""
    meta = soup.find("meta", attrs={"name": "DC.title"})
    return title or (meta["content"] if meta else "") or squash(soup.find("h1").get_text())


@pytest.mark.parametrize("path", samples("op-html", "*.html"))
def test_official_html_samples(path: Path) -> None:
    src = read_source(path, max_bytes=5 * MB)
    assert src.format == "html"
    doc = parse_source(src)
    assert doc.title and doc.title == own_html_title(src.data)
    assert kinds(doc)["paragraph"] >= 1
    assert doc.metadata["identifier"] == path.stem
    texts = {b.text for b in doc.blocks}
    assert not texts & {"Inhoudsopgave", "Acties", "Gerelateerde informatie", "Lichaam"}


def test_html_metadata_mapping() -> None:
    path = OB / "op-html" / "gmb-2024-216934.html"
    if not path.is_file():
        pytest.skip("../shared/data ontbreekt")
    meta = parse_html(path.read_bytes()).metadata
    assert meta["doctype"] == "evenementenvergunning"
    assert (meta["date"], meta["year"], meta["creator"]) == ("2024-05-17", 2024, "Reimerswaal")
    assert meta["raw"]["OVERHEIDop.publicationIssue"] == "216934"


def test_html_structure_footnotes_tables_and_noise() -> None:
    page = """<html><head><title>Brief wijken</title>
    <meta name="DC.identifier" content="kst-30995-10">
    <meta name="OVERHEIDop.vergaderjaar" content="2007-2008">
    <meta name="DCTERMS.issued" content="2008-02-05"><style>p{}</style></head>
    <body><nav><a href="/">Home</a></nav><script>var x;</script>
    <h1>Brief wijken</h1><h2>Inleiding</h2>
    <p>De <b>veertig</b> wijken<sup><a href="#fn1">1</a></sup> krijgen steun.</p>
    <ul><li>Amsterdam</li><li>Rotterdam<ul><li>Zuid</li></ul></li></ul>
    <h3>Budget</h3><table><tr><th>Wijk</th><th>Bedrag</th></tr><tr><td>Overvecht</td>
    <td>8,6</td></tr></table>
    <table><caption>Tabel 2</caption><tr><td>a</td></tr></table>
    <div>Losse tekst <em>in</em> een div</div>
    <ol class="footnotes"><li id="fn1">Zie de bijlage. <a href="#r1" class="footnote-back">↩</a>
    </li></ol></body></html>"""
    doc = parse_html(page, name="brief.html")
    assert doc.title == "Brief wijken"
    assert doc.metadata["dossier"] == "30995" and doc.metadata["ondernummer"] == "10"
    assert doc.metadata["vergaderjaar"] == "2007-2008" and doc.metadata["year"] == 2008
    summary = [(b.kind, b.level, b.role) for b in doc.blocks if b.kind == "heading"]
    assert summary == [
        ("heading", 1, "title"),
        ("heading", 2, "section"),
        ("heading", 3, "subheading"),
    ]
    para = next(b for b in doc.blocks if b.kind == "paragraph")
    assert para.text == "De veertig wijken¹ krijgen steun." and para.notes == ["1"]
    items = next(b for b in doc.blocks if b.kind == "list").items
    assert items == ["Amsterdam", "Rotterdam", "Zuid"]
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert tables[0].rows == [["Wijk", "Bedrag"], ["Overvecht", "8,6"]]
    assert tables[0].caption == "Budget" and tables[1].caption == "Tabel 2"
    assert any(b.text == "Losse tekst in een div" for b in doc.blocks)
    note = [b for b in doc.blocks if b.kind == "footnote"]
    assert [(n.label, n.text) for n in note] == [("1", "Zie de bijlage.")]
    assert not any("Home" in b.text or "var x" in b.text for b in doc.blocks)


# -- markdown -------------------------------------------------------------------------------
def test_markdown_law_with_the_bijlage_table() -> None:
    if not LAW_MD.is_file():
        pytest.skip("../shared/data ontbreekt")
    src = read_source(LAW_MD, max_bytes=MB)
    assert src.format == "markdown"
    doc = parse_source(src)
    assert doc.title.startswith("Besluit van 17 oktober 1988, tot vaststelling")
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert headings[0].role == "title"
    texts = [h.text for h in headings]
    assert {"Artikel 1", "Artikel 13", "§ 1", "Begripsbepalingen"} <= set(texts)
    assert next(h for h in headings if h.text == "Bijlage").role == "bijlage"
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.caption == "bij het Besluit Centraal Fonds voor de Volkshuisvesting"
    assert table.rows[0][0] == "Wijk"
    wijken = [row for row in table.rows[1:] if row[0] != "Totaal"]
    assert len(wijken) == 40
    assert wijken[0] == ["Alkmaar Overdie", "2,9", "580.000"] and table.rows[-1][0] == "Totaal"
    assert not any("<meta" in b.text or "](" in b.text for b in doc.blocks)


def test_markdown_front_matter_lists_and_footnotes() -> None:
    text = (
        '---\ntitle: "Wijkactieplan Overvecht"\ndate: 15-01-2008\nwijken:\n  - Overvecht\n---\n'
        "# Plan\n\nTekst met **nadruk** en [link](http://x)[^1].\n\n[^1]: De noot.\n\n"
        "- een\n- twee\n  verder\n\n1. eerste\n2. tweede\n\nKop\n===\n"
    )
    doc = parse_markdown(text, name="plan.md")
    assert doc.title == "Wijkactieplan Overvecht"
    assert doc.metadata["date"] == "2008-01-15" and doc.metadata["year"] == 2008
    assert doc.metadata["wijken"] == ["Overvecht"]
    blocks = [(b.kind, b.text) for b in doc.blocks]
    assert ("paragraph", "Tekst met nadruk en link¹.") in blocks
    assert ("footnote", "De noot.") in blocks
    assert ("list", "• een\n• twee verder") in blocks
    assert ("list", "• 1. eerste\n• 2. tweede") in blocks
    assert blocks[-1] == ("heading", "Kop")


# -- XML: hand-made ------------------------------------------------------------------------
KAMERSTUK = """<?xml version="1.0" encoding="UTF-8"?>
<officiele-publicatie><metadata><meta name="DC.identifier" content="kst-30995-10"/>
<meta name="OVERHEIDop.vergaderjaar" content="2007-2008"/></metadata>
<kamerstuk><dossier><dossiernummer><dossiernr>30995</dossiernr></dossiernummer>
<titel>Aanpak wijken</titel></dossier><stuk><stuknr><ondernummer>10</ondernummer></stuknr>
<titel>BRIEF VAN DE MINISTER</titel><algemeen><hoofdstuk><kop><nr>1</nr><titel>Inleiding</titel>
</kop><paragraaf><kop><titel>Doel</titel></kop><al>De wijken<noot><noot.nr>1</noot.nr>
<noot.al>Zie bijlage.</noot.al></noot> staan centraal.</al>
<tabel><titel>Budget</titel><row><entry>Wijk</entry><entry>Bedrag</entry></row></tabel>
</paragraaf></hoofdstuk></algemeen></stuk></kamerstuk></officiele-publicatie>"""


def test_kamerstuk_structure_notes_and_metadata() -> None:
    doc = parse_xml(KAMERSTUK.encode(), name="kst.xml")
    assert doc.title == "Aanpak wijken; BRIEF VAN DE MINISTER"
    meta = doc.metadata
    assert (meta["identifier"], meta["dossier"], meta["ondernummer"]) == (
        "kst-30995-10",
        "30995",
        "10",
    )
    assert meta["vergaderjaar"] == "2007-2008"
    headings = [(b.text, b.level, b.role) for b in doc.blocks if b.kind == "heading"]
    assert ("1 Inleiding", 1, "chapter") in headings and ("Doel", 2, "section") in headings
    para = next(b for b in doc.blocks if b.kind == "paragraph")
    assert para.text == "De wijken¹ staan centraal." and para.notes == ["1"]
    note = next(b for b in doc.blocks if b.kind == "footnote")
    assert (note.label, note.text) == ("1", "Zie bijlage.")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.caption == "Budget" and table.rows == [["Wijk", "Bedrag"]]


def test_generic_xml() -> None:
    data = b"<rapport><title>Monitor</title><sectie><kop>Wonen</kop><tekst>Meer woningen.</tekst>"
    doc = parse_xml(data + b"<tekst>Minder <b>leegstand</b>.</tekst></sectie></rapport>")
    assert doc.title == "Monitor"
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Monitor"),
        ("heading", "Wonen"),
        ("paragraph", "Meer woningen."),
        ("paragraph", "Minder leegstand."),
    ]


def test_xml_with_invalid_utf8_is_read_as_cp1252() -> None:
    doc = parse_xml("<doc><p>Café in de wijk</p></doc>".encode("cp1252"))
    assert doc.blocks[0].text == "Café in de wijk"
    assert doc.warnings == ["ongeldige UTF-8, gelezen als cp1252"]


def test_xml_external_entities_are_never_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM")
    data = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]><d><p>&x;</p></d>'.encode()
    with pytest.raises(ParseError, match="entiteitsdefinities"):
        parse_xml(data)


# -- PDF -----------------------------------------------------------------------------------
def test_pdf_pages_and_info() -> None:
    pdf = make_pdf(
        ["Eerste pagina over wijken.", "Tweede pagina."],
        info={"Title": "Microsoft Word - rapport.doc", "Author": "VROM"},
    )
    doc = parse_pdf(pdf, name="r.pdf")
    text = "\n".join(b.text for b in doc.blocks)
    assert "Eerste pagina over wijken" in text and "Tweede pagina" in text
    assert doc.title != "Microsoft Word - rapport.doc"
    assert doc.metadata["creator"] == "VROM" and doc.metadata["pages"] == 2


def test_pdf_that_is_not_one() -> None:
    with pytest.raises(ParseError, match="beschadigde PDF"):
        parse_pdf(b"%PDF-1.4\n%%EOF\n", name="leeg.pdf")

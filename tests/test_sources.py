"""Reading corpus files: format detection, decoding, limits and bad input of every kind.

Every fixture is written into ``tmp_path`` by the test itself; no binary blobs
are committed.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.sources import (
    FORMATS,
    SourceFile,
    decode_text,
    detect_format,
    parse_source,
    read_source,
)
from kennisbank.errors import ParseError, SkipFile, UnsupportedFormat

MB = 1024 * 1024


def make_pdf(pages: list[str | None], info: dict[str, str] | None = None) -> bytes:
    """A minimal valid PDF: one page per entry (``None`` = a drawing without text)."""

    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(pages):
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        if text is None:
            stream = b"0 0 m 200 200 l S"
        else:
            ops = " ".join(f"({esc(line)}) Tj T*" for line in text.split("\n"))
            stream = f"BT /F1 11 Tf 14 TL 72 770 Td {ops} ET".encode("cp1252")
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    if info:
        entries = " ".join(f"/{key} ({esc(value)})" for key, value in info.items())
        objs.append(f"<< {entries} >>".encode("cp1252"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objs) + 1)
    if info:
        trailer += b" /Info %d 0 R" % len(objs)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def load(path: Path, max_bytes: int = 5 * MB):  # type: ignore[no-untyped-def]
    return parse_source(read_source(path, max_bytes=max_bytes))


def text_of(doc) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(block.text for block in doc.blocks)


def assert_skip(exc: SkipFile, path: Path, kind: type[SkipFile], phrase: str) -> None:
    assert type(exc) is kind
    assert exc.path == str(path)
    assert path.name in str(exc)
    assert phrase in exc.reason


# -- detect_format --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"%PDF-1.7\n...", "a.bin", "pdf"),
        (b'<?xml version="1.0"?>\n<kamerstuk/>', "a.txt", "xml"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><officiele-publicatie/>', "a", "xml"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "x" "y"><html></html>', "a.xml", "html"),
        (b'<?xml version="1.0"?><!-- c --><html xmlns="x"><body/></html>', "a", "html"),
        (b"<!DOCTYPE html><p>hoi</p>", "a.txt", "html"),
        (b"\n  <HTML><body>x</body></HTML>", "a.md", "html"),
        (b"<div>fragment</div>", "a", "html"),
        (b"<root><a>1</a></root>", "a", "xml"),
        (b"<meta charset='utf-8'>\n## Kop\n", "wet.md", "markdown"),
        (b"# Kop\n\nTekst", "notes.md", "markdown"),
        (b"# Kop\n\nTekst", "notes.txt", "text"),
        (b"Gewone tekst over de wijkaanpak.", "a.html", "text"),
        (b"Gewone tekst over de wijkaanpak.", "a", "text"),
        ("<html><body>Wijk</body></html>".encode("utf-16"), "a.htm", "html"),
        (b"\xc3\xaf\xc2\xbb\xc2\xbf\n<?xml version='1.0'?><handelingen/>", "h.xml", "xml"),
    ],
)
def test_detect_format_from_the_bytes_first(data: bytes, filename: str, expected: str) -> None:
    assert detect_format(data, filename) == expected


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"tekst\x00met\x00nul", "NUL"),
        (bytes(range(1, 32)) * 20, "stuurtekens"),
    ],
)
def test_detect_format_refuses_binary_data(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFormat) as info:
        detect_format(data, "bestand.txt")
    assert info.value.reason.startswith("binair bestand, geen tekst (")
    assert what in info.value.reason


def test_letter_magic_numbers_in_plain_text_are_not_binary() -> None:
    assert detect_format(b"RIFF-analyse van de wijken", "a.txt") == "text"
    assert detect_format(b"ID3 is een code in de bijlage", "a.txt") == "text"


# -- decode_text ----------------------------------------------------------------------------
def test_decode_text_utf8_bom_newlines_and_nfc() -> None:
    text, warnings = decode_text(b"\xef\xbb\xbfe\xcc\x81en\r\ntwee\rdrie", "x.txt")
    assert text == "\u00e9en\ntwee\ndrie"
    assert warnings == []


def test_decode_text_utf16_with_bom() -> None:
    text, warnings = decode_text("Café\r\nwijk".encode("utf-16"), "x.txt")
    assert (text, warnings) == ("Café\nwijk", [])


def test_decode_text_invalid_utf8_falls_back_to_cp1252() -> None:
    text, warnings = decode_text("Café “wijk” – één".encode("cp1252"), "x.txt")
    assert text == "Café “wijk” – één"
    assert warnings == ["ongeldige UTF-8, gelezen als cp1252"]


def test_decode_text_repairs_only_the_bad_bytes_of_mixed_input() -> None:
    text, warnings = decode_text("één ".encode() + "café".encode("cp1252"), "x.txt")
    assert text == "één café"
    assert warnings


# -- read_source ----------------------------------------------------------------------------
def test_read_source_returns_bytes_format_checksum_and_size(tmp_path: Path) -> None:
    path = write(tmp_path, "rapport.md", "# Wijken\n\nTekst.\n")
    src = read_source(path, max_bytes=MB)
    assert isinstance(src, SourceFile)
    assert src.format == "markdown"
    assert src.size == len(src.data) == path.stat().st_size
    assert src.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "data" not in repr(src)


def test_empty_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "leeg.txt", b"")
    with pytest.raises(SkipFile) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, SkipFile, "leeg bestand")


def test_whitespace_only_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "wit.txt", b" \n\t\r\n")
    with pytest.raises(SkipFile) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, SkipFile, "leeg bestand")


def test_file_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "groot.txt", b"wijk " * 300_000)
    with pytest.raises(SkipFile) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, SkipFile, "groter dan de limiet van 1 MB")


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "geheim.txt", "tekst")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SkipFile) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, SkipFile, "geen leesrechten")


def test_directory_and_missing_file_are_skipped(tmp_path: Path) -> None:
    with pytest.raises(SkipFile, match="geen gewoon bestand"):
        read_source(tmp_path, max_bytes=MB)
    with pytest.raises(SkipFile, match="bestaat niet"):
        read_source(tmp_path / "weg.txt", max_bytes=MB)


def test_binary_file_with_txt_extension_is_unsupported(tmp_path: Path) -> None:
    path = write(tmp_path, "notities.txt", bytes(range(256)) * 8)
    with pytest.raises(UnsupportedFormat) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, UnsupportedFormat, "binair bestand, geen tekst")


@pytest.mark.parametrize("name", ["rapport.pdf", "rapport.txt"])
def test_zip_bomb_renamed_is_unsupported_and_never_unpacked(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bom.txt", b"\0" * 20 * MB)
    assert len(buffer.getvalue()) < 100_000
    path = write(tmp_path, name, buffer.getvalue())
    with pytest.raises(UnsupportedFormat) as info:
        read_source(path, max_bytes=MB)
    assert_skip(info.value, path, UnsupportedFormat, "zip-archief")


# -- parse_source: bad input ----------------------------------------------------------------
def test_invalid_utf8_is_read_as_cp1252_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "oud.txt", "Café De Wijk\n\nHet één en ander.".encode("cp1252"))
    doc = load(path)
    assert "Café De Wijk" in text_of(doc)
    assert "ongeldige UTF-8, gelezen als cp1252" in doc.warnings


def test_invalid_utf8_markdown_and_html_are_parsed_with_a_warning(tmp_path: Path) -> None:
    md = load(write(tmp_path, "oud.md", "# Café\n\nEén wijk.".encode("cp1252")))
    assert md.title == "Café" and "ongeldige UTF-8, gelezen als cp1252" in md.warnings
    page = "<html><body><p>Café in de wijk</p></body></html>".encode("cp1252")
    html = load(write(tmp_path, "oud.html", page))
    assert "Café in de wijk" in text_of(html)
    assert "ongeldige UTF-8, gelezen als cp1252" in html.warnings


def test_truncated_xml_is_a_parse_error_with_the_line(tmp_path: Path) -> None:
    xml = '<?xml version="1.0"?>\n<kamerstuk>\n  <al>De wijken</al>\n  <al>Nog een'
    path = write(tmp_path, "kapot.xml", xml)
    with pytest.raises(ParseError) as info:
        load(path)
    assert_skip(info.value, path, ParseError, "onvolledige of ongeldige XML (regel 4)")


def test_truncated_html_keeps_what_is_there(tmp_path: Path) -> None:
    page = "<html><head><title>Wijken</title></head><body><h1>Wijkaanpak</h1><p>De aanpak van"
    doc = load(write(tmp_path, "half.html", page))
    assert doc.title == "Wijken"
    assert doc.blocks[-1].kind == "paragraph" and doc.blocks[-1].text == "De aanpak van"


def test_truncated_html_without_content_is_a_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, "kop.html", "<!DOCTYPE html><html><head><title>Wijk")
    with pytest.raises(ParseError) as info:
        load(path)
    assert_skip(info.value, path, ParseError, "geen bruikbare tekst")


def test_corrupt_pdf_is_a_parse_error(tmp_path: Path) -> None:
    noise = hashlib.sha256(b"ruis").digest() * 200
    path = write(tmp_path, "kapot.pdf", b"%PDF-1.4\n" + noise)
    with pytest.raises(ParseError) as info:
        load(path)
    assert_skip(info.value, path, ParseError, "beschadigde PDF: ")


def test_tiny_valid_pdf_text_is_extracted(tmp_path: Path) -> None:
    pdf = make_pdf(
        ["Voortgangsrapportage Wijkenaanpak\nDe aanpak van veertig wijken.", "Pagina twee: café."],
        info={"Title": "Rapport wijken", "CreationDate": "D:20080315120000"},
    )
    src = read_source(write(tmp_path, "rapport.pdf", pdf), max_bytes=MB)
    assert src.format == "pdf"
    doc = parse_source(src)
    assert "De aanpak van veertig wijken" in text_of(doc)
    assert "café" in text_of(doc)
    assert doc.title == "Rapport wijken"
    assert doc.metadata["date"] == "2008-03-15" and doc.metadata["year"] == 2008


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", make_pdf([None, None]))
    with pytest.raises(ParseError) as info:
        load(path)
    assert_skip(info.value, path, ParseError, "PDF zonder tekstlaag (gescand?); OCR is nodig")


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{"".join(entities)}]>\n<lolz>&lol9;</lolz>'
    path = write(tmp_path, "lol.xml", xml)
    started = time.perf_counter()
    with pytest.raises(ParseError) as info:
        load(path)
    assert time.perf_counter() - started < 2
    assert_skip(info.value, path, ParseError, "entiteitsdefinities")


def test_deeply_nested_xml_is_a_clean_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, "diep.xml", "<a>" * 10_000 + "diep" + "</a>" * 10_000)
    with pytest.raises(ParseError) as info:
        load(path)
    assert "te diep genest" in info.value.reason


def test_deeply_nested_html_does_not_crash(tmp_path: Path) -> None:
    page = "<html><body>" + "<div><span>" * 5_000 + "diep" + "</span></div>" * 5_000
    path = write(tmp_path, "diep.html", page + "<p>na</p></body></html>")
    try:
        doc = load(path)
    except ParseError:
        return
    assert "diep" in text_of(doc) and "na" in text_of(doc)


def test_metadata_only_xml_has_no_text(tmp_path: Path) -> None:
    xml = '<metadata_gegevens><metadata name="DC.identifier" content="kst-30995-1"/>'
    path = write(tmp_path, "meta.xml", xml + "</metadata_gegevens>")
    with pytest.raises(ParseError, match="geen tekst gevonden"):
        load(path)


def test_unexpected_parser_errors_become_parse_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import indexer.sources as sources_module

    def boom(*args: object, **kwargs: object) -> object:
        raise KeyError("intern")

    monkeypatch.setattr(sources_module, "parse_html", boom)
    src = SourceFile(Path("x.html"), b"<p>x</p>", "html", "0", 8)
    with pytest.raises(ParseError) as info:
        parse_source(src)
    assert "onverwachte fout" in info.value.reason and info.value.__cause__ is None


# -- never anything but SkipFile ------------------------------------------------------------
_FRAGMENTS = st.sampled_from(
    [
        b"<?xml version='1.0'?>",
        b"<html>",
        b"<p>",
        b"</p>",
        b"<al>wijk</al>",
        b"<noot><noot.nr>1</noot.nr>x</noot>",
        b"<table><tr><td>a",
        b"%PDF-1.4\n",
        b"# kop\n",
        b"| a | b |\n|---|---|\n",
        b"- item\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xe9\xe8",
        b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
        b"&a;",
        b"\n\n",
        "één café".encode(),
    ]
)
_DATA = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(str.encode),
    st.lists(_FRAGMENTS, max_size=12).map(b"".join),
)
_NAMES = st.sampled_from(["a.txt", "a.md", "a.html", "a.xml", "a.pdf", "a"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, name=_NAMES)
def test_detect_and_decode_never_raise_anything_else(data: bytes, name: str) -> None:
    try:
        assert detect_format(data, name) in FORMATS
    except SkipFile:
        pass
    text, warnings = decode_text(data, name)
    assert isinstance(text, str) and "\r" not in text
    assert all(isinstance(w, str) for w in warnings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_DATA, fmt=st.sampled_from(FORMATS))
def test_parse_source_never_raises_anything_but_skipfile(data: bytes, fmt: str) -> None:
    src = SourceFile(Path(f"x.{fmt}"), data, fmt, "0", len(data))
    try:
        doc = parse_source(src)
    except SkipFile as exc:
        assert exc.reason and exc.path == f"x.{fmt}"
        return
    assert any(block.text.strip() for block in doc.blocks)

"""Reading corpus files: format detection, decoding, limits, dispatch to the parsers.

Every problem with a file surfaces as a :class:`~kennisbank.errors.SkipFile`
(or its subclasses :class:`~kennisbank.errors.ParseError` and
:class:`~kennisbank.errors.UnsupportedFormat`) with a Dutch reason; nothing
here lets another exception or a traceback escape to the user.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from indexer.parsers.common import CP1252_WARNING, decode_utf8_cp1252
from indexer.parsers.html import parse_html
from indexer.parsers.markdown import parse_markdown
from indexer.parsers.pdf import parse_pdf
from indexer.parsers.text import parse_text
from indexer.parsers.xml import parse_xml
from kennisbank.errors import ParseError, SkipFile, UnsupportedFormat
from kennisbank.model import ParsedDocument

__all__ = [
    "FORMATS",
    "SourceFile",
    "detect_format",
    "decode_text",
    "read_source",
    "parse_source",
    "root_element",
]

log = logging.getLogger(__name__)

#: Formats :func:`detect_format` can return.
FORMATS: tuple[str, ...] = ("pdf", "html", "xml", "markdown", "text")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip-archief, bijvoorbeeld docx/xlsx/odt"),
    (b"PK\x05\x06", "leeg zip-archief"),
    (b"PK\x07\x08", "zip-archief"),
    (b"\x1f\x8b", "gzip-archief"),
    (b"BZh", "bzip2-archief"),
    (b"\xfd7zXZ\x00", "xz-archief"),
    (b"7z\xbc\xaf\x27\x1c", "7z-archief"),
    (b"Rar!\x1a\x07", "RAR-archief"),
    (b"\x28\xb5\x2f\xfd", "zstd-archief"),
    (b"\x89PNG\r\n\x1a\n", "PNG-afbeelding"),
    (b"\xff\xd8\xff", "JPEG-afbeelding"),
    (b"GIF87a", "GIF-afbeelding"),
    (b"GIF89a", "GIF-afbeelding"),
    (b"II*\x00", "TIFF-afbeelding"),
    (b"MM\x00*", "TIFF-afbeelding"),
    (b"RIFF", "RIFF-bestand (audio/video/afbeelding)"),
    (b"OggS", "Ogg-bestand"),
    (b"ID3", "MP3-bestand"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "oud Office-bestand (doc/xls/ppt)"),
    (b"\x7fELF", "uitvoerbaar bestand"),
    (b"SQLite format 3\x00", "SQLite-database"),
)
_MD_EXT = {".md", ".markdown", ".mdown", ".mkd"}
_HTML_EXT = {".html", ".htm", ".xhtml", ".shtml"}
_XML_EXT = {".xml"}
_HTML_TAGS = set(
    "html head body meta title link div p span table h1 h2 h3 h4 h5 h6 ul ol article section "
    "main header footer nav br a b i em strong".split()
)
_PROLOG = re.compile(
    r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+([\w:.-]*)(?:[^\[>]*\[.*?\])?[^>]*>)", re.S | re.I
)
_MB = 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A corpus file read into memory, with its detected format and checksum."""

    path: Path
    data: bytes = field(repr=False)
    format: str
    checksum: str
    size: int


# -- format detection -----------------------------------------------------------------------
def _has_control(chunk: bytes) -> bool:
    return any(b < 32 and b not in (9, 10, 12, 13) for b in chunk)


def _binary(reason: str, filename: str) -> UnsupportedFormat:
    return UnsupportedFormat(filename, f"binair bestand, geen tekst ({reason})")


def _sniff_head(data: bytes, filename: str) -> str:
    """The first few KB as text, after refusing binary data."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return head[: len(head) // 4 * 4].decode("utf-32", errors="replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    if b"\x00" in head:
        raise _binary("bevat NUL-bytes", filename)
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27) or b == 127)
    if head and control / len(head) > 0.1:
        raise _binary("veel stuurtekens", filename)
    return head.decode("utf-8", errors="replace")


def root_element(text: str) -> str:
    """Name of the root element after the XML prolog ('' if not found)."""
    pos = 0
    while match := _PROLOG.match(text, pos):
        if (match.group(2) or "").lower() == "html":
            return "html"
        pos = match.end()
    element = re.match(r"\s*<([A-Za-z_][\w:.-]*)", text[pos:])
    return element.group(1).split(":")[-1].lower() if element else ""


def detect_format(data: bytes, filename: str) -> str:
    """Decide the format of ``data``: one of :data:`FORMATS`.

    The bytes decide first (magic numbers, BOM, the XML prolog and root
    element); the extension of ``filename`` only breaks ties, e.g. ``.md``
    makes text Markdown.  Binary data raises :class:`UnsupportedFormat`.
    """
    for magic, what in _MAGIC:
        # Magic numbers made of letters only count when binary bytes follow.
        if data.startswith(magic) and (not magic.isalnum() or _has_control(data[:32])):
            raise _binary(what, filename)
    if data.startswith(b"{\\rtf"):
        raise UnsupportedFormat(filename, "RTF-document; dit formaat wordt niet gelezen")
    start = data.find(b"%PDF-", 0, 1024)
    if start != -1 and (not data[:start].strip(b" \t\r\n\xef\xbb\xbf") or b"%%EOF" in data[-4096:]):
        return "pdf"
    text = _sniff_head(data, filename).lstrip("\ufeff").removeprefix("ï»¿").lstrip()
    ext = Path(filename).suffix.lower()
    low = text[:64].lower()
    if low.startswith(("<?xml", "<!--", "<!doctype")):
        root = root_element(text)
        if root == "html" or (not root and ext in _HTML_EXT):
            return "html"
        if root or low.startswith("<?xml") or ext in _XML_EXT:
            return "xml"
    if low.startswith("<html"):
        return "html"
    if element := re.match(r"<([A-Za-z][\w:.-]*)[\s/>]", text):
        if ext in _MD_EXT:
            return "markdown"
        if ext in _HTML_EXT or (ext not in _XML_EXT and element.group(1).lower() in _HTML_TAGS):
            return "html"
        return "xml"
    if ext in _MD_EXT:
        return "markdown"
    if ext in _HTML_EXT and "<" in text:
        return "html"
    return "text"


def decode_text(data: bytes, path: str) -> tuple[str, list[str]]:
    """Decode text bytes; returns the text and Dutch warnings.

    UTF-8 (BOM stripped) or UTF-16/32 with BOM; invalid UTF-8 is read as
    cp1252 with the warning "ongeldige UTF-8, gelezen als cp1252".  Newlines
    become ``\\n`` and the text is NFC-normalised.  Never raises.
    """
    del path  # part of the signature for symmetry with the other helpers
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        text, fallback = decode_utf8_cp1252(data.removeprefix(codecs.BOM_UTF8))
        if fallback:
            warnings.append(CP1252_WARNING)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), warnings


def _format_mb(size: int) -> str:
    value = size / _MB
    text = f"{value:.3g}" if value >= 0.001 else "0.001"
    return text.replace(".", ",")


def read_source(path: Path, *, max_bytes: int) -> SourceFile:
    """Read ``path`` into a :class:`SourceFile`.

    Raises :class:`SkipFile` for a missing, unreadable, empty or too large
    file and :class:`UnsupportedFormat` for binary data.
    """
    path = Path(path)
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SkipFile(name, "bestand bestaat niet (meer)") from None
    except PermissionError:
        raise SkipFile(name, "geen leesrechten (toegang geweigerd)") from None
    except OSError as exc:
        raise SkipFile(name, f"bestand kan niet gelezen worden ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SkipFile(name, "geen gewoon bestand")
    limit = f"groter dan de limiet van {_format_mb(max_bytes)} MB"
    if info.st_size > max_bytes:
        raise SkipFile(name, f"{limit} ({_format_mb(info.st_size)} MB)")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        raise SkipFile(name, "geen leesrechten (toegang geweigerd)") from None
    except OSError as exc:
        raise SkipFile(name, f"bestand kan niet gelezen worden ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise SkipFile(name, limit)
    if not data:
        raise SkipFile(name, "leeg bestand")
    if not data.strip():
        raise SkipFile(name, "leeg bestand (alleen witruimte)")
    fmt = detect_format(data, name)
    checksum = hashlib.sha256(data).hexdigest()
    return SourceFile(path=path, data=data, format=fmt, checksum=checksum, size=len(data))


def _dispatch(src: SourceFile, name: str, vocabulary: set[str] | None) -> ParsedDocument:
    if src.format == "pdf":
        return parse_pdf(src.data, name=name, vocabulary=vocabulary)
    if src.format == "html":
        return parse_html(src.data, name=name)
    if src.format == "xml":
        return parse_xml(src.data, name=name)
    if src.format not in FORMATS:
        raise UnsupportedFormat(name, f"onbekend formaat '{src.format}'")
    text, warnings = decode_text(src.data, name)
    if src.format == "markdown":
        doc = parse_markdown(text, name=name, vocabulary=vocabulary)
    else:
        doc = parse_text(text, vocabulary=vocabulary, name=name)
    doc.warnings = warnings + list(doc.warnings)
    return doc


def parse_source(src: SourceFile, *, vocabulary: set[str] | None = None) -> ParsedDocument:
    """Parse a :class:`SourceFile` with the parser for its format.

    Any unexpected exception of a parser becomes a :class:`ParseError` with a
    Dutch message (the traceback is logged at debug level only); a result
    without any block text raises ``ParseError(path, "geen tekst gevonden")``.
    """
    name = str(src.path)
    try:
        doc = _dispatch(src, name, vocabulary)
    except SkipFile:
        raise
    except RecursionError:
        raise ParseError(name, "document te diep genest om te verwerken") from None
    except MemoryError:
        raise ParseError(name, "te weinig geheugen om het document te verwerken") from None
    except Exception as exc:
        log.debug("parser faalde op %s", name, exc_info=True)
        detail = " ".join(str(exc).split())[:120]
        reason = f"onverwachte fout bij het verwerken ({type(exc).__name__}: {detail})"
        raise ParseError(name, reason) from None
    if not any(block.text.strip() for block in doc.blocks):
        only_meta = src.format == "xml" and doc.metadata.get("identifier")
        raise ParseError(name, "geen tekst gevonden" + (" (alleen metadata)" if only_meta else ""))
    return doc

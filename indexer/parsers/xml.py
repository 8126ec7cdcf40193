"""XML parser: official publication XML (KOOP/OP, BWB, CVDR) and a generic fallback.

Hardened: no network, no DTD loading, no entity expansion; a document declaring
entities (billion laughs) is refused, lxml's depth/size limits stay on.  Official
formats: containers (``hoofdstuk``, ``artikel`` …) carry a ``kop``; ``al`` is a
paragraph, ``lijst`` a list, CALS ``table`` a table, ``noot`` a footnote.  Other
XML: title-like elements become headings, leaf-ish elements paragraphs.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from indexer.parsers.blocks import INLINE_MARK, BlockSink, clean_text
from indexer.parsers.common import (
    CP1252_WARNING,
    decode_utf8_cp1252,
    metadata_from_meta,
    normalise_vergaderjaar,
)
from indexer.parsers.parliament import speech, structure_metadata
from indexer.parsers.xmltools import (
    MAX_DEPTH,
    SKIP_TAGS,
    children,
    first,
    inline_text,
    local_name,
    metadata_from_owms,
    plain,
)
from kennisbank.errors import ParseError
from kennisbank.model import ParsedDocument

__all__ = ["parse_xml", "OFFICIAL_ROOTS", "METADATA_ROOTS"]

#: Root (or top-level) elements of the official publication formats.
OFFICIAL_ROOTS = frozenset(
    "officiele-publicatie kamerstuk handelingen aanhangsel kamervragen stb stcrt gmb prb wsb "
    "bgr trb staatsblad staatscourant gemeenteblad provinciaalblad waterschapsblad "
    "bladgemeenschappelijkeregeling tractatenblad toestand wetgeving cvdr regeling "
    "circulaire".split()
)
#: Roots of files that only hold metadata (no document text).
METADATA_ROOTS = frozenset("metadata_gegevens owms-metadata record searchRetrieveResponse".split())

_BLOCKS = frozenset(
    "al lijst li table tabel kop titel tussenkop lid artikel noot item-titel spreker "
    "al-groep considerans.al hoofdstuk paragraaf afdeling".split()
)
_ANY_BLOCK = tuple("{*}" + t for t in _BLOCKS)
_CONTAINER_ROLES = dict.fromkeys(
    "hoofdstuk titeldeel boek deel nota-toelichting".split(), "chapter"
)
_CONTAINER_ROLES |= dict.fromkeys("afdeling paragraaf agendapunt".split(), "section")
_CONTAINER_ROLES |= dict.fromkeys("sub-paragraaf artikel".split(), "subheading")
_CONTAINER_ROLES["bijlage"] = "bijlage"
_META_TAGS = {"dossiernummer": "dossier", "dossiernr": "dossier", "stuknr": "ondernummer"}
_META_TAGS |= {"ondernummer": "ondernummer", "vergaderjaar": "vergaderjaar"}
_MOJIBAKE_BOM = b"\xc3\xaf\xc2\xbb\xc2\xbf"
_WS = b" \t\r\n"
_UNSAFE = "XML met entiteitsdefinities in de DTD wordt niet gelezen (onveilig)"


def _role(tag: str, level: int) -> str:
    return _CONTAINER_ROLES.get(tag) or {1: "chapter", 2: "section"}.get(level, "subheading")


def _prepare(data: bytes, warnings: list[str]) -> bytes:
    """Strip BOMs/leading whitespace lxml refuses; repair double-encoded UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stripped = data.lstrip(_WS)
    if stripped.startswith(_MOJIBAKE_BOM):
        try:
            repaired = stripped.decode("utf-8").encode("latin-1")
            stripped = repaired.removeprefix(b"\xef\xbb\xbf")
            warnings.append("dubbel gecodeerde UTF-8 hersteld")
        except (UnicodeDecodeError, UnicodeEncodeError):
            stripped = stripped[len(_MOJIBAKE_BOM) :]
        stripped = stripped.lstrip(_WS)
    if stripped.startswith(b"<"):
        return stripped
    return data


def _parser() -> etree.XMLParser:
    safe = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
    return etree.XMLParser(**safe, remove_comments=True, remove_pis=True)


def _syntax_error(name: str, exc: etree.XMLSyntaxError) -> ParseError:
    if "depth" in str(exc).lower():
        return ParseError(name, "XML te diep genest (meer dan 256 niveaus)")
    return ParseError(name, f"onvolledige of ongeldige XML (regel {exc.lineno or 1})")


def _load(data: bytes, name: str, warnings: list[str]) -> etree._Element:
    data = _prepare(data, warnings)
    entity, doctype = data.find(b"<!ENTITY"), data.find(b"<!DOCTYPE")
    if -1 < doctype < entity:
        raise ParseError(name, _UNSAFE)
    try:
        root = etree.fromstring(data, _parser())
    except (ValueError, LookupError) as exc:
        raise ParseError(name, f"onvolledige of ongeldige XML ({exc})") from None
    except etree.XMLSyntaxError as exc:
        if "encoding" not in str(exc).lower() and "utf-8" not in str(exc).lower():
            raise _syntax_error(name, exc) from None
        # Bytes that are not what the declaration says: invalid UTF-8 read as cp1252.
        text = decode_utf8_cp1252(data)[0]
        text = re.sub(r"^(<\?xml[^>]*?)encoding=[\"'][^\"']*[\"']", r"\1", text)
        warnings.append(CP1252_WARNING)
        try:
            root = etree.fromstring(text.encode("utf-8"), _parser())
        except etree.XMLSyntaxError as exc2:
            raise _syntax_error(name, exc2) from None
    if root is None:
        raise ParseError(name, "onvolledige of ongeldige XML (regel 1)")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(name, _UNSAFE)
    return root


class _Official:
    """Walks official-format XML into blocks."""

    def __init__(self, sink: BlockSink, title: str) -> None:
        self.sink = sink
        self.title = title
        self.prefix = ""
        self.note_count = 0

    def inline(self, el: etree._Element, notes: list[str], extra: list) -> str:
        """Text of ``el`` with footnote markers; tables and note bodies go to ``extra``."""

        def hook(child: etree._Element, tag: str) -> str | None:
            if tag == "noot":
                return self.note(child, notes, extra)
            if tag in ("table", "tabel"):
                extra.append(("table", child))
                return ""
            return None

        return inline_text(el, hook)

    def note(self, el: etree._Element, notes: list[str], extra: list) -> str:
        """Queue the body of footnote ``el``; returns its marker for the running text."""
        self.note_count += 1
        label = plain(first(el, "noot.nr", "nr")) or el.get("nr") or str(self.note_count)
        inner: list = []

        def hook(child: etree._Element, tag: str) -> str | None:
            if tag in ("table", "tabel"):
                inner.append(("table", child))
            return "" if tag in ("table", "tabel", "noot.nr", "nr") else None

        body = clean_text(inline_text(el, hook))
        extra.extend(inner)
        if not body:
            return ""
        notes.append(label)
        extra.append(("footnote", label, body))
        return self.sink.marker(label)

    def paragraph(self, el: etree._Element) -> None:
        notes: list[str] = []
        extra: list = []
        text = clean_text(self.inline(el, notes, extra))
        if text and self.prefix:
            text = f"{self.prefix} {text}"
            self.prefix = ""
        self.sink.paragraph(text, notes)
        self.flush_extra(extra)

    def flush_extra(self, extra: list) -> None:
        for item in extra:
            if item[0] == "table":
                self.table(item[1])
            else:
                self.sink.footnote(item[1], item[2])

    def table(self, el: etree._Element) -> None:
        cells = ("entry", "td", "th", "cel")
        rows = [
            [plain(c) for c in row if local_name(c.tag) in cells]
            for row in el.iter("{*}row", "{*}tr", "{*}rij")
        ]
        caption = next((c for c in children(el) if local_name(c.tag) in _TITLE_NAMES), None)
        self.sink.table(rows, plain(caption))

    def items(self, lijst: etree._Element, out: list[str], depth: int) -> None:
        for li in children(lijst):
            if local_name(li.tag) != "li":
                continue
            parts: list[str] = []
            nested: list[etree._Element] = []
            for child in children(li):
                tag = local_name(child.tag)
                if tag == "lijst":
                    nested.append(child)
                elif tag not in SKIP_TAGS:
                    parts.append(self.inline(child, [], []))
            out.append(clean_text(INLINE_MARK.join(parts)))
            for sub in nested:
                if depth < MAX_DEPTH:
                    self.items(sub, out, depth + 1)

    def heading(self, text: str, level: int, role: str) -> None:
        if text != self.title:
            self.sink.heading(text, level, role)
        elif not self.sink.has_title:
            self.sink.heading(text, 1, "title")

    def walk(self, el: etree._Element, level: int, depth: int = 0) -> None:
        tag = local_name(el.tag)
        if tag in SKIP_TAGS:
            return
        if depth > MAX_DEPTH:
            self.sink.paragraph(plain(el), [])
            return
        kids = children(el)
        kop = next((k for k in kids if local_name(k.tag) == "kop"), None)
        inner_level = level
        if kop is not None:
            parts = [
                plain(k)
                for k in children(kop)
                if local_name(k.tag) in ("label", "nr", "titel", "subtitel")
            ]
            text = clean_text(" ".join(p for p in parts if p)) or plain(kop)
            is_title = text == self.title and not self.sink.has_title
            inner_level = level if is_title else min(level + 1, 6)
            self.heading(text, inner_level, _role(tag, inner_level))
        if tag in ("table", "tabel"):
            self.table(el)
        elif tag == "lijst":
            items: list[str] = []
            self.items(el, items, depth)
            self.sink.list(items)
        elif tag == "noot":
            extra: list = []
            self.note(el, [], extra)
            self.flush_extra(extra)
        elif tag == "spreekbeurt":
            speech(self, el, level, depth)
        elif tag in ("lidnr", "li.nr", "spreker"):
            self.prefix = plain(el)
        elif tag == "nr":
            return
        elif tag in ("tussenkop", "item-titel", "intitule", "titel", "citeertitel"):
            self.heading(plain(el), min(level + 1, 6), "subheading")
        elif tag in _META_TAGS:
            value = plain(el).removeprefix("Vergaderjaar ").strip()
            if tag == "vergaderjaar":
                value = normalise_vergaderjaar(value) or value
            self.sink.metadata.setdefault(_META_TAGS[tag], value)
        elif tag == "al" or next(el.iterdescendants(*_ANY_BLOCK), None) is None:
            self.paragraph(el)
        else:
            if (el.text or "").strip():
                self.sink.paragraph(clean_text(el.text or ""), [])
            for child in kids:
                if child is not kop:
                    self.walk(child, inner_level, depth + 1)
                    if (child.tail or "").strip():
                        self.sink.paragraph(clean_text(child.tail or ""), [])


def _meta_pairs(root: etree._Element) -> list[tuple[str, str, str]]:
    found = (el for el in root.iter("{*}meta", "{*}metadata") if el.get("name"))
    return [(el.get("name", ""), el.get("scheme", ""), el.get("content", "")) for el in found]


def _official_title(root: etree._Element, metadata: dict[str, Any]) -> str:
    for child in children(root):
        if local_name(child.tag) in SKIP_TAGS or local_name(child.tag) == "kop":
            continue
        kop = next((k for k in children(child) if local_name(k.tag) == "kop"), None)
        if kop is not None and plain(first(kop, "titel")):
            return plain(first(kop, "titel"))
    dossier, stuk = first(root, "dossier"), first(root, "stuk")
    if dossier is not None and stuk is not None:
        parts = [plain(first(dossier, "titel")), plain(first(stuk, "titel"))]
        if any(parts):
            return "; ".join(p for p in parts if p)
    for tag in ("citeertitel", "intitule", "item-titel"):
        text = plain(first(root, tag))
        if text:
            return text
    if metadata.get("title"):
        return str(metadata["title"])
    vergadering = first(root, "vergadering")
    if vergadering is not None:
        nummer = plain(first(vergadering, "vergadering-nummer"))
        datum = plain(first(vergadering, "vergaderdatum"))
        if nummer or datum:
            return f"{nummer} ({datum})" if nummer and datum else nummer or datum
    return plain(first(root, "titel"))


def _is_official(root: etree._Element) -> bool:
    tag = local_name(root.tag)
    return tag in OFFICIAL_ROOTS or next(root.iter("{*}al"), None) is not None


_TITLE_NAMES = frozenset("title titel kop heading head header caption onderwerp".split())


def _generic(el: etree._Element, sink: BlockSink, depth: int) -> None:
    tag = local_name(el.tag)
    if tag in SKIP_TAGS and depth > 0:
        return
    kids = children(el)
    if tag in _TITLE_NAMES and depth > 0:
        text = plain(el)
        if text:
            sink.heading(text, min(max(depth - 1, 1), 6), "section" if depth > 2 else "chapter")
        return
    if not kids or (el.text or "").strip() or depth > MAX_DEPTH:
        sink.paragraph(plain(el), [])
        return
    for child in kids:
        _generic(child, sink, depth + 1)


def parse_xml(data: bytes, *, name: str = "") -> ParsedDocument:
    """Parse XML bytes into a :class:`ParsedDocument`.

    Raises :class:`ParseError` for malformed or truncated XML ("onvolledige of
    ongeldige XML (regel N)"), for documents declaring entities and for
    documents nested deeper than lxml's limit.  Metadata-only files
    (``metadata.xml``, OWMS metadata, SRU records) give a document with
    metadata and a title but no blocks.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    warnings: list[str] = []
    root = _load(data, name, warnings)
    root_tag = local_name(root.tag)
    metadata = metadata_from_meta(_meta_pairs(root))
    owms = metadata_from_owms(root)
    metadata["raw"] = {**owms.pop("raw", {}), **metadata["raw"]}
    for key, value in owms.items():
        metadata.setdefault(key, value)
    if root.get("bwb-id"):
        metadata.setdefault("identifier", root.get("bwb-id"))
    sink = BlockSink(metadata)
    if root_tag in METADATA_ROOTS:
        title = str(metadata.get("title", ""))
    elif _is_official(root):
        title = _official_title(root, metadata)
        masthead = next((k for k in children(root) if local_name(k.tag) == "kop"), None)
        if masthead is not None and plain(first(masthead, "titel")):
            metadata.setdefault("publication", plain(first(masthead, "titel")))
        walker = _Official(sink, title)
        for child in children(root):
            if local_name(child.tag) != "kop":
                walker.walk(child, 0)
        structure_metadata(root, metadata)
    else:
        title = plain(next((e for e in root.iter() if local_name(e.tag) in _TITLE_NAMES), None))
        title = title or str(metadata.get("title", ""))
        _generic(root, sink, 0)
    return ParsedDocument(
        title=title or name, blocks=sink.blocks, metadata=metadata, warnings=warnings
    )

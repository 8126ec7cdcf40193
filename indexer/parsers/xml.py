"""XML parser: official publication XML (KOOP/OP, BWB, CVDR) and a generic fallback.

Parsing is hardened: no network access, no DTD loading, no entity expansion;
a document that declares entities (billion laughs) is refused outright, and
lxml's default depth and text-size limits stay in force (``huge_tree=False``).

Official formats share one vocabulary: containers (``hoofdstuk``, ``paragraaf``,
``artikel`` …) carry a ``kop`` with ``label``/``nr``/``titel``; ``al`` is a
paragraph, ``lijst``/``li`` a list, CALS ``table`` a table and ``noot`` a
footnote.  Other XML is read generically: title-like elements become headings
and the text of leaf-ish elements becomes paragraphs.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from indexer.parsers.xmlcommon import (
    INLINE_MARK,
    BlockSink,
    clean_text,
    local_name,
    metadata_from_meta,
    metadata_from_owms,
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

_SKIP = frozenset(
    "metadata meta meta-data plaatje illustratie colspec jcis jci brondata bwb-inputbestand "
    "bwb-wijzigingen redactionele-correcties cvdripm owmskern owmsmantel tpmeta "
    "kamerstukkop".split()
)
_INLINE = frozenset(
    "nadruk extref intref sup inf cursief vet onderstreept nootref afkorting term "
    "br".split()
)
_BLOCKS = frozenset(
    "al lijst li table tabel kop titel tussenkop lid artikel noot item-titel spreker "
    "al-groep considerans.al hoofdstuk paragraaf afdeling".split()
)
_CONTAINER_ROLES = {
    "hoofdstuk": "chapter",
    "titeldeel": "chapter",
    "boek": "chapter",
    "deel": "chapter",
    "nota-toelichting": "chapter",
    "afdeling": "section",
    "paragraaf": "section",
    "agendapunt": "section",
    "sub-paragraaf": "subheading",
    "artikel": "subheading",
    "bijlage": "bijlage",
}
_PREFIX_TAGS = frozenset("lidnr li.nr spreker".split())
_MAX_DEPTH = 200
_MOJIBAKE_BOM = b"\xc3\xaf\xc2\xbb\xc2\xbf"
_WS = b" \t\r\n"


def _role(tag: str, level: int) -> str:
    if tag in _CONTAINER_ROLES:
        return _CONTAINER_ROLES[tag]
    return {1: "chapter", 2: "section"}.get(level, "subheading")


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


def _refuse_entities(data: bytes, name: str) -> None:
    entity = data.find(b"<!ENTITY")
    doctype = data.find(b"<!DOCTYPE")
    if entity != -1 and doctype != -1 and doctype < entity:
        raise ParseError(name, "XML met entiteitsdefinities in de DTD wordt niet gelezen (onveilig)")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _syntax_error(name: str, exc: etree.XMLSyntaxError) -> ParseError:
    message = str(exc)
    if "depth" in message.lower():
        return ParseError(name, "XML te diep genest (meer dan 256 niveaus)")
    line = exc.lineno or (exc.position[0] if exc.position else 0)
    return ParseError(name, f"onvolledige of ongeldige XML (regel {line})")


def _load(data: bytes, name: str, warnings: list[str]) -> etree._Element:
    data = _prepare(data, warnings)
    _refuse_entities(data, name)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        if "encoding" not in str(exc).lower() and "utf-8" not in str(exc).lower():
            raise _syntax_error(name, exc) from None
        # Bytes that are not what the declaration says: read them as cp1252.
        text = data.decode("cp1252", errors="replace")
        text = re.sub(r"^(<\?xml[^>]*?)encoding=[\"'][^\"']*[\"']", r"\1", text)
        warnings.append("ongeldige UTF-8, gelezen als cp1252")
        try:
            root = etree.fromstring(text.encode("utf-8"), _parser())
        except etree.XMLSyntaxError as exc2:
            raise _syntax_error(name, exc2) from None
    if root is None:
        raise ParseError(name, "onvolledige of ongeldige XML (regel 1)")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(name, "XML met entiteitsdefinities in de DTD wordt niet gelezen (onveilig)")
    return root


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _first(el: etree._Element, *tags: str) -> etree._Element | None:
    for node in el.iter():
        if isinstance(node.tag, str) and local_name(node.tag) in tags and node is not el:
            return node
    return None


def _plain(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return clean_text(INLINE_MARK.join(el.itertext()))


class _Official:
    """Walks official-format XML into blocks."""

    def __init__(self, sink: BlockSink, title: str) -> None:
        self.sink = sink
        self.title = title
        self.prefix = ""
        self.note_count = 0

    # -- inline text ----------------------------------------------------------
    def inline(self, el: etree._Element, notes: list[str], extra: list, depth: int = 0) -> str:
        """Text of ``el`` with footnote markers; nested tables/notes go to ``extra``."""
        if depth > _MAX_DEPTH:
            return INLINE_MARK.join(el.itertext())
        parts = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str):
                tag = local_name(child.tag)
                if tag == "noot":
                    parts.append(self.note(child, notes, extra))
                elif tag in ("table", "tabel"):
                    extra.append(("table", child))
                elif tag not in _SKIP:
                    sep = "" if tag in _INLINE else INLINE_MARK
                    parts.append(sep + self.inline(child, notes, extra, depth + 1) + sep)
            parts.append(child.tail or "")
        return "".join(parts)

    def note(self, el: etree._Element, notes: list[str], extra: list) -> str:
        self.note_count += 1
        label = _plain(_first(el, "noot.nr", "nr")) or el.get("nr") or str(self.note_count)
        inner: list = []
        body_parts = []
        for child in el:
            if isinstance(child.tag, str) and local_name(child.tag) in ("noot.nr", "nr"):
                continue
            if isinstance(child.tag, str):
                body_parts.append(INLINE_MARK + self.inline(child, [], inner) + INLINE_MARK)
            body_parts.append(child.tail or "")
        body = clean_text((el.text or "") + "".join(body_parts))
        extra.extend(inner)
        if not body:
            return ""
        notes.append(label)
        extra.append(("footnote", label, body))
        return self.sink.marker(label)

    # -- blocks ---------------------------------------------------------------
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
        rows: list[list[str]] = []
        for row in el.iter():
            if not isinstance(row.tag, str) or local_name(row.tag) not in ("row", "tr", "rij"):
                continue
            cells = [
                _plain(c)
                for c in row
                if isinstance(c.tag, str) and local_name(c.tag) in ("entry", "td", "th", "cel")
            ]
            if any(cells):
                rows.append(cells)
        caption = ""
        for child in _children(el):
            if local_name(child.tag) in ("title", "titel", "caption"):
                caption = _plain(child)
        self.sink.table(rows, caption)

    def items(self, lijst: etree._Element, out: list[str], depth: int) -> None:
        for li in _children(lijst):
            if local_name(li.tag) != "li":
                continue
            parts: list[str] = []
            nested: list[etree._Element] = []
            for child in _children(li):
                tag = local_name(child.tag)
                if tag == "lijst":
                    nested.append(child)
                elif tag not in _SKIP:
                    parts.append(self.inline(child, [], []))
            out.append(clean_text(INLINE_MARK.join(parts)))
            for sub in nested:
                if depth < _MAX_DEPTH:
                    self.items(sub, out, depth + 1)

    def heading(self, text: str, level: int, tag: str) -> None:
        if text and text == self.title and not self.sink.has_title:
            self.sink.heading(text, 1, "title")
        elif text:
            self.sink.heading(text, level, _role(tag, level))

    def walk(self, el: etree._Element, level: int, depth: int = 0) -> None:
        tag = local_name(el.tag)
        if tag in _SKIP:
            return
        if depth > _MAX_DEPTH:
            self.sink.paragraph(_plain(el), [])
            return
        kids = _children(el)
        kop = next((k for k in kids if local_name(k.tag) == "kop"), None)
        inner_level = level
        if kop is not None:
            parts = [
                _plain(k)
                for k in _children(kop)
                if local_name(k.tag) in ("label", "nr", "titel", "subtitel")
            ]
            text = clean_text(" ".join(p for p in parts if p)) or _plain(kop)
            is_title = text == self.title and not self.sink.has_title
            inner_level = level if is_title else min(level + 1, 6)
            self.heading(text, inner_level, tag)
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
        elif tag in _PREFIX_TAGS:
            self.prefix = _plain(el)
        elif tag in ("tussenkop", "item-titel", "intitule", "titel", "citeertitel"):
            self.heading(_plain(el), min(level + 1, 6), "subheading")
        elif tag in ("dossiernr", "ondernummer", "vergaderjaar"):
            key = {"dossiernr": "dossier"}.get(tag, tag)
            self.sink.metadata.setdefault(key, _plain(el).removeprefix("Vergaderjaar ").strip())
        elif tag == "al" or next(el.iterdescendants(*_BLOCKS), None) is None:
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
    pairs = []
    for el in root.iter():
        if isinstance(el.tag, str) and local_name(el.tag) in ("meta", "metadata"):
            if el.get("name") and el.get("content") is not None:
                pairs.append((el.get("name", ""), el.get("scheme", ""), el.get("content", "")))
    return pairs


def _official_title(root: etree._Element, metadata: dict[str, Any]) -> str:
    for child in _children(root):
        if local_name(child.tag) in _SKIP or local_name(child.tag) == "kop":
            continue
        kop = next((k for k in _children(child) if local_name(k.tag) == "kop"), None)
        if kop is not None and _plain(_first(kop, "titel")):
            return _plain(_first(kop, "titel"))
    dossier, stuk = _first(root, "dossier"), _first(root, "stuk")
    if dossier is not None and stuk is not None:
        parts = [_plain(_first(dossier, "titel")), _plain(_first(stuk, "titel"))]
        if any(parts):
            return "; ".join(p for p in parts if p)
    for tag in ("citeertitel", "intitule", "item-titel"):
        text = _plain(_first(root, tag))
        if text:
            return text
    if metadata.get("title"):
        return str(metadata["title"])
    vergadering = _first(root, "vergadering")
    if vergadering is not None:
        nummer = _plain(_first(vergadering, "vergadering-nummer"))
        datum = _plain(_first(vergadering, "vergaderdatum"))
        if nummer or datum:
            return f"{nummer} ({datum})" if nummer and datum else nummer or datum
    return _plain(_first(root, "titel"))


def _is_official(root: etree._Element) -> bool:
    tag = local_name(root.tag)
    return tag in OFFICIAL_ROOTS or next(root.iter("al"), None) is not None


_TITLE_NAMES = frozenset("title titel kop heading head header caption onderwerp".split())


def _generic(el: etree._Element, sink: BlockSink, depth: int) -> None:
    tag = local_name(el.tag)
    if tag in _SKIP and depth > 0:
        return
    kids = _children(el)
    if tag in _TITLE_NAMES and depth > 0:
        text = _plain(el)
        if text:
            sink.heading(text, min(max(depth - 1, 1), 6), "section" if depth > 2 else "chapter")
        return
    if not kids or (el.text or "").strip() or depth > _MAX_DEPTH:
        sink.paragraph(_plain(el), [])
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
    for key, value in owms.items():
        if key == "raw":
            metadata["raw"] = {**value, **metadata.get("raw", {})}
        else:
            metadata.setdefault(key, value)
    sink = BlockSink(metadata)
    if root_tag in METADATA_ROOTS:
        title = str(metadata.get("title", ""))
    elif _is_official(root):
        title = _official_title(root, metadata)
        masthead = next((k for k in _children(root) if local_name(k.tag) == "kop"), None)
        if masthead is not None and _plain(_first(masthead, "titel")):
            metadata.setdefault("publication", _plain(_first(masthead, "titel")))
        walker = _Official(sink, title)
        for child in _children(root):
            if local_name(child.tag) != "kop":
                walker.walk(child, 0)
    else:
        title = _plain(next((e for e in root.iter() if local_name(e.tag) in _TITLE_NAMES), None))
        title = title or str(metadata.get("title", ""))
        _generic(root, sink, 0)
    return ParsedDocument(
        title=title or name, blocks=sink.blocks, metadata=metadata, warnings=warnings
    )

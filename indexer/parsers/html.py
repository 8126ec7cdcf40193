"""HTML parser (beautifulsoup4 + lxml).

Renderings from officielebekendmakingen.nl wrap the publication in a page with
navigation, forms and a table of contents: only the content region (``#broodtekst``,
``.officiele-publicatie``, ``main``, ``article`` …) is read; scripts, styles,
navigation and hidden parts are dropped.  Metadata comes from ``<meta>`` tags.
"""

from __future__ import annotations

import codecs
import re
import warnings as _warnings
from collections.abc import Iterable

from bs4 import BeautifulSoup, CData, NavigableString, Tag, XMLParsedAsHTMLWarning

from indexer.parsers.blocks import INLINE_MARK, BlockSink, clean_text
from indexer.parsers.common import CP1252_WARNING, decode_utf8_cp1252, metadata_from_meta
from kennisbank.errors import ParseError
from kennisbank.model import ParsedDocument

__all__ = ["parse_html", "decode_html"]


def decode_html(data: bytes) -> tuple[str, list[str]]:
    """Decode HTML bytes: BOM, then UTF-8, then the declared charset, then cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), []
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    m = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", head) or re.search(
        rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", head
    )
    if m:
        try:
            codec = codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            codec = ""
        if codec and codec != "utf-8":
            return data.decode(codec, errors="replace"), []
    return decode_utf8_cp1252(data)[0], [CP1252_WARNING]


# -- walking --------------------------------------------------------------------------------
_DROP = "head script style nav noscript template iframe svg button select input textarea object"
_DROP_CLASSES = {"toc", "verberg", "inhoudsopgave", "broodkruimels", "breadcrumb", "skip-link"}
_DROP_IDS = {"inhoudsopgave", "volledigeinhoudsopgave", "kopregel", "voetregel"}
_ROOTS = ("#broodtekst", ".officiele-publicatie", "main", "[role=main]", "article", "#content")
_INLINE = set(
    "a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong".split()
)
_INLINE |= set("sub sup time u var font nobr wbr label img".split())
_NOTE_CLASSES = ("footnote", "voetnoot", "noot", "endnote")
_BLOCK_NAMES = ["p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "section"]
_MAX_DEPTH = 150


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class") or []
    return [value] if isinstance(value, str) else list(value)


def _is_note_ref(tag: Tag) -> bool:
    if tag.name not in ("sup", "a"):
        return False
    link = tag if tag.name == "a" else tag.find("a")
    href = str(link.get("href", "")) if link else ""
    if re.match(r"#(fn|noot|footnote|note|voetnoot)", href, re.I):
        return True
    roles = {str(tag.get("role", ""))} | set(_classes(tag))
    return bool(roles & {"doc-noteref", "footnote-ref", "noot", "nootref"})


def _is_note_body(tag: Tag) -> bool:
    if str(tag.get("role", "")) in ("doc-endnotes", "doc-footnote", "doc-endnote"):
        return True
    if tag.name not in ("div", "section", "aside", "ol", "ul", "p", "li", "dl"):
        return False
    tokens = [c.lower() for c in _classes(tag)] + [str(tag.get("id", "")).lower()]
    return any(t.startswith(_NOTE_CLASSES) and "ref" not in t for t in tokens if t)


class _Walker:
    def __init__(self, sink: BlockSink, title: str) -> None:
        self.sink = sink
        self.title = title
        self.notes = 0

    def inline(self, el: Tag, notes: list[str], depth: int = 0) -> str:
        if depth > _MAX_DEPTH:
            return el.get_text(INLINE_MARK)
        return "".join(self.piece(child, notes, depth) for child in el.children)

    def piece(self, child: object, notes: list[str], depth: int) -> str:
        """Text of one child node inside running text."""
        if isinstance(child, Tag):
            if child.name == "br":
                return " "
            if _is_note_ref(child):
                label = clean_text(child.get_text()).strip("[]()")
                if not label:
                    return ""
                notes.append(label)
                return self.sink.marker(label)
            sep = "" if child.name in _INLINE else INLINE_MARK
            return sep + self.inline(child, notes, depth + 1) + sep
        if type(child) in (NavigableString, CData):
            return str(child)
        return ""

    def footnotes(self, el: Tag) -> None:
        if el.name == "li":
            items = [el]
        else:
            items = el.find_all("li") or el.find_all(["p", "div"], recursive=False) or [el]
        for item in items:
            for back in item.find_all("a"):
                if "back" in " ".join(_classes(back)) or back.get("role") == "doc-backlink":
                    back.decompose()
            self.notes += 1
            text = clean_text(self.inline(item, []))
            label = re.sub(r"\D", "", str(item.get("id", ""))) or str(self.notes)
            if m := re.match(r"^\[?(\d{1,3}|\*)[\].)]?\s+", text):
                label, text = m.group(1), text[m.end() :]
            self.sink.footnote(label, text.rstrip("↩ ").strip())

    def table(self, el: Tag) -> None:
        rows = []
        for tr in el.find_all("tr"):
            if tr.find_parent("table") is el:
                rows.append(
                    [self.inline(c, []) for c in tr.find_all(["td", "th"], recursive=False)]
                )
        caption = el.find("caption")
        self.sink.table(rows, self.inline(caption, []) if caption else "")

    def items(self, el: Tag, out: list[str], depth: int) -> None:
        for li in el.find_all(["li", "dt", "dd"], recursive=False):
            nested = li.find_all(["ul", "ol"], recursive=False)
            for sub in nested:
                sub.extract()
            out.append(self.inline(li, []))
            for sub in nested:
                if depth < _MAX_DEPTH:
                    self.items(sub, out, depth + 1)

    def block(self, el: Tag, depth: int) -> None:
        name = el.name
        kop = next((c for c in _classes(el) if c.endswith("_kop")), "")
        if depth > _MAX_DEPTH:
            self.sink.paragraph(el.get_text(" "))
        elif _is_note_body(el):
            self.footnotes(el)
        elif re.fullmatch(r"h[1-6]", name) or (kop and name in ("p", "div")):
            level = int(name[1]) if name.startswith("h") else 3
            if m := re.search(r"kop_level(\d)", " ".join(_classes(el))):
                level = int(m.group(1)) + 1
            elif kop.endswith(("blad_kop", "courant_kop")):
                level = 1
            text = clean_text(self.inline(el, []))
            role = "title" if text == self.title and not self.sink.has_title else ""
            self.sink.heading(
                text, level, role or {1: "chapter", 2: "section"}.get(level, "subheading")
            )
        elif name == "table":
            self.table(el)
        elif name in ("ul", "ol", "dl"):
            items: list[str] = []
            self.items(el, items, depth)
            self.sink.list(items)
        elif name in ("p", "pre", "address", "figcaption", "caption") and not el.find(_BLOCK_NAMES):
            notes: list[str] = []
            text = self.inline(el, notes)
            self.sink.paragraph(text, notes)
        elif name not in ("hr", "img", "br"):
            self.container(el, depth)

    def container(self, el: Tag, depth: int) -> None:
        buf: list[str] = []
        notes: list[str] = []
        for child in el.children:
            if isinstance(child, Tag) and not (
                child.name in _INLINE and not child.find(_BLOCK_NAMES)
            ):
                self.sink.paragraph("".join(buf), notes)
                buf, notes = [], []
                self.block(child, depth + 1)
            else:
                buf.append(self.piece(child, notes, depth))
        self.sink.paragraph("".join(buf), notes)


def _remove(tags: Iterable[Tag]) -> None:
    """Decompose ``tags``, skipping those inside another one (already gone with it)."""
    doomed = list(tags)
    marked = {id(tag) for tag in doomed}
    for tag in [t for t in doomed if not any(id(p) in marked for p in t.parents)]:
        tag.decompose()


def _content_root(soup: BeautifulSoup) -> Tag:
    for selector in _ROOTS:
        found = soup.select_one(selector)
        if found is not None and found.get_text(strip=True):
            return found
    return soup.body or soup


def parse_html(data: bytes | str, *, name: str = "") -> ParsedDocument:
    """Parse HTML into a :class:`ParsedDocument`.

    Broken or truncated HTML is parsed as far as it goes; if nothing usable
    remains a :class:`ParseError` is raised.
    """
    warnings: list[str] = []
    if isinstance(data, bytes):
        text, warnings = decode_html(data)
    else:
        text = data
    text = text.lstrip("\ufeff")
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    pairs = [
        (str(m.get("name")), str(m.get("scheme", "")), str(m.get("content", "")))
        for m in soup.find_all("meta")
        if m.get("name") and m.get("content") is not None
    ]
    metadata = metadata_from_meta(pairs)
    title_tag = soup.find("title")
    title = clean_text(title_tag.get_text()) if title_tag else ""
    _remove(soup.find_all(_DROP.split()))
    root = _content_root(soup)
    _remove(
        tag
        for tag in root.find_all(True)
        if {c.lower() for c in _classes(tag)} & _DROP_CLASSES
        or str(tag.get("id", "")).lower() in _DROP_IDS
    )
    title = title or str(metadata.get("title", ""))
    if not title:
        heads = root.find_all(["h1", "h2", "h3"])
        title = next((t for h in heads if (t := clean_text(h.get_text(" ")))), "")
    sink = BlockSink()
    _Walker(sink, title).container(root, 0)
    if not any(b.text for b in sink.blocks):
        raise ParseError(name, "geen bruikbare tekst in de HTML gevonden")
    if not title:
        title = next((b.text for b in sink.blocks if b.kind == "heading"), name)
    return ParsedDocument(title=title, blocks=sink.blocks, metadata=metadata, warnings=warnings)

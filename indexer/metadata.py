"""Document metadata: sidecar files, what a parser found, and inference from content.

Precedence, per field: the sidecar (``<name>.meta.json`` or ``<file>.meta.json``
next to the file) → what the file states itself (official XML/HTML metadata) →
inference from the content (title from the first heading, year from dates in the
text, type from the title).  Nothing is invented: an unknown field stays empty.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from kennisbank.errors import SkipFile
from kennisbank.model import DOCUMENT_TYPES, ParsedDocument

SIDECAR_SUFFIX = ".meta.json"

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_DATED_YEAR = re.compile(rf"\b(?:{_MONTHS})\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("voortgangsrapportage", "voortgangsrapportage"),
    ("wijkactieplan", "wijkactieplan"),
    ("charter", "charter"),
    ("handelingen", "handelingen"),
    ("bijlage", "bijlage"),
    ("brief", "brief"),
    ("kamerstuk", "kamerstuk"),
)


def sidecar_paths(path: Path) -> list[Path]:
    """The sidecar names looked for next to ``path``, most specific first."""
    return [path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)]


def is_sidecar(path: Path) -> bool:
    """True for a metadata sidecar (not itself a document)."""
    return path.name.endswith(SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> tuple[dict[str, Any], bytes]:
    """The sidecar of ``path`` as a dict, plus its raw bytes (for the checksum).

    A sidecar that is not valid JSON makes the file skip with a clear reason.
    """
    for candidate in sidecar_paths(path):
        if candidate.is_file():
            raw = candidate.read_bytes()
            try:
                data = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise SkipFile(
                    str(path), f"metadatabestand {candidate.name} is geen geldige JSON ({exc})"
                ) from exc
            if not isinstance(data, dict):
                raise SkipFile(str(path), f"metadatabestand {candidate.name} is geen JSON-object")
            return data, raw
    return {}, b""


def infer_year(text: str) -> int | None:
    """The most recent year named in a date (``7 juli 2010``), else the most frequent year."""
    dated = [int(y) for y in _DATED_YEAR.findall(text)]
    if dated:
        return max(dated)
    years = Counter(int(y) for y in _ANY_YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def infer_doctype(title: str, identifier: str | None) -> str:
    """A document type from the identifier or the words of the title."""
    if identifier and identifier.lower().startswith("kst-"):
        return "kamerstuk"
    if identifier and identifier.lower().startswith(("h-", "ah-")):
        return "handelingen"
    lowered = title.lower()
    for word, doctype in _TYPE_WORDS:
        if word in lowered:
            return doctype
    return "overig"


def _first_heading(parsed: ParsedDocument) -> str:
    for block in parsed.blocks:
        if block.kind == "heading" and block.text.strip():
            return block.text.strip()
    return ""


def resolve_metadata(
    path: Path, parsed: ParsedDocument, sidecar: dict[str, Any], text: str
) -> dict[str, Any]:
    """Merge sidecar, parser metadata and inference into the document's fields."""
    found = parsed.metadata
    title = (
        sidecar.get("title")
        or found.get("title")
        or parsed.title
        or _first_heading(parsed)
        or path.stem.replace("-", " ").replace("_", " ")
    )
    identifier = sidecar.get("identifier") or found.get("identifier") or None
    doctype = sidecar.get("type") or sidecar.get("doctype") or found.get("doctype")
    if doctype not in DOCUMENT_TYPES:
        doctype = infer_doctype(str(title), identifier)
    year = sidecar.get("year") or found.get("year")
    if year is None:
        year = _year_in(str(title)) or infer_year(text)
    return {
        "title": str(title).strip(),
        "doctype": doctype,
        "year": int(year) if year else None,
        "date": sidecar.get("date") or found.get("date") or None,
        "source": sidecar.get("source") or found.get("source") or None,
        "identifier": identifier,
        "metadata": {**found, **sidecar},
    }


def _year_in(title: str) -> int | None:
    match = _ANY_YEAR.search(title)
    return int(match.group(1)) if match else None

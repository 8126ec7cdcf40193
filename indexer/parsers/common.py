"""Helpers several parsers (and :mod:`indexer.sources`) share.

The cp1252 fallback for invalid UTF-8, and the metadata a document states about itself
(``<meta>`` pairs, Dublin Core / OWMS names) normalised to plain keys and dates.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = [
    "CP1252_WARNING",
    "decode_utf8_cp1252",
    "metadata_from_meta",
    "normalise_date",
    "normalise_vergaderjaar",
]

#: Warning for text whose invalid UTF-8 bytes were read as cp1252.
CP1252_WARNING = "ongeldige UTF-8, gelezen als cp1252"


def _cp1252_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("kennisbank-cp1252", _cp1252_errors)


def decode_utf8_cp1252(data: bytes) -> tuple[str, bool]:
    """UTF-8 where valid, cp1252 for the bytes that are not; ``True`` if any were not."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="kennisbank-cp1252"), True


_DATE_KEYS = "dc.issued dc.available dc.date dc.modified overheidop.datumontvangst".split()
_DATE_KEYS.append("overheidop.datumbrief")


def normalise_date(value: str) -> str | None:
    """``2014-01-15``, ``15-01-2014``, ``2014-01-15T10:00`` → ``2014-01-15``; else ``None``."""
    value = value.strip()
    if m := re.match(r"(\d{4})-(\d{2})-(\d{2})", value):
        return m.group(0)
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if m := re.fullmatch(r"\d{4}", value):
        return m.group(0)
    return None


def normalise_vergaderjaar(value: str) -> str | None:
    """``Vergaderjaar 2009–2010``, ``20092010``, ``2009/10`` → ``2009-2010``; else ``None``."""
    m = re.search(r"((?:18|19|20)\d\d)\s*[-–—/]?\s*((?:18|19|20)?\d\d)(?!\d)", value or "")
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    if second < 100:
        second += first // 100 * 100
    return f"{first}-{second}" if second == first + 1 else None


def _norm_name(name: str) -> str:
    """``DCTERMS.issued``/``dcterms:issued`` → ``dc.issued``; ``overheidop:x`` → ``…op.x``.

    The SRU namespace ``overheidwetgeving`` carries the same fields as ``overheidop``.
    """
    name = re.sub(r"^(dcterms|dc)[:.]", "dc.", name.strip().lower())
    name = re.sub(r"^(overheid\w*):", r"\1.", name)
    return re.sub(r"^overheidwetgeving\.", "overheidop.", name)


def metadata_from_meta(pairs: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """Plain metadata keys from ``(name, scheme, content)`` meta pairs.

    Keys: ``identifier``, ``title``, ``doctype``, ``documentsoort``, ``date``, ``year``,
    ``dossier``, ``ondernummer``, ``vergaderjaar``, ``creator``, ``indiener``,
    ``organisatie``, ``publication``, ``language`` (when stated) and ``raw`` (every
    meta name → content, a list when repeated).
    """
    raw: dict[str, Any] = {}
    values: dict[str, list[tuple[str, str]]] = {}
    for name, scheme, content in pairs:
        content = unicodedata.normalize("NFC", " ".join((content or "").split()))
        if not name or not content:
            continue
        prev = raw.get(name)
        raw[name] = (
            content if prev is None else [*([prev] if isinstance(prev, str) else prev), content]
        )
        values.setdefault(_norm_name(name), []).append((scheme or "", content))

    def first(*keys: str) -> str:
        return next((values[k][0][1] for k in keys if k in values), "")

    def joined(key: str) -> str:
        return "; ".join(dict.fromkeys(c for _, c in values.get(key, [])))

    meta: dict[str, Any] = {}
    ident = first("dc.identifier")
    record = first("overheidop.externmetadatarecord")
    if not ident and (m := re.search(r"/([a-z]+(?:-[\w.]+)+)/metadata\.xml", record)):
        ident = m.group(1)
    types = values.get("dc.type", [])
    specific = [c for s, c in types if s.lower() != "overheid.informatietype"]
    parl = [c for s, c in types if s.lower() == "overheidop.parlementair"]
    simple = {
        "identifier": ident,
        "title": first("dc.title"),
        "doctype": (parl or specific or [c for _, c in types] or [""])[0],
        "dossier": first("overheidop.dossiernummer"),
        "ondernummer": first("overheidop.ondernummer"),
        "vergaderjaar": normalise_vergaderjaar(vj := first("overheidop.vergaderjaar")) or vj,
        "creator": joined("dc.creator"),
        "indiener": joined("overheidop.indiener"),
        "organisatie": first("dc.creator", "overheid.authority", "dc.publisher"),
        "publication": first("overheidop.publicationname", "overheidop.publicatienaam"),
        "language": first("dc.language"),
    }
    simple["documentsoort"] = first("overheidop.subrubriek") or simple["doctype"]
    meta.update({k: v for k, v in simple.items() if v})
    date = next(
        (d for k in _DATE_KEYS for _, c in values.get(k, []) if (d := normalise_date(c))), ""
    )
    if date:
        meta["date"] = date
    year = date[:4] or first("overheidop.jaargang")[:4]
    if year.isdigit():
        meta["year"] = int(year)
    if m := re.match(r"kst-(\d+)(?:-[A-Za-z0-9]+)?-(\d+)", ident):
        meta.setdefault("dossier", m.group(1))
        meta.setdefault("ondernummer", m.group(2))
    if m := re.match(r"h-[a-z]+-(\d{4})(\d{4})-", ident):
        meta.setdefault("vergaderjaar", f"{m.group(1)}-{m.group(2)}")
    meta["raw"] = raw
    return meta

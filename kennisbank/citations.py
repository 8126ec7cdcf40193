"""Citations people paste: for a document and for each of its passages.

A citation names what the kennisbank knows for certain and nothing more:

- the **issuing body** when the document or its sidecar states it (``organisatie`` or
  ``creator`` in the metadata: official publications carry ``dc.creator``; a sidecar may
  say ``"organisatie": "…"``), else none — it is never guessed from the text;
- the **title** and the **date** (or the year);
- the **Kamerstuk** when the document's own identifier is known for certain (the
  sidecar's ``identifier`` or the official metadata), as the official citation;
- for a passage, its **section path** and a **permalink** ``/document/<id>#p-<passage>``
  (passage ids are derived from the text, so the link holds while the text is unchanged).

Two formats: ``text``, plain (``Voortgangsrapportage Wijkenaanpak 2010 (2010), Inleiding.
Kennisbank Wijkenaanpak, https://…#p-…``), and ``kamerstukken``, the Kamerstukken style
(``Kamerstukken II 2009/10, 30 995, nr. 78, Inleiding``) when the document is a Kamerstuk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The name the citations give the product.
PRODUCT = "Kennisbank Wijkenaanpak"


def issuer(doc: Mapping[str, Any]) -> str | None:
    """The issuing body the document or its sidecar states, or None."""
    meta = doc.get("metadata") or {}
    for key in ("organisatie", "creator"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _when(doc: Mapping[str, Any]) -> str | None:
    date = doc.get("date")
    if isinstance(date, str) and date.strip():
        return date.strip()
    return str(doc["year"]) if doc.get("year") else None


def document_text(doc: Mapping[str, Any], kamerstuk: str | None = None) -> str:
    """The plain citation of a document: issuer, title (date), and the Kamerstuk if known."""
    head = f"{issuer(doc)}, " if issuer(doc) else ""
    when = _when(doc)
    text = f"{head}{doc['title']}" + (f" ({when})" if when else "")
    return f"{text}, {kamerstuk}" if kamerstuk else text


def passage_citation(
    doc: Mapping[str, Any],
    section_path: Sequence[str],
    permalink: str,
    kamerstuk: str | None = None,
) -> dict[str, Any]:
    """The citation of one passage (see the module docstring); ``kamerstuk`` is the
    document's official Kamerstuk citation when its identifier is known for certain."""
    section = " › ".join(s for s in section_path if s)
    where = f", {section}" if section else ""
    return {
        "text": f"{document_text(doc, kamerstuk)}{where}. {PRODUCT}, {permalink}",
        "kamerstukken": f"{kamerstuk}{where}" if kamerstuk else None,
        "permalink": permalink,
        "issuer": issuer(doc),
        "document": doc["title"],
        "date": _when(doc),
        "section": section or None,
    }


__all__ = ["PRODUCT", "document_text", "issuer", "passage_citation"]

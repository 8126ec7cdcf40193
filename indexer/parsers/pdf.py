"""PDF parser: the text layer (pypdf), page by page, handed to the plain-text parser.

PDFs are untrusted input.  pypdf limits decompression output and object
counts itself; on top of that this module reads at most :data:`MAX_PAGES`
pages and :data:`MAX_CHARS` characters.  A PDF whose pages carry no text is
refused with "PDF zonder tekstlaag (gescand?); OCR is nodig"; OCR is out of
scope here.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from typing import Any

from indexer.parsers.text import parse_text
from kennisbank.errors import ParseError
from kennisbank.model import ParsedDocument

__all__ = ["parse_pdf", "MAX_PAGES", "MAX_CHARS", "NO_TEXT_LAYER"]

#: At most this many pages are read.
MAX_PAGES = 2000
#: At most this many characters of text are kept.
MAX_CHARS = 5_000_000
#: Reason given for a PDF without a text layer.
NO_TEXT_LAYER = "PDF zonder tekstlaag (gescand?); OCR is nodig"

_BAD_TITLE = re.compile(
    r"(?i)^(microsoft (word|powerpoint|excel)\b|untitled|naamloos|document\s*\d*$|"
    r"presentation\d*$|\S+\.(docx?|pdf|rtf|indd|odt|pptx?|xlsx?)$)"
)


def _pdf_date(value: object) -> str | None:
    match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", str(value or ""))
    if not match:
        return None
    year, month, day = match.groups()
    if not 1900 < int(year) < 2200:
        return None
    return "-".join(p for p in (year, month, day) if p)


def _info(reader: Any) -> dict[str, Any]:
    """Title, author, dates from the document information dictionary."""
    try:
        raw = reader.metadata or {}
        info = {str(k).lstrip("/"): str(v) for k, v in dict(raw).items() if v is not None}
    except Exception:  # a broken info dictionary is no reason to fail
        return {}
    meta: dict[str, Any] = {}
    title = " ".join(info.get("Title", "").split())
    if len(title) >= 4 and re.search(r"[^\W\d_]", title) and not _BAD_TITLE.match(title):
        meta["title"] = title
    if author := " ".join(info.get("Author", "").split()):
        meta["creator"] = author
    date = _pdf_date(info.get("CreationDate")) or _pdf_date(info.get("ModDate"))
    if date:
        meta["date"] = date
        meta["year"] = int(date[:4])
    if info:
        meta["raw"] = info
    return meta


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:160]
    return text or type(exc).__name__


def _open(data: bytes, name: str) -> Any:
    from pypdf import PdfReader  # noqa: PLC0415 - start-up: pypdf loads with the first PDF
    from pypdf.errors import LimitReachedError  # noqa: PLC0415 - start-up, as above

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception:
                unlocked = 0
            if not unlocked:
                raise ParseError(name, "versleutelde PDF; zonder wachtwoord niet te lezen")
        count = len(reader.pages)
    except ParseError:
        raise
    except LimitReachedError as exc:
        raise ParseError(
            name, f"PDF overschrijdt de veiligheidslimieten ({_reason(exc)})"
        ) from None
    except RecursionError:
        raise ParseError(name, "beschadigde PDF: te diep geneste objecten") from None
    except Exception as exc:
        raise ParseError(name, f"beschadigde PDF: {_reason(exc)}") from None
    if count == 0:
        raise ParseError(name, "beschadigde PDF: geen pagina's gevonden")
    return reader


def _extract(reader: Any, name: str, warnings: list[str]) -> str:
    from pypdf.errors import LimitReachedError  # noqa: PLC0415 - start-up: pypdf on first PDF

    count = len(reader.pages)
    texts: list[str] = []
    total = failed = 0
    for index in range(min(count, MAX_PAGES)):
        try:
            text = reader.pages[index].extract_text() or ""
        except LimitReachedError as exc:
            raise ParseError(
                name, f"PDF overschrijdt de veiligheidslimieten ({_reason(exc)})"
            ) from None
        except Exception:
            failed += 1
            continue
        text = text.replace("\x00", "")
        if total + len(text) > MAX_CHARS:
            texts.append(text[: MAX_CHARS - total])
            warnings.append(f"tekst afgekapt na {MAX_CHARS} tekens (pagina {index + 1})")
            break
        texts.append(text.strip("\n"))
        total += len(text)
    if count > MAX_PAGES:
        warnings.append(f"alleen de eerste {MAX_PAGES} van {count} pagina's gelezen")
    if failed:
        warnings.append(f"{failed} pagina('s) konden niet worden gelezen")
    return "\n\n".join(texts)


def parse_pdf(data: bytes, *, name: str = "", vocabulary: set[str] | None = None) -> ParsedDocument:
    """Parse the text layer of a PDF.

    Raises :class:`ParseError` for a corrupt PDF ("beschadigde PDF: …"), an
    encrypted one, one exceeding pypdf's safety limits, and one without a
    text layer (:data:`NO_TEXT_LAYER`).  PDF info (title, author, creation
    date) fills metadata keys the text itself does not provide.
    """
    warnings: list[str] = []
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # pypdf's warnings on sloppy PDFs are noise here
    try:
        reader = _open(data, name)
        text = unicodedata.normalize("NFC", _extract(reader, name, warnings))
    finally:
        pypdf_log.setLevel(level)
    if sum(ch.isalnum() for ch in text[:10_000]) < 3:
        raise ParseError(name, NO_TEXT_LAYER)
    doc = parse_text(text, vocabulary=vocabulary, name=name)
    info = _info(reader)
    if info.get("title"):
        doc.title = info["title"]
    for key, value in info.items():
        doc.metadata.setdefault(key, value)
    doc.metadata.setdefault("pages", len(reader.pages))
    doc.warnings = warnings + list(doc.warnings)
    return doc

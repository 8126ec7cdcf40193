"""Official publications (KOOP/officielebekendmakingen.nl): model types, sidecar fields and
companion metadata files.

A document downloaded from officielebekendmakingen.nl or repository.overheid.nl often comes
with a metadata file next to it: ``kst-30995-78.xml`` + ``kst-30995-78.metadata.xml``, or
``kst-30995-78.xml`` + ``metadata.xml`` in a folder of its own.  The metadata file holds no
text; it describes the document.  :func:`is_companion_metadata` recognises such a file (so
the corpus walk can leave it out) and :func:`read_companion` gives a document the metadata
of its companion files in the keys of a ``.meta.json`` sidecar.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from indexer.parsers.xml import parse_xml
from indexer.sources import root_element
from kennisbank.errors import SkipFile
from kennisbank.model import DOCUMENT_TYPES

__all__ = [
    "model_doctype",
    "sidecar_fields",
    "is_companion_metadata",
    "companion_files",
    "companion_metadata",
    "read_companion",
]

_BLAD_TYPES = {"kst": "kamerstuk", "blg": "bijlage", "h": "handelingen", "ah": "handelingen"}
_SIDECAR_KEYS = (
    "identifier title date year vergaderjaar dossier ondernummer indiener organisatie "
    "documentsoort publication".split()
)


def model_doctype(identifier: str | None, doctype: str | None = None) -> str:
    """The document type of the model (``kamerstuk``, ``bijlage`` …) for an official publication."""
    ident, kind = (identifier or "").lower(), (doctype or "").strip().lower()
    if re.search(r"^kst-.*-b\d+$", ident) or kind == "bijlage":
        return "bijlage"
    if prefix := _BLAD_TYPES.get(ident.split("-", 1)[0]):
        return prefix
    for name in DOCUMENT_TYPES:
        if kind.startswith(name) or (name == "handelingen" and "handelingen" in kind):
            return name
    return "overig"


def sidecar_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata as ``.meta.json`` sidecar keys: the stated fields plus the model ``type``."""
    fields = {k: meta[k] for k in _SIDECAR_KEYS if meta.get(k)}
    fields["type"] = model_doctype(meta.get("identifier"), meta.get("doctype"))
    return fields


# -- companion metadata files (metadata.xml next to a document) -----------------------------
_COMPANION_SUFFIXES = (".metadata.xml", ".metadata_owms.xml", ".owms-metadata.xml")
_COMPANION_NAMES = ("metadata.xml", "metadata_owms.xml")
_COMPANION_ROOTS = ("metadata_gegevens", "owms-metadata", "searchretrieveresponse")


def is_companion_metadata(path: Path) -> bool:
    """True for an official metadata file (``metadata.xml``, ``<id>.metadata.xml``, OWMS).

    Such a file holds no text: it describes the document next to it and is not a
    document itself.  Decided by the root element, so a real document called
    ``metadata.xml`` still counts as a document.
    """
    path = Path(path)
    if path.suffix.lower() != ".xml":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").removeprefix("ï»¿")
    return root_element(text) in _COMPANION_ROOTS


def companion_files(path: Path) -> list[Path]:
    """The metadata files that describe document ``path``, most specific first.

    ``<stem>.metadata.xml`` (or ``.metadata_owms.xml``/``.owms-metadata.xml``) next to
    the file; a plain ``metadata.xml`` in the same folder when that folder holds
    only this one document (the layout of a download from officielebekendmakingen.nl).
    """
    path = Path(path)
    stem = path.name.split(".", 1)[0]
    found = [path.with_name(stem + s) for s in _COMPANION_SUFFIXES]
    found = [p for p in found if p != path and p.is_file()]
    shared = [path.with_name(n) for n in _COMPANION_NAMES if path.with_name(n).is_file()]
    if shared and path.name not in _COMPANION_NAMES:
        others = [
            p
            for p in path.parent.iterdir()
            if p.is_file()
            and p != path
            and not p.name.startswith(".")
            and not p.name.endswith(".meta.json")
            and not is_companion_metadata(p)
        ]
        if not others:
            found.extend(shared)
    return [p for p in found if is_companion_metadata(p)]


def read_companion(path: Path) -> tuple[dict[str, Any], bytes]:
    """Sidecar-style metadata of ``path`` from its companion metadata files, plus their bytes.

    Merge it under the ``.meta.json`` sidecar (the sidecar wins) and add the bytes to the
    file's checksum.  An unreadable or malformed metadata file raises :class:`SkipFile`.
    """
    merged: dict[str, Any] = {}
    raw = b""
    for companion in reversed(companion_files(path)):
        try:
            data = companion.read_bytes()
            meta = parse_xml(data, name=str(companion)).metadata
        except OSError as exc:
            reason = f"metadatabestand {companion.name} kan niet gelezen worden ({exc})"
            raise SkipFile(str(path), reason) from None
        except SkipFile as exc:
            reason = f"metadatabestand {companion.name} is ongeldig: {exc.reason}"
            raise SkipFile(str(path), reason) from None
        merged.update(sidecar_fields(meta))
        merged["metadata_file"] = companion.name
        raw += data
    return merged, raw


def companion_metadata(path: Path) -> dict[str, Any]:
    """The metadata of document ``path`` stated by its companion metadata files (or ``{}``)."""
    return read_companion(path)[0]

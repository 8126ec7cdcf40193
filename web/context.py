"""Context builders: the data of each page, shared by the HTML page and its JSON twin.

A context is plain JSON-ready data (dicts, lists, strings, numbers), so
``jsonify(context)`` is the JSON twin and the template renders the same dict;
the few absolute URLs in it (citation permalinks) are made for the current request.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, url_for

from kennisbank import citations
from kennisbank.errors import KennisbankError
from kennisbank.graph import commitments_for, document_mentions, entity_names
from kennisbank.refcheck import (
    Occurrence,
    RefCheck,
    check_references,
    form_problem,
    sentence_at,
    store_occurrences,
)
from kennisbank.refs import KamerstukRef, find_refs, normalize_identifier
from kennisbank.store import Store
from kennisbank.vraagbaak import Vraagbaak, VraagbaakDB
from kennisbank.vraagbaak.search import PublishedIndex

_VRAAGBAAK_LOCK = threading.Lock()
_CHECKS_LOCK = threading.Lock()
_CHECKS: dict[str, tuple[tuple[float, int], dict[str, RefCheck]]] = {}


class KamerstukNotFound(KennisbankError):
    """A ``/kamerstuk/<id>`` whose id is no Kamerstuk identifier in any notation (HTTP 404)."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f"'{text[:80]}' is geen geldige Kamerstukverwijzing.")


@contextmanager
def open_store() -> Iterator[Store]:
    """The store of the app's data directory (raises IndexMissing when there is none)."""
    settings = current_app.config["KENNISBANK_SETTINGS"]
    with Store(settings.db_path) as store:
        yield store


def vraagbaak_service() -> Vraagbaak:
    """The app's Vraagbaak over ``DATA_DIR/vraagbaak.sqlite`` (opened on first use)."""
    with _VRAAGBAAK_LOCK:
        found = current_app.extensions.get("kennisbank_vraagbaak")
        if found is None:
            settings = current_app.config["KENNISBANK_SETTINGS"]
            found = Vraagbaak(VraagbaakDB.in_data_dir(settings.data_dir))
            current_app.extensions["kennisbank_vraagbaak"] = found
        return found


def published_index() -> PublishedIndex:
    """The app's searchable published answers (reloads itself after every change)."""
    service = vraagbaak_service()
    with _VRAAGBAAK_LOCK:
        found = current_app.extensions.get("kennisbank_published")
        if found is None or found.vraagbaak is not service:
            found = PublishedIndex(service)
            current_app.extensions["kennisbank_published"] = found
        return found


# -- documents ----------------------------------------------------------------------------


def documents_context() -> dict[str, Any]:
    """Data for the document list (``/documenten`` and ``/api/documents``)."""
    with open_store() as store:
        return {"documents": store.documents(), "counts": store.counts()}


def document_citation(doc: dict[str, Any]) -> dict[str, Any]:
    """The citation of a document (:mod:`kennisbank.citations`): issuer when stated, title,
    date or year, and the official Kamerstuk citation when its identifier is certain."""
    identifier = normalize_identifier(doc.get("identifier") or "")
    kamerstuk = ref_for_identifier(identifier) if identifier else None
    return {
        "text": citations.document_text(doc, kamerstuk.citation if kamerstuk else None),
        "kamerstukken": kamerstuk.citation if kamerstuk else None,
        "issuer": citations.issuer(doc),
        "identifier": identifier,
        "official_url": kamerstuk.url if kamerstuk else None,
    }


def passage_citations(
    doc: dict[str, Any], passages: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The citation of each passage (by id), with an absolute permalink."""
    kamerstuk = document_citation(doc)["kamerstukken"]
    base = url_for("views.document", doc_id=doc["id"], _external=True)
    return {
        p["id"]: citations.passage_citation(
            doc, p.get("section_path") or [], f"{base}#p-{p['id']}", kamerstuk
        )
        for p in passages
    }


def citation_documents(doc_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, year, date, identifier and metadata of the given documents (for citations)."""
    ids = list(dict.fromkeys(doc_ids))
    if not ids:
        return {}
    with open_store() as store:
        rows = store.conn.execute(
            "SELECT id, title, year, date, identifier, metadata FROM documents "
            f"WHERE id IN ({', '.join('?' for _ in ids)})",
            ids,
        ).fetchall()
    found = {}
    for row in rows:
        doc = dict(row)
        doc["metadata"] = json.loads(doc["metadata"] or "{}")
        found[doc["id"]] = doc
    return found


def document_context(doc_id: str) -> dict[str, Any]:
    """Data for one document (``/document/<id>`` and ``/api/documents/<id>``).

    ``mentions`` maps a passage id to its entity mentions (offsets into the passage
    text); every reference in ``refs`` carries ``passage_start``/``passage_end``, its
    offsets in the passage text, when they can be found there.
    """
    with open_store() as store:
        doc = store.document(doc_id)
        doc.pop("text", None)
        passages = store.passages(doc_id)
        refs = store.refs()
        mentions = document_mentions(store.conn, doc_id)
        names = entity_names(store.conn)
        checks = reference_checks(store)
    by_id = {p["id"]: p for p in passages}
    by_passage: dict[str, list[dict[str, Any]]] = {}
    for ref in refs:
        if ref["document_id"] == doc_id:
            ref.update(checked_ref(ref["identifier"], checks))
            _locate_ref(ref, by_id.get(ref["passage_id"]))
            by_passage.setdefault(ref["passage_id"], []).append(ref)
    for spans in mentions.values():
        for span in spans:
            known = names.get(span["entity_id"], {})
            span["name"] = known.get("label") or known.get("name", span["surface"])
            span["type"] = known.get("type", span["entity_id"].partition("/")[0])
    labels = {p["id"]: p["label"] for p in passages if p["kind"] == "footnote"}
    cited = passage_citations(doc, passages)
    for passage in passages:
        passage["citation"] = cited[passage["id"]]
    return {
        "document": doc,
        "passages": passages,
        "refs": by_passage,
        "footnote_labels": labels,
        "mentions": mentions,
        "citation": document_citation(doc),
    }


def _locate_ref(ref: dict[str, Any], passage: dict[str, Any] | None) -> None:
    """Add the reference's offsets inside its passage (None when the text differs)."""
    ref["passage_start"] = ref["passage_end"] = None
    if passage is None:
        return
    start = ref["start"] - passage["start"]
    end = ref["end"] - passage["start"]
    if 0 <= start < end <= len(passage["text"]) and passage["text"][start:end] == ref["text"]:
        ref["passage_start"], ref["passage_end"] = start, end


# -- Kamerstukken -------------------------------------------------------------------------

_IDENTIFIER_RE = re.compile(r"kst-(?P<dossier>.+)-(?P<nummer>[^-]+)")


def ref_for_identifier(
    identifier: str, occurrences: list[dict[str, Any]] | None = None
) -> KamerstukRef:
    """A reference for a canonical ``kst-…`` id, with Kamer and vergaderjaar when known.

    The most complete of the ``occurrences`` (rows of the refs table) lends its
    Kamer and vergaderjaar, so the citation is as official as the corpus allows.
    """
    m = _IDENTIFIER_RE.fullmatch(identifier)
    if m is None:  # pragma: no cover - callers pass canonical identifiers
        raise KamerstukNotFound(identifier)
    best: dict[str, Any] = {}
    for row in occurrences or []:
        score = bool(row.get("kamer")) + bool(row.get("vergaderjaar"))
        if score > bool(best.get("kamer")) + bool(best.get("vergaderjaar")):
            best = row
    return KamerstukRef(
        m["dossier"], m["nummer"], kamer=best.get("kamer"), vergaderjaar=best.get("vergaderjaar")
    )


def reference_checks(store: Store) -> dict[str, RefCheck]:
    """The :mod:`kennisbank.refcheck` verdict on every cited Kamerstuk of the live store,
    computed once per store file (a new generation is a new file)."""
    path = str(store.path)
    stat = store.path.stat()
    stamp = (stat.st_mtime, stat.st_size)
    with _CHECKS_LOCK:
        cached = _CHECKS.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
    checks = check_references(store_occurrences(store))
    with _CHECKS_LOCK:
        _CHECKS.clear()  # one live store at a time
        _CHECKS[path] = (stamp, checks)
    return checks


def checked_ref(identifier: str, checks: dict[str, RefCheck]) -> dict[str, Any]:
    """What a page shows of a cited Kamerstuk: the complete official citation and the
    official link, or — when a check failed — the citation as the source wrote it, the
    note "bron lijkt onjuist: …" and no official link.  ``check`` is the whole verdict."""
    m = _IDENTIFIER_RE.fullmatch(identifier)
    assert m is not None
    check = checks.get(identifier)
    problem = form_problem(m["dossier"], m["nummer"])
    if check is None:
        check = RefCheck(identifier, problem is None, (problem,) if problem else ())
    if not check.official:
        return {
            "citation": check.as_written or identifier,
            "url": None,
            "official": False,
            "note": check.note,
            "check": check.to_dict(),
        }
    ref = KamerstukRef(
        m["dossier"], m["nummer"], kamer=check.kamer, vergaderjaar=check.vergaderjaar
    )
    return {
        "citation": ref.citation,
        "url": ref.url,
        "official": True,
        "note": None,
        "check": check.to_dict(),
    }


def _excerpt(text: str, start: int | None, end: int | None, width: int = 160) -> str:
    """About ``width`` characters of ``text`` around ``start``–``end``."""
    if start is None or end is None:
        return text[:width] + ("…" if len(text) > width else "")
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    if left > 0 and " " in text[left:start]:
        left = text.index(" ", left) + 1
    if right < len(text) and " " in text[end:right]:
        right = text.rindex(" ", end, right)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _note_context(body: dict[str, Any], label: str) -> str:
    """The text around a footnote marker ``label`` in the passage that carries it."""
    text = body["text"]
    for marker in (label.translate(_SUPERSCRIPT), label):
        at = text.find(marker) if marker else -1
        if at >= 0:
            return _excerpt(text, at, at + len(marker), width=240)
    return _excerpt(text, None, None, width=240)


def kamerstuk_context(identifier: str) -> dict[str, Any]:
    """Data for ``/kamerstuk/<id>`` (canonical id): citation, corpus document, citing passages."""
    with open_store() as store:
        occurrences = store.refs(identifier)
        in_corpus = store.document_identifiers().get(identifier)
        commitments = commitments_for(store.conn, identifier=identifier)
        checks = reference_checks(store)
        passages: dict[str, dict[str, dict[str, Any]]] = {}
        titles: dict[str, str] = {}
        for doc_id in dict.fromkeys(r["document_id"] for r in occurrences):
            passages[doc_id] = {p["id"]: p for p in store.passages(doc_id)}
            titles[doc_id] = store.document(doc_id)["title"]
    ref = ref_for_identifier(identifier, occurrences)
    shown = checked_ref(identifier, checks)
    citations = []
    for row in occurrences:
        passage = passages[row["document_id"]].get(row["passage_id"])
        _locate_ref(row, passage)
        citations.append(
            {
                "document_id": row["document_id"],
                "document_title": titles[row["document_id"]],
                "passage_id": row["passage_id"],
                "text": row["text"],
                "section_path": passage["section_path"] if passage else [],
                "kind": passage["kind"] if passage else "",
                "cited_by": [
                    {"passage_id": pid, "excerpt": _note_context(body, passage["label"])}
                    for pid in (passage["cited_by"] if passage else [])
                    if (body := passages[row["document_id"]].get(pid))
                ],
                "excerpt": _excerpt(passage["text"], row["passage_start"], row["passage_end"])
                if passage
                else row["text"],
            }
        )
    return {
        "identifier": identifier,
        **shown,
        "dossier": ref.dossier,
        "ondernummer": ref.ondernummer,
        "in_corpus": in_corpus is not None,
        "document": in_corpus,
        "citations": citations,
        "documents": sorted({c["document_id"] for c in citations}),
        "commitments": commitments,
    }


def _identifier_key(identifier: str) -> tuple[int, str, int, str]:
    """Sort key: dossier number, chapter, ondernummer (numbers before letters)."""
    m = _IDENTIFIER_RE.fullmatch(identifier)
    if m is None:  # pragma: no cover
        return (0, identifier, 0, "")
    digits, _, chapter = m["dossier"].partition("-")
    number = m["nummer"]
    return (int(digits), chapter, int(number) if number.isdigit() else 10_000, number)


def kamerstukken_context() -> dict[str, Any]:
    """Data for ``/kamerstukken``: every cited Kamerstuk with counts, and corpus Kamerstukken."""
    with open_store() as store:
        refs = store.refs()
        in_corpus = store.document_identifiers()
        checks = reference_checks(store)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in refs:
        grouped[row["identifier"]].append(row)
    for identifier in in_corpus:
        canonical = normalize_identifier(identifier)
        if canonical:
            grouped.setdefault(canonical, [])
    items = []
    for identifier in sorted(grouped, key=_identifier_key):
        rows = grouped[identifier]
        ref = ref_for_identifier(identifier, rows)
        items.append(
            {
                "identifier": identifier,
                **checked_ref(identifier, checks),
                "dossier": ref.dossier,
                "citations": len(rows),
                "documents": len({r["document_id"] for r in rows}),
                "in_corpus": identifier in in_corpus,
            }
        )
    dossiers: dict[str, int] = defaultdict(int)
    for item in items:
        dossiers[item["dossier"]] += item["citations"]
    return {
        "kamerstukken": items,
        "total": len(items),
        "dossiers": [{"dossier": d, "citations": n} for d, n in sorted(dossiers.items())],
    }


def refs_context(text: str) -> dict[str, Any]:
    """Data for ``/api/refs``: every Kamerstuk reference in ``text``."""
    found = find_refs(text)
    with open_store() as store:
        in_corpus = store.document_identifiers()
        known = store_occurrences(store)
    cited = {o.identifier for o in known}
    typed = [
        Occurrence(
            ref.identifier,
            ref.dossier,
            ref.ondernummer,
            ref.kamer,
            ref.vergaderjaar,
            ref.text,
            sentence_at(text, ref.start, ref.end),
        )
        for ref in found
    ]
    # The text's own references checked together with what the kennisbank knows: a
    # missing Kamer or vergaderjaar is completed, a wrong one flagged.
    checks = check_references([*known, *typed])
    refs = []
    for ref in found:
        data = ref.to_dict()
        check = checks[ref.identifier]
        if check.official:
            full = KamerstukRef(
                ref.dossier,
                ref.ondernummer,
                kamer=ref.kamer or check.kamer,
                vergaderjaar=ref.vergaderjaar or check.vergaderjaar,
            )
            data.update(kamer=full.kamer, vergaderjaar=full.vergaderjaar, citation=full.citation)
        else:
            data.update(citation=ref.text, url=None)
        data.update(
            official=check.official,
            note=check.note,
            check=check.to_dict(),
            in_corpus=ref.identifier in in_corpus,
            cited=ref.identifier in cited,
        )
        refs.append(data)
    return {"refs": refs, "count": len(found)}

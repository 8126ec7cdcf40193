"""Highlighting a page of hits from the postings: character spans of the query's terms,
and the terms' weights for choosing each hit's answering sentence."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def term_hits(
    searcher: Any, docnums: list[int], terms: Iterable[str]
) -> dict[int, list[tuple[int, int, str]]]:
    """Character spans ``(start, end, term)`` of ``terms`` in the text of each of
    ``docnums``, from the postings (the index stores characters), so a page is
    highlighted without re-analysing it."""
    found: dict[int, list[tuple[int, int, str]]] = {}
    wanted = sorted(set(docnums))
    for term in terms:
        try:
            matcher = searcher.postings("text", term)
        except Exception:  # noqa: BLE001 - a term that is not in the index has no spans
            continue
        for docnum in wanted:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                spans = matcher.value_as("characters")
                found.setdefault(docnum, []).extend((s, e, term) for _, s, e in spans)
    return found


def term_spans(
    searcher: Any, docnums: list[int], terms: Iterable[str]
) -> dict[int, list[tuple[int, int]]]:
    """Character spans of ``terms`` in the text of each of ``docnums`` (:func:`term_hits`
    without the terms)."""
    return {
        d: [(s, e) for s, e, _ in hits] for d, hits in term_hits(searcher, docnums, terms).items()
    }


def term_weights(searcher: Any, terms: Iterable[str]) -> dict[str, float]:
    """Each term's inverse document frequency in the passage text, ``log(1 + N / df)``
    (a rare query word weighs more when choosing a passage's answering sentence)."""
    size = max(1, searcher.doc_count_all())
    weights = {}
    for term in terms:
        try:
            df = searcher.doc_frequency("text", term)
        except Exception:  # noqa: BLE001 - an unreadable term weighs like a rare one
            df = 0
        weights[term] = math.log(1 + size / max(1, df))
    return weights

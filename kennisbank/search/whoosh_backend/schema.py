"""The Whoosh schema of the index, its Dutch analyzer, and the tokens an analyzer makes."""

from __future__ import annotations

from collections.abc import Iterable

from whoosh import fields
from whoosh.analysis import Analyzer

from kennisbank.search.whoosh_backend.analysis import dutch_analyzer


def text_analyzer(*, decompound: bool = True) -> tuple[Analyzer, str]:
    """The Dutch analyzer for text fields (:func:`.analysis.dutch_analyzer`) and its name.

    The analyzer is stored in the index, so searching always analyses queries exactly as
    the index was built.  ``decompound=False`` leaves compound parts out (for measuring
    what compound splitting adds).
    """
    name = "kennisbank.search.whoosh_backend.analysis.dutch_analyzer" + (
        "" if decompound else "(decompound=False)"
    )
    return dutch_analyzer(decompound=decompound), name


def search_schema(analyzer: Analyzer | None = None) -> fields.Schema:
    """The Whoosh schema: one document per passage (see :mod:`.build`)."""
    ana = analyzer or text_analyzer()[0]

    def keywords() -> fields.KEYWORD:
        return fields.KEYWORD(stored=True, commas=True)

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        passage_id=fields.ID(stored=True),
        document_id=fields.ID(stored=True, sortable=True),
        text=fields.TEXT(analyzer=ana, stored=True, phrase=True, chars=True),
        # No field boost on headings (index-time: the boost is multiplied into the
        # postings).  A passage's headings are its whole section path, so a heading word
        # scores for every passage of the section; measured (dev-questions / dev-queries
        # MRR@10, bundled | with the 416,293 distractor passages) at headings boost
        # 0.5 / 0.75 / 1 / 1.5 / 2 / 3: 0.690 / 0.685 / 0.673 / 0.661 / 0.642 / 0.628 and
        # 0.975 throughout except 0.942 at 3 | 0.642 / 0.636 / 0.628 / 0.619 / 0.608 / 0.562
        # and 0.975 / 0.975 / 0.975 / 0.925 / 0.833 / 0.802.  1 (no boost) is the round
        # value on the plateau of dev-queries.
        headings=fields.TEXT(analyzer=ana, phrase=True),
        title=fields.TEXT(analyzer=ana, stored=True, field_boost=1.5),
        doctype=fields.ID(stored=True, sortable=True),
        documentsoort=keywords(),
        year=fields.NUMERIC(numtype=int, bits=32, stored=True, sortable=True),
        date=fields.ID(stored=True, sortable=True),
        vergaderjaar=keywords(),
        gemeente=keywords(),
        wijk=keywords(),
        experiment=keywords(),
        partner=keywords(),
        thema=keywords(),
        dossier=keywords(),
        kst=keywords(),
        cites=keywords(),
        identifier=fields.ID(stored=True),
        kind=fields.ID(stored=True, sortable=True),
        seq=fields.NUMERIC(numtype=int, bits=32, stored=True, sortable=True),
        section_path=fields.STORED(),
        entities=fields.STORED(),
        citation=fields.STORED(),
    )


def analyze(
    analyzer: Analyzer, text: str, mode: str = "query", chars: bool = False
) -> list[tuple[int, str, int, int]]:
    """``(position, term, startchar, endchar)`` of every token ``analyzer`` makes of ``text``
    (chars are 0 unless ``chars``); an analyzer failure gives ``[]``."""
    found = []
    try:
        for tok in analyzer(text, positions=True, chars=chars, mode=mode):
            start, end = (tok.startchar, tok.endchar) if chars else (0, 0)
            found.append((tok.pos, tok.text, start, end))
    except Exception:  # noqa: BLE001 - odd input must not break a search
        return []
    return found


def term_spans(analyzer: Analyzer, text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the tokens of ``text`` whose index terms are in ``terms``
    (for text that is not in the index; the engine reads spans from the postings)."""
    wanted = set(terms)
    return [(s, e) for _, term, s, e in analyze(analyzer, text, "index", True) if term in wanted]


__all__ = ["analyze", "search_schema", "term_spans", "text_analyzer"]

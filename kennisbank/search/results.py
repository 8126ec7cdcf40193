"""What a search returns: our own dataclasses, never Whoosh objects.

:class:`SearchResult` holds one page of :class:`Hit` objects, the facets over the whole
result set as :class:`FacetValue` lists, and Dutch notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FacetValue:
    """One value of a facet with its count over the whole result set."""

    value: str
    label: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class Answer:
    """The sentence of a passage that best answers the query: its raw ``text`` (escape it
    when showing it) and its ``start``/``end`` character offsets in the passage text."""

    text: str
    start: int
    end: int


@dataclass
class Hit:
    """One passage in a result list.

    ``snippet_html`` is safe HTML: the passage text escaped, with only ``<mark>`` around
    matched words; ``text`` is the full raw passage text (escape it when showing it);
    ``entities`` are ``{"id", "name", "type"}`` dicts; ``citation``/``identifier`` belong to
    the document when it is a Kamerstuk; ``cites`` are the ``kst-…`` ids the passage cites;
    ``score`` is the relevance score (0.0 when sorted by date); ``answer`` is the sentence
    of the passage that best covers the query (``None`` when none holds a query word or
    without highlighting).
    """

    passage_id: str
    document_id: str
    document_title: str
    section_path: list[str]
    kind: str
    score: float
    text: str
    snippet_html: str
    entities: list[dict[str, str]] = field(default_factory=list)
    citation: str | None = None
    identifier: str | None = None
    year: int | None = None
    cites: list[str] = field(default_factory=list)
    answer: Answer | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class SearchResult:
    """What a search returns: hits of one page, facets over all hits, notes in Dutch.

    ``parsed`` is the string form of the query AST actually searched; ``suggestion`` is a
    query to offer as "Bedoelde u …?" (or ``None``); ``corrected_query`` is set when the
    search ran on a spelling correction instead of the typed text.  ``coverage`` is
    ``[k, n]``: the best of the top hits matches ``k`` of the query's ``n`` words and
    phrases (``None`` for a query of one item, a citation or browsing);
    ``confidence`` is ``"laag"`` when no hit was found or none of the top hits matches
    half of them (:func:`confidence_of`), else ``"normaal"``; ``unknown_words`` are the
    typed words that occur nowhere in the index (as typed; their parts or synonyms may).
    """

    query: str
    parsed: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)
    corrected_query: str | None = None
    offset: int = 0
    limit: int = 10
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    coverage: list[int] | None = None
    confidence: str = "normaal"
    unknown_words: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON output (facets keep their order)."""
        data = asdict(self)
        data["facets"] = {
            name: [v.to_dict() for v in values] for name, values in self.facets.items()
        }
        return data


def confidence_of(total: int, coverage: tuple[int, int] | None) -> str:
    """``"laag"`` when nothing was found, or when the best of the top hits matches fewer
    than half of the query's words and phrases; ``"normaal"`` otherwise."""
    if total == 0:
        return "laag"
    if coverage is not None and coverage[1] > 1 and 2 * coverage[0] < coverage[1]:
        return "laag"
    return "normaal"


__all__ = ["Answer", "FacetValue", "Hit", "SearchResult", "confidence_of"]

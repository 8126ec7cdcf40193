"""The search engine of the kennisbank: one room, with Whoosh in one sub-room.

The public API, free of Whoosh::

    from kennisbank.search import LiveSearch, SearchEngine

    result = SearchEngine(index_dir).search("bewonersparticipatie gemeente:Utrecht")
    result.total, result.hits[0].snippet_html, result.facets["year"]

* :class:`SearchEngine` (:mod:`.engine`) searches one index folder;
  :class:`LiveSearch` (:mod:`.live`) follows the live generation of a data directory;
* :class:`SearchResult`, :class:`Hit`, :class:`FacetValue` (:mod:`.results`) are what a
  search returns; facets, sort orders and page limits are declared once in :mod:`.fields`
  and counted in :mod:`.facets`;
* the query language: :func:`parse_query` and :class:`ParsedQuery` (:mod:`.query`,
  :mod:`.querytree`);
* the Dutch language helpers: :mod:`.language` (stopwords, folding, stemming),
  :mod:`.decompound`, :mod:`.thesaurus`, :mod:`.spelling`;
* the files next to an index: :mod:`.meta`, :mod:`.vocabulary`, the catalog
  (:mod:`.facets`); the records a passage becomes: :mod:`.records`;
* building and updating an index (the writing side, not imported here):
  :mod:`.indexing`.

Everything that imports Whoosh is in :mod:`.whoosh_backend`: the analyzer, schema,
compiler to Whoosh queries, BM25 arrays, matching, the reader, and (imported only by
:mod:`.indexing`) the build, the incremental update, the writer and its codec.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names below are, for type checkers and readers
    from kennisbank.search.engine import SearchEngine
    from kennisbank.search.fields import (
        FACET_FIELDS,
        FACETS,
        FIELD_ALIASES,
        MAX_LIMIT,
        MAX_OFFSET,
        MAX_QUERY_CHARS,
        SORTS,
        FacetSpec,
    )
    from kennisbank.search.live import LiveSearch
    from kennisbank.search.meta import SEARCH_SCHEMA_VERSION, read_meta
    from kennisbank.search.query import ParsedQuery, parse_query
    from kennisbank.search.results import FacetValue, Hit, SearchResult

#: Public name -> the module that defines it.  The package loads a module on first use
#: (PEP 562), so importing :mod:`kennisbank.search.fields` (the CLI does, for its option
#: help) does not load the engine, Whoosh and numpy.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["SearchEngine"], "engine"),
    **dict.fromkeys(
        [
            "FACET_FIELDS",
            "FACETS",
            "FIELD_ALIASES",
            "MAX_LIMIT",
            "MAX_OFFSET",
            "MAX_QUERY_CHARS",
            "SORTS",
            "FacetSpec",
        ],
        "fields",
    ),
    **dict.fromkeys(["LiveSearch"], "live"),
    **dict.fromkeys(["SEARCH_SCHEMA_VERSION", "read_meta"], "meta"),
    **dict.fromkeys(["ParsedQuery", "parse_query"], "query"),
    **dict.fromkeys(["FacetValue", "Hit", "SearchResult"], "results"),
}

__all__ = [
    "FACETS",
    "FACET_FIELDS",
    "FIELD_ALIASES",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "MAX_QUERY_CHARS",
    "SEARCH_SCHEMA_VERSION",
    "SORTS",
    "FacetSpec",
    "FacetValue",
    "Hit",
    "LiveSearch",
    "ParsedQuery",
    "SearchEngine",
    "SearchResult",
    "parse_query",
    "read_meta",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

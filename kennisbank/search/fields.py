"""Each search field declared once: the facets, the sort orders and the page limits.

A facet (:class:`FacetSpec`) names its index field, the ``f.<name>`` URL parameter of the
web pages (``None`` for a facet the web does not offer), the field names a user may type
in a query (``gemeente:Utrecht``), its Dutch label, the entity type of an entity facet,
and how its values are ordered; :data:`FACETS` holds them in the order a page shows
them.  Everything else derives from these declarations: the engine's facet counting
(:mod:`kennisbank.search.facets`), the query parser's :data:`FIELD_ALIASES`
(:mod:`kennisbank.search.query`), the web's facet tables and limits (``web.params``),
the OpenAPI document (``web.openapi``) and the ``kennisbank search`` options.

Plain data only: this module imports nothing of the search engine (and no Whoosh).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetSpec:
    """One facet, declared once.

    ``field`` is the index field; ``label`` the Dutch label pages and notes show;
    ``url_name`` the web parameter ``f.<url_name>`` (``None``: not offered on the web);
    ``aliases`` the field names a query may use (``alias:value``); ``entity_type`` the
    entity type of an entity facet; ``order`` is ``"count"`` (most first) or ``"value"``
    (newest/highest first).
    """

    field: str
    label: str
    url_name: str | None = None
    aliases: tuple[str, ...] = ()
    entity_type: str | None = None
    order: str = "count"

    @property
    def name(self) -> str:
        """The short name to type for this facet (its first alias, else its field)."""
        return self.aliases[0] if self.aliases else self.field


def _facet(
    field: str,
    label: str,
    *,
    url: str | None,
    aliases: str,
    entity_type: str | None = None,
    order: str = "count",
) -> FacetSpec:
    """A :class:`FacetSpec` with its aliases given as one space-separated string."""
    return FacetSpec(field, label, url, tuple(aliases.split()), entity_type, order)


#: Every facet, in the order a page shows them (the web's sidebar order too).
FACETS: tuple[FacetSpec, ...] = (
    _facet("doctype", "Documenttype", url="type", aliases="type doctype documenttype"),
    _facet("documentsoort", "Documentsoort", url="documentsoort", aliases=""),
    _facet("year", "Jaar", url="jaar", aliases="jaar year", order="value"),
    _facet(
        "vergaderjaar", "Vergaderjaar", url="vergaderjaar", aliases="vergaderjaar", order="value"
    ),
    _facet(
        "gemeente",
        "Gemeente",
        url="gemeente",
        aliases="gemeente gemeenten stad city municipality",
        entity_type="gemeente",
    ),
    _facet("wijk", "Wijk", url="wijk", aliases="wijk wijken neighbourhood", entity_type="wijk"),
    _facet(
        "experiment", "Experiment", url="experiment", aliases="experiment", entity_type="experiment"
    ),
    _facet(
        "partner",
        "Alliantiepartner",
        url="alliantiepartner",
        aliases="partner alliantiepartner",
        entity_type="partner",
    ),
    _facet("thema", "Thema", url="thema", aliases="thema theme", entity_type="thema"),
    _facet("dossier", "Kamerstukdossier", url="dossier", aliases="dossier"),
    _facet("kst", "Kamerstuk", url=None, aliases="kst kamerstuk"),
    _facet("kind", "Soort passage", url=None, aliases="kind soort"),
)

#: The index field of every facet, in :data:`FACETS` order.
FACET_FIELDS: tuple[str, ...] = tuple(f.field for f in FACETS)
#: Index field → its facet.
FACETS_BY_FIELD: dict[str, FacetSpec] = {f.field: f for f in FACETS}
#: Field names a user may type (Dutch and English) → the index field they filter.
FIELD_ALIASES: dict[str, str] = {alias: f.field for f in FACETS for alias in f.aliases}
#: The facets of the web pages: URL name → facet, in sidebar order.
WEB_FACETS: dict[str, FacetSpec] = {f.url_name: f for f in FACETS if f.url_name}

#: Sort orders: the engine's name → the Dutch name in a URL; the first is the default.
SORTS: dict[str, str] = {"relevance": "relevantie", "date": "datum"}
DEFAULT_SORT: str = next(iter(SORTS))

#: Longest query (characters): the parser cuts longer input, the web refuses it.
MAX_QUERY_CHARS = 500
#: Largest page size (``limit``) of one search.
MAX_LIMIT = 100
#: Highest offset a search pages to.
MAX_OFFSET = 10_000
#: Page size of a search that asks for none (the engine and ``kennisbank search``).
DEFAULT_LIMIT = 10

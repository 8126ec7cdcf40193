"""Reading and checking request parameters (GET only) for the pages and the API.

Every limit the web layer enforces is read here, so the pages, the API and the
OpenAPI document agree.  The facets, sort orders and search limits are declared once in
:mod:`kennisbank.search.fields` and only derived here; the web's own limits live here.
Bad values raise :class:`BadParameter` (HTTP 400 with a Dutch message); parameters we
do not know are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from kennisbank.errors import InvalidInput
from kennisbank.search.fields import DEFAULT_SORT as ENGINE_DEFAULT_SORT
from kennisbank.search.fields import MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS, WEB_FACETS
from kennisbank.search.fields import SORTS as ENGINE_SORTS

#: Result page size of the search page when none is asked for.
PAGE_LIMIT = 20
#: At most this many filter values in one request, each at most this long.
MAX_FILTER_VALUES = 50
MAX_FILTER_CHARS = 200
#: Longest text ``/api/refs`` reads.
MAX_REFS_TEXT_CHARS = 20_000
#: Years a ``jaar_van``/``jaar_tot`` may name.
MIN_YEAR, MAX_YEAR = 1900, 2100

#: Facets of the search page: URL name (``f.<name>``) → Dutch label, in sidebar order.
FACETS: dict[str, str] = {name: spec.label for name, spec in WEB_FACETS.items()}
#: The search engine's field for each facet URL name.
ENGINE_FIELDS: dict[str, str] = {name: spec.field for name, spec in WEB_FACETS.items()}
#: Sort orders: URL value → engine value (the first is the default).
SORTS: dict[str, str] = {dutch: engine for engine, dutch in ENGINE_SORTS.items()}
DEFAULT_SORT = ENGINE_SORTS[ENGINE_DEFAULT_SORT]


class BadParameter(InvalidInput):
    """A request parameter has an unusable value (HTTP 400)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


def _int(args: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 9):
        raise BadParameter(name, f"Parameter '{name}' moet een geheel getal zijn.")
    return int(raw)


def page_and_limit(args: Mapping[str, str], default_limit: int = PAGE_LIMIT) -> tuple[int, int]:
    """``pagina`` (1-based) and ``limit`` from the request, checked against the limits."""
    limit = _int(args, "limit", default_limit)
    page = _int(args, "pagina", 1)
    assert limit is not None and page is not None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParameter("limit", f"Parameter 'limit' moet tussen 1 en {MAX_LIMIT} liggen.")
    if page < 1:
        raise BadParameter("pagina", "Parameter 'pagina' moet 1 of hoger zijn.")
    if (page - 1) * limit > MAX_OFFSET:
        raise BadParameter(
            "pagina", f"Zo ver bladeren kan niet: ten hoogste {MAX_OFFSET} resultaten."
        )
    return page, limit


def _year(args: Mapping[str, str], name: str) -> int | None:
    value = _int(args, name, None)
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise BadParameter(
            name, f"Parameter '{name}' moet een jaartal tussen {MIN_YEAR} en {MAX_YEAR} zijn."
        )
    return value


@dataclass(frozen=True)
class SearchParams:
    """The whole state of a search page, as read from its URL."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    limit: int = PAGE_LIMIT
    force_search: bool = False

    @property
    def offset(self) -> int:
        """Index of the first hit on this page."""
        return (self.page - 1) * self.limit

    @property
    def engine_sort(self) -> str:
        """The sort order in the engine's terms."""
        return SORTS[self.sort]

    @property
    def engine_filters(self) -> dict[str, list[str]]:
        """The chosen facet values keyed by the engine's field names."""
        return {ENGINE_FIELDS[name]: values for name, values in self.filters.items()}

    @property
    def has_filters(self) -> bool:
        """True when any facet value or year bound is set."""
        return bool(self.filters) or self.year_from is not None or self.year_to is not None

    def to_args(self, **changes: Any) -> list[tuple[str, str]]:
        """URL parameters for this state (with ``changes``), in a stable order."""
        state = {
            "q": self.q,
            "filters": self.filters,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "sort": self.sort,
            "page": self.page,
        }
        state.update(changes)
        args: list[tuple[str, str]] = []
        if state["q"]:
            args.append(("q", state["q"]))
        for name in FACETS:
            args.extend((f"f.{name}", value) for value in state["filters"].get(name, []))
        if state["year_from"] is not None:
            args.append(("jaar_van", str(state["year_from"])))
        if state["year_to"] is not None:
            args.append(("jaar_tot", str(state["year_to"])))
        if state["sort"] != DEFAULT_SORT:
            args.append(("sort", state["sort"]))
        if state["page"] != 1:
            args.append(("pagina", str(state["page"])))
        return args

    def toggled(self, facet: str, value: str) -> dict[str, list[str]]:
        """The filters with ``value`` of ``facet`` switched on or off."""
        filters = {name: list(values) for name, values in self.filters.items()}
        values = filters.setdefault(facet, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return {name: values for name, values in filters.items() if values}

    def public(self) -> dict[str, Any]:
        """The state as plain data (for the JSON twin)."""
        return {
            "q": self.q,
            "filters": self.filters,
            "jaar_van": self.year_from,
            "jaar_tot": self.year_to,
            "sort": self.sort,
            "pagina": self.page,
            "limit": self.limit,
        }


def search_params(args: MultiDict[str, str], default_limit: int = PAGE_LIMIT) -> SearchParams:
    """Read the search state from the query string; raises :class:`BadParameter`."""
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"De zoekvraag is te lang: ten hoogste {MAX_QUERY_CHARS} tekens.")
    filters: dict[str, list[str]] = {}
    count = 0
    for name in FACETS:
        values = [v.strip() for v in args.getlist(f"f.{name}") if v.strip()]
        for value in values:
            count += 1
            if len(value) > MAX_FILTER_CHARS or count > MAX_FILTER_VALUES:
                raise BadParameter(f"f.{name}", "Te veel of te lange filterwaarden.")
        if values:
            filters[name] = list(dict.fromkeys(values))
    year_from, year_to = _year(args, "jaar_van"), _year(args, "jaar_tot")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadParameter("jaar_van", "'jaar_van' mag niet na 'jaar_tot' liggen.")
    sort = (args.get("sort") or "").strip() or DEFAULT_SORT
    if sort not in SORTS:
        raise BadParameter("sort", f"Sorteren kan op {_either(SORTS)}.")
    page, limit = page_and_limit(args, default_limit)
    force = (args.get("zoek") or "").strip().lower() in ("1", "ja", "true")
    return SearchParams(q, filters, year_from, year_to, sort, page, limit, force)


def _either(names: Iterable[str]) -> str:
    """``'a', 'b' of 'c'``: the names quoted, for a Dutch message."""
    quoted = [f"'{name}'" for name in names]
    return " of ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def text_param(args: Mapping[str, str], name: str, max_chars: int) -> str:
    """A required text parameter of at most ``max_chars`` characters."""
    value = args.get(name) or ""
    if not value.strip():
        raise BadParameter(name, f"Parameter '{name}' ontbreekt.")
    if len(value) > max_chars:
        raise BadParameter(name, f"Parameter '{name}' is te lang: ten hoogste {max_chars} tekens.")
    return value

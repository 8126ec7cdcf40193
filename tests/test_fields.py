"""Each search field is declared once (``kennisbank.search.fields``) and reaches every user.

A facet's URL name, query aliases and Dutch label, the sort names and the page limits are
written down in one place; the engine, the query parser, the web parameters, the search
page, the OpenAPI document and the ``kennisbank search`` options all read them from there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from cli.main import cli
from kennisbank.config import Settings
from kennisbank.search import LiveSearch
from kennisbank.search.facets import Catalog, Selection
from kennisbank.search.fields import (
    DEFAULT_SORT,
    FACET_FIELDS,
    FACETS,
    FIELD_ALIASES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    SORTS,
    WEB_FACETS,
    FacetSpec,
)
from kennisbank.search.query import parse_query
from tests.conftest import REPO_ROOT
from web import params

PRODUCT = ("kennisbank", "indexer", "web", "cli")
DECLARATION = REPO_ROOT / "kennisbank" / "search" / "fields.py"
#: A value no facet resolves, so the selection names the facet by its label in a note.
NOWHERE = "§§§"


def _product_files() -> list[Path]:
    """Every Python module and template of the product."""
    return [
        path
        for package in PRODUCT
        for path in sorted((REPO_ROOT / package).rglob("*"))
        if path.suffix in {".py", ".html"} and "__pycache__" not in path.parts
    ]


# -- the declaration itself ----------------------------------------------------------------------


def test_every_facet_is_declared_once_with_unique_names() -> None:
    assert len(set(FACET_FIELDS)) == len(FACETS)
    url_names = [f.url_name for f in FACETS if f.url_name]
    assert len(set(url_names)) == len(url_names)
    aliases = [a for f in FACETS for a in f.aliases]
    assert len(set(aliases)) == len(aliases), "an alias may name one facet only"
    assert all(f.label and f.order in {"count", "value"} for f in FACETS)


def test_the_values_users_rely_on_stay_as_they_were() -> None:
    """The URL names, aliases, sort names and limits are public: pinned here."""
    assert list(WEB_FACETS) == [
        "type",
        "documentsoort",
        "jaar",
        "vergaderjaar",
        "gemeente",
        "wijk",
        "experiment",
        "alliantiepartner",
        "thema",
        "dossier",
    ]
    assert FIELD_ALIASES["stad"] == FIELD_ALIASES["gemeenten"] == "gemeente"
    assert FIELD_ALIASES["jaar"] == "year" and FIELD_ALIASES["type"] == "doctype"
    assert FIELD_ALIASES["soort"] == "kind" and FIELD_ALIASES["kamerstuk"] == "kst"
    assert "documentsoort" not in FIELD_ALIASES
    assert SORTS == {"relevance": "relevantie", "date": "datum"} and DEFAULT_SORT == "relevance"
    assert (MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS) == (100, 10_000, 500)
    assert WEB_FACETS["dossier"].label == "Kamerstukdossier"


#: Literals that only a table of facets, sorts or aliases holds.  (Short labels such as
#: "Gemeente" are ordinary words elsewhere too, e.g. the facts of an entity card.)
DECLARED_LITERALS = (
    '"Kamerstukdossier"',
    '"Documenttype"',
    '"Soort passage"',
    '"relevantie"',
    "stad city",
)
#: Entries of the old second tables (url name → engine field, alias lists, sorts).
OLD_TABLE_ENTRIES = (
    '"alliantiepartner": "partner"',
    '"jaar": "year"',
    '"type": "doctype"',
    '"relevantie": "relevance"',
    '"datum": "date"',
)
DECLARED_CONSTANTS = ("MAX_LIMIT", "MAX_OFFSET", "MAX_QUERY_CHARS", "FIELD_ALIASES", "FACET_FIELDS")
#: A module-level assignment (``NAME = …`` or ``NAME: type = …``).
_ASSIGNMENT = re.compile(rf"^({'|'.join(DECLARED_CONSTANTS)})(?::[^=\n]*)?\s*=[^=]", re.M)


def test_no_second_table_exists_in_the_product() -> None:
    """Labels, aliases, sort names and limits are written in the declaration only."""
    found: dict[str, list[str]] = {}
    for path in _product_files():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(REPO_ROOT))
        for literal in (*DECLARED_LITERALS, *OLD_TABLE_ENTRIES):
            if literal in text:
                found.setdefault(literal, []).append(name)
        for match in _ASSIGNMENT.finditer(text):
            found.setdefault(match.group(1), []).append(name)
    here = str(DECLARATION.relative_to(REPO_ROOT))
    assert found == {name: [here] for name in (*DECLARED_LITERALS, *DECLARED_CONSTANTS)}


# -- reachable through the parser, the engine's selection and the engine -------------------------


@pytest.mark.parametrize("alias", sorted(FIELD_ALIASES))
def test_every_alias_filters_its_field_in_the_query_language(alias: str) -> None:
    if FIELD_ALIASES[alias] == "year":  # a year filter becomes the year range
        parsed = parse_query(f"{alias}:2010 wonen")
        assert (parsed.year_from, parsed.year_to, parsed.filters) == (2010, 2010, ())
    else:
        parsed = parse_query(f'{alias}:"x y" wonen')
        assert [f.field for f in parsed.filters] == [FIELD_ALIASES[alias]]


@pytest.mark.parametrize("facet", FACETS, ids=lambda f: f.field)
def test_every_facet_is_named_by_its_label_in_the_engine_notes(facet: FacetSpec) -> None:
    for name in (facet.field, *facet.aliases):
        selection = Selection.build(Catalog({}, {}), {}, [], {name: [NOWHERE]}, (None, None))
        assert selection.notes == [
            f"Geen {facet.label.lower()} '{NOWHERE}' gevonden; dit filter is genegeerd."
        ]


def test_the_engine_counts_every_facet_in_declared_order(built_settings: Settings) -> None:
    engine = LiveSearch(built_settings.data_dir).engine()
    result = engine.search("wijk", limit=MAX_LIMIT + 50, offset=MAX_OFFSET + 50)
    assert list(result.facets) == list(FACET_FIELDS)
    by_dutch = engine.search("wijk", sort=SORTS["date"], limit=3)
    by_engine = engine.search("wijk", sort="date", limit=3)
    assert [h.passage_id for h in by_dutch.hits] == [h.passage_id for h in by_engine.hits]
    assert not by_dutch.notes or "sortering" not in " ".join(by_dutch.notes)


# -- reachable through the web, its page, the OpenAPI document and the CLI -----------------------


@pytest.mark.parametrize("url_name", list(WEB_FACETS))
def test_every_web_facet_maps_its_url_name_to_the_index_field(url_name: str) -> None:
    facet = WEB_FACETS[url_name]
    state = params.search_params(MultiDict([(f"f.{url_name}", "x")]))
    assert state.engine_filters == {facet.field: ["x"]}
    assert params.FACETS[url_name] == facet.label
    assert ("f." + url_name, "x") in state.to_args()


def test_the_web_reads_sorts_and_limits_from_the_declaration() -> None:
    assert params.SORTS == {dutch: engine for engine, dutch in SORTS.items()}
    assert params.SearchParams().sort == SORTS[DEFAULT_SORT]
    assert (params.MAX_LIMIT, params.MAX_OFFSET) == (MAX_LIMIT, MAX_OFFSET)
    assert params.MAX_QUERY_CHARS == MAX_QUERY_CHARS
    with pytest.raises(params.BadParameter):
        params.search_params(MultiDict([("limit", str(MAX_LIMIT + 1))]))
    with pytest.raises(params.BadParameter):
        params.search_params(MultiDict([("q", "x" * (MAX_QUERY_CHARS + 1))]))


def test_the_search_page_shows_the_declared_labels(client: FlaskClient) -> None:
    data = client.get("/api/search?q=wijk&f.dossier=30995").get_json()
    assert [c["facet_label"] for c in data["active_filters"]] == ["Kamerstukdossier"]
    labels = {f["name"]: f["label"] for f in data["facets"]}
    assert labels and all(labels[name] == WEB_FACETS[name].label for name in labels)
    assert list(data["sort_urls"]) == list(SORTS.values())
    html = client.get("/?q=wijk&f.dossier=30995").get_data(as_text=True)
    assert "Kamerstukdossier: " in html
    assert all(f">{name}<" in html for name in SORTS.values())


def test_the_openapi_document_describes_every_web_facet(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    by_name = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    for url_name, facet in WEB_FACETS.items():
        param = by_name[f"f.{url_name}"]
        assert param["description"].startswith(f"Filter op {facet.label.lower()} (herhaalbaar")
        assert param["schema"]["items"]["maxLength"] == params.MAX_FILTER_CHARS
    assert by_name["sort"]["schema"]["enum"] == list(SORTS.values())
    assert by_name["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert by_name["q"]["schema"]["maxLength"] == MAX_QUERY_CHARS


def test_the_cli_offers_the_declared_facets_sorts_and_limits() -> None:
    out = CliRunner().invoke(cli, ["search", "--help"], terminal_width=400).output
    assert all(f.name in out for f in FACETS)
    assert f"[{'|'.join(SORTS)}]" in out
    assert f"1<=x<={MAX_LIMIT}" in out and f"0<=x<={MAX_OFFSET}" in out
    too_many = CliRunner().invoke(cli, ["search", "x", "--limit", str(MAX_LIMIT + 1)])
    assert too_many.exit_code == 2

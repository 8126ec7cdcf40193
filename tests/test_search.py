"""Searching the bundled corpus: references, filters, operators, facets, snippets, paging."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kennisbank.config import Settings
from kennisbank.search import SearchEngine
from kennisbank.search.engine import _INTERNAL_ERROR
from kennisbank.search.facets import FACET_LIMIT
from kennisbank.search.records import MAX_TABLE_BUURTEN
from kennisbank.search.whoosh_backend.build import build_search_index
from kennisbank.store import Store
from tests.conftest import make_corpus
from tests.test_searchindex import build_index, real_search_dir


@pytest.fixture(scope="module")
def engine(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """An engine over the search index of the bundled corpus."""
    return SearchEngine(real_search_dir(built_settings, tmp_path_factory))


@pytest.fixture(scope="module")
def store(built_settings: Settings) -> Store:
    """The SQLite store of the bundled corpus (for brute-force checks)."""
    return Store(built_settings.db_path)


def norm(text: str) -> str:
    """Lower case, accents and curly quotes/dashes made plain, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d\u2013\u2014", "''\"\"--"))
    return " ".join(text.split())


def all_hits(engine: SearchEngine, query: str, **kwargs: object) -> list:
    """Every hit of a search, page by page."""
    hits, offset = [], 0
    while True:
        result = engine.search(query, limit=100, offset=offset, facets=False, **kwargs)
        hits += result.hits
        offset += 100
        if offset >= result.total:
            assert len(hits) == result.total
            return hits


def ids(hits: list) -> set[tuple[str, str]]:
    return {(h.document_id, h.passage_id) for h in hits}


# -- Kamerstuk references ----------------------------------------------------------------------


def test_a_reference_finds_the_passages_citing_it_first(engine: SearchEngine) -> None:
    result = engine.search("30 995 nr. 50")
    assert result.total >= 1
    assert "kst-30995-50" in result.hits[0].cites
    assert re.search(r"30 ?995, nr\. 50", result.hits[0].text)
    assert any("Kamerstukken 30 995, nr. 50" in n for n in result.notes)
    assert "<mark>" in result.hits[0].snippet_html


def test_a_tk_citation_finds_the_enumerated_paper(engine: SearchEngine) -> None:
    result = engine.search("TK 2007-2008 31 430 nr. 2")
    assert "31 430, nr. 2" in result.hits[0].text
    assert any("Kamerstukken II 2007/08, 31 430, nr. 2" in n for n in result.notes)


@pytest.mark.parametrize(
    "query",
    [
        "Kamerstuk 30 995, nr. 78",
        "kst-30995-78",
        "30995 nr 78",
        "30995-78",
        "Kamerstukken II 2009/10, 30 995, nr. 78",
    ],
)
def test_every_notation_of_a_reference_ranks_its_citations_first(
    engine: SearchEngine, query: str
) -> None:
    result = engine.search(query)
    assert result.parsed == "kst-30995-78"
    assert "kst-30995-78" in result.hits[0].cites


def test_an_uncited_reference_falls_back_to_its_dossier(engine: SearchEngine) -> None:
    result = engine.search("Kamerstuk 30 995, nr. 999")
    assert any("dossier 30995" in n for n in result.notes)
    assert result.total == engine.search("dossier:30995").total > 0


# -- filters, operators, questions -------------------------------------------------------------


def test_year_filter_keeps_only_that_year(engine: SearchEngine, store: Store) -> None:
    result = engine.search("jaar:2010")
    docs = [d["id"] for d in store.documents() if d["year"] == 2010]
    expected = sum(len(store.passages(d)) for d in docs)
    assert result.total == expected > 0
    assert {h.year for h in all_hits(engine, "jaar:2010")} == {2010}
    assert engine.search("wonen jaar:2008-2010").total == engine.search("wonen").total


def test_type_filter_and_unknown_values(engine: SearchEngine, store: Store) -> None:
    assert engine.search("type:voortgangsrapportage").total == len(store.all_passages())
    unknown = engine.search("type:roman wonen")
    assert any("roman" in n for n in unknown.notes)


def test_entity_filters_resolve_names(engine: SearchEngine, store: Store) -> None:
    expected = {
        (r[0], r[1])
        for r in store.conn.execute(
            "SELECT DISTINCT document_id, passage_id FROM mentions m JOIN entities e"
            " ON e.id = m.entity_id WHERE m.entity_id = 'wijk/utrecht-overvecht'"
            " OR json_extract(e.attributes, '$.gemeente') = 'gemeente/utrecht'"
            " OR m.entity_id = 'gemeente/utrecht'"
        )
    }
    if not expected:
        pytest.skip("de entiteitenlaag heeft (nog) geen vermeldingen")
    overviews = {  # a table of many buurten is no passage about their gemeenten
        (r[0], r[1])
        for r in store.conn.execute(
            "SELECT m.document_id, m.passage_id FROM mentions m JOIN passages p"
            " ON p.document_id = m.document_id AND p.id = m.passage_id"
            " WHERE p.kind = 'table' AND m.entity_id LIKE 'buurt/%'"
            " GROUP BY m.document_id, m.passage_id HAVING COUNT(DISTINCT m.entity_id) > ?",
            (MAX_TABLE_BUURTEN,),
        )
    }
    expected -= overviews
    result = engine.search("gemeente:Utrecht")
    assert result.filters == {"gemeente": ["gemeente/utrecht"]}
    assert ids(all_hits(engine, "gemeente:Utrecht")) == expected
    assert engine.search("wijk:Overvecht").total > 0


def test_niet_excludes_and_en_requires(engine: SearchEngine) -> None:
    wonen = ids(all_hits(engine, "wonen"))
    both = ids(all_hits(engine, "wonen EN sloop"))
    without = ids(all_hits(engine, "wonen NIET sloop"))
    assert both and without
    assert without == wonen - both
    assert ids(all_hits(engine, "wonen -sloop")) == without
    assert ids(all_hits(engine, "wonen OF sloop")) >= wonen


def test_a_phrase_matches_only_the_words_in_order(engine: SearchEngine) -> None:
    phrase = all_hits(engine, '"Scoren door Scholing"')
    assert phrase and all("scoren door scholing" in norm(h.text) for h in phrase)
    assert len(phrase) < engine.search("Scoren door Scholing").total


def test_a_question_finds_the_answer(engine: SearchEngine) -> None:
    result = engine.search("Welke gemeenten doen mee aan het experiment Vernieuwend Welzijn?")
    assert "welke" not in result.parsed.lower() and "doen" not in result.parsed
    assert "Arnhem, Den Haag, Eindhoven, Leeuwarden en Utrecht" in result.hits[0].text


def test_passages_with_all_words_come_first(engine: SearchEngine) -> None:
    first = engine.search("kwaliteitskaart bewonersparticipatie").hits[0]
    assert "kwaliteitskaart bewonersparticipatie" in norm(first.text)
    assert (
        engine.search("kwaliteitskaart").total
        < engine.search("kwaliteitskaart bewonersparticipatie").total
    )  # not all words are required


def test_stems_and_compound_parts_match_and_are_marked(engine: SearchEngine) -> None:
    result = engine.search("uitval school")
    assert any("schooluitval" in norm(h.text) for h in result.hits[:5])
    marked = [h for h in result.hits if "uitval</mark>" in h.snippet_html]
    assert marked


def test_synonyms_expand_with_lower_weight(engine: SearchEngine) -> None:
    result = engine.search("vsv")
    if not result.total:
        pytest.skip("de thesaurus is (nog) niet beschikbaar")
    assert any("schoolverlat" in norm(h.text) for h in result.hits)


def test_a_typo_is_corrected_or_suggested(engine: SearchEngine) -> None:
    result = engine.search("energiebesparign Heechterp")
    if result.suggestion is None and result.corrected_query is None:
        pytest.skip("de spellingcorrectie is (nog) niet beschikbaar")
    fixed = result.corrected_query or result.suggestion
    assert "energiebesparing" in fixed


def test_a_word_the_thesaurus_maps_is_not_corrected(engine: SearchEngine) -> None:
    # "buurtagenten" is absent from the reports and close to "buurtgenoten"; the everyday
    # thesaurus maps it to "wijkagenten", so it is searched as typed and is not unknown.
    result = engine.search("Komen er nou echt meer buurtagenten bij?")
    assert result.corrected_query is None and result.suggestion is None
    assert "buurtagenten" not in result.unknown_words
    assert any("wijkagent" in h.text.lower() for h in result.hits[:3])


# -- sorting and paging ------------------------------------------------------------------------


def test_sort_by_date_puts_the_newest_first(engine: SearchEngine) -> None:
    by_date = engine.search("wijkactieplannen", sort="date", limit=100)
    years = [h.year for h in by_date.hits]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    assert by_date.total == engine.search("wijkactieplannen").total


def test_pages_do_not_overlap_and_the_total_is_stable(engine: SearchEngine) -> None:
    pages = [engine.search("wijk", limit=7, offset=n * 7) for n in range(4)]
    assert len({p.total for p in pages}) == 1
    seen = [(h.document_id, h.passage_id) for p in pages for h in p.hits]
    assert len(seen) == len(set(seen)) == 28
    first = engine.search("wijk", limit=28)
    assert [(h.document_id, h.passage_id) for h in first.hits] == seen
    assert engine.search("wijk", offset=10**9).hits == []


# -- facets --------------------------------------------------------------------------------------


def expected_facets(store: Store, hits: list) -> dict[str, Counter]:
    """Facet counts computed from the store for a set of passages."""
    docs = {d["id"]: d for d in store.documents()}
    entity_rows = store.conn.execute("SELECT id, type, attributes FROM entities").fetchall()
    types = {r["id"]: r["type"] for r in entity_rows}
    gemeente_of = {r["id"]: json.loads(r["attributes"]).get("gemeente") for r in entity_rows}
    mentions = defaultdict(set)
    for row in store.conn.execute("SELECT entity_id, document_id, passage_id FROM mentions"):
        mentions[(row["document_id"], row["passage_id"])].add(row["entity_id"])
    counts: dict[str, Counter] = defaultdict(Counter)
    for hit in hits:
        doc = docs[hit.document_id]
        counts["doctype"][doc["type"]] += 1
        counts["year"][str(doc["year"])] += 1
        counts["kind"][hit.kind] += 1
        values: dict[str, set[str]] = defaultdict(set)
        for eid in mentions[(hit.document_id, hit.passage_id)]:
            values[types.get(eid, eid.split("/")[0])].add(eid)
            if types.get(eid) in ("wijk", "buurt") and gemeente_of.get(eid):
                values["gemeente"].add(gemeente_of[eid])
        for name in ("gemeente", "wijk", "thema", "experiment", "partner"):
            for value in values[name]:
                counts[name][value] += 1
    return counts


@pytest.mark.parametrize("query", ["wijkactieplannen", "wonen OF werken", "jaar:2008 bewoners"])
def test_facet_counts_cover_the_whole_result_set(
    engine: SearchEngine, store: Store, query: str
) -> None:
    result = engine.search(query, limit=3)
    hits = all_hits(engine, query)
    expected = expected_facets(store, hits)
    for name in ("doctype", "kind", "gemeente", "wijk", "thema", "experiment", "partner"):
        shown = {v.value: v.count for v in result.facets[name]}
        assert shown == dict(expected[name].most_common(len(shown))) or all(
            expected[name][v] == n for v, n in shown.items()
        ), name
        assert len(shown) == min(len(expected[name]), FACET_LIMIT)
    assert sum(v.count for v in result.facets["kind"]) == result.total == len(hits)


def test_multi_select_is_or_within_and_across_facets(engine: SearchEngine) -> None:
    values = [v.value for v in engine.search("wijk").facets["gemeente"][:2]]
    themes = [v.value for v in engine.search("wijk").facets["thema"][:1]]
    if len(values) < 2 or not themes:
        pytest.skip("de entiteitenlaag heeft (nog) geen vermeldingen")
    a, b = values
    one = ids(all_hits(engine, "wijk", filters={"gemeente": [a]}))
    other = ids(all_hits(engine, "wijk", filters={"gemeente": [b]}))
    both = engine.search("wijk", filters={"gemeente": [a, b]})
    assert ids(all_hits(engine, "wijk", filters={"gemeente": [a, b]})) == one | other
    theme = ids(all_hits(engine, "wijk", filters={"thema": themes}))
    crossed = ids(all_hits(engine, "wijk", filters={"gemeente": [a], "thema": themes}))
    assert crossed == one & theme
    chosen = {v.value: v for v in both.facets["gemeente"]}
    assert chosen[a].selected and chosen[b].selected
    # A selected facet still counts its other values as if it were not selected.
    plain = {v.value: v.count for v in engine.search("wijk").facets["gemeente"]}
    assert chosen[a].count == plain[a] and chosen[b].count == plain[b]


def test_year_range_arguments(engine: SearchEngine) -> None:
    result = engine.search("bewoners", year_from=2009, year_to="2012")
    assert result.total > 0 and {h.year for h in all_hits(engine, "bewoners", year_from=2009)} == {
        2010
    }
    bad = engine.search("bewoners", year_from="gisteren")
    assert any("gisteren" in n for n in bad.notes)


# -- safety --------------------------------------------------------------------------------------


def test_snippets_escape_passage_text(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "nota.txt": "Nota over veiligheid\n\nDe wijk kreeg <script>alert(1)</script> als "
            "bericht & meer over bewonersparticipatie in de wijken.\n",
        },
    )
    engine = SearchEngine(build_index(corpus, tmp_path / "data"))
    hit = engine.search("alert").hits[0]
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in hit.snippet_html
    assert "&amp; meer" in hit.snippet_html
    stripped = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert "<script>" in hit.text  # the raw text stays raw; templates escape it
    compound = engine.search("participatie wijk").hits[0].snippet_html
    assert "<mark>bewonersparticipatie</mark>" in compound and "<mark>wijken</mark>" in compound


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    "wonen",
                    "wijk*",
                    "EN",
                    "OF",
                    "NIET",
                    "-",
                    "(",
                    ")",
                    '"',
                    "*",
                    "gemeente:Utrecht",
                    "jaar:2010",
                    "type:x",
                    "30 995 nr. 50",
                    "kst-31311-20",
                    "?",
                    "<b>",
                    "\x00",
                    "é",
                ]
            ),
            max_size=25,
        ).map(" ".join),
    ),
    sort=st.sampled_from(["relevance", "date", "bogus"]),
)
def test_search_never_raises_on_any_text(engine: SearchEngine, text: str, sort: str) -> None:
    result = engine.search(text, sort=sort, limit=5)
    assert _INTERNAL_ERROR not in result.notes
    assert result.total >= 0 and len(result.hits) <= 5


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "((wonen",
        "EN",
        "*",
        "x" * 10_000,
        "<script>alert(1)</script>",
        "foo:bar",
        "gemeente:",
        "jaar:abc",
        "\x00\x01\x02",
        "NIET",
        "-",
        "OF OF OF",
    ],
)
def test_hostile_queries_return_a_result(engine: SearchEngine, query: str) -> None:
    result = engine.search(
        query, filters={"onbekend": ["x"], "gemeente": ["nergens"]}, limit="veel", offset=-5
    )  # type: ignore[arg-type]
    assert _INTERNAL_ERROR not in result.notes
    assert result.limit == 10 and result.offset == 0


def test_threads_share_one_engine(engine: SearchEngine) -> None:
    queries = ["wonen", "wijkschool Rotterdam", "30 995 nr. 50", "veiligheidshuis"]
    expected = {q: [h.passage_id for h in engine.search(q).hits] for q in queries}
    failures: list[str] = []

    def work() -> None:
        for _ in range(5):
            for q in queries:
                if [h.passage_id for h in engine.search(q).hits] != expected[q]:
                    failures.append(q)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_a_build_swapped_in_by_symlink_is_picked_up(
    built_settings: Settings, tmp_path: Path
) -> None:
    live = tmp_path / "search"
    with Store(built_settings.db_path) as db:
        build_search_index(db, tmp_path / "build-1")
        build_search_index(db, tmp_path / "build-2")
    live.symlink_to(tmp_path / "build-1")
    engine = SearchEngine(live)
    first = engine.build_id
    before = engine.search("wonen").total
    (tmp_path / "next").symlink_to(tmp_path / "build-2")
    os.replace(tmp_path / "next", live)
    assert engine.build_id != first
    assert engine.search("wonen").total == before > 0


def test_a_build_renamed_into_place_is_picked_up(built_settings: Settings, tmp_path: Path) -> None:
    live = tmp_path / "search"
    with Store(built_settings.db_path) as db:
        build_search_index(db, live)
        engine = SearchEngine(live)
        first = engine.build_id
        assert engine.search("wonen").total > 0
        build_search_index(db, tmp_path / "new")
    shutil.move(str(live), str(tmp_path / "old"))
    assert engine.search("wonen").total > 0  # mid-swap: this thread's searcher still serves
    assert engine.build_id == first
    (tmp_path / "new").rename(live)
    assert engine.build_id != first
    assert engine.search("wonen").total > 0


def test_columns_read_per_segment_keep_docnums_aligned(tmp_path: Path) -> None:
    """A segment without a column must not shift the values of later segments (Whoosh's
    multi-segment column reader leaves such a segment out)."""
    from whoosh import fields, index

    from kennisbank.search.whoosh_backend.reader import _column

    schema = fields.Schema(id=fields.ID(stored=True), year=fields.NUMERIC(sortable=True))
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer()
    writer.add_document(id="a")
    writer.add_document(id="b")
    writer.commit()
    writer = ix.writer()
    writer.add_document(id="c", year=2010)
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert list(reader.column_reader("year")) == [2010]  # the pitfall
        assert _column(reader, "year", 0) == [0, 0, 2010]


# -- segment files are read through the memory map, not copied per searcher -----------------


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=300),
    st.lists(
        st.tuples(
            st.sampled_from(["read", "readline", "readinto", "seek", "tell"]),
            st.integers(-5, 320),
            st.sampled_from([0, 1, 2]),
        ),
        max_size=25,
    ),
)
def test_view_reads_like_bytesio(data: bytes, ops: list[tuple[str, int, int]]) -> None:
    """The copy-free reader gives what ``io.BytesIO`` gives for every read, seek and tell
    (lines are looked for 7 bytes at a time here, so a line spans several steps)."""
    import io

    import kennisbank.search.whoosh_backend.reader as search_module
    from kennisbank.search.whoosh_backend.reader import _View

    view, ref = _View(memoryview(data)), io.BytesIO(data)
    chunk, search_module._LINE_CHUNK = search_module._LINE_CHUNK, 7
    try:
        _same_reads(view, ref, ops)
    finally:
        search_module._LINE_CHUNK = chunk


def _same_reads(view: Any, ref: Any, ops: list[tuple[str, int, int]]) -> None:
    for op, n, whence in ops:
        if op == "read":
            assert view.read(n) == ref.read(n)
        elif op == "readline":
            assert view.readline(n) == ref.readline(n)
        elif op == "readinto":
            a, b = bytearray(max(n, 0)), bytearray(max(n, 0))
            assert (view.readinto(a), a) == (ref.readinto(b), b)
        elif op == "seek":
            offset = n if whence == 0 else n - 10
            if offset < 0 and whence == 0:
                continue  # BytesIO refuses a negative absolute position
            assert view.seek(offset, whence) == ref.seek(offset, whence)
        assert view.tell() == ref.tell()


def test_a_searcher_per_thread_reads_the_index_files_without_copying_them(
    engine: SearchEngine,
) -> None:
    """Every server thread keeps a searcher; its segment files must be views of the
    memory map (Whoosh's own reader copied each file it opened into a BytesIO, so 8
    threads held 8 copies of the index: 2.3 GB at 100,000 passages)."""
    from kennisbank.search.whoosh_backend.reader import ViewFile, _View

    found: list[object] = []

    def work() -> None:
        assert engine.search("wijkaanpak", facets=True, snippets=True).total > 0
        searcher = engine._local.held[1]
        for leaf, _ in searcher.reader().leaf_readers():
            found.extend([leaf._terms._dbfile, leaf._terms._postfile])

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) >= 4
    assert all(type(f) is ViewFile and type(f.file) is _View for f in found)


# -- the read path loads no writer ---------------------------------------------------------------


def test_searching_imports_no_writing_module(engine: SearchEngine) -> None:
    """Opening an engine on a built index and searching it, in a fresh process, loads
    neither the build, the update, the writer nor the codec (nor their forking code).
    (That only the backend imports Whoosh is checked in ``tests/test_architecture.py``.)"""
    script = (
        "import json, sys\n"
        "from kennisbank.search import SearchEngine\n"
        "engine = SearchEngine(sys.argv[1])\n"
        "assert engine.search('wijkaanpak bewoners', facets=True, snippets=True).total > 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(engine.index_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    loaded = set(json.loads(done.stdout))
    backend = "kennisbank.search.whoosh_backend"
    assert f"{backend}.reader" in loaded
    writing = {f"{backend}.{m}" for m in ("build", "update", "writer", "codec")}
    assert not loaded & (writing | {"kennisbank.search.indexing", "multiprocessing"})

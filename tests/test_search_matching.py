"""Matching without scoring every hit (whoosh_backend.matching) gives what scoring every hit gives.

References are computed with Whoosh directly on the same compiled queries: the hit set of
``searcher.search(q, limit=None)`` and its ranking (best first, ties by document number).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.sorting import FieldFacet, ScoreFacet

from kennisbank.config import Settings
from kennisbank.search import SearchEngine
from kennisbank.search.facets import bits_from, docnums_of
from kennisbank.search.query import parse_query
from kennisbank.search.whoosh_backend.build import build_search_index
from kennisbank.search.whoosh_backend.compiler import QueryCompiler
from kennisbank.search.whoosh_backend.matching import (
    RERANK_WINDOW,
    ItemCache,
    Matched,
    ScoredItem,
    match,
    query_bits,
    rerank,
    split_items,
    top_k,
)
from kennisbank.search.whoosh_backend.schema import search_schema
from kennisbank.search.whoosh_backend.termscore import IndexArrays, TermScorer, has_terms, postings
from kennisbank.store import Store
from tests.test_searchindex import real_search_dir

DEV_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-queries.jsonl"

#: Query shapes: words, NOT, exclusion, phrases, prefixes, EN/OF, brackets, references,
#: synonyms, a question, a word that is not in the corpus.
SHAPES = [
    "wijkaanpak",
    "bewoners participatie wijk",
    "wijk -Rotterdam",
    "krachtwijken NIET Utrecht",
    '"scoren door scholing"',
    '"achter de voordeur" werk',
    "bewoner*",
    "wijk* EN school",
    "veiligheid OF leefbaarheid",
    "(onderwijs OF school) EN wijk -Amsterdam",
    "Kamerstuk 30995 nr. 50",
    "30995 wijkaanpak",
    "probleemwijken",
    "Hoeveel mensen in de aandachtswijken willen werken maar hebben geen baan?",
    "qqqxyzzy",
]


@pytest.fixture(scope="module")
def engine(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """An engine over the search index of the bundled corpus."""
    return SearchEngine(real_search_dir(built_settings, tmp_path_factory))


def _compiled(engine: SearchEngine, text: str):  # type: ignore[no-untyped-def]
    idx = engine._current()
    searcher = engine._searcher(idx)
    compiler = QueryCompiler(idx.analyzer, searcher.reader(), engine._thesaurus, idx.cache)
    return idx, searcher, compiler, compiler.compile(parse_query(text))


def _dev_texts() -> list[str]:
    if not DEV_QUERIES.exists():
        return []
    return [json.loads(line)["query"] for line in DEV_QUERIES.read_text().splitlines() if line]


def _ranking(pairs: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """Scores rounded (the sum of item scores may differ from Whoosh's in the last bits),
    best first, ties by document number."""
    return sorted(((round(s, 9), d) for s, d in pairs), key=lambda p: (-p[0], p[1]))


@pytest.mark.parametrize("text", SHAPES)
def test_hit_bitset_equals_full_search(engine: SearchEngine, text: str) -> None:
    idx, searcher, _, q = _compiled(engine, text)
    if q is None:
        pytest.skip("nothing to search")
    full = {d for _, d in searcher.search(q, limit=None).top_n}
    assert set(docnums_of(match(searcher, q, idx.items, idx.all_bits).bits)) == full
    assert set(docnums_of(query_bits(searcher, q, idx.items, idx.all_bits))) == full


@pytest.mark.parametrize("text", SHAPES + _dev_texts())
def test_top_k_equals_scoring_every_hit(engine: SearchEngine, text: str) -> None:
    idx, searcher, _, q = _compiled(engine, text)
    if q is None:
        pytest.skip("nothing to search")
    full = searcher.search(q, limit=None).top_n
    matched = match(searcher, q, idx.items, idx.all_bits)
    for k in (1, 10, RERANK_WINDOW + 10):
        got = top_k(matched, k, idx.all_bits)
        assert _ranking(got) == _ranking(full)[:k]


def test_top_k_with_a_filter_equals_filtering_every_hit(engine: SearchEngine) -> None:
    idx, searcher, _, q = _compiled(engine, "wijk bewoners")
    mask = idx.counter.mask("kind", ["paragraph"])
    full = [(s, d) for s, d in searcher.search(q, limit=None).top_n if mask >> d & 1]
    assert len(full) > 20
    matched = match(searcher, q, idx.items, idx.all_bits)
    assert _ranking(top_k(matched, 20, mask)) == _ranking(full)[:20]


def test_items_are_the_children_of_top_level_ors_and_exclusions_apart(
    engine: SearchEngine,
) -> None:
    _, _, compiler, q = _compiled(engine, "wijk school -Rotterdam")
    items, excluded = split_items(q)
    assert len(items) >= 2 and len(excluded) == 1
    assert "rotterdam" in repr(excluded[0]).lower()


def test_sort_by_date_equals_whoosh_sorting_every_hit(engine: SearchEngine) -> None:
    idx, searcher, _, q = _compiled(engine, "wijk")
    facets = [FieldFacet("date", reverse=True), ScoreFacet(), FieldFacet("seq")]
    expected = [
        searcher.stored_fields(d)["passage_id"]
        for _, d in searcher.search(q, limit=None, sortedby=facets).top_n
    ]
    got = []
    for offset in range(0, 60, 20):
        result = engine.search("wijk", sort="date", limit=20, offset=offset, facets=False)
        got += [h.passage_id for h in result.hits]
    assert got == expected[:60]


def test_pages_beyond_the_rerank_window_follow_the_full_ranking(engine: SearchEngine) -> None:
    window = 100  # the bundled corpus has fewer hits than the default window
    engine = SearchEngine(engine.index_dir, rerank_window=window)
    idx, searcher, _, q = _compiled(engine, "wijk")
    full = searcher.search(q, limit=None).top_n
    assert len(full) > window + 30
    page = engine.search("wijk", limit=20, offset=window + 10, facets=False)
    expected = [d for _, d in _ranking(full)[window + 10 : window + 30]]
    assert [h.passage_id for h in page.hits] == [
        searcher.stored_fields(d)["passage_id"] for d in expected
    ]
    assert page.total == len(full)


def test_a_hit_matching_every_word_passes_one_matching_a_single_word() -> None:
    # doc 1 matches only the first of three query items, with a higher BM25F score; doc 2
    # matches all three: with COVERAGE_BONUS 1.0 it scores 6 * (1 + 1.0) = 12 > 10 (with
    # the former 0.25 it stayed below: 6 * 1.25 = 7.5).
    ranked = [(10.0, 1), (6.0, 2)]
    coverage = [(1 << 1) | (1 << 2), 1 << 2, 1 << 2]
    assert [d for _, d in rerank(ranked, coverage)] == [2, 1]


def test_headings_carry_no_field_boost() -> None:
    schema = search_schema()
    assert schema["headings"].format.field_boost == 1.0  # a section path is no stronger
    assert schema["title"].format.field_boost == 1.5


def test_results_are_the_same_with_the_cache_off(engine: SearchEngine) -> None:
    cold = SearchEngine(engine.index_dir, cache_postings=0)
    for text in ["wijk bewoners", '"scoren door scholing"', "wijk -Rotterdam"]:
        a = engine.search(text, filters={"kind": ["paragraph"]})
        b = cold.search(text, filters={"kind": ["paragraph"]})
        assert a.total == b.total
        assert [h.passage_id for h in a.hits] == [h.passage_id for h in b.hits]
        assert {k: [v.to_dict() for v in vs] for k, vs in a.facets.items()} == {
            k: [v.to_dict() for v in vs] for k, vs in b.facets.items()
        }
    engine.clear_cache()
    assert engine.search("wijk bewoners").total == cold.search("wijk bewoners").total


def test_the_cache_stays_within_its_bound() -> None:
    cache = ItemCache(size=100, max_postings=50)

    class FakeSearcher:
        def search(self, item, limit=None):  # type: ignore[no-untyped-def]
            class R:
                top_n = [(1.0, d) for d in range(int(item.text))]

            return R()

    for n in (10, 20, 15, 24):
        cache.scored(FakeSearcher(), wq.Term("text", str(n)))
    assert cache._weight <= 50
    assert cache._get(("scored", repr(wq.Term("text", "24")))) is not None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.integers(0, 300), st.sampled_from([0.5, 1.0, 1.5, 2.25, 3.0])),
        min_size=1,
        max_size=4,
    ),
    st.integers(1, 40),
    st.sets(st.integers(0, 300)),
)
def test_threshold_algorithm_equals_brute_force(
    items: list[dict[int, float]], k: int, allowed_docs: set[int]
) -> None:
    scored = [
        ScoredItem.from_ranked(
            sorted(((s, d) for d, s in it.items()), key=lambda p: (-p[0], p[1])), 301
        )
        for it in items
    ]
    bits = 0
    for item in scored:
        bits |= item.bits
    allowed = bits_from(allowed_docs, 301) if allowed_docs else bits
    brute = {}
    for it in items:
        for d, s in it.items():
            if allowed >> d & 1:
                brute[d] = brute.get(d, 0.0) + s
    expected = sorted(((s, d) for d, s in brute.items()), key=lambda p: (-p[0], p[1]))[:k]
    from kennisbank.search.whoosh_backend.matching import _dense, _threshold

    got = _threshold(scored, k, bits & allowed) if bits & allowed else []
    assert _ranking(got) == _ranking(expected)
    dense = _dense(scored, k, bits & allowed) if bits & allowed else []
    assert _ranking(dense) == _ranking(expected)  # the numpy path for a large k
    assert _ranking(top_k(Matched(scored, bits), k, allowed)) == _ranking(expected)


# Array scoring (kennisbank.search.whoosh_backend.termscore): Whoosh's BM25F on whole posting lists.


def _whoosh_arrays(searcher, query):  # type: ignore[no-untyped-def]
    ranked = sorted(searcher.search(query, limit=None).top_n, key=lambda p: p[1])
    return np.array([d for _, d in ranked], dtype=np.int64), np.array([s for s, _ in ranked])


def _assert_same_scores(searcher, arrays: IndexArrays, query) -> None:  # type: ignore[no-untyped-def]
    got = TermScorer(searcher, arrays).score(query)
    assert got is not None, repr(query)
    docs, scores = _whoosh_arrays(searcher, query)
    assert got[0].tolist() == docs.tolist(), repr(query)
    assert np.allclose(got[1], scores, rtol=1e-9, atol=0), repr(query)


def _node_shapes() -> list[wq.Query]:
    """Every node the array scorer handles, and some it leaves to Whoosh inside an item."""
    t = wq.Term
    word = wq.AndMaybe(wq.Or([t("text", "wijk"), t("headings", "wijk")]), t("title", "wijk"))
    return [
        t("text", "wijk"),
        t("text", "bewoner", boost=0.6),
        t("headings", "wijk"),
        t("title", "wijkaanpak"),
        t("kind", "paragraph"),
        t("text", "qqqxyzzy"),
        t("nofield", "wijk"),
        word,
        word.with_boost(0.5),
        wq.Or([word, wq.And([t("text", "wijk"), t("text", "aanpak")]).with_boost(0.6)]),
        wq.Or([t("text", "school")], boost=0.5),
        wq.Or([t("text", "school"), t("text", "wijk")], boost=0.3),
        wq.And([t("text", "school"), t("headings", "wijk")]),
        wq.And([t("text", "school"), t("text", "qqqxyzzy")]),
        wq.Or([word, wq.Phrase("text", ["achter", "de", "voordeur"], slop=1)]),
        wq.Or([t("text", "wijk"), wq.Prefix("text", "bewon")]),
        wq.Or([t("text", "wijk"), wq.AndNot(t("text", "school"), t("text", "rotterdam"))]),
    ]


@pytest.fixture(scope="module")
def multi_segment(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed as two segments, then some passages deleted."""
    target = tmp_path_factory.mktemp("segmenten") / "search"
    with Store(built_settings.db_path) as store:
        build_search_index(store, target, writer_options={"procs": 2})
    ix = whoosh_index.open_dir(str(target))
    with ix.searcher() as searcher:
        doomed = [d for d in searcher.docs_for_query(wq.Term("text", "wijk"))][::7]
    writer = ix.writer()
    for docnum in doomed:
        writer.delete_document(docnum)
    writer.commit(merge=False)
    return target


@pytest.mark.parametrize("text", SHAPES + _dev_texts())
def test_array_scores_equal_whoosh_scores_for_every_item(engine: SearchEngine, text: str) -> None:
    idx, searcher, _, q = _compiled(engine, text)
    if q is None:
        pytest.skip("nothing to search")
    for item in split_items(q)[0]:
        if has_terms(item):
            _assert_same_scores(searcher, idx.items.arrays, item)


def test_word_and_synonym_items_are_scored_on_arrays(engine: SearchEngine) -> None:
    _, _, _, q = _compiled(engine, "wijkaanpak probleemwijken")
    items = split_items(q)[0]
    words = [i for i in items if "Phrase(" not in repr(i)]
    assert len(words) >= 4 and all(has_terms(i) for i in words)
    assert not any(has_terms(i) for i in items if i not in words)  # phrases: Whoosh


@pytest.mark.parametrize("shape", range(len(_node_shapes())))
def test_array_scores_equal_whoosh_scores_for_every_node(engine: SearchEngine, shape: int) -> None:
    searcher = engine._searcher(engine._current())
    query = _node_shapes()[shape]
    if has_terms(query):
        _assert_same_scores(searcher, engine._current().items.arrays, query)
    else:
        assert TermScorer(searcher, engine._current().items.arrays).score(query) is None


def test_array_scores_equal_whoosh_scores_over_segments_with_deletions(
    engine: SearchEngine, multi_segment: Path
) -> None:
    ix = whoosh_index.open_dir(str(multi_segment), readonly=True)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) >= 2
        assert searcher.reader().has_deletions()
        read, preloaded = IndexArrays(searcher, preload=0), IndexArrays(searcher, min_df=1)
        assert not read.preloaded and len(preloaded.preloaded) > 100
        for arrays in (read, preloaded):
            for query in _node_shapes():
                if has_terms(query):
                    _assert_same_scores(searcher, arrays, query)
            for text in SHAPES[:10] + _dev_texts():
                _, _, _, q = _compiled(engine, text)
                for item in split_items(q)[0] if q is not None else []:
                    if has_terms(item):
                        _assert_same_scores(searcher, arrays, item)


def test_preloaded_postings_are_those_of_the_posting_file(engine: SearchEngine) -> None:
    searcher = engine._searcher(engine._current())
    arrays = IndexArrays(searcher, preload=5_000, min_df=2)
    assert 0 < sum(len(d) for d, _ in arrays.preloaded.values()) <= 5_000
    for (name, btext), _ in list(arrays.preloaded.items())[:50]:
        docs, weights = arrays.postings(searcher, name, btext)
        expected = postings(searcher, name, btext)
        assert docs.tolist() == expected[0].tolist() and weights.tolist() == expected[1].tolist()
        assert docs.tolist() == list(searcher.reader().postings(name, btext).all_ids())


def test_results_are_the_same_with_array_scoring_on_and_off(engine: SearchEngine) -> None:
    arrays = SearchEngine(engine.index_dir, cache_postings=0)
    whoosh = SearchEngine(engine.index_dir, cache_postings=0, array_scoring=False)
    assert whoosh._current().items.arrays is None
    for text in SHAPES + _dev_texts():
        for filters in (None, {"kind": ["paragraph"]}):
            a = arrays.search(text, filters=filters, limit=20)
            b = whoosh.search(text, filters=filters, limit=20)
            assert a.total == b.total, text
            assert [h.passage_id for h in a.hits] == [h.passage_id for h in b.hits], text
            assert np.allclose([h.score for h in a.hits], [h.score for h in b.hits], rtol=1e-9)
            assert {k: [v.to_dict() for v in vs] for k, vs in a.facets.items()} == {
                k: [v.to_dict() for v in vs] for k, vs in b.facets.items()
            }

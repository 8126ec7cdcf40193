"""The FTS5/bm25 comparison baseline: safe query syntax, exact words, bm25 order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kennisbank.baseline import MAX_QUERY_TERMS, BaselineHit, Fts5Baseline, fts5_query
from tests.conftest import CORPUS_DIR

TEXTS = [
    "Het Stimuleringsfonds volkstuinen helpt gemeenten het areaal volkstuinen uit te breiden.",
    "De 474 conciërges in de G4 worden betaald uit de Regeling loonkostensubsidie.",
    "Social sofa verbindt wijkbewoners door middel van kunst.",
    "In de krachtwijken sport 52% van de mensen nooit; sport is belangrijk voor de wijk.",
    "Een lange passage over de wijk, de buurt, de gemeente, de bewoners, de corporaties, "
    "de scholen, de politie en nog veel meer partners in de aanpak van de wijken.",
    "Wijk wijk wijk.",
    "Zie Kamerstukken II 2007/08, 30 995, nr. 50 voor de brief.",
]

HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"volkstuinen',
    "'",
    "*",
    "volks*",
    "^wijk",
    "wijk AND",
    "OR",
    "NOT wijk",
    "NEAR(wijk buurt, 2)",
    "text: wijk",
    "passages:wijk",
    "{text}: wijk",
    "(wijk OR",
    ")",
    "-wijk",
    "+wijk",
    "wijk\x00buurt",
    "\u202e\u200b\ufeff",
    "🏠 wijk 🏠",
    "a" * 10_000,
    "wijk " * 2_000,
    " ".join(f"w{i}" for i in range(1_500)),
    "'; DROP TABLE passages; --",
]


@pytest.fixture(scope="module")
def baseline() -> Iterator[Fts5Baseline]:
    """A small in-memory baseline over :data:`TEXTS`."""
    with Fts5Baseline.from_texts(TEXTS) as index:
        yield index


# --------------------------------------------------------------------------- query syntax


def test_fts5_query_quotes_each_word_and_joins_with_or() -> None:
    assert fts5_query("wijkschool Rotterdam") == '"wijkschool" OR "Rotterdam"'
    assert fts5_query('NEAR("a" b*) AND c:d') == '"NEAR" OR "a" OR "b" OR "AND" OR "c" OR "d"'
    assert fts5_query("Wijk wijk WIJK buurt") == '"Wijk" OR "buurt"'  # distinct words only
    assert fts5_query("snake_case") == '"snake" OR "case"'
    assert fts5_query("conciërges") == '"conciërges"'
    assert fts5_query("") == "" and fts5_query(" *^:()\"' ") == ""


def test_fts5_query_caps_the_number_of_terms() -> None:
    expression = fts5_query(" ".join(f"w{i}" for i in range(500)))
    assert expression.count(" OR ") == MAX_QUERY_TERMS - 1


# --------------------------------------------------------------------------- search


def test_finds_exact_words(baseline: Fts5Baseline) -> None:
    assert baseline.search("volkstuinen")[0] == TEXTS[0]
    assert baseline.search("Regeling loonkostensubsidie")[0] == TEXTS[1]
    assert baseline.search("social sofa", k=1) == [TEXTS[2]]
    assert baseline.search("30 995 nr. 50")[0] == TEXTS[6]
    assert baseline.search("onbestaandwoord") == []


def test_case_and_accents_are_folded(baseline: Fts5Baseline) -> None:
    assert baseline.search("CONCIERGES")[0] == TEXTS[1]
    assert baseline.search("Volkstuinen")[0] == TEXTS[0]


def test_all_words_preferred_but_not_required(baseline: Fts5Baseline) -> None:
    assert baseline.search("volkstuinen onbestaandwoord") == [TEXTS[0]]
    # Both words beat one of them.
    assert baseline.search("krachtwijken sport")[0] == TEXTS[3]


def test_ranked_by_bm25(baseline: Fts5Baseline) -> None:
    # Term frequency and length: the short passage repeating "wijk" comes first.
    hits = baseline.search("wijk")
    assert hits[0] == TEXTS[5]
    assert set(hits) == {TEXTS[3], TEXTS[4], TEXTS[5]}
    # The rare word counts more than the common one.
    assert baseline.search("wijk sofa")[0] == TEXTS[2]
    # Scores come best (lowest bm25) first, in the same order as search().
    detailed = baseline.search_with_snippets("wijk de")
    scores = [hit.score for hit in detailed]
    assert scores == sorted(scores)
    assert [hit.text for hit in detailed] == baseline.search("wijk de")


def test_order_matches_sqlite_bm25_directly(baseline: Fts5Baseline) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61')")
    conn.executemany("INSERT INTO t(text) VALUES (?)", [(t,) for t in TEXTS])
    expected = [
        row[0]
        for row in conn.execute(
            "SELECT text FROM t WHERE t MATCH 'de OR wijk' ORDER BY bm25(t), rowid"
        )
    ]
    conn.close()
    assert baseline.search("de wijk", k=len(TEXTS)) == expected


def test_k_limits_the_results(baseline: Fts5Baseline) -> None:
    assert len(baseline.search("de", k=2)) == 2
    assert baseline.search("de", k=0) == []
    assert baseline.search_with_snippets("de", k=0) == []
    assert len(baseline.search("de")) <= 10


def test_search_with_snippets_marks_the_words(baseline: Fts5Baseline) -> None:
    [hit] = baseline.search_with_snippets("sofa", k=1)
    assert isinstance(hit, BaselineHit)
    assert hit.text == TEXTS[2]
    assert "«sofa»" in hit.snippet.lower()
    assert hit.score < 0
    assert hit.to_dict()["text"] == TEXTS[2]
    [hit] = baseline.search_with_snippets("sofa", k=1, open_mark="<b>", close_mark="</b>")
    assert "<b>sofa</b>" in hit.snippet.lower()
    long_hit = baseline.search_with_snippets("partners", k=1, tokens=4)[0]
    assert "…" in long_hit.snippet and len(long_hit.snippet) < len(long_hit.text)


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(baseline: Fts5Baseline, query: str) -> None:
    hits = baseline.search(query)
    assert isinstance(hits, list) and len(hits) <= 10
    assert all(isinstance(hit, str) for hit in hits)
    assert len(baseline.search_with_snippets(query)) == len(hits)


@settings(max_examples=300, deadline=None)
@given(query=st.text(max_size=300) | st.sampled_from(HOSTILE), k=st.integers(-5, 50))
def test_any_text_query_never_raises(baseline: Fts5Baseline, query: str, k: int) -> None:
    hits = baseline.search(query, k)
    assert len(hits) <= max(k, 0)
    assert set(hits) <= set(TEXTS)
    assert len(baseline.search_with_snippets(query, k)) == len(hits)


def test_empty_baseline_and_file_storage(tmp_path: Path) -> None:
    with Fts5Baseline.from_texts([]) as empty:
        assert len(empty) == 0
        assert empty.search("wijk") == []
    path = tmp_path / "baseline.sqlite"
    with Fts5Baseline.from_texts(TEXTS, path=path) as on_disk:
        assert len(on_disk) == len(TEXTS)
        assert on_disk.search("volkstuinen")[0] == TEXTS[0]
    assert path.is_file()
    with Fts5Baseline.from_texts(TEXTS[:2], path=path) as rebuilt:  # replaces, never appends
        assert len(rebuilt) == 2


# --------------------------------------------------------------------------- real corpus


@pytest.fixture(scope="module")
def corpus_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus (passages only; the knowledge-graph stage is skipped)."""
    import indexer.pipeline
    from kennisbank.config import load_settings

    settings = load_settings(
        corpus_dir=CORPUS_DIR, data_dir=tmp_path_factory.mktemp("baseline-index"), env={}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer.pipeline, "needs_rebuild", lambda *args: False)
        report = indexer.pipeline.run_index(settings)
    assert report.exit_code == 0, report.skipped
    return settings.db_path


def test_from_store_holds_every_passage(corpus_store_path: Path) -> None:
    from kennisbank.store import Store

    with Store(corpus_store_path) as store:
        passages = store.all_passages()
        index = Fts5Baseline.from_store(store)
    with index:
        assert len(index) == len(passages)
        hits = index.search("volkstuinen")
        assert hits and all("volkstuinen" in hit.lower() for hit in hits)
        assert set(hits) <= {p.text for p in passages}

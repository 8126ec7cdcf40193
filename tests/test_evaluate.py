"""Relevance evaluation: judging normalisation, judged-query loading, metrics and the report."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kennisbank.errors import InvalidInput
from kennisbank.evaluate import (
    KINDS,
    EvalReport,
    JudgedQuery,
    evaluate,
    format_report,
    is_relevant,
    load_queries,
    normalise_for_judging,
)
from tests.conftest import CORPUS_DIR

DEV_QUERIES = CORPUS_DIR.parent.parent / "shared" / "eval" / "dev-queries.jsonl"


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Unicode NFKD with accents removed
        ("conciërges", "concierges"),
        ("café één", "cafe een"),
        ("ﬁnanciering", "financiering"),  # compatibility ligature
        ("€ 95 miljoen", "€ 95 miljoen"),
        # lower case
        ("Kwaliteitskaart BEWONERSPARTICIPATIE", "kwaliteitskaart bewonersparticipatie"),
        ("İstanbul", "istanbul"),  # the dot above is a combining mark, removed
        # footnote superscripts removed (not turned into digits by NFKD)
        ("Veiligheidshuizen¹ zijn", "veiligheidshuizen zijn"),
        ("wijken²³.", "wijken."),
        ("a⁴⁵⁶⁷⁸⁹⁰b", "ab"),
        ("2008 en 2010", "2008 en 2010"),  # ordinary digits stay
        # curly quotes made plain
        ("het project ‘Scoren door Scholing’", "het project 'scoren door scholing'"),
        ("“Krachtwijken” en „wijken‟", '"krachtwijken" en "wijken"'),
        # dashes made plain
        ("2008–2011", "2008-2011"),
        ("wijken — en buurten", "wijken - en buurten"),
        ("min − plus", "min - plus"),
        ("Noord\u2011Holland", "noord-holland"),
        # a word hyphenated across a line break joined
        ("wijk-\naanpak", "wijkaanpak"),
        ("wijk-\r\naanpak", "wijkaanpak"),
        ("wijk-  \n   aanpak", "wijkaanpak"),
        ("wijk\u2010\naanpak", "wijkaanpak"),
        ("Noord-Holland", "noord-holland"),  # no line break: the hyphen stays
        ("wijken -\nbuurten", "wijken - buurten"),  # a free-standing dash is no hyphenation
        # all whitespace collapsed to one space
        ("  veel\t\truimte \n\n tussen\u00a0woorden  ", "veel ruimte tussen woorden"),
        ("", ""),
        (" \n\t ", ""),
    ],
)
def test_normalise_for_judging_rules(raw: str, expected: str) -> None:
    assert normalise_for_judging(raw) == expected


@given(st.text())
def test_normalisation_is_idempotent_and_clean(text: str) -> None:
    once = normalise_for_judging(text)
    assert normalise_for_judging(once) == once
    assert "\n" not in once and "  " not in once and once == once.strip()
    assert not any(ch in once for ch in "¹²³⁰‘’“”–—")


def test_is_relevant_compares_normalised_text() -> None:
    passage = "Zo is\nhet project ‘Scoren  door Scholing’¹ in Rotter-\ndam gestart."
    assert is_relevant(passage, ["het project 'scoren door scholing'"])
    assert is_relevant(passage, ["niet hier", "in Rotterdam gestart"])
    assert not is_relevant(passage, ["Scoren door Sport"])
    assert not is_relevant(passage, [])
    assert not is_relevant(passage, ["¹", "  "])  # phrases normalising to nothing never match


# --------------------------------------------------------------------------- loading


def _write(tmp_path: Path, lines: list[str | dict[str, object]]) -> Path:
    path = tmp_path / "queries.jsonl"
    text = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _q(qid: str = "q1", kind: str = "keyword", **changes: object) -> dict[str, object]:
    return {"id": qid, "kind": kind, "query": "volkstuinen", "relevant": ["volkstuinen"], **changes}


def test_load_queries_reads_every_kind(tmp_path: Path) -> None:
    lines: list[str | dict[str, object]] = [_q(f"q{i}", kind) for i, kind in enumerate(KINDS)]
    lines.insert(2, "")  # blank lines are skipped
    lines.append(_q("extra", note="extra velden worden genegeerd"))
    queries = load_queries(_write(tmp_path, lines))
    assert [q.kind for q in queries] == [*KINDS, "keyword"]
    assert queries[0] == JudgedQuery("q0", "keyword", "volkstuinen", ("volkstuinen",))
    assert queries[0].to_dict() == _q("q0")


def test_load_queries_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_text("\ufeff" + json.dumps(_q()) + "\n", encoding="utf-8")
    assert [q.id for q in load_queries(path)] == ["q1"]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("{niet: json", "geen geldige JSON"),
        ('["een", "lijst"]', "geen JSON-object"),
        (_q(id=""), "'id'"),
        ({"kind": "keyword", "query": "x", "relevant": ["x"]}, "'id'"),
        (_q(query="   "), "'query'"),
        (_q(query=42), "'query'"),
        (_q(kind="vraag"), "soort 'vraag' is onbekend"),
        (_q(relevant=[]), "'relevant'"),
        (_q(relevant="volkstuinen"), "'relevant'"),
        (_q(relevant=["ok", 3]), "zinsdeel 3"),
        (_q(relevant=["¹ "]), "zinsdeel"),
        (_q(qid="q0"), "id 'q0' kwam al voor op regel 1"),
    ],
)
def test_load_queries_names_the_bad_line(
    tmp_path: Path, bad: str | dict[str, object], fragment: str
) -> None:
    path = _write(tmp_path, [_q("q0"), "", bad, _q("q9")])
    with pytest.raises(InvalidInput) as info:
        load_queries(path)
    message = str(info.value)
    assert "regel 3" in message and str(path) in message
    assert fragment in message


def test_load_queries_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="bestaat niet"):
        load_queries(tmp_path / "nergens.jsonl")
    empty = tmp_path / "leeg.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="geen beoordeelde zoekvragen"):
        load_queries(empty)
    binary = tmp_path / "binair.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidInput, match="niet te lezen"):
        load_queries(binary)


# --------------------------------------------------------------------------- metrics

REL = "relevante passage over volkstuinen"
OTHER = "iets anders"


def _query(qid: str, kind: str = "keyword") -> JudgedQuery:
    return JudgedQuery(qid, kind, f"zoek {qid}", ("volkstuinen",))


def _engine(rankings: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """A search_fn that returns a fixed ranking per query (keyed by the query text)."""
    calls: list[tuple[str, int]] = []

    def search(query: str, k: int) -> list[str]:
        calls.append((query, k))
        return rankings[query.removeprefix("zoek ")]

    search.calls = calls  # type: ignore[attr-defined]
    return search


def test_reciprocal_rank_and_success_on_hand_made_rankings() -> None:
    search = _engine({"a": [OTHER, REL, OTHER], "b": [REL], "c": [OTHER] * 10, "d": []})
    report = evaluate([_query(q) for q in "abcd"], search)
    by_id = {r.id: r for r in report.results}
    assert by_id["a"].reciprocal_rank == 0.5 and by_id["a"].first_relevant_rank == 2
    assert by_id["b"].reciprocal_rank == 1.0 and by_id["b"].success_at_1 == 1.0
    assert by_id["c"].reciprocal_rank == 0.0 and by_id["c"].success_at_k == 0.0
    assert by_id["d"].returned == 0
    assert report.overall.queries == 4
    assert report.overall.mrr == pytest.approx((0.5 + 1.0) / 4)
    assert report.overall.success_at_1 == pytest.approx(1 / 4)
    assert report.overall.success_at_k == pytest.approx(2 / 4)
    assert search.calls == [(f"zoek {q}", 10) for q in "abcd"]


def test_only_the_top_k_count() -> None:
    ranking = [OTHER] * 10 + [REL] * 5
    report = evaluate([_query("a")], _engine({"a": ranking}))
    assert report.results[0].relevant_ranks == ()
    assert report.overall.mrr == 0.0
    report3 = evaluate([_query("a")], _engine({"a": [OTHER, OTHER, REL, REL]}), k=3)
    assert report3.results[0].relevant_ranks == (3,)
    assert report3.overall.mrr == pytest.approx(1 / 3)


def test_ndcg_with_binary_gains_without_corpus() -> None:
    """Without a corpus the ideal ranking holds the relevant hits that were returned."""
    search = _engine({"a": [REL, OTHER, REL], "b": [OTHER, REL], "c": [REL, REL], "d": [OTHER]})
    report = evaluate([_query(q) for q in "abcd"], search)
    ndcg = {r.id: r.ndcg for r in report.results}
    ideal_two = 1 + 1 / math.log2(3)
    assert ndcg["a"] == pytest.approx((1 + 1 / math.log2(4)) / ideal_two)
    assert ndcg["b"] == pytest.approx(1 / math.log2(3))  # ideal: the one relevant hit at rank 1
    assert ndcg["c"] == pytest.approx(1.0)
    assert ndcg["d"] == 0.0
    assert not report.corpus_judged
    assert all(r.relevant_in_corpus is None for r in report.results)


def test_ndcg_with_corpus_uses_all_relevant_passages() -> None:
    corpus = [REL, REL + " 2", REL + " 3", OTHER, "nog iets"]
    search = _engine({"b": [OTHER, REL]})
    report = evaluate([_query("b")], search, corpus_texts=corpus)
    result = report.results[0]
    assert result.relevant_in_corpus == 3
    ideal_three = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert result.ndcg == pytest.approx((1 / math.log2(3)) / ideal_three)  # lower than without
    assert report.corpus_judged


def test_ndcg_ideal_is_capped_at_k_and_never_exceeds_one() -> None:
    corpus = [f"{REL} {i}" for i in range(12)]
    report = evaluate([_query("a")], _engine({"a": corpus}), corpus_texts=corpus)
    assert report.results[0].ndcg == pytest.approx(1.0)  # 12 relevant, ideal is 10 at the top
    # An engine that returns the single relevant passage twice still scores at most 1.
    report = evaluate([_query("a")], _engine({"a": [REL, REL]}), corpus_texts=[REL, OTHER])
    assert report.results[0].ndcg == pytest.approx(1.0)


def test_query_without_relevant_corpus_passage_is_reported() -> None:
    report = evaluate([_query("a")], _engine({"a": [OTHER]}), corpus_texts=[OTHER])
    assert report.unjudgeable == ["a"]
    assert report.results[0].ndcg == 0.0
    assert "geen enkele passage" in format_report(report)


def test_metrics_per_kind_and_overall() -> None:
    queries = [
        _query("k1", "keyword"),
        _query("k2", "keyword"),
        _query("t1", "typo"),
        _query("q1", "question"),
    ]
    search = _engine({"k1": [REL], "k2": [OTHER, REL], "t1": [OTHER], "q1": [OTHER] * 3 + [REL]})
    report = evaluate(queries, search)
    assert list(report.per_kind) == ["keyword", "question", "typo"]  # KINDS order, absent left out
    keyword = report.per_kind["keyword"]
    assert keyword.queries == 2
    assert keyword.mrr == pytest.approx(0.75)
    assert keyword.success_at_1 == pytest.approx(0.5)
    assert keyword.success_at_k == 1.0
    assert report.per_kind["typo"].mrr == 0.0
    assert report.per_kind["question"].mrr == pytest.approx(0.25)
    # Overall is the mean over queries, not over kinds.
    assert report.overall.mrr == pytest.approx((1 + 0.5 + 0 + 0.25) / 4)
    assert report.overall.ndcg == pytest.approx(
        sum(r.ndcg for r in report.results) / len(report.results)
    )


def test_failed_queries_show_what_came_first() -> None:
    long_first = "Een heel lange passage\nover iets anders " + "x" * 300
    search = _engine({"a": [REL], "b": [long_first, REL], "c": [OTHER], "d": []})
    report = evaluate([_query(q) for q in "abcd"], search)
    failed = {r.id: r for r in report.failed}
    assert set(failed) == {"b", "c", "d"}
    assert failed["b"].first_relevant_rank == 2
    assert failed["b"].first_hit is not None
    assert failed["b"].first_hit.startswith("Een heel lange passage over iets anders x")
    assert len(failed["b"].first_hit) == 121 and failed["b"].first_hit.endswith("…")
    assert failed["c"].first_hit == OTHER and failed["c"].first_relevant_rank is None
    assert failed["d"].first_hit is None


def test_invalid_k_and_engine_errors() -> None:
    with pytest.raises(InvalidInput):
        evaluate([_query("a")], _engine({"a": []}), k=0)

    def broken(query: str, k: int) -> list[str]:
        raise RuntimeError("kapot")

    with pytest.raises(RuntimeError):
        evaluate([_query("a")], broken)


def test_to_dict_is_json_ready() -> None:
    search = _engine({"a": [OTHER, REL], "b": [REL]})
    report = evaluate([_query("a"), _query("b", "ref")], search, label="test")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["k"] == 10 and data["label"] == "test"
    assert data["overall"] == {
        "queries": 2,
        "mrr": 0.75,
        "success_at_1": 0.5,
        "success_at_k": 1.0,
        "ndcg": pytest.approx(report.overall.ndcg, abs=1e-4),
    }
    assert set(data["per_kind"]) == {"keyword", "ref"}
    assert [f["id"] for f in data["failed"]] == ["a"]
    assert data["failed"][0]["first_hit"] == OTHER
    assert [q["id"] for q in data["queries"]] == ["a", "b"]
    assert data["queries"][0]["relevant_ranks"] == [2]


def test_format_report_alone_and_with_baseline() -> None:
    queries = [_query("a"), _query("b", "typo"), _query("c")]
    engine = evaluate(queries, _engine({"a": [REL], "b": [REL], "c": []}), label="kennisbank")
    base = evaluate(queries, _engine({"a": [OTHER, REL], "b": [OTHER], "c": []}), label="FTS5")
    text = format_report(engine)
    for fragment in (
        "kennisbank",
        "MRR@10",
        "S@1",
        "S@10",
        "nDCG@10",
        "keyword",
        "typo",
        "0.667",
        "(geen resultaten)",
        "geen relevante in top 10",
    ):
        assert fragment in text, fragment
    side = format_report(engine, baseline=base)
    assert "Δ MRR" in side and "FTS5" in side
    overall_row = next(line for line in side.splitlines() if line.startswith("alle/all"))
    assert "0.167" in overall_row and "0.667" in overall_row and "+0.500" in overall_row
    typo_row = next(line for line in side.splitlines() if line.startswith("typo"))
    assert "+1.000" in typo_row


def test_format_report_with_baseline_lacking_a_kind() -> None:
    engine = evaluate([_query("a"), _query("b", "ref")], _engine({"a": [REL], "b": [REL]}))
    base = evaluate([_query("a")], _engine({"a": [REL]}))
    ref_row = next(
        line for line in format_report(engine, base).splitlines() if line.startswith("ref")
    )
    assert ref_row.split()[-1] == "-"


# --------------------------------------------------------------------------- real dev set


@pytest.fixture(scope="module")
def corpus_store_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An index of the bundled corpus (passages only).

    The knowledge-graph stage is switched off (``needs_rebuild`` → False): the
    evaluation needs only passages, and that stage is built elsewhere.
    """
    import indexer.pipeline
    from kennisbank.config import load_settings

    settings = load_settings(
        corpus_dir=CORPUS_DIR, data_dir=tmp_path_factory.mktemp("eval-index"), env={}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer.pipeline, "needs_rebuild", lambda *args: False)
        report = indexer.pipeline.run_index(settings)
    assert report.exit_code == 0, report.skipped
    yield settings.db_path


def test_dev_set_loads() -> None:
    if not DEV_QUERIES.is_file():
        pytest.skip("../shared/eval is niet aanwezig")
    queries = load_queries(DEV_QUERIES)
    assert queries and {q.kind for q in queries} <= set(KINDS)


def test_baseline_on_dev_set_end_to_end(corpus_store_path: Path) -> None:
    if not DEV_QUERIES.is_file():
        pytest.skip("../shared/eval is niet aanwezig")
    from kennisbank.baseline import Fts5Baseline
    from kennisbank.store import Store

    queries = load_queries(DEV_QUERIES)
    with Store(corpus_store_path) as store:
        texts = [p.text for p in store.all_passages()]
        baseline = Fts5Baseline.from_store(store)
    with baseline:
        report = evaluate(queries, baseline.search, corpus_texts=texts, label="FTS5 bm25")
    assert isinstance(report, EvalReport)
    assert [r.id for r in report.results] == [q.id for q in queries]
    assert report.overall.queries == len(queries)
    assert set(report.per_kind) == {q.kind for q in queries}
    assert sum(m.queries for m in report.per_kind.values()) == len(queries)
    assert 0.0 <= report.overall.mrr <= 1.0
    for metrics in [report.overall, *report.per_kind.values()]:
        for value in (metrics.mrr, metrics.success_at_1, metrics.success_at_k, metrics.ndcg):
            assert 0.0 <= value <= 1.0
    assert all(0 <= r.returned <= 10 for r in report.results)
    # Every judged phrase occurs in some passage: passages keep sentences whole.
    assert report.unjudgeable == []
    assert "FTS5 bm25" in format_report(report)
    json.dumps(report.to_dict())

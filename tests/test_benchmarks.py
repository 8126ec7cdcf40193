"""Smoke tests of the search benchmark (``benchmarks/``): it runs end to end on a tiny
corpus and returns well-formed figures.  Nothing here asserts a timing."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.build import build_search_index_subprocess, run_index_subprocess
from benchmarks.queries import SampleText, generate_queries, load_dev_queries
from benchmarks.scale import sgd_blocks, subset_store, write_scale_store
from benchmarks.search_bench import (
    BUNDLED_CORPUS,
    DEFAULT_DEV_QUERIES,
    PERCENTILES,
    BenchReport,
    CorpusResult,
    bench_store,
    evaluate_targets,
    machine_info,
    render_markdown,
)
from benchmarks.stats import Spread, percentile, ratios
from kennisbank.store import Store


def test_percentile_and_spread() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert math.isnan(percentile([], 50))
    spread = Spread.of([3.0, 1.0, 2.0])
    assert (spread.median, spread.low, spread.high, spread.runs) == (2.0, 1.0, 3.0, 3)
    assert spread.fmt(1) == "2.0 (1.0–3.0)"
    assert Spread.of([]).fmt() == "–"
    assert ratios([4.0, 6.0], [2.0, 2.0]).median == 2.5


def test_generated_queries_are_seeded_and_mixed() -> None:
    samples = [
        SampleText(
            f"De gemeente Rotterdam investeert in wijkaanpak nummer {i} en "
            "bewonersparticipatie in krachtwijken",
            {"kind": "paragraph", "year": "2008"},
        )
        for i in range(50)
    ]
    first = generate_queries(samples, 60, seed=7)
    assert first == generate_queries(samples, 60, seed=7)
    assert len(first) == 60
    assert {q.kind for q in first} == {"words", "phrase", "filter"}
    for q in first:
        assert q.text.strip()
        if q.kind == "phrase":
            assert q.text.startswith('"') and q.text.endswith('"')
        if q.kind == "filter":
            assert q.filters and set(q.filters) <= {"kind", "year"}


def test_sgd_blocks_are_paragraph_sized() -> None:
    content = "Tweede Kamer\n2\nZitting 1982-1983\n" + ("Een lange zin over de sluis. " * 20)
    blocks = sgd_blocks(content)
    assert blocks and all(b.kind == "paragraph" and b.text for b in blocks)
    assert blocks[0].text.startswith("Tweede Kamer 2 Zitting 1982-1983")


def test_benchmark_runs_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    bundled = run_index_subprocess(BUNDLED_CORPUS, tmp_path / "data")
    assert bundled["passages"] >= 300 and bundled["cpu_seconds"] > 0
    assert Path(bundled["index_dir"]).is_dir() and bundled["index_bytes"] > 0
    with Store(Path(bundled["store_path"])) as source:
        corpus = subset_store(source, tmp_path / "store", 300)
    assert corpus.passages == 300
    dev = load_dev_queries(DEFAULT_DEV_QUERIES)[:5] if DEFAULT_DEV_QUERIES.is_file() else []
    messages: list[str] = []
    result = bench_store(
        "tiny",
        300,
        Path(corpus.store_path),
        tmp_path / "work",
        runs=1,
        n_queries=10,
        dev_queries=dev,
        profile_queries=5,
        progress=messages.append,
        profile_build=True,
    )
    assert messages
    assert result.passages == 300 and result.text_bytes > 0 and result.open_seconds >= 0
    build = result.build
    assert build is not None and build.index_mb > 0
    assert build.passages_per_s.runs == 1 and build.passages_per_s.median > 0
    assert build.rss_main_mb.median > 0 and build.fts5_passages_per_s.median > 0
    assert build.cpu_seconds.median > 0 and build.passages_per_cpu_s.median > 0
    names = [ls.name for ls in result.latency]
    assert names[-1] == "generated" and ("dev" in names) == bool(dev)
    generated = result.latency[-1]
    assert generated.queries == 10 and generated.errors == 0
    assert sum(g["n"] for k, g in generated.groups.items() if k.startswith("kind:")) == 10
    assert sum(g["n"] for k, g in generated.groups.items() if k.startswith("hits:")) == 10
    assert build.fts5_index_mb > 0
    for ls in result.latency:
        for side in (ls.whoosh, ls.fts5, ls.ratio):
            assert set(side) == set(PERCENTILES)
            assert all(s.runs == 1 and s.median > 0 for s in side.values())
        assert ls.whoosh["p50"].median <= ls.whoosh["p99"].median
    assert set(result.variants) == {"facets+snippets", "no facets", "no snippets", "neither"}
    assert result.profile["queries"] == 5
    assert "whole search (SearchEngine.search)" in result.profile["stages"]
    assert result.profile["top"]
    assert result.alternatives and all("p95" in v for v in result.alternatives.values())
    assert result.build_profile["passages"] == 300 and result.build_profile["stages"]

    report = BenchReport(
        command="test",
        started="now",
        machine=machine_info(),
        runs=1,
        queries=10,
        corpora=[result, CorpusResult("100k", 100_000, skipped="geen data")],
    )
    report.targets = evaluate_targets(report.corpora)
    assert [t.met for t in report.targets if "100,000" in t.name] == [None, None]
    text = render_markdown(report)
    assert "| tiny | generated | 10 |" in text
    assert "**Skipped:** geen data" in text
    assert "### Where the time goes: tiny" in text
    assert "### Where the build time goes: tiny" in text
    assert report.to_dict()["corpora"][0]["label"] == "tiny"


def test_scale_store_from_shared_data(shared_data: Path, tmp_path: Path) -> None:
    corpus = write_scale_store(tmp_path / "scale", shared_data, 150)
    assert corpus.passages == 150 and corpus.documents >= 1
    assert sum(corpus.by_source.values()) == 150
    with Store(Path(corpus.store_path)) as store:
        assert store.counts()["passages"] == 150
    counts = build_search_index_subprocess(Path(corpus.store_path), tmp_path / "index")
    assert counts["passages"] == 150 and counts["index_bytes"] > 0
    assert counts["rss_main_mb"] > 0

"""Smoke tests of the benchmarks (``benchmarks/``, ``kennisbank bench``): they run end to
end on small corpora and return well-formed figures.  Nothing here asserts a timing."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.build import build_search_index_subprocess, run_index_subprocess
from benchmarks.growth import GrowthPoint, render_growth, render_svg
from benchmarks.publish import publish_generation
from benchmarks.queries import SampleText, generate_queries, load_dev_queries
from benchmarks.scale import sgd_blocks, subset_store, write_law_corpus, write_scale_store
from benchmarks.search_bench import (
    BUNDLED_CORPUS,
    DEFAULT_DEV_QUERIES,
    DEFAULT_SHARED,
    PERCENTILES,
    BenchReport,
    CorpusResult,
    bench_store,
    evaluate_targets,
    machine_info,
    render_markdown,
)
from benchmarks.stats import Spread, percentile, ratios
from benchmarks.suite import SuiteOptions, quick_options
from cli.main import cli
from indexer.live import inspect_live
from kennisbank import generations, manifest
from kennisbank.store import Store

SVG = "{http://www.w3.org/2000/svg}"
SERIES = {"whoosh-p95", "fts5-p95", "whoosh-build", "fts5-build"}


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


def test_scale_corpus_published_as_a_generation_that_serve_accepts(
    shared_data: Path, tmp_path: Path
) -> None:
    corpus = write_scale_store(tmp_path / "scale", shared_data, 150)
    store, index = Path(corpus.store_path), tmp_path / "index"
    build_search_index_subprocess(store, index)
    data_dir = tmp_path / "data"
    generation = publish_generation(store, index, data_dir, corpus_dir=tmp_path / "corpus")
    assert generations.current_dir(data_dir) == generation
    facts = manifest.verify(generation)
    assert facts["counts"]["passages"] == facts["counts"]["search_passages"] == 150
    assert set(facts["search"]["files"]) == {
        p.name for p in index.iterdir() if not p.name.endswith("LOCK")
    }
    # what `kennisbank serve` checks before it would index: nothing to rebuild
    assert inspect_live(data_dir).problem is None
    assert store.is_file() and index.is_dir()  # the measured store and index stay


def test_law_corpus_holds_whole_files_up_to_the_passages(shared_data: Path, tmp_path: Path) -> None:
    first = write_law_corpus(tmp_path / "a", shared_data, 200)
    again = write_law_corpus(tmp_path / "b", shared_data, 200)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    assert first.passages >= 200 and first.files == len(files) >= 1
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.md"))
    assert first.source_bytes == sum((tmp_path / "a" / f).stat().st_size for f in files)
    assert again.passages == first.passages


def _series(svg: Path) -> dict[str, int]:
    """``data-series`` of every line in the chart, with its number of points."""
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG}svg"
    return {
        g.get("data-series", ""): len(g.findall(f"{SVG}circle"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "series"
    }


def test_growth_chart_is_valid_svg_with_log_axes(tmp_path: Path) -> None:
    points = [
        GrowthPoint(
            f"{n // 1000}k", n, n / 600, n / 500, 600.0, n / 600, 4.0, p95, p95 / 15, n / 4e4
        )
        for n, p95 in ((10_000, 61.0), (100_000, 659.0), (500_000, 2900.0))
    ]
    svg = tmp_path / "cost.svg"
    svg.write_text(render_svg(points, "test"), encoding="utf-8")
    assert _series(svg) == dict.fromkeys(SERIES, 3)
    texts = [t.text or "" for t in ET.parse(svg).getroot().iter(f"{SVG}text")]
    assert "passages (log scale)" in texts and "ms (log scale)" in texts
    assert {"10k", "100k", "1M"} <= set(texts)  # decade ticks of the passages axis
    table = "\n".join(render_growth(points, "cost.svg"))
    assert "| 500,000 |" in table and "(×10.0)" in table  # build grows with the corpus here
    assert "![Cost against corpus size](cost.svg)" in table
    empty = tmp_path / "empty.svg"
    empty.write_text(render_svg([]), encoding="utf-8")
    assert _series(empty) == {}


def test_kennisbank_bench_quick_runs_every_part(tmp_path: Path) -> None:
    """``kennisbank bench --quick``: build, latency next to FTS5, facet cost, incremental
    re-index, HTTP against a real server, growth table and chart."""
    out, raw, svg = tmp_path / "bench.md", tmp_path / "bench.json", tmp_path / "cost.svg"
    result = CliRunner().invoke(
        cli,
        ["bench", "--quick", "--out", str(out), "--json", str(raw), "--plot", str(svg)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for heading in (
        "### Corpora and index build",
        "### Query latency (ms; Whoosh with facets + snippets",
        "### Facet-count overhead",
        "### Incremental re-index",
        "### Query latency over HTTP",
        "### How cost grows",
    ):
        assert heading in text
    for column in ("documents/s", "passages/s", "MB/s", "peak RSS MB", "index MB", "×FTS5 p95"):
        assert column in text
    assert "| bundled | generated | 20 |" in text
    data = json.loads(raw.read_text(encoding="utf-8"))
    bundled = data["search"]["corpora"][0]
    assert bundled["label"] == "bundled" and bundled["build"]["index_mb"] > 0
    assert bundled["build"]["rss_main_mb"]["median"] > 0
    assert bundled["facet_cost"]["with_facets"]["p95"]["median"] > 0
    incremental = data["incremental"]
    assert incremental["unchanged_parsed"] == 0 and incremental["one_file_parsed"] == 1
    assert incremental["one_file_seconds"]["median"] > 0
    labels = [h["label"] for h in data["http"]]
    assert [x for x in labels if x.startswith("bundled / ")][-1] == "bundled / generated"
    for row in data["http"]:
        assert set(row["statuses"]) == {"200"} and row["peak_rss_mb"] > 0
        assert sum(row["statuses"].values()) == row["queries"] * row["runs"]
        p50, p95, p99 = (row["latency"][p]["median"] for p in ("p50", "p95", "p99"))
        assert 0 < p50 <= p95 <= p99
    series = _series(svg)
    if DEFAULT_SHARED.is_dir():
        assert series == dict.fromkeys(SERIES, 2)  # the 500 and 1,500 passage corpora
        assert "| 1,500 |" in text
        # HTTP against `kennisbank serve` on each published scale corpus, same query sets
        assert {"500 / generated", "1500 / generated"} <= set(labels)
        assert "| 1500 / generated | 20 |" in text
        (scale,) = data["scale_incremental"]
        assert scale["label"] == "500" and scale["passages"] >= 500
        assert scale["unchanged_parsed"] == 0 and scale["one_file_parsed"] == 1
        assert scale["full_passages_per_s"]["median"] > 0 and scale["rss_full_mb"]["median"] > 0
        assert "### Incremental re-index (laws-md corpus of 500 passages" in text
    else:
        assert series == {} and "**Skipped:**" in text


def test_incremental_at_scale_defaults_to_the_run_scales_up_to_100k() -> None:
    assert SuiteOptions(scales=(0, 10_000, 100_000, 500_000)).incremental_sizes() == [
        10_000,
        100_000,
    ]
    assert SuiteOptions(incremental_scales=(100_000, 500_000)).incremental_sizes() == [
        100_000,
        500_000,
    ]
    assert SuiteOptions(incremental_scales=()).incremental_sizes() == []
    assert quick_options().incremental_sizes() == [500]


def test_kennisbank_bench_skips_scale_without_shared_data(tmp_path: Path) -> None:
    empty = tmp_path / "shared"
    empty.mkdir()
    svg = tmp_path / "cost.svg"
    result = CliRunner().invoke(
        cli,
        [
            "bench",
            "--scale",
            "500000",
            "--shared",
            str(empty),
            "--no-http",
            "--incremental-scales",
            "1000",
            "--plot",
            str(svg),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert f"**Skipped:** Geen laws-md of sgd-ocr gevonden in {empty}." in result.output
    assert "Schaal 500,000 overgeslagen." in result.output
    assert f"Geen laws-md gevonden in {empty}. Incremental re-index at 1,000 skipped." in (
        result.output
    )
    assert "No scale corpus was measured in this run." in result.output
    assert _series(svg) == {}

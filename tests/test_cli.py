"""The ``kennisbank`` command line, through Click's runner and the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli import bench as cli_bench
from cli.main import cli
from kennisbank import __version__
from tests.conftest import make_corpus

COMMANDS = ["index", "serve", "ref", "docs", "entities", "entity", "search", "eval"]


def test_version(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"kennisbank {__version__}"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_on_every_command(runner, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command and command[0] in {"index", "docs", "serve"}:
        assert "--data-dir" in result.output


def test_ref_json_gives_the_normalised_reference(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["ref", "--json", "Kamerstukken II 2009/10, 30 995, nr. 78"])
    assert result.exit_code == 0
    [ref] = json.loads(result.output)
    assert ref["dossier"] == "30995"
    assert ref["ondernummer"] == "78"
    assert ref["kamer"] == "II"
    assert ref["vergaderjaar"] == "2009-2010"
    assert ref["identifier"] == "kst-30995-78"
    assert ref["citation"] == "Kamerstukken II 2009/10, 30 995, nr. 78"
    assert ref["url"] == "https://zoek.officielebekendmakingen.nl/kst-30995-78.html"


def test_ref_human_output_and_no_reference(runner) -> None:  # type: ignore[no-untyped-def]
    found = runner.invoke(cli, ["ref", "(TK, 2007-2008, 30 995, nr. 49)"])
    assert found.exit_code == 0 and "kst-30995-49" in found.output
    none = runner.invoke(cli, ["ref", "Er is € 30.995 uitgegeven op 7 juli 2010."])
    assert none.exit_code == 0
    assert "Geen Kamerstukverwijzing gevonden" in none.output
    empty_json = runner.invoke(cli, ["ref", "--json", "geen verwijzing"])
    assert json.loads(empty_json.output) == []


def test_ref_reads_stdin_and_rejects_unreadable_files(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    piped = runner.invoke(cli, ["ref", "--json", "-"], input="zie kst-30995-81\n")
    assert [r["identifier"] for r in json.loads(piped.output)] == ["kst-30995-81"]
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    result = runner.invoke(cli, ["ref", "--file", str(binary)])
    assert result.exit_code == 1
    assert "binair" in result.output
    missing = runner.invoke(cli, ["ref", "--file", str(tmp_path / "bestaat-niet.txt")])
    assert missing.exit_code == 1 and "Kan" in missing.output


def test_docs_json_lists_both_reports_with_sections(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["docs", "--json", "--data-dir", str(built_settings.data_dir)])
    assert result.exit_code == 0, result.output
    docs = {d["id"]: d for d in json.loads(result.output)}
    assert len(docs) == 2
    d2008 = docs["voortgangsrapportage-wijkenaanpak-2008"]
    d2010 = docs["voortgangsrapportage-wijkenaanpak-2010"]
    for doc in (d2008, d2010):
        assert {"title", "type", "year", "sections"} <= set(doc)
    titles_2008 = [s["title"] for s in d2008["sections"]]
    assert "5. De zeven experimenten van de wijkenaanpak" in titles_2008
    assert sum(s["role"] == "experiment" for s in d2008["sections"]) == 7
    assert any(
        s["role"] == "bijlage" and s["title"].startswith("Bijlage 2") for s in d2008["sections"]
    )
    boxes = [s["title"] for s in d2010["sections"] if s["role"] == "box"]
    assert "Box 1: Een effectieve wijkeraanpak" in boxes
    assert len(boxes) >= 5


def test_docs_single_document_shows_passages(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli,
        [
            "docs",
            "voortgangsrapportage-wijkenaanpak-2010",
            "--json",
            "--data-dir",
            str(built_settings.data_dir),
        ],
    )
    data = json.loads(result.output)
    assert data["title"] == "Voortgangsrapportage Wijkenaanpak 2010"
    assert any(p["kind"] == "footnote" for p in data["passages"])


def test_docs_without_index_gives_a_dutch_error(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["docs", "--data-dir", str(tmp_path / "leeg")])
    assert result.exit_code == 1
    assert "Voer eerst 'kennisbank index' uit" in result.output


def test_index_json_reports_skips_with_exit_code_2(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = make_corpus(tmp_path, {"goed.txt": "Titel\n\nEen zin.\n", "leeg.txt": b""})
    result = runner.invoke(
        cli, ["index", "--json", "--corpus", str(corpus), "--data-dir", str(tmp_path / "data")]
    )
    assert result.exit_code == 2
    report = json.loads(result.output)
    assert report["parsed"] == ["goed.txt"]
    assert report["skipped"][0]["path"] == "leeg.txt"
    assert report["documents"] == 1


def test_index_human_summary(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = make_corpus(tmp_path, {"goed.txt": "Titel\n\nEen zin (kst-30995-78).\n"})
    result = runner.invoke(
        cli, ["index", "--corpus", str(corpus), "--data-dir", str(tmp_path / "data")]
    )
    assert result.exit_code == 0, result.output
    assert "overgeslagen: 0" in result.output
    assert "Documenten: 1" in result.output and "verwijzingen: 1" in result.output


def test_data_dir_from_environment(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    corpus = make_corpus(tmp_path, {"goed.txt": "Titel\n\nEen zin.\n"})
    monkeypatch.setenv("KENNISBANK_DATA_DIR", str(tmp_path / "envdata"))
    monkeypatch.setenv("KENNISBANK_CORPUS", str(corpus))
    assert runner.invoke(cli, ["index"]).exit_code == 0
    assert list((tmp_path / "envdata").glob("gen-*/kennisbank.sqlite"))


def test_installed_console_script_runs() -> None:
    script = shutil.which("kennisbank") or str(Path(sys.executable).parent / "kennisbank")
    if not Path(script).exists():
        pytest.skip("kennisbank is niet als script geïnstalleerd")
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"kennisbank {__version__}"


def test_entities_json_lists_the_registry_with_counts(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli,
        ["entities", "--type", "experiment", "--json", "--data-dir", str(built_settings.data_dir)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 7
    assert all(r["type"] == "experiment" for r in rows)
    assert all(
        {"id", "name", "aliases", "attributes", "mentions", "documents"} <= set(r) for r in rows
    )
    assert sum(r["mentions"] for r in rows) > 0


def test_entity_card_json(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli,
        ["entity", "Wielwijk en Crabbehof", "--json", "--data-dir", str(built_settings.data_dir)],
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert card["id"] == "wijk/dordrecht-wielwijk-crabbehof"
    assert card["attributes"]["gemeente"] == "gemeente/dordrecht"
    [ligt_in] = card["links"]["ligt in"]
    assert ligt_in["id"] == "gemeente/dordrecht" and ligt_in["evidence"]
    assert card["passages"]


def test_unknown_entity_suggests_and_exits_1(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli, ["entity", "Kanaleneilnad", "--data-dir", str(built_settings.data_dir)]
    )
    assert result.exit_code == 1
    assert "Bedoelde u: Kanaleneiland" in result.output
    as_json = runner.invoke(
        cli, ["entity", "Kanaleneilnad", "--json", "--data-dir", str(built_settings.data_dir)]
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["suggesties"][0]["id"] == "wijk/utrecht-kanaleneiland"


def test_search_json_has_hits_facets_and_notes(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli,
        [
            "search",
            "wijkagenten",
            "--json",
            "--limit",
            "3",
            "--data-dir",
            str(built_settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"query", "parsed", "total", "hits", "facets", "suggestion", "notes"} <= set(data)
    assert len(data["hits"]) == 3 and data["total"] >= 3
    assert all("<mark>" in hit["snippet_html"] for hit in data["hits"])
    assert data["facets"]["year"]


def test_search_filter_and_kamerstuk_note(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    args = ["--data-dir", str(built_settings.data_dir), "--json"]
    filtered = json.loads(
        runner.invoke(cli, ["search", "wijkagenten", "--filter", "jaar=2010", *args]).output
    )
    assert filtered["hits"] and all(hit["year"] == 2010 for hit in filtered["hits"])
    ref = json.loads(runner.invoke(cli, ["search", "30 995 nr. 50", *args]).output)
    assert any("30 995, nr. 50" in note for note in ref["notes"])
    bad = runner.invoke(cli, ["search", "x", "--filter", "geen-is-teken", *args])
    assert bad.exit_code == 2


def test_search_human_output(runner, built_settings) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli, ["search", "social sofa", "--limit", "2", "--data-dir", str(built_settings.data_dir)]
    )
    assert result.exit_code == 0
    assert "passages gevonden" in result.output and "«" in result.output


def test_eval_against_the_fts5_baseline(runner, built_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "t1", "kind": "keyword", "query": "social sofa",'
        ' "relevant": ["Social sofa verbindt wijkbewoners"]}\n'
        '{"id": "t2", "kind": "morph", "query": "uitval school",'
        ' "relevant": ["Aanval op schooluitval"]}\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        cli,
        [
            "eval",
            str(queries),
            "--baseline",
            "fts5",
            "--json",
            "--data-dir",
            str(built_settings.data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kennisbank"]["overall"]["queries"] == 2
    assert 0 <= data["baseline"]["overall"]["mrr"] <= 1
    assert data["delta_mrr"] == round(
        data["kennisbank"]["overall"]["mrr"] - data["baseline"]["overall"]["mrr"], 4
    )
    human = runner.invoke(cli, ["eval", str(queries), "--data-dir", str(built_settings.data_dir)])
    assert "MRR@10" in human.output


def test_eval_with_a_bad_file_gives_a_dutch_error(runner, built_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{niet json\n", encoding="utf-8")
    result = runner.invoke(cli, ["eval", str(bad), "--data-dir", str(built_settings.data_dir)])
    assert result.exit_code == 1
    assert "regel 1" in result.output


def test_bench_outside_a_checkout_says_so_and_exits_2(  # type: ignore[no-untyped-def]
    runner, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cli_bench, "BENCHMARKS_DIR", tmp_path / "benchmarks")
    result = runner.invoke(cli, ["bench", "--quick"])
    assert result.exit_code == 2
    assert "checkout van de repository" in result.output
    assert "Traceback" not in result.output

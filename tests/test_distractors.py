"""``kennisbank eval --distractors``: the corpus plus other government text, built and cached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.distractors import BUNDLED, DISTRACTOR_SOURCES, link_corpus
from cli.main import cli
from tests.conftest import make_corpus

QUERIES = (
    '{"id": "d1", "kind": "keyword", "query": "wijkagent buurt",'
    ' "relevant": ["De wijkagent loopt elke dag door de buurt"]}\n'
    '{"id": "d2", "kind": "synonym", "query": "huizen slopen",'
    ' "relevant": ["woningen gesloopt"]}\n'
)


def _shared(root: Path) -> Path:
    """A tiny shared data folder: one markdown file in each distractor source."""
    shared = root / "shared"
    texts = {
        "laws-md/current/wet": "# Politiewet\n\nDe politie heeft tot taak de handhaving van"
        " de openbare orde in de buurt.\n",
        "laws-md/current/beleidsregel": "# Beleidsregel sloop\n\nWoningen worden gesloopt"
        " na een vergunning.\n",
        "laws-md/current/circulaire": "# Circulaire\n\nDe gemeente informeert bewoners over"
        " de wijkagent.\n",
        "municipal-plans-md": "# Bestemmingsplan\n\nIn de buurt komen nieuwe woningen.\n",
    }
    for folder, text in texts.items():
        target = shared / folder
        target.mkdir(parents=True)
        (target / "stuk.md").write_text(text, encoding="utf-8")
    (shared / "municipal-plans-md" / "SOURCES.md").write_text("# Bronnen\n", encoding="utf-8")
    return shared


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    corpus = make_corpus(
        tmp_path,
        {
            "rapport.txt": "Voortgang in de wijken\n\nDe wijkagent loopt elke dag door de buurt"
            " en kent de bewoners.\n\nIn de wijk zijn oude woningen gesloopt en nieuwe"
            " gebouwd.\n",
        },
    )
    monkeypatch.setenv("KENNISBANK_CORPUS", str(corpus))
    queries = tmp_path / "q.jsonl"
    queries.write_text(QUERIES, encoding="utf-8")
    return {
        "corpus": corpus,
        "queries": queries,
        "shared": _shared(tmp_path),
        "dir": tmp_path / "afleiders",
        "data": tmp_path / "data",
    }


def _eval(paths: dict[str, Path], *extra: str) -> object:
    args = [
        "eval",
        str(paths["queries"]),
        "--distractors",
        "--shared",
        str(paths["shared"]),
        "--distractor-dir",
        str(paths["dir"]),
        "--data-dir",
        str(paths["data"]),
        *extra,
    ]
    return CliRunner().invoke(cli, args)


def test_distractors_build_cache_and_report(setup: dict[str, Path]) -> None:
    first = _eval(setup, "--json", "--baseline", "fts5")
    assert first.exit_code == 0, first.output
    assert "Index met afleiders bijwerken" in first.stderr
    data = json.loads(first.stdout)
    assert data["corpus"] == "distractors"
    # 2 passages of the corpus and one per distractor file (SOURCES.md is not a document).
    assert data["passages"] >= 6
    assert data["kennisbank"]["overall"]["queries"] == 2
    assert data["baseline"]["label"] == "fts5"
    farm = setup["dir"] / "corpus"
    assert (farm / BUNDLED / "rapport.txt").is_symlink()
    assert len(list((farm).rglob("*.md"))) == len(DISTRACTOR_SOURCES) + 1
    live = (setup["dir"] / "index" / "CURRENT").read_text()

    second = _eval(setup, "--explain", "all")
    assert second.exit_code == 0, second.output
    assert "Index ongewijzigd" in second.stderr
    assert (setup["dir"] / "index" / "CURRENT").read_text() == live
    assert "Corpus: distractors" in second.stdout and "MRR@10" in second.stdout
    assert "eerst / first:" in second.stdout


def test_a_changed_source_is_relinked(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": "Een tekst over de wijk.\n"})
    shared = _shared(tmp_path)
    farm = tmp_path / "farm"
    assert link_corpus(corpus, shared, farm) == (6, 6)
    assert link_corpus(corpus, shared, farm) == (6, 0)
    (shared / "laws-md" / "current" / "wet" / "stuk.md").unlink()
    (shared / "laws-md" / "current" / "wet" / "ander.md").write_text("# Wet\n\nTekst.\n")
    assert link_corpus(corpus, shared, farm) == (6, 2)
    assert not (farm / "laws-md-current-wet" / "stuk.md").exists()
    assert (farm / "laws-md-current-wet" / "ander.md").resolve() == (
        shared / "laws-md" / "current" / "wet" / "ander.md"
    ).resolve()


def test_without_the_shared_folder_a_dutch_error_and_exit_2(setup: dict[str, Path]) -> None:
    setup["shared"] = setup["shared"].parent / "bestaat-niet"
    result = _eval(setup)
    assert result.exit_code == 2
    assert "gedeelde datamap" in result.stderr and "--shared" in result.stderr
    assert not (setup["dir"] / "index").exists()


def test_a_missing_source_folder_is_named(setup: dict[str, Path]) -> None:
    (setup["shared"] / "municipal-plans-md" / "stuk.md").unlink()
    (setup["shared"] / "municipal-plans-md" / "SOURCES.md").unlink()
    (setup["shared"] / "municipal-plans-md").rmdir()
    result = _eval(setup)
    assert result.exit_code == 2
    assert "ontbreken: municipal-plans-md" in result.stderr

"""A typed compound also searches its parts, and a confident spelling correction still
wins over a misspelling whose pieces happen to be words (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import run_index
from kennisbank.config import load_settings
from kennisbank.search import LiveSearch, SearchEngine
from kennisbank.search import engine as engine_module
from kennisbank.search.whoosh_backend import compiler
from tests.conftest import make_corpus

FILES = {
    "meten.md": "# Meten\n\nDe leefbaarometer meet hoe bewoners hun buurt waarderen, met cijfers"
    " per wijk en per jaar, zodat gemeenten zien waar het beter gaat.\n",
    "weer.md": "# Weer\n\nIn de wijk hangt een barometer bij het buurthuis; wie daar wil leven en"
    " leef ruimte zoekt, kijkt er elke ochtend naar.\n",
    "werk.md": "# Werk\n\nDe werkloosheid onder de jeugd in de wijk daalde, omdat bedrijven"
    " stageplaatsen aanboden aan jongeren van de scholen in de buurt.\n",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    root: Path = tmp_path_factory.mktemp("samenstellingen")
    settings = load_settings(corpus_dir=make_corpus(root, FILES), data_dir=root / "d", env={})
    assert run_index(settings).exit_code == 0
    return LiveSearch(settings.data_dir).engine()


def _first(engine: SearchEngine, query: str) -> str | None:
    engine.clear_cache()
    hits = engine.search(query, facets=False).hits
    return hits[0].text if hits else None


def test_a_typed_compound_finds_its_parts_in_words(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert (_first(engine, "jeugdwerkloosheid") or "").startswith("De werkloosheid onder de jeugd")
    monkeypatch.setattr(compiler, "SPLIT_COMPOUNDS", False)
    assert _first(engine, "jeugdwerkloosheid") is None


def test_a_confident_correction_beats_the_pieces_of_a_misspelling(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    engine.clear_cache()
    result = engine.search("leefbarometer", facets=False)
    assert result.corrected_query == "leefbaarometer"
    assert result.hits[0].text.startswith("De leefbaarometer")
    monkeypatch.setattr(engine_module, "ADOPT_CONFIDENT", False)
    assert (_first(engine, "leefbarometer") or "").startswith("In de wijk hangt een barometer")

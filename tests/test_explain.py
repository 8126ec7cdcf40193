"""Explaining a ranking: the parts of a score add up to the score the search returned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from kennisbank.config import Settings
from kennisbank.search import SearchEngine
from kennisbank.search.explain import PassageExplanation
from kennisbank.search.whoosh_backend.compiler import PART_BOOST, SYNONYM_BOOST
from kennisbank.search.whoosh_backend.explain import _role
from kennisbank.search.whoosh_backend.matching import COVERAGE_BONUS
from tests.conftest import make_corpus
from tests.test_searchindex import build_index, real_search_dir

#: Queries of every shape the compiler knows: words, a question, a compound, a synonym,
#: a phrase, a prefix, NOT, a Kamerstuk reference, a typo.
QUERIES = [
    "bewonersparticipatie",
    "Welke gemeenten doen mee aan Gezonde Wijk?",
    "schooluitval jongeren",
    "probleemwijken veiligheid",
    '"sociale samenhang" wijk',
    "wijkaanp* gemeente",
    "woningcorporaties NIET Amsterdam",
    "Kamerstukken II 2009/10, 30 995, nr. 78",
    "bewonersparticipatie achter de voordeur",
    "leefbaarhied in de wijken",
]


@pytest.fixture(scope="module")
def engine(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """An engine over the search index of the bundled corpus."""
    return SearchEngine(real_search_dir(built_settings, tmp_path_factory))


def _adds_up(passage: PassageExplanation) -> None:
    """The leaves, the adjustments and the remainder give the ranking's score."""
    assert passage.score is not None
    assert passage.parts_sum == pytest.approx(passage.score, abs=1e-6)
    # Every item is fully explained by its leaves, and nothing is left unnamed.
    for item in passage.items:
        assert abs(item.unexplained) <= 1e-6, (item.label, item.unexplained)
    assert abs(passage.remainder) <= 1e-6, passage.remainder
    leaves = sum(p.score for p in passage.parts)
    assert leaves == pytest.approx(passage.base, abs=1e-6)


@pytest.mark.parametrize("query", QUERIES)
def test_the_parts_sum_to_the_score_the_search_returned(engine: SearchEngine, query: str) -> None:
    result = engine.search(query, limit=10, facets=False, snippets=False)
    assert result.hits, query
    deeper = result.hits[min(4, len(result.hits) - 1)]
    explanation = engine.explain(query, relevant=lambda text: text == deeper.text)
    assert explanation.consistent
    top, relevant = explanation.top, explanation.relevant
    assert top is not None and relevant is not None
    assert top.passage_id == result.hits[0].passage_id and top.rank == 1
    assert relevant.passage_id == deeper.passage_id
    # The search rounds its scores to 4 decimals; the explanation keeps them whole.
    assert top.score == pytest.approx(result.hits[0].score, abs=5e-5)
    assert relevant.score == pytest.approx(deeper.score, abs=5e-5)
    _adds_up(top)
    _adds_up(relevant)


def test_a_passage_outside_the_depth_is_explained_unranked(engine: SearchEngine) -> None:
    result = engine.search("bewonersparticipatie", limit=20, facets=False, snippets=False)
    last = result.hits[-1]
    explanation = engine.explain("bewonersparticipatie", depth=3, passage_ids=[last.passage_id])
    assert explanation.relevant is not None
    assert explanation.relevant.rank is None and explanation.relevant.score is None
    assert explanation.relevant.base > 0
    assert explanation.to_dict()["relevant"]["passage_id"] == last.passage_id


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    """An engine over a corpus of two short notes."""
    root = tmp_path_factory.mktemp("uitleg")
    corpus = make_corpus(
        root,
        {
            "nota.txt": "Nota over de wijken\n\nDe bewonersparticipatie in de wijken groeit."
            " Bewoners praten mee over het wijkplan.\n\nDe veiligheid in de buurt is beter"
            " geworden dankzij de wijkagent.\n",
            "brief.txt": "Brief over scholen\n\nHet voortijdig schoolverlaten daalt in de"
            " krachtwijken.\n",
        },
    )
    return SearchEngine(build_index(corpus, root / "data"))


def _terms(passage: PassageExplanation) -> dict[tuple[str, str], str]:
    return {(p.field, p.term): p.role for p in passage.parts}


def test_explain_names_the_matched_terms_fields_and_facts(tiny: SearchEngine) -> None:
    explanation = tiny.explain("wijkagent veiligheid")
    top = explanation.top
    assert top is not None and top.document_id == "nota"
    # The typed compound also searches its parts (the index holds them too).
    assert _terms(top) == {
        ("text", "wijkagent"): "woord",
        ("text", "veilig"): "woord",
        ("text", "wijk"): "deel",
        ("text", "agent"): "deel",
    }
    part = top.parts[0]
    assert part.kind == "term" and part.tf == 1 and part.idf and part.idf > 0
    assert part.field_length and part.avg_field_length
    # Both words matched: the coverage rerank raised the score by the full bonus.
    assert top.covered == 2 and top.adjustments[0].name == "dekking"
    assert top.adjustments[0].factor == pytest.approx(1 + COVERAGE_BONUS)
    lines = "\n".join(explanation.lines())
    assert "text:wijkagent [woord]" in lines and "dekking" in lines


def test_explain_names_title_compound_parts_and_synonyms(tiny: SearchEngine) -> None:
    title = tiny.explain("wijken").top
    assert title is not None
    fields = {p.field for p in title.parts}
    assert fields == {"text", "title"}
    title_part = next(p for p in title.parts if p.field == "title")
    assert title_part.field_boost == 1.5 and title_part.tf == 1

    # A passage that holds a compound matches its part (parts are indexed, not queried).
    compound = tiny.explain("participatie", relevant=lambda t: "bewonersparticipatie" in t)
    assert compound.relevant is not None
    assert ("text", "participatie") in _terms(compound.relevant)
    # Compound parts a query item carries (PART_BOOST) are named as such.
    assert _role(PART_BOOST, "woord") == "deel"
    assert _role(SYNONYM_BOOST, "woord") == "synoniem"
    assert _role(PART_BOOST, "synoniem") == "synoniem, deel"

    synonym = tiny.explain("probleemwijk").top
    assert synonym is not None
    assert [(p.term, p.role) for p in synonym.parts] == [("krachtwijk", "synoniem")]
    assert synonym.parts[0].score == pytest.approx(synonym.parts[0].raw * synonym.parts[0].boost)
    _adds_up(synonym)


def test_explain_shows_phrases_and_prefixes(tiny: SearchEngine) -> None:
    phrase = tiny.explain('"voortijdig schoolverlaten"').top
    assert phrase is not None and [p.kind for p in phrase.parts] == ["phrase"]
    prefix = tiny.explain("school*").top
    assert prefix is not None and {p.kind for p in prefix.parts} == {"prefix"}
    _adds_up(phrase)
    _adds_up(prefix)


def test_explain_without_hits(tiny: SearchEngine, tmp_path: Path) -> None:
    explanation = tiny.explain("zonnepanelen")
    assert explanation.top is None and explanation.relevant is None
    assert "geen treffers" in "\n".join(explanation.lines())


def test_eval_explain_in_text_and_json(built_settings: Settings, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "e1", "kind": "keyword", "query": "social sofa",'
        ' "relevant": ["Social sofa verbindt wijkbewoners"]}\n'
        '{"id": "e2", "kind": "question", "query": "waar staat de zonnewijzer?",'
        ' "relevant": ["zonnewijzer van het stadhuis"]}\n',
        encoding="utf-8",
    )
    data_dir = str(built_settings.data_dir)
    failed = CliRunner().invoke(cli, ["eval", str(queries), "--explain", "--data-dir", data_dir])
    assert failed.exit_code == 0, failed.output
    assert "Uitleg / explanation (1 zoekvragen)" in failed.output
    assert "e2 [question]" in failed.output and "eerste relevante / first relevant" in failed.output
    every = CliRunner().invoke(
        cli, ["eval", str(queries), "--explain", "all", "--json", "--data-dir", data_dir]
    )
    assert every.exit_code == 0, every.output
    explanations = json.loads(every.output)["explanations"]
    assert set(explanations) == {"e1", "e2"}
    top = explanations["e1"]["top"]
    assert top["rank"] == 1 and top["items"][0]["parts"][0]["field"] in ("text", "headings")

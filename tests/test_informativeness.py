"""Query words weighted by how informative they are (general Dutch frequency)."""

from __future__ import annotations

import pytest

from kennisbank.search import SearchEngine
from kennisbank.search.informativeness import (
    WEIGHT_FLOOR,
    ZIPF_FLOOR,
    ZIPF_FULL,
    word_weight,
    zipf_weight,
)
from kennisbank.search.query import parse_query
from kennisbank.search.whoosh_backend import compiler, matching
from kennisbank.search.whoosh_backend.compiler import QueryCompiler
from tests.conftest import make_corpus
from tests.test_searchindex import build_index

#: Filler without any of the query's words, so both passages are long enough that the
#: fragment factor leaves them alone.
_REST = (
    "Het onderzoek werd uitgevoerd door een bureau uit Utrecht, dat daarvoor cijfers van "
    "het CBS gebruikte en gesprekken voerde met ambtenaren van vijf gemeenten."
)


def test_the_curve_is_full_then_falls_to_the_floor() -> None:
    assert zipf_weight(None) == 1.0  # unknown: a name, a compound, a number
    assert zipf_weight(ZIPF_FULL - 1) == 1.0
    assert zipf_weight(ZIPF_FULL) == 1.0
    middle = zipf_weight((ZIPF_FULL + ZIPF_FLOOR) / 2)
    assert middle == pytest.approx((1 + WEIGHT_FLOOR) / 2)
    assert zipf_weight(ZIPF_FLOOR) == zipf_weight(ZIPF_FLOOR + 1) == WEIGHT_FLOOR


def test_everyday_words_weigh_less_than_policy_words() -> None:
    lexicon = {"krijgen": 5.72, "mensen": 6.21, "werkloosheidsuitkering": 2.2}
    assert word_weight("werkloosheidsuitkering", lexicon=lexicon) == 1.0
    assert word_weight("Krijgen", lexicon=lexicon) < 0.6  # lower-cased first
    assert word_weight("mensen", lexicon=lexicon) < word_weight("krijgen", lexicon=lexicon)
    assert word_weight("vogelaarwijken", lexicon=lexicon) == 1.0
    # The real list (wordfreq) knows the everyday words.
    assert word_weight("mensen") < word_weight("winkeliers") == 1.0


def test_coverage_counts_an_item_for_its_weight() -> None:
    ranked = [(10.0, 0), (10.0, 1)]
    # Items: a common word (in 0), two rare words (one in 1, one in both).
    coverage = [0b01, 0b10, 0b11]
    plain = matching.rerank(ranked, coverage)
    assert [d for _, d in plain] == [0, 1]  # two items each: the tie stays
    # Two rare words beat a rare and a common one.
    weighted = matching.rerank(ranked, coverage, weights=[0.3, 1.0, 1.0])
    assert [d for _, d in weighted] == [1, 0]
    assert weighted[0][0] > weighted[1][0] > 10.0
    # Equal weights are the plain count.
    assert matching.rerank(ranked, coverage, weights=[0.5, 0.5, 0.5]) == plain


@pytest.fixture(scope="module")
def everyday(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    root = tmp_path_factory.mktemp("woorden")
    corpus = make_corpus(
        root,
        {
            "rapport.txt": "Rapport over werk\n\n"
            f"Steeds meer mensen krijgen hulp van een buurtcoach in hun eigen straat. {_REST}\n\n"
            "Het aantal huishoudens met kwijtschelding van de gemeentelijke belastingen steeg"
            f" licht. {_REST}\n",
        },
    )
    return SearchEngine(build_index(corpus, root / "data"))


def test_a_question_is_about_its_informative_words(
    everyday: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Krijgen meer mensen kwijtschelding?"
    first = everyday.search(question).hits[0]
    assert "kwijtschelding" in first.text
    # Without the weights the passage sharing the two everyday words comes first.
    monkeypatch.setattr(compiler, "WEIGH_ITEMS", "")
    assert "krijgen hulp" in everyday.search(question).hits[0].text


def test_the_weights_multiply_the_words_scores(everyday: SearchEngine) -> None:
    idx = everyday._current()
    comp = QueryCompiler(idx.analyzer, idx.searcher().reader())
    comp.compile(parse_query("Krijgen mensen een werkloosheidsuitkering?"))
    assert comp.item_boosts == comp.item_weights
    krijgen, mensen, uitkering = comp.item_boosts
    assert uitkering == 1.0 and mensen < krijgen < 1.0
    assert f"boost={krijgen}" in repr(comp.items[0])


def test_a_thesaurus_phrase_is_matched_on_the_question_as_typed(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "de goede kant op" loses "de" and "op" when the question is reduced to its content;
    # the thesaurus still finds the phrase in the words as typed and searches its terms.
    from kennisbank.search.thesaurus import Thesaurus, ThesaurusGroup

    root = tmp_path_factory.mktemp("kant")
    corpus = make_corpus(
        root,
        {
            "rapport.txt": "Rapport over de wijk\n\n"
            f"Er wordt vooruitgang verwacht, meer dan twee jaar geleden. {_REST}\n\n"
            f"Aan de andere kant van het kanaal ligt een nieuwe school. {_REST}\n",
        },
    )
    group = ThesaurusGroup(
        terms=("vooruitgang",), kind="everyday", weight=0.8, everyday=("de goede kant op",)
    )
    engine = SearchEngine(build_index(corpus, root / "data"), thesaurus=Thesaurus([group]))
    question = "Denken ze dat het de goede kant op gaat?"
    parsed = parse_query(question)
    assert "op" not in str(parsed.root) and "op" in parsed.typed_words

    def found() -> bool:
        return any("vooruitgang" in hit.text for hit in engine.search(question).hits)

    assert found()
    # Without the typed words (the reduced question alone) the phrase is not found.
    monkeypatch.setattr(compiler.QueryCompiler, "_multiword_words", lambda self, g, words: words)
    assert not found()

"""Tests for kennisbank.search.spelling: "Bedoelde u …?" suggestions from the corpus vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kennisbank.search.spelling import (
    Correction,
    SpellingCorrector,
    max_edits,
    normalise_word,
    vocabulary_from_texts,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def corrector() -> SpellingCorrector:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    paragraphs = [para for text in texts for para in re.split(r"\n\s*\n", text)]
    return SpellingCorrector.from_texts(paragraphs)


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Kanaleneilnad", "kanaleneiland"),
        ("vouchersisteem", "vouchersysteem"),
        ("Krajiceck", "krajicek"),
        ("energiebesparign", "energiebesparing"),
        ("veiligheidhuis", "veiligheidshuis"),
    ],
)
def test_typos_of_corpus_words_are_corrected(
    corrector: SpellingCorrector, typo: str, expected: str
) -> None:
    assert expected in corrector.vocabulary
    found = corrector.correct(typo)
    assert found is not None
    assert found.suggestion == expected
    assert found.word == typo
    assert found.score >= 90
    assert found.confident


@pytest.mark.parametrize(
    "word",
    [
        "Kanaleneiland",
        "bewonersparticipatie",
        "Conciërges",  # accents are folded before the lookup
        "wijk",
        "2008",
        "30995",
        "G31",
        "welke",  # stopword
        "senioren",  # a Dutch word the corpus lacks is not "corrected"
        "Heechterp",
        "",
    ],
)
def test_known_words_numbers_and_short_words_need_no_correction(
    corrector: SpellingCorrector, word: str
) -> None:
    assert corrector.correct(word) is None


def test_correct_query_replaces_only_misspelled_words(corrector: SpellingCorrector) -> None:
    text, corrections = corrector.correct_query("Heechterp Schieringen energiebesparign?")
    assert text == "Heechterp Schieringen energiebesparing?"
    assert [c.suggestion for c in corrections] == ["energiebesparing"]
    text, corrections = corrector.correct_query("Richard Krajiceck Foundation")
    assert text == "Richard Krajicek Foundation"
    assert corrector.correct_query("30 995 nr. 50") == ("30 995 nr. 50", [])


def test_weak_suggestion_is_not_confident(corrector: SpellingCorrector) -> None:
    found = corrector.correct("socail")
    assert found is not None and found.suggestion == "social"
    assert not found.confident


def test_frequent_candidate_wins_a_tie() -> None:
    corrector = SpellingCorrector({"wijken": 40, "wikken": 1}, known_zipf=None)
    found = corrector.correct("wijkken")
    assert found == Correction("wijkken", "wijken", found.score if found else 0, True)


def test_ambiguous_typo_is_not_confident() -> None:
    corrector = SpellingCorrector({"wijkteam": 5, "wijkteen": 5}, known_zipf=None)
    found = corrector.correct("wijkteel")  # one substitution from both
    assert found is not None and not found.confident


def test_rare_vocabulary_word_with_frequent_neighbour() -> None:
    # a typo in the source itself (VR2008 writes "Kraijcek" once)
    corrector = SpellingCorrector({"krajicek": 30, "kraijcek": 1}, known_zipf=None)
    found = corrector.correct("Kraijcek")
    assert found is not None and found.suggestion == "krajicek" and not found.confident
    assert SpellingCorrector({"krajicek": 3, "kraijcek": 1}).correct("kraijcek") is None


def test_helpers() -> None:
    assert normalise_word("Geïnformeerd") == "geinformeerd"
    assert vocabulary_from_texts(["De wijk, de wijk.", "Wijk 2008"]) == {"de": 1, "wijk": 2}
    assert [max_edits(n) for n in (4, 5, 6, 10, 11)] == [1, 1, 2, 2, 3]


def test_words_to_keep_are_not_corrected(corrector: SpellingCorrector) -> None:
    # "buurtagenten" is one edit-distance step from nothing useful but close to "buurtgenoten";
    # the engine passes the words its thesaurus maps (buurtagent → wijkagent) as ``keep``.
    text, corrections = corrector.correct_query("meer buurtagenten")
    assert text != "meer buurtagenten"
    assert corrector.correct_query("meer buurtagenten", keep={"Buurtagenten"}) == (
        "meer buurtagenten",
        [],
    )

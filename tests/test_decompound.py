"""Tests for kennisbank.search.decompound: splitting Dutch compounds with wordfreq's lexicon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kennisbank.search.decompound import LINKS, Decompounder, default_decompounder

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def dec() -> Decompounder:
    return default_decompounder()


@pytest.fixture(scope="module")
def corpus_words() -> set[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    return {w.lower() for w in re.findall(r"[^\W\d_]+", text)}


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("bewonersparticipatie", ["bewoners", "participatie"]),
        ("schooluitval", ["school", "uitval"]),
        ("wijkactieplannen", ["wijk", "actie", "plannen"]),
        ("gezondheidsachterstanden", ["gezondheid", "achterstanden"]),
        ("wijkagenten", ["wijk", "agenten"]),
        ("aandachtswijken", ["aandacht", "wijken"]),
        ("veiligheidshuizen", ["veiligheid", "huizen"]),
        ("energiebesparing", ["energie", "besparing"]),
        ("basisscholen", ["basis", "scholen"]),
        ("vouchersysteem", ["voucher", "systeem"]),
        ("wijkenaanpak", ["wijk", "aanpak"]),
    ],
)
def test_corpus_compounds_are_split(
    dec: Decompounder, corpus_words: set[str], word: str, parts: list[str]
) -> None:
    assert word in corpus_words
    assert dec.split(word) == parts


def test_linking_morphemes_are_recorded(dec: Decompounder) -> None:
    result = dec.analyse("gezondheidsachterstanden")
    assert result.links == ("s", "")
    assert result.is_compound
    assert dec.analyse("wijkenaanpak").links == ("en", "")


@pytest.mark.parametrize(
    "word",
    [
        "gemeente",
        "participatie",
        "bewoners",
        "verantwoordelijkheid",  # verantwoordelijk + heid: a suffix, not a part
        "samenwerking",  # lexicalised: more common than samen + werking suggests
        "uitvoering",  # particle uit + voering
        "overheid",
        "onderwijs",
        "leerlingen",
        "wijken",  # not wij + ken
        "bijvoorbeeld",
        "verstrekking",  # not vers + trekking
        "activering",  # not active + ring
        "2008",
        "g31",
    ],
)
def test_non_compounds_stay_whole(dec: Decompounder, word: str) -> None:
    assert dec.split(word) == [word]


def test_proper_names_are_kept_when_asked() -> None:
    # Kanaleneiland is a wijk in Utrecht, not a compound about "eiland": the
    # analyzer passes the registry's place names as ``keep``.
    dec = Decompounder(keep=["Kanaleneiland"])
    assert dec.split("Kanaleneiland") == ["kanaleneiland"]
    assert default_decompounder().split("kanaleneiland") == ["kanalen", "eiland"]


def test_results_are_lowercase_and_cached(dec: Decompounder) -> None:
    first = dec.analyse("Schooluitval")
    assert first.parts == ("school", "uitval")
    assert dec.analyse("schooluitval") is first


def test_custom_lexicon_and_extra_words() -> None:
    lexicon = {"wijk": 5.0, "actie": 5.0, "plan": 5.0, "plannen": 5.0, "wijkactieplan": 1.0}
    dec = Decompounder(lexicon)
    assert dec.split("wijkactieplan") == ["wijk", "actie", "plan"]
    assert Decompounder(lexicon, margin=10).split("wijkactieplan") == ["wijkactieplan"]
    assert Decompounder({"wijk": 5.0}).split("wijkteam") == ["wijkteam"]
    with_team = Decompounder({"wijk": 5.0}, extra_words=["team"], extra_zipf=4.5)
    assert with_team.split("wijkteam") == ["wijk", "team"]


def test_long_and_odd_input_is_left_alone(dec: Decompounder) -> None:
    assert dec.split("a" * 200) == ["a" * 200]
    assert dec.split("") == [""]
    assert dec.split("wijk-aanpak") == ["wijk-aanpak"]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="abcdeijklmnoprstuvwz", min_size=1, max_size=30),
        st.lists(
            st.sampled_from(["wijk", "school", "actie", "plan", "bewoners", "s", "en", "uitval"]),
            min_size=1,
            max_size=5,
        ).map("".join),
    )
)
def test_parts_rejoin_to_the_word(word: str) -> None:
    result = default_decompounder().analyse(word)
    joined = "".join(p + link for p, link in zip(result.parts, result.links, strict=True))
    assert joined == word.lower()
    assert all(link in ("", *LINKS) for link in result.links)
    assert abs(len("".join(result.parts)) - len(word)) <= 2 * (len(result.parts) - 1)

"""Tests for the Dutch analyzer (kennisbank.search.whoosh_backend.analysis) and the
language helpers (kennisbank.search.language): stopwords and stemming."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

from kennisbank.search.language import (
    STEM_OVERRIDES_FILE,
    fold,
    query_terms,
    stem,
    stem_overrides,
    stopwords,
)
from kennisbank.search.whoosh_backend.analysis import (
    analyze,
    analyze_positions,
    dutch_analyzer,
    plain_dutch_chain,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def corpus_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


def grouped(text: str, mode: str = "index") -> dict[int, list[str]]:
    """Terms by position."""
    out: dict[int, list[str]] = {}
    for pos, term in analyze_positions(text, mode=mode):  # type: ignore[arg-type]
        out.setdefault(pos, []).append(term)
    return out


# ---------------------------------------------------------------- tokens
def test_spaced_and_compact_dossier_numbers_share_terms() -> None:
    # VR2008: "(TK, 2007-2008, 30 995, nr. 49)"; refs also write 30995.
    spaced = grouped("30 995, nr. 49")
    assert spaced[0] == ["30995", "30", "995"]
    assert spaced[1] == ["nr"] and spaced[2] == ["49"]
    assert set(analyze("30995")) == {"30995", "30", "995"}
    assert analyze("30 995", mode="query") == ["30995"]


def test_kamerstuk_identifier_is_one_token_with_parts() -> None:
    terms = grouped("kst-30995-78")
    assert list(terms) == [0]
    assert terms[0][0] == "kst-30995-78"
    assert {"kst", "30995", "78"} <= set(terms[0])
    assert analyze("kst-30995-78", mode="query") == ["kst-30995-78"]


def test_group_codes_plus_and_amounts() -> None:
    # VR2010: "verdeling bewonersbudgetten ... G31/40+"; VR2008: "€ 7,8 miljoen".
    assert analyze("G31/40+", mode="query") == ["g31", "40+"]
    assert "40" in analyze("40+ wijken")
    assert analyze("€ 5.000", mode="query") == ["5000"]
    assert analyze("60.000 mensen", mode="query")[0] == "60000"
    assert analyze("€ 7,8 miljoen", mode="query") == ["7,8", "miljoen"]


def test_hyphenated_word_keeps_whole_and_parts_at_one_position(corpus_text: str) -> None:
    assert "leer-werkplekken" in corpus_text
    terms = grouped("leer-werkplekken")
    assert list(terms) == [0]
    assert terms[0][0] == stem("leer-werkplekken") == "leer-werkplek"
    assert {stem("leer"), stem("werkplekken"), stem("leerwerkplekken")} <= set(terms[0])
    assert analyze("leer-werkplekken", mode="query") == ["leer-werkplek"]


def test_s_gravenhage_and_plural_apostrophe() -> None:
    terms = grouped("'s-Gravenhage")
    assert terms[0][0] == "s-gravenhag"
    assert stem("gravenhage") in terms[0]
    assert analyze("’s-Gravenhage", mode="query") == analyze("'s-Gravenhage", mode="query")
    assert analyze("thema’s", mode="query") == analyze("thema", mode="query")


def test_elided_compound_hyphen_is_dropped() -> None:
    # VR2010: "jeugd- en zorginstanties"
    assert analyze("jeugd- en zorginstanties", mode="query") == ["jeugd", "zorginstantie"]


def test_accent_folding() -> None:
    assert fold("geïnformeerd") == "geinformeerd"
    assert analyze("geïnformeerd") == analyze("geinformeerd")
    assert analyze("conciërges") == analyze("concierges")
    assert analyze("474 conciërges in de G4", mode="query") == ["474", "concierg", "g4"]


# ---------------------------------------------------------------- stopwords
def test_question_words_are_stopwords_domain_words_are_not() -> None:
    stops = stopwords()
    for word in ("hoeveel", "welke", "wat", "wie", "waar", "hoe", "de", "het", "niet", "geen"):
        assert word in stops
    for word in ("wijk", "wijken", "werk", "werken", "wonen", "buurt", "stad", "nr", "willen"):
        assert word not in stops
    terms = analyze("Hoeveel bewoners van krachtwijken sporten niet?", mode="query")
    assert terms == ["bewoner", "krachtwijk", "sport"]


def test_stopwords_take_no_position_so_phrases_match() -> None:
    # VR2008: het project 'Scoren door Scholing'
    assert analyze_positions("Scoren door Scholing", mode="query") == [
        (0, "scor"),
        (1, "scholing"),
    ]


def test_stopword_file_is_folded_lowercase() -> None:
    for word in stopwords():
        assert word == fold(word).lower() and word.strip() == word and word


# ---------------------------------------------------------------- stemming
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("gemeente", "gemeenten"),
        ("wijk", "wijken"),
        ("school", "scholen"),
        ("stad", "steden"),
        ("kind", "kinderen"),
        ("corporatie", "corporaties"),
        ("voortgangsrapportage", "voortgangsrapportages"),
        ("conciërge", "conciërges"),
        ("overheid", "overheden"),
    ],
)
def test_inflections_share_a_stem(a: str, b: str) -> None:
    assert analyze(a, mode="query") == analyze(b, mode="query")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("overheid", "over"),
        ("ouderen", "ouders"),
        ("steden", "steeds"),
        ("wet", "weten"),
        ("middelbare", "middelen"),
        ("zone", "zon"),
        ("leden", "lijden"),
    ],
)
def test_overrides_keep_unrelated_words_apart(a: str, b: str) -> None:
    assert stem(fold(a)) != stem(fold(b))


def test_stem_override_file_is_well_formed() -> None:
    payload = json.loads(STEM_OVERRIDES_FILE.read_text(encoding="utf-8"))
    assert payload["entities"] == []  # kennisbank.registry reads every data/*.json
    for group in payload["overrides"]:
        assert group["stem"] and group["words"] and group["why"]
    assert stem_overrides()["overheden"] == "overheid"


def test_digits_and_codes_are_not_stemmed() -> None:
    assert stem("2008") == "2008"
    assert stem("g31") == "g31"


# ---------------------------------------------------------------- compounds
@pytest.mark.parametrize(
    ("query", "compound"),
    [
        ("participatie", "bewonersparticipatie"),
        ("wijkagent", "wijkagenten"),
        ("gezondheidsachterstand", "gezondheidsachterstanden"),
        ("uitval", "schooluitval"),
    ],
)
def test_query_word_finds_compound(query: str, compound: str, corpus_text: str) -> None:
    assert compound in corpus_text.lower()
    (term,) = analyze(query, mode="query")
    assert term in analyze(compound)
    # the query side never adds parts
    assert analyze(compound, mode="query") == [stem(compound)]


def test_compound_parts_share_the_position() -> None:
    terms = grouped("Aanval op schooluitval")
    assert terms == {0: ["aanval"], 1: ["schooluitval", "schol", "uitval"]}


def test_decompound_can_be_switched_off() -> None:
    analyzer = dutch_analyzer(decompound=False)
    assert [t.text for t in analyzer("schooluitval")] == ["schooluitval"]
    assert analyze("schooluitval", decompound=False) == ["schooluitval"]


def test_place_names_are_not_split() -> None:
    assert analyze("Kanaleneiland") == ["kanaleneiland"]


def test_bad_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        analyze("wijk", mode="zoek")  # type: ignore[arg-type]


# ---------------------------------------------------------------- Whoosh
def test_analyzer_pickles() -> None:
    analyzer = dutch_analyzer()
    again = pickle.loads(pickle.dumps(analyzer))
    assert again == analyzer
    text = "Bewonersparticipatie in 30 995"
    assert [t.text for t in again(text)] == [t.text for t in analyzer(text)]


def test_index_roundtrip_with_open_dir(tmp_path: Path) -> None:
    schema = Schema(id=ID(stored=True), text=TEXT(analyzer=dutch_analyzer(), stored=True))
    ix = index.create_in(tmp_path, schema)
    writer = ix.writer()
    writer.add_document(id="a", text="Het project 'Scoren door Scholing' in 's-Gravenhage.")
    writer.add_document(id="b", text="TK, 2007-2008, 30 995, nr. 49 over bewonersparticipatie.")
    writer.add_document(id="c", text="Aanval op schooluitval en leer-werkplekken, € 5.000.")
    writer.commit()
    ix.close()

    reopened = index.open_dir(str(tmp_path))
    parser = QueryParser("text", reopened.schema)
    expected = {
        '"scoren door scholing"': ["a"],
        "Gravenhage": ["a"],
        "participatie": ["b"],
        '"30 995" nr 49': ["b"],
        "30995": ["b"],
        "uitval": ["c"],
        "werkplekken": ["c"],
        '"leer-werkplekken"': ["c"],
        "5.000": ["c"],
    }
    with reopened.searcher() as searcher:
        for text, ids in expected.items():
            hits = searcher.search(parser.parse(text))
            assert sorted(hit["id"] for hit in hits) == ids, text
    reopened.close()


# ---------------------------------------------------------------- properties
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200), st.sampled_from(["index", "query"]))
def test_analyzer_never_raises_and_tokens_are_nonempty(text: str, mode: str) -> None:
    positions = analyze_positions(text, mode=mode)  # type: ignore[arg-type]
    for pos, term in positions:
        assert term and term.strip() == term
        assert pos >= 0
    assert [p for p, _ in positions] == sorted(p for p, _ in positions)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["wijk", "30 995", "leer-werkplekken", "de", "G31", "40+", "€ 5.000", "’s-Gravenhage"]
        ),
        max_size=12,
    )
)
def test_query_mode_gives_at_most_one_term_per_position(words: list[str]) -> None:
    positions = [p for p, _ in analyze_positions(" ".join(words), mode="query")]
    assert len(positions) == len(set(positions))


# ---------------------------------------------------------------- memoised analyzer
def _tokens(analyzer: object, text: str, **kwargs: object) -> list[tuple[object, ...]]:
    return [
        (
            t.text,
            getattr(t, "pos", None),
            getattr(t, "startchar", None),
            getattr(t, "endchar", None),
        )
        for t in analyzer(text, **kwargs)  # type: ignore[operator]
    ]


_OPTIONS = [
    {"positions": True, "chars": True, "mode": "index"},
    {"positions": True, "mode": "index"},
    {"positions": True, "chars": True, "mode": "index", "start_pos": 7, "start_char": 100},
    {"positions": True, "chars": True, "mode": "query"},
    {"positions": True, "mode": "index", "removestops": False},
    {"mode": "index"},
]


@pytest.mark.parametrize("decompound", [True, False])
def test_memoised_analyzer_gives_the_chain_output_on_the_corpus(
    corpus_text: str, decompound: bool
) -> None:
    """Per-word memoising (and whole-value caching) changes no term, position or offset."""
    memoised = dutch_analyzer(decompound=decompound)
    plain = plain_dutch_chain(decompound=decompound)
    blocks = [b for b in corpus_text.split("\n\n") if b.strip()]
    assert len(blocks) > 300
    blocks = blocks if decompound else blocks[::4]
    for options in [_OPTIONS[0], *_OPTIONS]:  # the first options twice: on warm caches
        for block in blocks:
            assert _tokens(memoised, block, **options) == _tokens(plain, block, **options)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=120)
    | st.lists(
        st.sampled_from(
            [
                "de",
                "Wijk",
                "30 995",
                "leer-werkplekken",
                "’s-Gravenhage",
                "40+",
                "€ 5.000",
                "schooluitval",
                "thema's",
                "G31",
                "kst-30995-78",
                "Kanaleneiland",
                "het",
                "-",
                "’S-GRAVENHAGE",
                "'S-Hertogenbosch",
                "İstanbul",
                "ΟΔΟΣ ΣΑΣ",
            ]
        ),
        max_size=10,
    ).map(" ".join),
    st.sampled_from(_OPTIONS),
)
def test_memoised_analyzer_equals_the_chain_on_any_text(text: str, options: dict) -> None:
    analyzer = _SHARED_MEMOISED
    assert _tokens(analyzer, text, **options) == _tokens(_SHARED_PLAIN, text, **options)


_SHARED_MEMOISED = dutch_analyzer()
_SHARED_PLAIN = plain_dutch_chain()


def test_memoised_analyzer_pickles_without_its_caches(corpus_text: str) -> None:
    analyzer = dutch_analyzer()
    empty = len(pickle.dumps(analyzer))
    list(analyzer(corpus_text, positions=True, chars=True, mode="index"))
    assert len(pickle.dumps(analyzer)) == empty
    again = pickle.loads(pickle.dumps(analyzer))
    assert again == analyzer and again.has_morph()
    text = corpus_text[:2000]
    assert _tokens(again, text, positions=True, mode="index") == _tokens(
        plain_dutch_chain(), text, positions=True, mode="index"
    )


# -- the whoosh-free query terms (kennisbank.search.language.query_terms) ------------------------


def test_query_terms_equal_the_analyzer_in_query_mode(corpus_text: str) -> None:
    """The thesaurus stems terms without Whoosh: the same terms as the analyzer's query mode,
    on every line of the corpus."""
    for line in corpus_text.splitlines()[:4000]:
        assert query_terms(line) == analyze(line, mode="query"), line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("aeiouéëïnstrkwlp -'’+0123456789.,\u00a0ÀSΣ"), max_size=60))
def test_query_terms_equal_the_analyzer_on_any_text(text: str) -> None:
    assert query_terms(text) == analyze(text, mode="query")

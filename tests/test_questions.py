"""Questions reduced to their content, answer-type hints, informal spelling, the answering
sentence (kennisbank.search.questions, the rerank, kennisbank.search.snippets, the web)."""

from __future__ import annotations

import html
import json

import pytest
from flask.testing import FlaskClient

from kennisbank.search import SearchEngine
from kennisbank.search.query import Group, Or, Word, parse_query
from kennisbank.search.questions import (
    QUESTION_WORDS_FILE,
    answer_evidence,
    answer_type,
    apostrophe_plural,
    query_words,
    question_words,
)
from kennisbank.search.snippets import answer_sentence, sentences
from kennisbank.search.whoosh_backend import matching
from tests.conftest import make_corpus
from tests.test_searchindex import build_index

# -- question frames -----------------------------------------------------------------------------


def test_particles_and_frame_words_leave_a_question() -> None:
    parsed = parse_query("Komen er nou echt meer buurtagenten bij?")
    assert parsed.question
    assert parsed.root == Group((Word("Komen"), Word("meer"), Word("buurtagenten")))
    assert {"nou", "echt", "er", "bij"} <= set(parsed.removed)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Tot wanneer loopt die wijkenaanpak eigenlijk?", ["Tot", "loopt", "wijkenaanpak"]),
        ("Klopt het dat er meer buurtagenten komen", ["meer", "buurtagenten", "komen"]),
        ("Wat vond de minister van het SP-plan?", ["minister", "SP-plan"]),
        ("hoe kan ik als bewoner geld krijgen", ["als", "bewoner", "geld", "krijgen"]),
        ("Denken de bewoners dat het beter gaat?", ["bewoners", "beter"]),
        ("Zijn er gewoon meer banen in m'n wijk?", ["meer", "banen", "wijk"]),
    ],
)
def test_question_frames_are_reduced_to_content_words(text: str, kept: list[str]) -> None:
    parsed = parse_query(text)
    assert parsed.question
    assert [w.text for w in parsed.words()] == kept


def test_a_query_of_keywords_is_untouched() -> None:
    parsed = parse_query("echt gewoon wonen")
    assert not parsed.question and parsed.removed == ()
    assert [w.text for w in parsed.words()] == ["echt", "gewoon", "wonen"]


def test_a_question_of_only_frame_words_keeps_them() -> None:
    parsed = parse_query("Hoe zit dat nou?")
    assert parsed.root is not None and parsed.removed == ()


def test_every_filler_category_names_its_source() -> None:
    data = json.loads(QUESTION_WORDS_FILE.read_text(encoding="utf-8"))
    for category in data["filler_categories"]:
        assert category["source"] and category["words"]
    for part in ("question_openings", "answer_types", "answer_evidence"):
        assert data[part]["source"]
    assert all(rule["source"] for rule in data["spelling"].values())
    assert question_words().fillers


# -- answer types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hoeveel procent van de bewoners sport?", "amount"),
        ("hoe vaak komt de wijkagent langs", "amount"),
        ("Welk percentage van de jongeren werkt?", "amount"),
        ("In hoeveel krachtwijken wonen migranten?", "amount"),
        ("Wie betaalt de buurtconciërge?", "who"),
        ("Bij wie kan ik terecht?", "who"),
        ("Tot wanneer loopt de wijkenaanpak?", "when"),
        ("Sinds wanneer bestaat het wijkbudget?", "when"),
        ("Hoe lang loopt de wijkenaanpak nog?", "when"),
        ("In welk jaar begon de wijkenaanpak?", "when"),
        ("Vanaf welk jaar krijgen de wijken geld?", "when"),
        ("Per wanneer gaat de heffing in?", "when"),
        ("Binnen hoeveel jaar moeten de wijken bijgetrokken zijn?", "amount"),
        ("Hoe duur is een buurtconciërge?", "amount"),
        ("Welke partijen betalen mee?", "who"),
        ("Waar kan ik hulp krijgen?", "where"),
        ("Is er een plek waar ik hulp kan krijgen?", None),  # relative 'waar'
        ("wijkbudget Utrecht", None),
    ],
)
def test_answer_types(text: str, kind: str | None) -> None:
    assert parse_query(text).answer_type == kind
    if parse_query(text).question:
        assert answer_type(query_words(text)) == kind


def test_answer_evidence_of_passages() -> None:
    assert answer_evidence("Het aandeel steeg tot 12%.", set()) == {"amount"}
    assert answer_evidence("Er kwamen twintig agenten bij.", set()) == {"amount"}
    assert answer_evidence("Dit loopt tot 2018.", set()) == {"when"}  # a year is no amount
    assert answer_evidence("Sinds maart is het zo.", set()) == {"when"}
    assert answer_evidence("De corporaties betalen.", {"organisatie"}) == {"who"}
    assert answer_evidence("In de wijk.", {"wijk", "gemeente"}) == {"where"}
    assert answer_evidence("Geen antwoord hier.", set()) == frozenset()


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("De corporaties dragen € 250 miljoen per jaar bij.", {"amount"}),
        ("Dat gold voor 319 van de 500 bewoners.", {"amount"}),
        ("Er zijn tientallen initiatieven gestart.", {"amount"}),
        ("De extra inzet loopt tot 2015 – 2017.", {"when"}),
        # a duration answers 'hoe lang' / 'tot wanneer' (and holds a number)
        ("De wijken moeten binnen 8 tot 10 jaar bijgetrokken zijn.", {"amount", "when"}),
        ("Het convenant geldt voor tien jaar.", {"amount", "when"}),
        ("De regeling geldt per 1 januari.", {"amount", "when"}),
        ("Per jaar komt er geld bij.", set()),  # a unit of time without a number
    ],
)
def test_answer_evidence_of_amounts_dates_and_durations(text: str, kinds: set[str]) -> None:
    assert answer_evidence(text, set()) == kinds


def test_the_answer_bonus_raises_a_hit_but_filters_none() -> None:
    ranked = [(10.0, 1), (9.5, 2), (9.0, 3)]
    out = matching.rerank(ranked, [], answers=lambda d: d == 2)
    assert [d for _, d in out] == [2, 1, 3]
    assert matching.rerank(ranked, []) == ranked
    assert matching.rerank(ranked, [], answers=lambda d: False) == ranked


# -- informal spelling ---------------------------------------------------------------------------


def test_apostrophe_plurals_are_searched_in_both_forms() -> None:
    assert apostrophe_plural("babys") == "baby's"
    assert apostrophe_plural("autos") == "auto's"
    assert apostrophe_plural("huis") is None  # two vowels: no plural of 'hui'
    assert apostrophe_plural("bus") is None  # too short
    parsed = parse_query("babys te vroeg geboren")
    assert parsed.root is not None
    assert parsed.root.children[0] == Or((Word("babys"), Word("baby's")))
    assert parsed.respelled == ("babys → baby's",)


def test_a_split_pronominal_adverb_at_the_end_is_joined() -> None:
    parsed = parse_query("Verschuiven de problemen naar de buurten er naast?")
    assert [w.text for w in parsed.words()][-1] == "ernaast"
    inside = parse_query("Is er in Arnhem een plek?")  # 'er in' inside the question: not joined
    assert "erin" not in [w.text for w in inside.words()]


def test_contractions_are_written_out() -> None:
    parsed = parse_query("m'n wijk en z'n buurt")
    assert [w.text for w in parsed.words()] == ["mijn", "wijk", "en", "zijn", "buurt"]


# -- the answering sentence ----------------------------------------------------------------------


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = "Zie Kamerstukken II, nr. 5 voor o.a. de cijfers. Daarna volgt meer.\n• een punt"
    assert [text[s:e] for s, e in sentences(text)] == [
        "Zie Kamerstukken II, nr. 5 voor o.a. de cijfers.",
        "Daarna volgt meer.",
        "• een punt",
    ]


def test_the_answering_sentence_weighs_rare_terms_and_prefers_short() -> None:
    text = "De wijk kreeg geld. In de wijk kwamen buurtagenten. De wijk en de buurtagenten."
    hits = [
        (m, m + len(w), t)
        for w, t in (("wijk", "wijk"), ("buurtagenten", "buurtagent"))
        for m in _all(text, w)
    ]
    weights = {"wijk": 0.1, "buurtagent": 3.0}
    answer = answer_sentence(text, hits, weights)
    assert answer is not None and answer.text == "De wijk en de buurtagenten."
    assert text[answer.start : answer.end] == answer.text
    assert answer_sentence(text, [], weights) is None


def _all(text: str, word: str) -> list[int]:
    found, i = [], text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


_REST = (
    "Zij lopen dagelijks rond door straten, pleinen en parken, kennen winkeliers, scholen en "
    "verenigingen, houden spreekuur in het buurthuis en melden overlast direct bij de gemeente."
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    root = tmp_path_factory.mktemp("vragen")
    corpus = make_corpus(
        root,
        {
            # Long enough (over 20 indexed words) that the fragment factor leaves them alone.
            "a.txt": f"Buurtagenten\n\nIn de wijk kwamen veel nieuwe buurtagenten bij. {_REST}\n",
            "b.txt": f"Buurtagenten\n\nIn de wijk kwamen 25 nieuwe buurtagenten bij. {_REST}\n",
            "c.txt": "Wijkbudget\n\nHet geld gaat naar de wijk. Bewoners beslissen zelf over "
            "het wijkbudget voor hun straat. Zo werkt het.\n",
        },
    )
    return SearchEngine(build_index(corpus, root / "data"))


def test_a_how_many_question_prefers_a_passage_with_an_amount(small: SearchEngine) -> None:
    first = small.search("Hoeveel buurtagenten kwamen er in de wijk bij?").hits[0]
    assert "25" in first.text
    plain = small.search("buurtagenten wijk kwamen").hits[0]  # no question: no hint
    assert "25" not in plain.text


def test_hits_carry_their_answering_sentence(small: SearchEngine) -> None:
    hit = small.search("Wie beslist over het wijkbudget?").hits[0]
    assert hit.answer is not None
    assert hit.answer.text == "Bewoners beslissen zelf over het wijkbudget voor hun straat."
    assert hit.text[hit.answer.start : hit.answer.end] == hit.answer.text
    assert hit.to_dict()["answer"]["text"] == hit.answer.text
    assert small.search("wijkbudget", snippets=False).hits[0].answer is None


def test_the_web_shows_the_answer_escaped(client: FlaskClient) -> None:
    data = client.get("/api/search?q=Tot+wanneer+loopt+de+wijkenaanpak%3F").get_json()
    hit = next(h for h in data["hits"] if h.get("answer"))
    answer = hit["answer"]
    assert hit["text"][answer["start"] : answer["end"]] == answer["text"]
    page = client.get("/?q=Tot+wanneer+loopt+de+wijkenaanpak%3F").get_data(as_text=True)
    assert '<mark class="antwoord">' in page
    assert html.escape(answer["text"], quote=False) in page.replace("&#39;", "'")


def test_a_prefix_query_gets_its_answering_sentence(small: SearchEngine) -> None:
    """Whoosh expands a prefix to bytes terms; mixed with str terms the answering sentence
    could not sort its spans and the search failed with an internal error (Hypothesis:
    ``WIJK%WI*``)."""
    result = small.search("wijkbudget wijkbud*")  # one span, matched by both
    assert not any("ging iets mis" in note for note in result.notes)
    hit = result.hits[0]
    assert hit.answer is not None and "wijkbudget" in hit.answer.text

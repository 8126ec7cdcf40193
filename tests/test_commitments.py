"""Tests for indexer.knowledge.commitments on the real corpus (VR2008's toezeggingen, VR2010).

The list of toezeggingen of VR2008 and the commitments in VR2010.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from indexer.knowledge.commitments import (
    commitment_cue,
    commitment_id,
    find_commitments,
    parse_date,
)
from kennisbank.model import Commitment, Passage
from tests.test_link import corpus_mentions, corpus_passages, passage_with


@lru_cache(maxsize=1)
def corpus_commitments() -> tuple[Commitment, ...]:
    """The commitments of the corpus."""
    return tuple(find_commitments(corpus_passages(), corpus_mentions()))


def commitment_starting(prefix: str) -> Commitment:
    """The one corpus commitment whose text starts with ``prefix``."""
    hits = [c for c in corpus_commitments() if c.text.startswith(prefix)]
    assert len(hits) == 1, f"{len(hits)} commitments start with {prefix!r}"
    return hits[0]


def commitment_containing(sentence: str) -> Commitment:
    """The one corpus commitment whose text contains ``sentence`` (whitespace-normalised).

    The corpus sometimes lacks a full stop ("... aan te vragen Verder is er een
    toezegging ..."), so a commitment can be longer than the sentence we quote.
    """
    wanted = " ".join(sentence.split())
    hits = [c for c in corpus_commitments() if wanted in " ".join(c.text.split())]
    assert len(hits) == 1, f"{len(hits)} commitments contain {sentence!r}"
    return hits[0]


# --------------------------------------------------------------------------- VR2008 list
TOEZEGGINGEN_2008 = [
    ("Jaarlijkse voortgangsrapportages in het najaar", "2008-07-01", ["kst-30995-50"]),
    (
        "U via deze voortgangsrapportage te informeren over de betrokkenheid",
        "2008-03-19",
        ["kst-30995-43"],
    ),
    ("U van meer informatie te voorzien over de experimenten", "2008-03-19", []),
    ("U nader te informeren over het vouchersysteem", "2008-05-14", []),
    ("U nader te informeren over de in gang gezette activiteiten", "2008-05-14", []),
    ("U te informeren over groen en sportvoorziening", "2008-05-20", []),
    ("U een overzicht geven van de maatregelen", "2008-06-20", ["kst-30995-49", "kst-30995-45"]),
    ("U nader te informeren over de kwaliteitskaart", "2008-05-09", ["kst-30995-45"]),
    ("Een reactie te geven op het SP-rapport", None, []),
]


@pytest.mark.parametrize(("prefix", "iso_date", "refs"), TOEZEGGINGEN_2008)
def test_each_item_of_the_2008_list_is_a_commitment(
    prefix: str, iso_date: str | None, refs: list[str]
) -> None:
    item = commitment_starting(prefix)
    passage = passage_with("Jaarlijkse voortgangsrapportages in het najaar over de stand van zaken")
    assert item.passage_id == passage.id
    assert passage.text[item.start : item.end] == item.text
    assert "toegezegd" in item.cue
    assert item.date == iso_date
    assert item.refs == refs
    assert item.vergaderjaar == ("2007-2008" if refs else None)


def test_the_2008_list_gives_one_commitment_per_item() -> None:
    passage = passage_with("Jaarlijkse voortgangsrapportages in het najaar over de stand van zaken")
    items = [c for c in corpus_commitments() if c.passage_id == passage.id]
    assert len(items) == len(TOEZEGGINGEN_2008) == passage.text.count("•")
    assert all(not c.text.startswith("•") for c in items)
    intro = commitment_starting("Met deze voortgangsrapportage kom ik tegemoet aan de volgende")
    assert intro.cue == "toezeggingen"


def test_vr2010_intro_takes_its_refs_from_the_footnote() -> None:
    item = commitment_starting("Met deze Voortgangsrapportage Wijkeraanpak 2010 wordt voldaan")
    assert item.cue == "toezeggingen"
    assert item.refs == ["kst-30995-78"]
    assert item.vergaderjaar == "2009-2010"
    assert item.date is None


# --------------------------------------------------------------------------- cues
@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        (
            "Ik heb u toegezegd u via deze voortgangsrapportage uitgebreid te informeren over de "
            "experimenten.",
            "toegezegd",
        ),
        (
            "Zoals u toegezegd treft u bij deze voortgangsrapportage een overzicht aan van de "
            "belangrijkste maatregelen uit de wijkactieplannen (wap’s) die op lokaal niveau zijn "
            "opgesteld door gemeente, bewoners, corporaties en professionals uit de wijken.",
            "Zoals u toegezegd",
        ),
        (
            "Verder is er een toezegging gedaan om een overzicht te leveren over welke partijen "
            "gebruik maken van de subsidiepot voor zwerfafval.",
            "toezegging",
        ),
        (
            "In de voortgangsrapportage van 2011 wordt u nader geïnformeerd.",
            "wordt u nader geïnformeerd",
        ),
        (
            "Uw kamer wordt periodiek geïnformeerd over de voortgang.",
            "Uw kamer wordt periodiek geïnformeerd",
        ),
        (
            "In de voortgangsrapportage 2009 zal ik u uitgebreid informeren omtrent de stand van "
            "zaken van de preventiewijken.",
            "zal ik u uitgebreid informeren",
        ),
        ("Bij de rapportage over 2009 zal ik uitgebreid op deze opgaven terugkomen.", "zal ik"),
        (
            "Ik zal me samen met het ministerie van VWS inzetten voor de versterking van de "
            "welzijnssector in de 40 Krachtwijken.",
            "Ik zal",
        ),
        (
            "Staatssecretaris Bussemaker van VWS en ik hebben afgesproken dat we ons "
            "gezamenlijk zullen inzetten voor de versterking van de welzijnssector in de 40 "
            "Krachtwijken via het experiment Vernieuwend Welzijn.",
            "we ons gezamenlijk zullen",
        ),
        (
            "Dit najaar zult u een brief ontvangen over deze problematiek van de ministers van "
            "BZK, Justitie, Jeugd en Gezin en mijzelf.",
            "zult u",
        ),
        (
            "De minister van VWS zal als eerst verantwoordelijke voor dit programma de Kamer "
            "hierover informeren en daarmee een reactie geven op de motie-Dijsselbloem (TK "
            "2009-2010, 32 123 XVIII, nr.41).",
            "zal … Kamer hierover informeren",
        ),
    ],
)
def test_commitment_sentences(sentence: str, cue: str) -> None:
    assert commitment_cue(sentence) == cue
    assert commitment_containing(sentence).cue == cue


@pytest.mark.parametrize(
    "sentence",
    [
        # third parties' future is not a commitment of the government
        "Eind 2008 zal Rotterdam voor een aantal thema’s outcomedoelstellingen op gebiedsniveau "
        "formuleren.",
        "De analyse van het NSOB zal dit najaar worden afgerond.",
        "Het platform zal gemeenten ondersteunen bij het opzetten en uitvoeren van de experimenten",
        "Het Jeugd Sportfonds is een partner in de wijkenaanpak en zal de komende jaren haar "
        "bijdrage leveren om meer kinderen wiens ouders het lidmaatschap van de sportvereniging "
        "niet kunnen betalen toe te leiden naar de sport.",
        "Een commissie onder leiding van de heer Doekle Terpstra (voorzitter HBO-raad), zal mij "
        "advies uitbrengen over de plannen die voor een honorering in aanmerking komen.",
        # a forecast, an opinion and an impersonal passive
        "De bestuurlijke boete zal naar verwachting begin 2009 in werking treden.",
        "Ik ben ervan overtuigd dat de wijkenaanpak alleen succesvol zal zijn als de bewoners een "
        "centrale rol vervullen in de verbetering van hun wijk.",
        "Daarnaast zal de doorzettingsmacht van gemeenten worden versterkt.",
        # informing that has already happened
        "U bent daar bij brief van 7 juli 2010 uitgebreid over geïnformeerd².",
        "De Tweede Kamer is hierover in juni jl. bij brief nader geïnformeerd (TK 2007-2008, "
        "30995.47).",
        "Minister Klink heeft u juli 2008 geïnformeerd over de hoofdlijnen van zijn beleid gericht "
        "op het verminderen van gezondheidsachterstanden.",
    ],
)
def test_sentences_that_are_not_commitments(sentence: str) -> None:
    assert commitment_cue(sentence) is None
    wanted = " ".join(sentence.split())
    assert not [c for c in corpus_commitments() if wanted in " ".join(c.text.split())]


def test_synthetic_third_party_and_first_person() -> None:
    assert commitment_cue("Het CBS zal de cijfers in het voorjaar publiceren.") is None
    assert commitment_cue("Ik zeg u toe dat de Kamer de cijfers ontvangt.") == "Ik zeg u toe"
    assert commitment_cue("Het kabinet zal de Kamer voor de zomer een brief sturen.") == (
        "Het kabinet zal"
    )
    assert commitment_cue("Ik denk dat het zal lukken.") is None


# --------------------------------------------------------------------------- fields
def test_reported_commitment_with_a_date_in_a_footnote() -> None:
    item = commitment_starting("In het Algemeen Overleg van 24 juni 2008 is uw Kamer toegezegd")
    assert item.date == "2008-06-24"
    assert item.cue == "toegezegd"


def test_refs_and_entities_of_a_sentence() -> None:
    item = commitment_starting("De minister van VWS zal als eerst verantwoordelijke")
    assert item.refs == ["kst-32123-XVIII-41"]
    assert item.vergaderjaar == "2009-2010"
    assert "organisatie/vws" in item.entities
    welzijn = commitment_starting("Ik zal me samen met het ministerie van VWS inzetten")
    assert welzijn.entities == ["organisatie/vws"]


def test_ids_are_stable_unique_and_spans_match() -> None:
    again = find_commitments(corpus_passages(), corpus_mentions())
    assert [c.id for c in again] == [c.id for c in corpus_commitments()]
    assert len({c.id for c in again}) == len(again)
    by_id = {p.id: p for p in corpus_passages()}
    for item in again:
        assert by_id[item.passage_id].text[item.start : item.end] == item.text
        assert item.id == commitment_id(item.passage_id, item.start, item.end)
        assert item.document_id == by_id[item.passage_id].document_id


def _passages_with_notes() -> list[Passage]:
    text = "Het rapport is verschenen¹. Ik zal u over de uitkomsten informeren²."
    notes = [
        ("n1", "1", "Tweede Kamer, vergaderjaar 2008 – 2009, 30 995, nr. 81"),
        ("n2", "2", "Tweede Kamer, vergaderjaar 2009 – 2010, 30 995, nr. 78"),
    ]
    main = Passage("p", "doc", 0, "paragraph", [], text, 0, len(text), notes=["n1", "n2"])
    return [main] + [
        Passage(pid, "doc", i + 1, "footnote", [], body, 0, len(body), cited_by=["p"], label=label)
        for i, (pid, label, body) in enumerate(notes)
    ]


def test_only_the_footnote_the_sentence_cites_counts() -> None:
    [item] = find_commitments(_passages_with_notes())
    assert item.text == "Ik zal u over de uitkomsten informeren²."
    assert item.refs == ["kst-30995-78"]
    assert item.vergaderjaar == "2009-2010"


def test_refs_by_passage_are_used_for_footnotes() -> None:
    [item] = find_commitments(_passages_with_notes(), refs_by_passage={"n2": ["kst-30995-79"]})
    assert item.refs == ["kst-30995-79"]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        (
            "zoals toegezegd in mijn brief van 19 maart 2008,(kamerstuk 2007-2008, 30995, 43).",
            "2008-03-19",
        ),
        ("tijdens het AO voortgang wijkenaanpak van 14 mei 2008.", "2008-05-14"),
        (
            "Om dit proces te bevorderen introduceer ik per 1-1-2009 een participatiebonus.",
            "2009-01-01",
        ),
        ("tijdens de Algemeen Politieke Beschouwingen van afgelopen september.", None),
        ("Minister Klink heeft u juli 2008 geïnformeerd", None),
        ("een datum die niet bestaat: 31 februari 2008", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_date_after_the_cue_wins() -> None:
    text = "Op 1 juli 2008 meldde ik dat, zoals toegezegd in de brief van 9 mei 2008, ..."
    assert parse_date(text, text.index("zoals")) == "2008-05-09"
    assert parse_date(text) == "2008-07-01"


def test_items_of_an_announced_list_need_no_cue_of_their_own() -> None:
    intro = "Met deze brief kom ik tegemoet aan de volgende toezeggingen:"
    items = (
        "• een overzicht van de experimenten (kamerstuk 2007-2008, 30995, nr. 50)\n• een reactie"
    )
    note = "Een voetnoot zonder verwijzing."
    passages = [
        Passage("a", "doc", 0, "paragraph", ["1. Inleiding"], intro, 0, len(intro)),
        Passage("f", "doc", 1, "footnote", ["1. Inleiding"], note, 0, len(note), label="1"),
        Passage("b", "doc", 2, "list", ["1. Inleiding"], items, 0, len(items)),
    ]
    found = find_commitments(passages)
    assert [(c.passage_id, c.text, c.cue, c.refs) for c in found] == [
        ("a", intro, "toezeggingen", []),
        (
            "b",
            "een overzicht van de experimenten (kamerstuk 2007-2008, 30995, nr. 50)",
            "toezeggingen",
            ["kst-30995-50"],
        ),
        ("b", "een reactie", "toezeggingen", []),
    ]
    # without the announcement, list items need their own cue
    assert [c.passage_id for c in find_commitments(passages[1:])] == []


def test_cue_prefilter_never_changes_a_verdict() -> None:
    """The cheap word check in front of the cue patterns only skips sentences that no
    pattern matches: same verdict as trying every pattern, on every corpus sentence."""
    import re
    from pathlib import Path

    from indexer.knowledge.commitments import _CUES, _find_cue

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n\s*\n", text) if s.strip()]
    sentences += ["De Kamer wordt in het voorjaar GEÏNFORMEERD.", "ZULT U dat doen?"]
    assert len(sentences) > 1000
    cued = 0
    for sentence in sentences:
        direct = next((p.search(sentence) for p in _CUES if p.search(sentence)), None)
        found = _find_cue(sentence)
        assert (found is None) == (direct is None), sentence
        cued += found is not None
    assert cued >= 30  # the corpus does hold commitments: the check is not vacuous

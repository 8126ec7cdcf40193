"""Entity recognition (indexer.knowledge.nlp / .extract) on real sentences and the whole corpus."""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training import Example

from benchmarks.extract_bench import benchmark_extraction, main
from indexer.knowledge.extract import (
    PARALLEL_MIN_PASSAGES,
    EntityExtractor,
    parallel_processes,
    usable_cpus,
)
from indexer.knowledge.nlp import (
    build_nlp,
    lemma_lookups,
    name_variants,
    registry_patterns,
)
from indexer.knowledge.persons import person_id
from indexer.knowledge.rules import COMPASS_WORDS
from indexer.knowledge.settings import RecognitionSettings
from indexer.parsers.text import build_vocabulary, parse_text
from indexer.segment import segment
from kennisbank.model import Mention, Passage
from kennisbank.registry import GENERIC_WORDS, Registry, normalise

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DOC_2008 = "voortgangsrapportage-wijkenaanpak-2008"
DOC_2010 = "voortgangsrapportage-wijkenaanpak-2010"


@cache
def _texts() -> dict[str, str]:
    return {
        name: (CORPUS / f"{name}.txt").read_text(encoding="utf-8") for name in (DOC_2008, DOC_2010)
    }


@cache
def _passages() -> tuple[Passage, ...]:
    texts = _texts()
    vocabulary = build_vocabulary(list(texts.values()))
    passages: list[Passage] = []
    for name, text in texts.items():
        parsed = parse_text(text, vocabulary=set(vocabulary), name=f"{name}.txt")
        passages.extend(segment(name, parsed.blocks).passages)
    return tuple(passages)


@cache
def _squashed_corpus() -> str:
    """The corpus files and their passages, with all whitespace runs as one space."""
    raw = [" ".join(text.split()) for text in _texts().values()]
    return "\n".join([*raw, *(" ".join(p.text.split()) for p in _passages())])


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load()


@pytest.fixture(scope="module")
def extractor(registry: Registry) -> EntityExtractor:
    return EntityExtractor(registry)


@pytest.fixture(scope="module")
def corpus_mentions(extractor: EntityExtractor) -> list[Mention]:
    return extractor.extract(_passages())


def _ids(extractor: EntityExtractor, text: str) -> set[str]:
    return {m.entity_id for m in extractor.recognise(text)}


# --------------------------------------------------------------------------- real sentences
SENTENCES: list[tuple[str, str, set[str], set[str]]] = [
    (
        DOC_2008,
        "Amersfoort bijvoorbeeld heeft in de wijk de Kruiskamp inmiddels op verzoek van bewoners "
        "twee buurttoezichtteams aangesteld en twee extra surveillanten.",
        {"gemeente/amersfoort", "wijk/amersfoort-de-kruiskamp"},
        set(),
    ),
    (
        DOC_2008,
        "Samen met staatssecretaris Bussemaker zet ik mij via het experiment Vernieuwend Welzijn "
        "in om de welzijnssector in de Krachtwijken te versterken.",
        {"persoon/bussemaker", "experiment/vernieuwend-welzijn"},
        set(),
    ),
    (
        DOC_2008,
        "In de wijk Hatert in Nijmegen wordt dat gedaan door de Stichting OntmoetPLanB die het "
        "project “wereldvrouwen”is gestart.",
        {"wijk/nijmegen-hatert", "gemeente/nijmegen"},
        {"buurt/nijmegen-hatert"},
    ),
    (
        DOC_2008,
        "Daarnaast is Staatssecretaris Heemskerk ambassadeur van de krachtwijken Transvaal in Den "
        "Haag en Nieuwland in Schiedam.",
        {
            "persoon/heemskerk",
            "wijk/den-haag-transvaal",
            "gemeente/den-haag",
            "wijk/schiedam-nieuwland",
            "gemeente/schiedam",
        },
        set(),
    ),
    (
        DOC_2008,
        "De vijf Betaald Voetbal Organisaties zijn FC Twente, NEC, NAC Breda, FC Utrecht en "
        "Vitesse Arnhem.",
        set(),
        {"gemeente/utrecht", "gemeente/arnhem", "gemeente/breda"},
    ),
    (
        DOC_2008,
        "De stichting Vitesse Betrokken, ROC Rijn IJssel en de gemeente Arnhem hebben het "
        "initiatief genomen tot het project ‘Scoren door Scholing’.",
        {"gemeente/arnhem"},
        set(),
    ),
    (
        DOC_2008,
        "Het Haags Economisch interventieteam (HEIT) zal actief worden in drie krachtwijken "
        "(Stationswijk, Schilderswijk en – met hercontroles - in Transvaal).",
        {
            "gemeente/den-haag",
            "wijk/den-haag-stationsbuurt",
            "wijk/den-haag-schilderswijk",
            "wijk/den-haag-transvaal",
        },
        set(),
    ),
    (
        DOC_2008,
        "In de Haagse wijk Schilderswijk heeft de Kamer van Koophandel een wijkvestiging geopend.",
        {"gemeente/den-haag", "wijk/den-haag-schilderswijk", "partner/kamers-van-koophandel"},
        set(),
    ),
    (
        DOC_2008,
        "In Den Haag is in de wijk Zuidwest het voormalig bejaardentehuis ‘Vijverzicht’ "
        "herontwikkeld voor het project Mixxin.",
        {"gemeente/den-haag", "wijk/den-haag-zuid-west"},
        set(),
    ),
    (
        DOC_2008,
        "In de wijk Heechterp-Schieringen in Leeuwarden is SenterNovem met veel enthousiasme aan "
        "de slag gegaan ten behoeve van energiebesparing.",
        {
            "wijk/leeuwarden-heechterp-schieringen",
            "gemeente/leeuwarden",
            "organisatie/senternovem",
        },
        {"buurt/leeuwarden-schieringen"},
    ),
    (
        DOC_2008,
        "Zaanstad is in de wijk Poelenburg gestart met het experiment ‘gezonde wijk’.",
        {"gemeente/zaanstad", "wijk/zaanstad-poelenburg", "experiment/gezonde-wijk"},
        set(),
    ),
    (
        DOC_2008,
        "Dordrecht zet in Wielwijk en Crabbehof extra toezicht in rond de sloop- en bouwprojecten.",
        {"gemeente/dordrecht", "wijk/dordrecht-wielwijk-crabbehof"},
        set(),
    ),
    (
        DOC_2008,
        "In de Utrechtse wijk Kanaleneiland worden sinds mei van dit jaar 10 straatcoaches "
        "ingezet om overlast van jongeren te voorkomen en bestrijden.",
        {"gemeente/utrecht", "wijk/utrecht-kanaleneiland"},
        set(),
    ),
    (
        DOC_2008,
        "De Nationale Jeugdraad gaat in Dordrecht Wielwijk-Crabbehof en Rotterdam Overschie Pimp "
        "my Block uitvoeren.",
        {
            "partner/nationale-jeugdraad",
            "wijk/dordrecht-wielwijk-crabbehof",
            "wijk/rotterdam-overschie",
        },
        {"gemeente/dordrecht", "gemeente/rotterdam"},
    ),
    (
        DOC_2008,
        "De Richard Kraijcek Foundation: is reeds in 23 wijken actief of in gesprek.",
        {"partner/richard-krajicek-foundation"},
        set(),
    ),
    (
        DOC_2008,
        "VanHarte Resto heeft in 7 krachtwijken restaurants geopend.",
        {"partner/van-harte-resto"},
        set(),
    ),
    (
        DOC_2008,
        "Het Waarborgfonds Eigen Woningen heeft een speelhuis gedoneerd in Heechterp/Schieringen "
        "(Leeuwarden, de Schilderswijk (Den Haag en in Utrecht Overvecht).",
        {
            "partner/stichting-waarborgfonds-eigen-woningen",
            "wijk/leeuwarden-heechterp-schieringen",
            "gemeente/leeuwarden",
            "wijk/den-haag-schilderswijk",
            "gemeente/den-haag",
            "wijk/utrecht-overvecht",
        },
        set(),
    ),
    (DOC_2008, "Experiment 2: Bewonersparticipatie", {"experiment/bewonersparticipatie"}, set()),
    (
        DOC_2008,
        "Bewonersparticipatie is een centraal thema in de wijkenaanpak en staat hoog op de agenda "
        "van gemeenten, corporaties, de Tweede Kamer en WWI.",
        {"organisatie/wwi"},
        {"experiment/bewonersparticipatie"},
    ),
    (
        DOC_2008,
        "Via de € 95 miljoen bewonersbudgetten (2008-2011) en het experiment Bewonersparticipatie "
        "ondersteun ik gemeenten en bewoners in deze zoektocht.",
        {"experiment/bewonersparticipatie"},
        set(),
    ),
    (
        DOC_2008,
        "Amsterdam bijvoorbeeld, dat met uitzondering van Transvaal, slecht scoort heeft sindsdien "
        "buurtuitvoeringsplannen opgesteld samen met bewoners en heeft in elk stadsdeel een "
        "trekker voor bewonersparticipatie aangesteld.",
        {"gemeente/amsterdam"},
        {"wijk/den-haag-transvaal", "experiment/bewonersparticipatie"},
    ),
    (
        DOC_2008,
        "Op 21 oktober jl. heb ik in Nieuwspoort het rapport van de Tilburgse School voor Politiek "
        "en Bestuur in ontvangst genomen, getiteld ‘Aandacht voor bewonersparticipatie’.",
        {"organisatie/tspb"},
        {"gemeente/tilburg", "experiment/bewonersparticipatie"},
    ),
    (
        DOC_2008,
        "De Universiteit Tilburg voert het onderzoek uit met de Universiteit Delft (OTB), Nicis en "
        "de gemeenten Den Haag (trekker namens de steden), Amsterdam, Leeuwarden, Zwolle en "
        "Schiedam en WWI.",
        {
            "organisatie/nicis",
            "gemeente/den-haag",
            "gemeente/amsterdam",
            "gemeente/leeuwarden",
            "gemeente/zwolle",
            "gemeente/schiedam",
            "organisatie/wwi",
        },
        {"gemeente/tilburg", "gemeente/delft"},
    ),
    (
        DOC_2008,
        "De bewoners van Den Haag Zuidwest zijn binnenkort drie 'zelfgemaakte' straatbanken "
        "rijker.",
        {"wijk/den-haag-zuid-west"},
        {"gemeente/den-haag"},
    ),
    (
        DOC_2008,
        "Op verzoek van de bewoners heeft stadsdeel Oost-Watergraafsmeer in samenwerking met "
        "welzijnsorganisatie Dynamo, DWI, CWI en UWV een wijkwerkwinkel ontwikkeld.",
        {"partner/cwi", "partner/uwv"},
        {"wijk/amsterdam-oost", "wijk/gouda-oost"},
    ),
    (
        DOC_2008,
        "De pilot met buurtsignaal in Eindhoven Woensel West strekt tot voorbeeld.",
        {"wijk/eindhoven-woensel-west"},
        set(),
    ),
    (
        DOC_2008,
        "Er zijn samen met de gemeenten zeven thema’s benoemd waarop de komende jaren wordt "
        "geëxperimenteerd: samenhang in de wijk, bewonersparticipatie, slagkracht in de wijk, "
        "achter de voordeur, terugdringen bureaucratie, gezonde wijk en vernieuwend welzijn.",
        {
            "experiment/samenhang-in-de-wijk",
            "experiment/bewonersparticipatie",
            "experiment/slagkracht-in-de-wijk",
            "experiment/achter-de-voordeur",
            "experiment/weg-met-bureaucratie",
            "experiment/gezonde-wijk",
            "experiment/vernieuwend-welzijn",
        },
        set(),
    ),
    (
        DOC_2008,
        "Het topteam – bestaande uit de heren H. Dijkstal, J. Mans – brengt samen met de gemeente "
        "de oorzaken en gevolgen van krimp voor o.a. deze regio in beeld.",
        {"persoon/dijkstal", "persoon/mans"},
        set(),
    ),
    (
        DOC_2008,
        "Gemeenten zijn veelal huiverig om de Wet Bijzondere maatregelen grootstedelijke "
        "problematiek (Rotterdamwet) te gebruiken.",
        set(),
        {"gemeente/rotterdam"},
    ),
    (
        DOC_2008,
        "Het beklinken van de vitale coalitie staat gepland op woensdag 19 november in de "
        "krachtwijk Stationsbuurt waarbij zowel Minister Vogelaar van WWI als Minister Klink van "
        "VWS aanwezig zullen zijn.",
        {
            "wijk/den-haag-stationsbuurt",
            "persoon/vogelaar",
            "organisatie/wwi",
            "persoon/klink",
            "organisatie/vws",
        },
        set(),
    ),
    (
        DOC_2010,
        "Mijn voorganger oud-minister Van der Laan heeft de stad vanuit het rijk ondersteuning "
        "aangeboden.",
        {"persoon/laan"},
        set(),
    ),
    (
        DOC_2010,
        "De heren Deetman en Mans werken momenteel aan een advies voor het aanpakken van de "
        "woningmarkt, het gebrek aan waardecreatie en de sociaaleconomische situatie aldaar.",
        {"persoon/deetman", "persoon/mans"},
        set(),
    ),
    (
        DOC_2010,
        "Daaruit wordt bijvoorbeeld duidelijk dat Kruiskamp in Amersfoort, de Rivierenwijk in "
        "Deventer en Velve-Lindenhof in Enschede wijken zijn die richting het stedelijk "
        "gemiddelde gaan, terwijl de verschillen in Overvecht (Utrecht) en Maastricht Noordoost "
        "zijn gegroeid.",
        {
            "wijk/amersfoort-de-kruiskamp",
            "gemeente/amersfoort",
            "wijk/deventer-rivierenwijk",
            "gemeente/deventer",
            "wijk/enschede-velve-lindenhof",
            "gemeente/enschede",
            "wijk/utrecht-overvecht",
            "gemeente/utrecht",
            "wijk/maastricht-noordoost",
        },
        set(),
    ),
    (
        DOC_2010,
        "Uitzonderingen zijn de wijken Woensel-West (Eindhoven), Meezenbroek (Heerlen) en "
        "Zuilen-Oost (Utrecht).",
        {
            "wijk/eindhoven-woensel-west",
            "gemeente/eindhoven",
            "wijk/heerlen-meezenbroek",
            "gemeente/heerlen",
            "wijk/utrecht-zuilen-oost",
            "gemeente/utrecht",
        },
        set(),
    ),
    (
        DOC_2010,
        "In Den Haag Transvaal bijvoorbeeld zijn de ontwikkelingen zo positief dat de wijk een "
        "deel van de achterstand inloopt.",
        {"wijk/den-haag-transvaal"},
        set(),
    ),
    (
        DOC_2010,
        "Er zijn momenteel teams actief in Amsterdam Osdorp, Poelenburg (Zaanstad), Klarendal "
        "(Arnhem) en Zomerzone (Haarlem).",
        {
            "gemeente/amsterdam",
            "wijk/zaanstad-poelenburg",
            "gemeente/zaanstad",
            "wijk/arnhem-klarendal",
            "gemeente/arnhem",
            "wijk/haarlem-zomerzone",
            "gemeente/haarlem",
        },
        set(),
    ),
    (
        DOC_2010,
        "FC Twente, NAC, Vitesse, NEC en FC Utrecht zijn voorlopers in deze aanpak.",
        set(),
        {"gemeente/utrecht", "gemeente/arnhem"},
    ),
    (
        DOC_2010,
        "Richard Krajicek en de Johan Cruyff Foundation leggen playgrounds²⁵ aan en Resto "
        "VanHarte gebruikt een eettafel om ontmoetingen tussen bewoners te stimuleren en "
        "bewoners uit hun isolement te halen.",
        {"partner/johan-cruyff-foundation", "partner/van-harte-resto"},
        set(),
    ),
    (
        DOC_2010,
        "Prof. dr. Evelien Tonkens van de Universiteit van Amsterdam heeft in het rapport "
        "*'Bewonersparticipatie via vouchers: democratisch en activerend?'* een evaluatie gedaan "
        "naar de eerste fase van de inzet van de extra bewonersbudgetten.",
        {"persoon/tonkens"},
        {"gemeente/amsterdam", "experiment/bewonersparticipatie"},
    ),
    (
        DOC_2010,
        "Maart 2011 wordt het experiment Samenhang in de wijk afgerond.",
        {"experiment/samenhang-in-de-wijk"},
        set(),
    ),
    (
        DOC_2010,
        "Naar aanleiding van de motie Van Gerven (september 2009) zijn nog eens 4 gemeenten - "
        "Arnhem, Dordrecht, Enschede en Nijmegen – aangesloten.",
        {
            "persoon/gerven",
            "gemeente/arnhem",
            "gemeente/dordrecht",
            "gemeente/enschede",
            "gemeente/nijmegen",
        },
        set(),
    ),
    (
        DOC_2010,
        "In de wijk Nieuwland bijvoorbeeld is het opleidingsniveau naar het gemiddelde van "
        "Schiedam gegroeid.",
        {"wijk/schiedam-nieuwland", "gemeente/schiedam"},
        set(),
    ),
    (
        DOC_2010,
        "De Tilburgse School voor Politiek en Bestuur (TSPB) van de Universiteit van Tilburg heeft "
        "afgelopen najaar in opdracht van het Landelijk Samenwerkingsverband Aandachtswijken (LSA) "
        "onderzocht in hoeverre en op welke wijze de gemeenten bewoners betrekken bij de "
        "uitvoering van de wijkaanpak.",
        {"organisatie/tspb", "partner/lsa"},
        {"gemeente/tilburg"},
    ),
]


def test_sentences_are_verbatim_from_the_corpus() -> None:
    corpus = _squashed_corpus()
    assert len(SENTENCES) >= 25
    assert {doc for doc, *_ in SENTENCES} == {DOC_2008, DOC_2010}
    for _, sentence, _, _ in SENTENCES:
        assert " ".join(sentence.split()) in corpus, sentence


@pytest.mark.parametrize(
    ("sentence", "expected", "forbidden"),
    [pytest.param(s, e, f, id=f"{d[-4:]}-{s[:40]}") for d, s, e, f in SENTENCES],
)
def test_real_sentence(
    extractor: EntityExtractor, sentence: str, expected: set[str], forbidden: set[str]
) -> None:
    found = _ids(extractor, sentence)
    assert expected <= found, f"missing {expected - found}"
    assert not forbidden & found, f"unexpected {forbidden & found}"


def test_mentions_point_into_the_text(extractor: EntityExtractor) -> None:
    for _, sentence, _, _ in SENTENCES:
        mentions = extractor.recognise(sentence)
        for m in mentions:
            assert sentence[m.start : m.end] == m.surface
        spans = sorted((m.start, m.end) for m in mentions)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


# --------------------------------------------------------------------------- variants
VARIANTS = [
    ("Richard Kraijcek Foundation", "partner/richard-krajicek-foundation"),
    ("Richard Krajicek Foundation", "partner/richard-krajicek-foundation"),
    ("Van Harte Resto", "partner/van-harte-resto"),
    ("VanHarte Resto", "partner/van-harte-resto"),
    ("Resto VanHarte", "partner/van-harte-resto"),
    ("Wielwijk-Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Wielwijk en Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Wielwijk/Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Heechterp/Schieringen", "wijk/leeuwarden-heechterp-schieringen"),
    ("Heechterp-Schieringen", "wijk/leeuwarden-heechterp-schieringen"),
    ("Woensel-West", "wijk/eindhoven-woensel-west"),
    ("Woensel West", "wijk/eindhoven-woensel-west"),
    ("Den Haag", "gemeente/den-haag"),
    ("'s-Gravenhage", "gemeente/den-haag"),
    ("’s-Gravenhage", "gemeente/den-haag"),
    ("Haagse", "gemeente/den-haag"),
    ("De Kruiskamp", "wijk/amersfoort-de-kruiskamp"),
    ("Kruiskamp", "wijk/amersfoort-de-kruiskamp"),
    ("Zuilen-Oost", "wijk/utrecht-zuilen-oost"),
    ("Zuilen Oost", "wijk/utrecht-zuilen-oost"),
]


@pytest.mark.parametrize(("surface", "entity_id"), VARIANTS)
def test_resolve_variant(extractor: EntityExtractor, surface: str, entity_id: str) -> None:
    resolved = extractor.resolve(surface)
    assert resolved is not None and resolved[0] == entity_id


@pytest.mark.parametrize(
    ("surface", "entity_id"),
    [
        ("Richard Krajcek Foundation", "partner/richard-krajicek-foundation"),
        ("Doornakers", "wijk/eindhoven-doornakkers"),
        ("Visitatiecommissie Wijkanaanpak", "organisatie/visitatiecommissie-wijkenaanpak"),
    ],
)
def test_resolve_typo_is_fuzzy(extractor: EntityExtractor, surface: str, entity_id: str) -> None:
    resolved = extractor.resolve(surface)
    assert resolved is not None
    assert resolved[:2] == (entity_id, "fuzzy")
    assert 0.9 <= resolved[2] < 1.0


def test_resolve_reports_method(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Van Harte Resto") == ("partner/van-harte-resto", "exact", 1.0)
    assert extractor.resolve("VanHarte Resto") == ("partner/van-harte-resto", "alias", 1.0)
    assert extractor.resolve("") is None


def test_fuzzy_does_not_take_derived_words(extractor: EntityExtractor) -> None:
    for word in ("Rotterdamwet", "Amsterdammers", "Bijlmermeer", "Transvaalbuurtje"):
        assert extractor.resolve(word) is None, word


def test_fuzzy_threshold_is_a_setting(registry: Registry) -> None:
    strict = EntityExtractor(registry, RecognitionSettings(fuzzy_threshold=99.5))
    assert strict.resolve("Richard Krajcek Foundation") is None
    assert strict.resolve("Richard Kraijcek Foundation") is not None  # registry alias


# --------------------------------------------------------------------------- disambiguation
@pytest.mark.parametrize(
    ("text", "entity_id"),
    [
        ("Gouda Oost", "wijk/gouda-oost"),
        ("Delfzijl Noord", "wijk/delfzijl-noord"),
        ("Amsterdam Oost", "wijk/amsterdam-oost"),
        ("Maastricht Noordoost", "wijk/maastricht-noordoost"),
        ("Leerdam West", "wijk/leerdam-west"),
        ("Rotterdam Noord", "wijk/rotterdam-noord"),
        ("Den Haag Zuid-West", "wijk/den-haag-zuid-west"),
    ],
)
def test_compass_wijk_with_its_gemeente(
    extractor: EntityExtractor, text: str, entity_id: str
) -> None:
    mentions = extractor.recognise(f"De aanpak in {text} loopt goed.")
    assert [m.entity_id for m in mentions] == [entity_id]
    assert mentions[0].surface == text


@pytest.mark.parametrize("word", ["Oost", "Noord", "West", "Zuid", "Noordoost", "Zuidwest"])
def test_bare_compass_word_is_never_a_wijk(extractor: EntityExtractor, word: str) -> None:
    assert extractor.resolve(word) is None
    for text in (word, f"De aanpak in {word} loopt goed.", f"{word} is een windrichting."):
        assert _ids(extractor, text) == set(), text


def test_compass_word_in_context(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Oost", "Gouda Oost")[0] == "wijk/gouda-oost"  # type: ignore[index]
    assert extractor.resolve("Noord", "Delfzijl Noord")[0] == "wijk/delfzijl-noord"  # type: ignore[index]
    text = "In Den Haag is in de wijk Zuidwest een project gestart."
    assert _ids(extractor, text) == {"gemeente/den-haag", "wijk/den-haag-zuid-west"}
    assert _ids(extractor, "In de wijk Zuidwest is een project gestart.") == set()


@pytest.mark.parametrize(
    ("text", "surface", "entity_id", "rule"),
    [
        (
            "In Amsterdam heeft stadsdeel Oost een loket.",
            "Oost",
            "wijk/amsterdam-oost",
            "stadsdeel X",
        ),
        ("Het plan voor Delfzijl-Noord is klaar.", "Delfzijl-Noord", "wijk/delfzijl-noord", "Y-X"),
        ("Het plan voor Gouda Oost is klaar.", "Gouda Oost", "wijk/gouda-oost", "Y X"),
        ("Gouda | Oost", "Oost", "wijk/gouda-oost", "Y | X"),
        ("Noordoost | Smallingerland", "Noordoost", "buurt/smallingerland-noordoost", "X | Y"),
        (
            "De Oosterparkbuurt in Groningen",
            "Oosterparkbuurt",
            "buurt/groningen-oosterparkbuurt",
            "X in Y",
        ),
        (
            "Het Oosterparkbuurt-project in Groningen loopt.",
            "Oosterparkbuurt",
            "buurt/groningen-oosterparkbuurt",
            "gemeente in zin",
        ),
        (
            "De Rotterdamse wijken Oud Zuid, West en Noord krijgen geld.",
            "Noord",
            "wijk/rotterdam-noord",
            "de Y-se wijk X",
        ),
        (
            "In Den Haag is in de wijk Zuidwest iets gestart.",
            "Zuidwest",
            "wijk/den-haag-zuid-west",
            "wijk X",
        ),
    ],
)
def test_context_rules(
    extractor: EntityExtractor, text: str, surface: str, entity_id: str, rule: str
) -> None:
    found = [(m.surface, m.entity_id, m.method, m.rule) for m in extractor.recognise(text)]
    assert (surface, entity_id, "context", rule) in found
    assert extractor.resolve("Oosterparkbuurt") is None  # two gemeenten, no context


def test_empty_and_table_passages(extractor: EntityExtractor) -> None:
    assert extractor.extract([_passage("", [])]) == []
    assert extractor.extract([_passage("a | b\n | Oost", [], kind="table")]) == []


def test_utrecht_gemeente_club_and_wijken(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Utrecht") == ("gemeente/utrecht", "exact", 1.0)
    assert extractor.resolve("FC Utrecht") is None
    assert extractor.resolve("Utrecht", "FC Utrecht won gisteren.") is None
    assert _ids(extractor, "FC Utrecht won gisteren.") == set()
    text = "In Utrecht lopen projecten in Overvecht, Kanaleneiland en Zuilen-Oost."
    assert _ids(extractor, text) == {
        "gemeente/utrecht",
        "wijk/utrecht-overvecht",
        "wijk/utrecht-kanaleneiland",
        "wijk/utrecht-zuilen-oost",
    }


def test_vitesse_is_not_arnhem(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Vitesse") is None
    assert extractor.resolve("Vitesse", "Arnhem: Vitesse Betrokken") is None
    mentions = extractor.recognise("Arnhem: Vitesse Betrokken")
    assert [(m.surface, m.entity_id) for m in mentions] == [("Arnhem", "gemeente/arnhem")]
    assert _ids(extractor, "Gedurende het project speelt Vitesse Arnhem thuis.") == set()


def test_transvaal_is_not_transvaalbuurt(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Transvaal") == ("wijk/den-haag-transvaal", "exact", 1.0)
    assert extractor.resolve("Transvaalbuurt")[0] == "buurt/amsterdam-transvaalbuurt"  # type: ignore[index]
    found = _ids(extractor, "In de Transvaalbuurt en op het Krugerplein wordt gebouwd.")
    assert "wijk/den-haag-transvaal" not in found


@pytest.mark.parametrize(
    ("text", "is_experiment"),
    [
        ("Experiment 2: Bewonersparticipatie", True),
        (
            "Ad b. Het experiment Bewonersparticipatie is bedoeld om gemeenten te ondersteunen.",
            True,
        ),
        ("Zo werkt het experiment bewonersparticipatie.", True),
        ("Bewonersparticipatie is immers een peiler onder de wijkenaanpak.", False),
        ("Het gaat goed met bewonersparticipatie in de wijken.", False),
        ("Een trekker voor Bewonersparticipatie is aangesteld.", False),
    ],
)
def test_bewonersparticipatie_only_near_experiment(
    extractor: EntityExtractor, text: str, is_experiment: bool
) -> None:
    assert ("experiment/bewonersparticipatie" in _ids(extractor, text)) is is_experiment


def test_gemeente_is_never_itself_a_wijk(extractor: EntityExtractor) -> None:
    assert extractor.resolve("Amsterdam") == ("gemeente/amsterdam", "exact", 1.0)
    assert extractor.resolve("Amsterdam Noord") == ("wijk/amsterdam-noord", "alias", 1.0)
    assert extractor.resolve("Amsterdam", "Amsterdam Noord") is None
    assert _ids(extractor, "In Amsterdam Noord wordt gebouwd.") == {"wijk/amsterdam-noord"}
    assert _ids(extractor, "In Amsterdam wordt gebouwd.") == {"gemeente/amsterdam"}


def test_longest_match_wins(extractor: EntityExtractor) -> None:
    mentions = extractor.recognise("Scholen in Amsterdam Nieuw-West krijgen steun.")
    assert [(m.surface, m.entity_id) for m in mentions] == [
        ("Amsterdam Nieuw-West", "wijk/amsterdam-nieuw-west")
    ]
    mentions = extractor.recognise("In de Haagse Beemden (Breda) wordt gebouwd.")
    assert {m.entity_id for m in mentions} == {"wijk/breda-haagse-beemden", "gemeente/breda"}


@pytest.mark.parametrize(
    "word", ["wijk", "Wijk", "buurt", "Nederland", "G18", "G31", "Oost", "aandachtswijken"]
)
def test_generic_words_are_never_entities(extractor: EntityExtractor, word: str) -> None:
    assert extractor.resolve(word) is None
    assert _ids(extractor, f"Dit gaat over {word} en meer.") == set()


def test_lowercase_and_acronym_casing(extractor: EntityExtractor) -> None:
    assert _ids(extractor, "In de tas zat een boek en de transvaal stroomt.") == set()
    assert _ids(extractor, "Sittard-Geleen | TAS") >= {"wijk/sittard-geleen-tas"}


# --------------------------------------------------------------------------- persons
def test_function_titles_are_not_persons(extractor: EntityExtractor) -> None:
    for text in (
        "De minister van Justitie en de minister van Binnenlandse Zaken en Koninkrijksrelaties "
        "informeren u jaarlijks hierover.",
        "Zoals toegezegd door de minister president tijdens de Algemeen Politieke Beschouwingen.",
        "De commissie bestaat verder uit een voormalig wethouder Ruimtelijke Ordening van Arnhem.",
    ):
        assert not any(i.startswith("persoon/") for i in _ids(extractor, text)), text


def test_person_ids_and_coreference(extractor: EntityExtractor) -> None:
    assert person_id("Van der Laan") == "persoon/laan"
    assert person_id("H. Dijkstal") == "persoon/dijkstal"
    assert person_id("Liesbeth Van der Pol") == "persoon/pol"
    # one person with and without particles is one entity (issue 15)
    assert person_id("Van Heemskerk") == person_id("Heemskerk") == "persoon/heemskerk"
    found = {
        m.entity_id
        for m in extractor.recognise(
            "Staatssecretaris Heemskerk en de heer Van Heemskerk; minister Van Heemskerk."
        )
    }
    assert found == {"persoon/heemskerk"}
    text = (
        "Prof. dr. Evelien Tonkens heeft een evaluatie gedaan. Tonkens geeft aan dat bewoners "
        "een hoog kostenbewustzijn hebben."
    )
    persons = [m for m in extractor.recognise(text) if m.entity_id == "persoon/tonkens"]
    assert [(m.surface, m.method, m.rule) for m in persons] == [
        ("Evelien Tonkens", "context", "titel"),
        ("Tonkens", "context", "coreference"),
    ]


# --------------------------------------------------------------------------- thema's
def _passage(text: str, path: list[str], kind: str = "paragraph") -> Passage:
    return Passage(
        id="p1",
        document_id="d1",
        seq=0,
        kind=kind,
        section_path=path,
        text=text,
        start=0,
        end=len(text),
    )


@pytest.mark.parametrize(
    ("path", "thema"),
    [
        (["3. Werken aan zichtbare resultaten", "Wonen"], "thema/wonen"),
        (["2 ... heeft een norm, boekt en bewaakt resultaten", "Voortgang Wonen"], "thema/wonen"),
        (["2 ...", "Voortgang werk en wijkeconomie", "Box 3: Inzet op werk"], "thema/werken"),
        (["2 ...", "Voortgang leren & opgroeien"], "thema/leren-en-opgroeien"),
        (["2 ...", "Gezondheid / groen", "Box 6: Sport"], "thema/gezondheid"),
    ],
)
def test_thema_from_section(extractor: EntityExtractor, path: list[str], thema: str) -> None:
    mentions = extractor.thema_mentions(_passage("Er gebeurt veel.", path))
    hit = [m for m in mentions if m.entity_id == thema]
    assert hit and hit[0].rule == "section" and hit[0].method == "context"
    assert (hit[0].start, hit[0].end) == (0, 0)


def test_thema_section_needs_a_thema_heading(extractor: EntityExtractor) -> None:
    passage = _passage("Er gebeurt veel.", ["3. Werken aan zichtbare resultaten"])
    assert extractor.thema_mentions(passage) == []
    heading = _passage("Voortgang Veiligheid", ["2 ..."], kind="heading")
    [mention] = extractor.thema_mentions(heading)
    assert mention.entity_id == "thema/veiligheid" and mention.surface == "Voortgang Veiligheid"
    assert heading.text[mention.start : mention.end] == mention.surface


def test_thema_from_vocabulary(extractor: EntityExtractor) -> None:
    text = "De corporaties slopen oude huurwoningen en bouwen koopwoningen; de woning wordt beter."
    [mention] = extractor.thema_mentions(_passage(text, []))
    assert (mention.entity_id, mention.rule) == ("thema/wonen", "vocabulary")
    assert mention.surface == "corporaties" and 0 < mention.score <= 1
    few = _passage("De woningen en de woning zijn oud.", [])  # one word, two forms
    assert extractor.thema_mentions(few) == []


def test_thema_vocabulary_ignores_organisation_names(extractor: EntityExtractor) -> None:
    text = (
        "Partners: Convenantbureau Overgewicht, Nederlands Instituut voor Sport en Bewegen en "
        "Centrum Gezond Leven."
    )
    assert extractor.thema_mentions(_passage(text, [])) == []


# --------------------------------------------------------------------------- whole corpus
def test_corpus_has_mentions_of_every_kind(corpus_mentions: list[Mention]) -> None:
    types = {m.entity_id.split("/", 1)[0] for m in corpus_mentions}
    assert types >= {
        "gemeente",
        "wijk",
        "buurt",
        "experiment",
        "partner",
        "organisatie",
        "thema",
        "persoon",
    }
    rules = {m.rule for m in corpus_mentions if m.entity_id.startswith("thema/")}
    assert rules == {"section", "vocabulary"}


def test_forked_workers_find_the_same_mentions_in_the_same_order(
    extractor: EntityExtractor, corpus_mentions: list[Mention]
) -> None:
    # Three processes, so that each gets passages of several chunks and documents.
    assert extractor.extract(_passages(), processes=3) == corpus_mentions


def test_passages_are_shared_out_only_when_there_are_enough() -> None:
    cpus = usable_cpus()
    assert parallel_processes(10) == 1
    assert parallel_processes(PARALLEL_MIN_PASSAGES - 1) == 1
    assert parallel_processes(PARALLEL_MIN_PASSAGES * 64) == min(cpus, 64)
    assert parallel_processes(10, requested=1) == 1
    assert parallel_processes(10, requested=4) == 4  # asked for: also for few passages
    assert parallel_processes(2, requested=4) == 2  # never more processes than passages


def test_corpus_offsets_match_surfaces(corpus_mentions: list[Mention]) -> None:
    by_id = {p.id: p for p in _passages()}
    for m in corpus_mentions:
        passage = by_id[m.passage_id]
        assert m.document_id == passage.document_id
        if not (m.rule == "section" and m.start == m.end):
            assert passage.text[m.start : m.end] == m.surface
        assert m.method in {"exact", "alias", "fuzzy", "context", "harvested", "model"}
        assert 0 < m.score <= 1


def test_corpus_gemeente_mentions_have_gemeente_surfaces(
    corpus_mentions: list[Mention], registry: Registry
) -> None:
    gemeente_keys = {normalise(n) for e in registry.by_type("gemeente") for n in e.names}
    place_keys = {
        normalise(n) for t in ("wijk", "buurt") for e in registry.by_type(t) for n in e.names
    }
    for m in corpus_mentions:
        key = normalise(m.surface)
        if m.entity_id.startswith("gemeente/"):
            names = {normalise(n) for n in registry.get(m.entity_id).names}  # type: ignore[union-attr]
            assert key in names and key not in place_keys, m
        if m.entity_id.startswith("wijk/"):
            assert key not in gemeente_keys, m


def test_corpus_no_generic_or_bare_compass_surfaces(
    corpus_mentions: list[Mention], registry: Registry
) -> None:
    by_id = {p.id: p for p in _passages()}
    for m in corpus_mentions:
        if m.entity_id.startswith("thema/"):
            continue
        key = normalise(m.surface)
        assert key not in GENERIC_WORDS, m
        if key and all(w in COMPASS_WORDS for w in key.split()):
            # only by a context rule, with the wijk's gemeente named in the passage or table
            assert m.method == "context", m
            passage = by_id[m.passage_id]
            gemeente = registry.get(registry.get(m.entity_id).attributes["gemeente"])  # type: ignore[union-attr]
            names = gemeente.names  # type: ignore[union-attr]
            assert passage.kind == "table" or any(n in passage.text for n in names), m


def _named_in_text(name: str, text: str) -> bool:
    """The name occurs as a whole (not as part of a longer word or hyphenated compound)."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w]|-\w)", text) is not None


def test_corpus_finds_every_named_aandachtswijk(
    corpus_mentions: list[Mention], registry: Registry
) -> None:
    texts = _texts()
    named: set[str] = set()
    for wijk in registry.by_type("wijk"):
        if wijk.attributes.get("status") != "aandachtswijk":
            continue
        names = [n for n in wijk.names if not set(normalise(n).split()) <= COMPASS_WORDS]
        names.append(f"{wijk.attributes['gemeente_in_bron']} {wijk.name}")
        if any(_named_in_text(n, t) for n in names for t in texts.values()):
            named.add(wijk.id)
    found = {m.entity_id for m in corpus_mentions}
    assert len(named) >= 30
    assert named <= found, f"not found: {sorted(named - found)}"


def test_corpus_experiments_in_2008_chapter_5(
    corpus_mentions: list[Mention], registry: Registry
) -> None:
    chapter5 = {
        p.id
        for p in _passages()
        if p.document_id == DOC_2008 and p.section_path and p.section_path[0].startswith("5.")
    }
    found = {m.entity_id for m in corpus_mentions if m.passage_id in chapter5}
    assert {e.id for e in registry.by_type("experiment")} <= found


def test_corpus_tables(corpus_mentions: list[Mention]) -> None:
    tables = {p.id: p for p in _passages() if p.kind == "table"}
    in_tables = [(m.surface, m.entity_id) for m in corpus_mentions if m.passage_id in tables]
    for pair in [
        ("Noord", "wijk/delfzijl-noord"),
        ("Oost", "wijk/gouda-oost"),
        ("West", "wijk/leerdam-west"),
        ("Noord", "wijk/amsterdam-noord"),
        ("West", "wijk/rotterdam-west"),
        ("Noordoost", "buurt/smallingerland-noordoost"),
        ("Delfzijl-Noord", "buurt/delfzijl-delfzijl-noord"),
        ("Hatert", "buurt/nijmegen-hatert"),
        ("Oosterparkbuurt", "buurt/groningen-oosterparkbuurt"),
        ("Oosterparkbuurt", "buurt/amsterdam-oosterparkbuurt"),
    ]:
        assert pair in in_tables, pair
    ids = {e for _, e in in_tables}
    assert "wijk/nijmegen-hatert" not in ids
    # "Stationsbuurt/Rivierenwijk" in a Den Haag row is not Deventer's Rivierenwijk
    for m in corpus_mentions:
        if m.passage_id in tables and m.entity_id == "wijk/deventer-rivierenwijk":
            text = tables[m.passage_id].text
            line = text[text.rfind("\n", 0, m.start) + 1 : m.start]
            assert line.startswith("Deventer"), line


# --------------------------------------------------------------------------- pipeline
def test_build_nlp_pipeline(registry: Registry) -> None:
    nlp = build_nlp(registry)
    assert nlp.lang == "nl"
    # No component reads token.lemma_: the thema vocabulary uses the lemma table itself.
    assert nlp.pipe_names[:2] == ["sentencizer", "kb_registry_ruler"]
    assert "lemmatizer" not in nlp.pipe_names
    assert nlp.pipe_names[-1] == "kb_resolver"
    assert nlp.get_pipe_config("kb_registry_ruler")["phrase_matcher_attr"] == "LOWER"
    assert lemma_lookups().get_table("lemma_lookup").get("woningen") == "woning"
    doc = nlp("De woningen in de Utrechtse wijk Kanaleneiland.")
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("Utrechtse", "gemeente", "gemeente/utrecht"),
        ("Kanaleneiland", "wijk", "wijk/utrecht-kanaleneiland"),
    ]


def test_registry_patterns(registry: Registry) -> None:
    patterns = registry_patterns(registry)
    assert all(set(p) == {"label", "pattern", "id"} for p in patterns)
    texts = {(p["pattern"], p["id"]) for p in patterns}
    assert ("Woensel/West", "wijk/eindhoven-woensel-west") in texts
    assert ("’s-Gravenhage", "gemeente/den-haag") in texts
    assert not any(normalise(p["pattern"]) in GENERIC_WORDS for p in patterns)
    assert not any(p["id"].startswith("thema/") for p in patterns)
    assert "Woensel West" in name_variants("Woensel-West")
    assert "Holendrecht-West en Venserpolder" in name_variants("Holendrecht-West & Venserpolder")


def test_settings_defaults_and_validation() -> None:
    defaults = RecognitionSettings()
    assert (defaults.fuzzy_threshold, defaults.min_fuzzy_length) == (90.0, 6)
    assert defaults.use_statistical_model is None
    assert defaults.thema_min_words == 3
    with pytest.raises(ValueError):
        RecognitionSettings(fuzzy_threshold=0)
    with pytest.raises(ValueError):
        RecognitionSettings(min_fuzzy_length=0)


def test_missing_statistical_model_is_ignored(registry: Registry) -> None:
    settings_ = RecognitionSettings(use_statistical_model="nl_model_dat_niet_bestaat")
    nlp = build_nlp(registry, settings=settings_)
    assert "kb_statistical_ner" not in nlp.pipe_names


def test_statistical_model(tmp_path: Path, registry: Registry) -> None:
    spacy.util.fix_random_seed(0)
    trained = spacy.blank("nl")
    ner = trained.add_pipe("ner")
    data = [
        ("Jansen opende het buurthuis in de wijk.", [(0, 6, "PER")]),
        ("Gisteren sprak Jansen met Woonstichting Lieven.", [(15, 21, "PER"), (26, 46, "ORG")]),
        ("Woonstichting Lieven bouwt nieuwe woningen.", [(0, 20, "ORG")]),
        ("De bewoners vroegen Jansen om hulp.", [(20, 26, "PER")]),
        ("Het project van Woonstichting Lieven loopt goed.", [(16, 36, "ORG")]),
    ]
    for label in ("PER", "ORG"):
        ner.add_label(label)
    examples = [Example.from_dict(trained.make_doc(t), {"entities": e}) for t, e in data]
    optimizer = trained.initialize(lambda: examples)
    rng = random.Random(0)
    for _ in range(15):
        rng.shuffle(examples)
        trained.update(examples, sgd=optimizer, drop=0.0)
    trained.to_disk(tmp_path / "tiny_ner")

    settings_ = RecognitionSettings(use_statistical_model=str(tmp_path / "tiny_ner"))
    with_model = EntityExtractor(registry, settings_)
    assert "kb_statistical_ner" in with_model.nlp.pipe_names
    text = "Gisteren sprak Jansen met Woonstichting Lieven in Den Haag."
    found = {(m.surface, m.entity_id, m.method) for m in with_model.recognise(text)}
    assert ("Jansen", "persoon/jansen", "model") in found
    assert ("Woonstichting Lieven", "organisatie/woonstichting-lieven", "model") in found
    assert ("Den Haag", "gemeente/den-haag", "exact") in found  # the registry wins
    passage = _passage(text, [])
    assert {m.entity_id for m in with_model.extract([passage])} >= {"persoon/jansen"}


# --------------------------------------------------------------------------- property and bench
_NAMES = ["Den Haag", "Transvaal", "Oost", "Gouda", "Kruiskamp", "Aedes", "FC", "Utrecht", "UWV"]
_FILLER = ["in", "de", "wijk", "en", "(", ")", ",", "-", "/", "experiment", "minister", "Van"]


@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.sampled_from(_NAMES + _FILLER), min_size=1, max_size=12))
def test_property_mentions_are_consistent(extractor: EntityExtractor, words: list[str]) -> None:
    text = " ".join(words)
    mentions = extractor.recognise(text)
    spans = sorted((m.start, m.end) for m in mentions)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    for m in mentions:
        assert text[m.start : m.end] == m.surface
        assert normalise(m.surface) not in GENERIC_WORDS


def test_benchmark_function(
    tmp_path: Path, extractor: EntityExtractor, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mini.txt").write_text(
        "1. Inleiding\n\nIn de wijk Hatert in Nijmegen is een project gestart.\n",
        encoding="utf-8",
    )
    rate = benchmark_extraction(tmp_path, repeat=1, extractor=extractor)
    assert rate > 0
    assert "passages/s" in capsys.readouterr().out


def test_cli_main_prints_mentions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["Gouda Oost"]) == 0
    assert "wijk/gouda-oost" in capsys.readouterr().out


def test_shared_sample_for_the_benchmark_is_real_text(shared_data) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.extract_bench import load_shared_passages

    sample = load_shared_passages(shared_data, limit=200)
    assert len(sample) == 200
    assert all(p.text.strip() for p in sample)

"""Tests for indexer.knowledge.link: ligt_in, deelnemer and actief_in links on the real corpus."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.knowledge.context import DocumentContext
from indexer.knowledge.link import (
    LINK_TYPES,
    QUOTE_LIMIT,
    extract_links,
    index_mentions,
    make_quote,
    sentence_spans,
    stated_locations,
)
from indexer.parsers.text import build_vocabulary, parse_text
from indexer.segment import segment
from kennisbank.model import Link, Mention, Passage
from kennisbank.registry import Registry

try:  # prefer the real extractor once it exists
    from indexer.knowledge.extract import EntityExtractor
except ImportError:  # pragma: no cover - depends on the other module being present
    EntityExtractor = None

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
VR2008 = "voortgangsrapportage-wijkenaanpak-2008"
VR2010 = "voortgangsrapportage-wijkenaanpak-2010"


# --------------------------------------------------------------------------- helpers
@lru_cache(maxsize=1)
def registry() -> Registry:
    """The curated registry (loaded once; tests must not change it)."""
    return Registry.load()


@lru_cache(maxsize=1)
def corpus_passages() -> tuple[Passage, ...]:
    """The passages of the two bundled reports, in document order."""
    files = [CORPUS / f"{VR2008}.txt", CORPUS / f"{VR2010}.txt"]
    texts = [f.read_text(encoding="utf-8") for f in files]
    vocabulary = build_vocabulary(texts)
    passages: list[Passage] = []
    for path, text in zip(files, texts, strict=True):
        parsed = parse_text(text, vocabulary=vocabulary, name=path.name)
        passages.extend(segment(path.stem, parsed.blocks).passages)
    return tuple(passages)


def _names(reg: Registry) -> list[tuple[str, str]]:
    """(surface, entity id) for every name and alias; bare compass names are left out."""
    pairs = []
    for entity in reg.all():
        for name in entity.names:
            if entity.attributes.get("naam_vereist_gemeente") and name == entity.name:
                continue
            pairs.append((name, entity.id))
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def standin_mentions(passages: tuple[Passage, ...] | list[Passage], reg: Registry) -> list[Mention]:
    """Stand-in for the entity extractor: exact, case-sensitive names and aliases.

    Longest names first; a match must be a whole word and may not overlap an
    earlier (longer) match.  Every entity that has the matched surface is mentioned.
    """
    names = _names(reg)
    found: list[Mention] = []
    for passage in passages:
        taken: list[tuple[int, int]] = []
        for name, entity_id in names:
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", passage.text):
                span = (match.start(), match.end())
                if any(s < span[1] and span[0] < e and (s, e) != span for s, e in taken):
                    continue
                taken.append(span)
                found.append(
                    Mention(
                        entity_id=entity_id,
                        passage_id=passage.id,
                        document_id=passage.document_id,
                        start=span[0],
                        end=span[1],
                        surface=name,
                        method="exact",
                    )
                )
    return found


_EXTRACTORS: dict[int, tuple[Registry, object]] = {}


def find_mentions(
    passages: tuple[Passage, ...] | list[Passage],
    reg: Registry,
    contexts: dict[str, DocumentContext] | None = None,
) -> list[Mention]:
    """Mentions from the real extractor when it is importable, else from the stand-in.

    One extractor is built per registry object (building takes seconds).  ``contexts``:
    what the extractor knows about the documents beyond these passages.
    """
    if EntityExtractor is None:
        return standin_mentions(passages, reg)
    if id(reg) not in _EXTRACTORS:
        _EXTRACTORS[id(reg)] = (reg, EntityExtractor(reg))
    return list(_EXTRACTORS[id(reg)][1].extract(list(passages), contexts=contexts))


def corpus_context() -> dict[str, DocumentContext]:
    """The context of a one-passage test document whose sentence comes from the reports:
    the gemeenten the reports name (a wijk needs its gemeente in the document)."""
    named = {m.entity_id for m in corpus_mentions() if m.entity_id.startswith("gemeente/")}
    return {"test": DocumentContext(gemeenten=frozenset(named))}


@lru_cache(maxsize=1)
def corpus_mentions() -> tuple[Mention, ...]:
    """Mentions of the corpus passages."""
    return tuple(find_mentions(corpus_passages(), registry()))


@lru_cache(maxsize=1)
def corpus_links() -> tuple[Link, ...]:
    """The links of the corpus."""
    return tuple(extract_links(corpus_passages(), corpus_mentions(), registry()))


def passage_with(fragment: str) -> Passage:
    """The one corpus passage whose text contains ``fragment`` (whitespace-normalised)."""
    wanted = " ".join(fragment.split())
    hits = [p for p in corpus_passages() if wanted in " ".join(p.text.split())]
    assert len(hits) == 1, f"{len(hits)} passages contain {fragment!r}"
    return hits[0]


def one_passage(text: str, section: tuple[str, ...] = ()) -> list[Passage]:
    """A document of one paragraph passage holding ``text``."""
    return [
        Passage(
            id="p-test",
            document_id="test",
            seq=0,
            kind="paragraph",
            section_path=list(section),
            text=text,
            start=0,
            end=len(text),
        )
    ]


def links_of(kind: str, passage_id: str) -> set[tuple[str, str]]:
    """(source, target) of the corpus links of ``kind`` with ``passage_id`` as evidence."""
    return {
        (lk.source_id, lk.target_id)
        for lk in corpus_links()
        if lk.type == kind and passage_id in lk.evidence
    }


def without_gemeente(wijk_id: str) -> Registry:
    """A registry in which ``wijk_id`` has no gemeente attribute (so text patterns decide)."""
    entities = []
    for entity in registry().all():
        if entity.id == wijk_id:
            attributes = {k: v for k, v in entity.attributes.items() if k != "gemeente"}
            entity = replace(entity, attributes=attributes)
        entities.append(entity)
    return Registry(entities)


# --------------------------------------------------------------------------- all links
def test_links_are_well_formed() -> None:
    links = corpus_links()
    ids = {p.id: p for p in corpus_passages()}
    assert {lk.type for lk in links} == set(LINK_TYPES)
    assert len({(lk.type, lk.source_id, lk.target_id) for lk in links}) == len(links)
    assert list(links) == sorted(links, key=lambda lk: (lk.type, lk.source_id, lk.target_id))
    for link in links:
        assert len(link.quote) <= QUOTE_LIMIT
        assert len(set(link.evidence)) == len(link.evidence)
        assert all(pid in ids for pid in link.evidence)
        if link.origin == "text":
            assert link.evidence and link.quote
        if link.evidence and ids[link.evidence[0]].kind != "table":
            text = " ".join(ids[link.evidence[0]].text.split())
            assert link.quote.strip("…") in text


def test_link_counts_per_type() -> None:
    counts = Counter(lk.type for lk in corpus_links())
    assert counts["ligt_in"] == len(registry().by_type("wijk"))
    assert counts["deelnemer"] >= 40
    assert counts["actief_in"] >= 15


# --------------------------------------------------------------------------- ligt_in
def test_every_registry_wijk_lies_in_its_gemeente() -> None:
    mentioned = {m.entity_id for m in corpus_mentions()}
    links = {lk.source_id: lk for lk in corpus_links() if lk.type == "ligt_in"}
    for wijk in registry().by_type("wijk"):
        link = links[wijk.id]
        assert link.target_id == wijk.attributes["gemeente"]
        assert link.origin == "registry"
        assert bool(link.evidence) == (wijk.id in mentioned), wijk.id


@pytest.mark.parametrize(
    ("sentence", "wijk", "gemeente"),
    [
        (
            "In de wijk Klarendal in Arnhem is het project 100% mode opgezet om de economische "
            "functie van de wijk te versterken en woningen te verbeteren.",
            "wijk/arnhem-klarendal",
            "gemeente/arnhem",
        ),
        (
            "Uitzonderingen zijn de wijken Woensel-West (Eindhoven), Meezenbroek (Heerlen) en "
            "Zuilen-Oost (Utrecht).",
            "wijk/heerlen-meezenbroek",
            "gemeente/heerlen",
        ),
        (
            "In de Utrechtse wijk Kanaleneiland worden sinds mei van dit jaar 10 straatcoaches "
            "ingezet om overlast van jongeren te voorkomen en bestrijden.",
            "wijk/utrecht-kanaleneiland",
            "gemeente/utrecht",
        ),
        (
            "Rotterdam Overschie – Het schoolplein van basisschool De Zonnekorf is recent "
            "opgeknapt.",
            "wijk/rotterdam-overschie",
            "gemeente/rotterdam",
        ),
        (
            "Daarnaast is Staatssecretaris Heemskerk ambassadeur van de krachtwijken Transvaal in "
            "Den Haag en Nieuwland in Schiedam.",
            "wijk/schiedam-nieuwland",
            "gemeente/schiedam",
        ),
        (
            "In Poelenburg, Zaanstad, zijn de ondernemers niet goed georganiseerd.",
            "wijk/zaanstad-poelenburg",
            "gemeente/zaanstad",
        ),
    ],
)
def test_ligt_in_text_patterns(sentence: str, wijk: str, gemeente: str) -> None:
    passages = one_passage(sentence)
    mentions = index_mentions(find_mentions(passages, registry())).get("p-test", [])
    stated = {(m.entity_id, gid) for m, gid in stated_locations(passages[0], mentions, registry())}
    assert (wijk, gemeente) in stated
    assert {gid for w, gid in stated if w == wijk} == {gemeente}


def test_pattern_for_a_wijk_without_gemeente_gives_a_text_link() -> None:
    # The real extractor only knows wijken with a gemeente, so the stand-in finds them here.
    wijk = "wijk/arnhem-klarendal"
    reg = without_gemeente(wijk)
    passages = one_passage(
        "In de wijk Klarendal in Arnhem is het project 100% mode opgezet om de economische "
        "functie van de wijk te versterken en woningen te verbeteren."
    )
    links = extract_links(passages, standin_mentions(passages, reg), reg)
    found = [(lk.target_id, lk.origin, lk.evidence) for lk in links if lk.source_id == wijk]
    assert found == [("gemeente/arnhem", "text", ["p-test"])]


@pytest.mark.parametrize(
    ("sentence", "wijk"),
    [
        (
            "In Den Haag, als voorbeeld, zijn in drie van de vier achterstandswijken "
            "(Stationsbuurt, Schilderswijk en Transvaal) weinig sportvoorzieningen en in het "
            "geheel geen sportverenigingen aanwezig.",
            "wijk/den-haag-schilderswijk",
        ),
        (
            "Dit is een zin over Kanaleneiland waarin Rotterdam ook voorkomt.",
            "wijk/utrecht-kanaleneiland",
        ),
    ],
)
def test_ligt_in_needs_a_pattern(sentence: str, wijk: str) -> None:
    passages = one_passage(sentence)
    mentions = index_mentions(find_mentions(passages, registry())).get("p-test", [])
    stated = stated_locations(passages[0], mentions, registry())
    assert not [m for m, _ in stated if m.entity_id == wijk]


def test_pattern_contradicting_the_registry_is_ignored() -> None:
    # A made-up sentence; the stand-in mentions the wijk even where an extractor might not.
    passages = one_passage("Een verzonnen testzin: Kanaleneiland in Rotterdam.")
    links = extract_links(passages, standin_mentions(passages, registry()), registry())
    kanaleneiland = [lk for lk in links if lk.source_id == "wijk/utrecht-kanaleneiland"]
    assert [(lk.target_id, lk.origin, lk.evidence) for lk in kanaleneiland] == [
        ("gemeente/utrecht", "registry", ["p-test"])
    ]


def test_ligt_in_evidence_prefers_the_stating_passage() -> None:
    link = next(lk for lk in corpus_links() if lk.source_id == "wijk/arnhem-klarendal")
    stating = passage_with("In de wijk Klarendal in Arnhem is het project 100% mode opgezet")
    assert link.evidence[0] == stating.id
    assert link.quote.startswith("In de wijk Klarendal in Arnhem")
    table = passage_with("Overzicht 40+ gemeenten")
    ossenkoppelerbroek = next(
        lk for lk in corpus_links() if lk.source_id == "wijk/almelo-ossenkoppelerbroek"
    )
    assert ossenkoppelerbroek.evidence == [table.id]
    assert ossenkoppelerbroek.quote == "Almelo | Ossenkoppelerbroek"


# --------------------------------------------------------------------------- deelnemer
def test_every_deelnemer_link_is_a_curated_participant() -> None:
    for link in (lk for lk in corpus_links() if lk.type == "deelnemer"):
        experiment = registry().get(link.source_id)
        curated = {g for group in experiment.attributes["deelnemers"] for g in group["gemeenten"]}
        assert link.target_id in curated, (link.source_id, link.target_id, link.quote)


@pytest.mark.parametrize(
    ("fragment", "experiment", "expected", "absent"),
    [
        (
            "De gemeenten Arnhem, Den Haag, Eindhoven, Leeuwarden en Utrecht zijn de "
            "pilotgemeenten die deelnemen aan het experiment Vernieuwend Welzijn.",
            "experiment/vernieuwend-welzijn",
            {"arnhem", "den-haag", "eindhoven", "leeuwarden", "utrecht"},
            set(),
        ),
        (
            "Zes gemeenten doen mee aan dit experiment; Amersfoort, Amsterdam (o.v.), Den Haag, "
            "Eindhoven, Enschede, Groningen en Schiedam.",
            "experiment/bewonersparticipatie",
            {
                "amersfoort",
                "amsterdam",
                "den-haag",
                "eindhoven",
                "enschede",
                "groningen",
                "schiedam",
            },
            set(),
        ),
        (
            "De projectleiders van Jeugd en Gezin en van Wonen, Wijken Integratie zijn deelname "
            "aan dit experiment overeengekomen met Amsterdam, Enschede, Groningen, Den Haag, "
            "Eindhoven en mogelijk Gouda.",
            "experiment/achter-de-voordeur",
            {"amsterdam", "enschede", "groningen", "den-haag", "eindhoven"},
            {"gouda"},
        ),
        (
            "De deelnemende gemeenten zijn Den Haag, Utrecht, Amsterdam, Rotterdam, Eindhoven, "
            "Deventer, Heerlen, Leeuwarden en Zaanstad",
            "experiment/gezonde-wijk",
            {"den-haag", "utrecht", "amsterdam", "rotterdam", "eindhoven", "deventer", "heerlen"},
            set(),
        ),
        (
            "Het zijn Amsterdam, Den Haag, Deventer, Heerlen, Leeuwarden, Rotterdam, Utrecht en "
            "Zaanstad.",
            "experiment/gezonde-wijk",
            {"amsterdam", "den-haag", "deventer", "heerlen", "leeuwarden", "rotterdam", "utrecht"},
            set(),
        ),
        (
            "Naar aanleiding van de motie Van Gerven (september 2009) zijn nog eens 4 gemeenten - "
            "Arnhem, Dordrecht, Enschede en Nijmegen – aangesloten.",
            "experiment/gezonde-wijk",
            {"arnhem", "dordrecht", "enschede", "nijmegen"},
            set(),
        ),
        (
            "De Universiteit Tilburg voert het onderzoek uit met de Universiteit Delft (OTB), "
            "Nicis en de gemeenten Den Haag (trekker namens de steden), Amsterdam, Leeuwarden, "
            "Zwolle en Schiedam en WWI.",
            "experiment/slagkracht-in-de-wijk",
            {"den-haag", "amsterdam", "leeuwarden", "zwolle", "schiedam"},
            {"tilburg", "delft"},
        ),
        (
            "In dit traject onderzoekt het team in drie steden (Maastricht, Eindhoven en Den Haag) "
            "bevorderende factoren",
            "experiment/slagkracht-in-de-wijk",
            {"maastricht", "eindhoven", "den-haag"},
            set(),
        ),
        (
            "Alkmaar: Overkoepelende Ketenaanpak Overdie.",
            "experiment/samenhang-in-de-wijk",
            {"alkmaar"},
            set(),
        ),
        (
            "Rotterdam: Samenhangende aanpak Pleinen op Zuid.",
            "experiment/samenhang-in-de-wijk",
            {"rotterdam"},
            set(),
        ),
    ],
)
def test_deelnemer_from_participant_sentences(
    fragment: str, experiment: str, expected: set[str], absent: set[str]
) -> None:
    found = links_of("deelnemer", passage_with(fragment).id)
    targets = {t.removeprefix("gemeente/") for s, t in found if s == experiment}
    assert expected <= targets
    assert not absent & targets
    assert {s for s, _ in found} == {experiment}


@pytest.mark.parametrize(
    "fragment",
    [
        # an innovatietraject, not one of the experiments
        "In 8 gemeenten waarvan 4 met krachtwijken (Alkmaar, Leeuwarden, Schiedam en Utrecht) "
        "is een innovatietraject gestart",
        # inside an experiment's section, but no participation is stated
        "Er is reeds aansluiting gevonden met de ontwikkeling van Veilige Wijk Teams in Amsterdam "
        "en Nijmegen en Buurtpanels in Deventer.",
        "Zo heeft de gemeente Amsterdam aangegeven de regeldruk voor bedrijven te willen "
        "verminderen.",
        "Tot nu toe zijn Eindhoven, Utrecht, Schiedam, Arnhem, Maastricht, Deventer, Dordrecht, "
        "Rotterdam, Nijmegen, Zaanstad en Heerlen bezocht.",
        "Alle gemeenten met uitzondering van Amersfoort en Heerlen hebben van dit aanbod gebruik "
        "gemaakt.",
    ],
)
def test_no_deelnemer_without_participation(fragment: str) -> None:
    assert links_of("deelnemer", passage_with(fragment).id) == set()


def test_experiment_section_is_resolved_from_box_titles() -> None:
    passages = one_passage(
        "In dit traject onderzoekt het team in drie steden (Maastricht, Eindhoven en Den Haag) "
        "bevorderende factoren en beletsels.",
        section=("Voortgang Veiligheid", "Box 10: Experiment Slagkracht in de wijk"),
    )
    links = extract_links(passages, find_mentions(passages, registry()), registry())
    assert {(lk.source_id, lk.target_id) for lk in links if lk.type == "deelnemer"} == {
        ("experiment/slagkracht-in-de-wijk", "gemeente/maastricht"),
        ("experiment/slagkracht-in-de-wijk", "gemeente/eindhoven"),
        ("experiment/slagkracht-in-de-wijk", "gemeente/den-haag"),
    }


# --------------------------------------------------------------------------- actief_in
@pytest.mark.parametrize(
    ("sentence", "expected", "absent"),
    [
        (
            "De Nationale Jeugdraad gaat in Dordrecht Wielwijk-Crabbehof en Rotterdam Overschie "
            "Pimp my Block uitvoeren.",
            {
                ("partner/nationale-jeugdraad", "wijk/dordrecht-wielwijk-crabbehof"),
                ("partner/nationale-jeugdraad", "wijk/rotterdam-overschie"),
            },
            {"gemeente/dordrecht", "gemeente/rotterdam"},
        ),
        (
            "Het Waarborgfonds Eigen Woningen heeft een speelhuis gedoneerd in "
            "Heechterp/Schieringen (Leeuwarden, de Schilderswijk (Den Haag en in Utrecht "
            "Overvecht).",
            {
                (
                    "partner/stichting-waarborgfonds-eigen-woningen",
                    "wijk/leeuwarden-heechterp-schieringen",
                ),
                ("partner/stichting-waarborgfonds-eigen-woningen", "wijk/den-haag-schilderswijk"),
                ("partner/stichting-waarborgfonds-eigen-woningen", "wijk/utrecht-overvecht"),
            },
            {"gemeente/leeuwarden", "gemeente/den-haag", "gemeente/utrecht"},
        ),
        (
            "De Straatvoetbalbond heeft op 5 mei de nationale straatvoetbaldag georganiseerd in "
            "Transvaal.",
            {("partner/straatvoetbalbond-nederland", "wijk/den-haag-transvaal")},
            set(),
        ),
        (
            "In de Haagse wijk Schilderswijk heeft de Kamer van Koophandel een wijkvestiging "
            "geopend.",
            {("partner/kamers-van-koophandel", "wijk/den-haag-schilderswijk")},
            {"gemeente/den-haag"},
        ),
        (
            "Vastgoedbelang draait samen met de gemeente Den Haag een pilot in Transvaal gericht "
            "op waardestijging van het vastgoed.",
            {("partner/vastgoed-belang", "wijk/den-haag-transvaal")},
            {"gemeente/den-haag"},
        ),
        (
            "Zo bezoekt het CWI in de aandachtswijk in Maastricht kleine ondernemers in de wijk, "
            "verzorgt een adviseur in Heerlen (die zelf in de wijk woont) bemiddeling van "
            "wijkbewoners naar werk.",
            {("partner/cwi", "gemeente/maastricht"), ("partner/cwi", "gemeente/heerlen")},
            set(),
        ),
    ],
)
def test_actief_in_from_activity_sentences(
    sentence: str, expected: set[tuple[str, str]], absent: set[str]
) -> None:
    passages = one_passage(sentence)
    mentions = find_mentions(passages, registry(), corpus_context())
    links = extract_links(passages, mentions, registry())
    found = {(lk.source_id, lk.target_id) for lk in links if lk.type == "actief_in"}
    assert expected <= found
    assert not {t for _, t in found} & absent
    assert links_of("actief_in", passage_with(sentence).id) >= expected


@pytest.mark.parametrize(
    "sentence",
    [
        # a partner and a place, but no activity of the partner there
        "De commissie bestaat verder uit Sander van Bodegraven (voormalig wethouder Ruimtelijke "
        "Ordening van Arnhem), Mária van Veen (voormalig directeur Woonbond en huidig directeur "
        "Vluchtelingenwerk Amstel tot Zaan), en Lex Pouw (voormalig voorzitter Raad van Toezicht "
        "woningcorporatie Ymere).",
        # the place is part of an organisation's name
        "In opdracht van het LSA heeft de Universiteit van Tilburg de afgelopen tijd een "
        "Kwaliteitskaart Bewonersparticipatie ontwikkeld, waarmee de inzet van gemeenten in de "
        "bevordering van bewonersparticipatie zichtbaar kan worden gemaakt.",
        # no place at all
        "Zoals ook verder in deze rapportage aangegeven nemen het CWI en het UWV zeer actief deel "
        "aan de wijkenaanpak, o.a. door op gemeenteniveau afspraken te maken.",
    ],
)
def test_no_actief_in_without_activity_in_a_place(sentence: str) -> None:
    passages = one_passage(sentence)
    links = extract_links(passages, find_mentions(passages, registry()), registry())
    assert not [lk for lk in links if lk.type == "actief_in"]


def test_negated_activity_gives_no_link() -> None:
    passages = one_passage("De Nationale Jeugdraad gaat niet in Rotterdam Overschie aan de slag.")
    links = extract_links(passages, find_mentions(passages, registry()), registry())
    assert not [lk for lk in links if lk.type == "actief_in"]


# --------------------------------------------------------------------------- helpers
def test_index_mentions_drops_nested_mentions() -> None:
    passages = one_passage("Voor Utrecht Ondiep is het opgenomen in het wijkactieplan.")
    outer = Mention("wijk/utrecht-ondiep", "p-test", "test", 5, 19, "Utrecht Ondiep", "alias")
    inner = Mention("gemeente/utrecht", "p-test", "test", 5, 12, "Utrecht", "exact")
    assert index_mentions([inner, outer, outer]) == {"p-test": [outer]}
    links = extract_links(passages, [inner, outer], registry())
    link = next(lk for lk in links if lk.source_id == "wijk/utrecht-ondiep")
    assert link.evidence == ["p-test"]


@given(st.text(alphabet=st.sampled_from("ab .!?\n•-AZ1é'’"), max_size=80))
def test_sentence_spans_point_into_the_text(text: str) -> None:
    for start, end in sentence_spans(text):
        assert 0 <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()


@given(st.text(max_size=400), st.integers(min_value=20, max_value=250))
def test_make_quote_respects_the_limit(text: str, limit: int) -> None:
    quote = make_quote(text, 0, len(text), limit)
    assert len(quote) <= limit
    if len(" ".join(text.split())) <= limit:
        assert quote == " ".join(text.split())

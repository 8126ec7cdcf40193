"""Tests for indexer.knowledge.harvest_entities: bootstrapping the registry from documents."""

from __future__ import annotations

import pytest

from indexer.knowledge.harvest_entities import HarvestedEntity, harvest, slugify
from indexer.parsers.text import parse_text
from indexer.segment import segment
from kennisbank.model import Passage
from kennisbank.registry import Registry
from tests.test_link import VR2008, VR2010, corpus_passages

# A document that does not exist: a partner list with one name that is not in the
# registry, a numbered experiment that is not in the registry, and curated names.
SYNTHETIC = """Voortgangsbrief Wijkenaanpak (testdocument)

1. Inleiding

Deze tekst is voor de tests gemaakt en beschrijft geen echte gebeurtenissen.

2. De experimenten

Experiment 8: Nieuwe naam

Aan dit experiment doen twee gemeenten mee.

Experiment 6: Gezonde wijk

Het experiment loopt door.

Bijlage 1

Partners Landelijke Alliantie Krachtwijken

1. Aedes
2. Stichting Testpartner Voorbeeld
3. Nationale Jeugdraad
"""


def synthetic_passages() -> list[Passage]:
    """The passages of :data:`SYNTHETIC` as the indexer would make them."""
    parsed = parse_text(SYNTHETIC, name="testdocument.txt")
    return segment("testdocument", parsed.blocks).passages


def document(doc_id: str) -> list[Passage]:
    """The corpus passages of one document."""
    return [p for p in corpus_passages() if p.document_id == doc_id]


def by_status(items: list[HarvestedEntity], status: str, kind: str) -> list[HarvestedEntity]:
    return [i for i in items if i.status == status and i.type == kind]


# --------------------------------------------------------------------------- real corpus
def test_vr2008_partners_and_experiments_are_all_known() -> None:
    registry = Registry.load()
    size = len(registry)
    items = harvest(VR2008, document(VR2008), registry)
    partners = [i for i in items if i.type == "partner"]
    experiments = [i for i in items if i.type == "experiment"]
    assert {i.known_id for i in partners} == {e.id for e in registry.by_type("partner")}
    assert len(partners) == 62 and all(i.status == "known" for i in partners)
    assert {i.known_id for i in experiments} == {e.id for e in registry.by_type("experiment")}
    assert len(experiments) == 7 and all(i.status == "known" for i in experiments)
    assert not [i for i in items if i.status == "new"]
    assert len(registry) == size


def test_partner_items_carry_number_and_source_passage() -> None:
    items = harvest(VR2008, document(VR2008), Registry.load(), add=False)
    item = next(i for i in items if i.known_id == "partner/nationale-jeugdraad")
    source = next(p for p in corpus_passages() if p.id == item.passage_id)
    assert source.kind == "list"
    assert "36. Nationale Jeugdraad" in source.text
    assert item.entity.attributes == {
        "nummer": 36,
        "alliantie": "Landelijke Alliantie Krachtwijken",
    }
    assert item.entity.sources[0]["passage"] == item.passage_id


def test_vr2010_forty_plus_table_is_known() -> None:
    registry = Registry.load()
    items = harvest(VR2010, document(VR2010), registry)
    forty_plus = {
        e.id for e in registry.by_type("wijk") if str(e.attributes["status"]).startswith("40+")
    }
    assert len(forty_plus) == 37
    known = {i.known_id for i in by_status(items, "known", "wijk")}
    assert forty_plus <= known
    assert not [i for i in items if i.status == "new"]


def test_plain_gemeente_wijk_table_gives_candidates_only() -> None:
    registry = Registry.load()
    items = harvest(VR2010, document(VR2010), registry)
    candidates = by_status(items, "candidate", "wijk")
    assert {i.name for i in candidates} == {
        "Bijlmermeer",
        "Tarwewijk",
        "Oud Crooswijk",
        "Oude Westen",
    }
    assert {i.entity.attributes["gemeente"] for i in candidates} == {
        "gemeente/amsterdam",
        "gemeente/rotterdam",
    }
    assert all(i.id not in registry for i in candidates)
    # rows that are out of line ("| Arnhem | Klarendal | ...") are not read as wijken
    names = {i.name for i in items}
    assert not names & {"Arnhem", "Heerlen", "Utrecht", "MSP", "Klarendal", "Caumerbeek"}
    oost = next(i for i in items if i.name == "Oost/Transvaalbuurt")
    assert oost.known_id == "wijk/amsterdam-oost"


# --------------------------------------------------------------------------- synthetic
def test_new_partner_and_experiment_are_harvested_with_their_source() -> None:
    registry = Registry.load()
    passages = synthetic_passages()
    items = harvest("testdocument", passages, registry)
    new = {i.id: i for i in items if i.status == "new"}
    assert set(new) == {"partner/stichting-testpartner-voorbeeld", "experiment/nieuwe-naam"}

    partner = registry.get("partner/stichting-testpartner-voorbeeld")
    assert partner is not None and partner.origin == "harvested"
    assert partner.attributes == {"nummer": 2, "alliantie": "Landelijke Alliantie Krachtwijken"}
    source = next(p for p in passages if p.id == new[partner.id].passage_id)
    assert source.kind == "list" and "2. Stichting Testpartner Voorbeeld" in source.text
    assert partner.sources[0]["document"] == "testdocument"
    assert partner.sources[0]["passage"] == source.id

    experiment = registry.get("experiment/nieuwe-naam")
    assert experiment is not None and experiment.origin == "harvested"
    assert experiment.attributes == {"nummer": 8}
    heading = next(p for p in passages if p.id == new[experiment.id].passage_id)
    assert heading.kind == "heading" and heading.text == "Experiment 8: Nieuwe naam"
    assert registry.lookup("Nieuwe naam", "experiment") == [experiment]
    assert registry.problems() == []


def test_curated_entities_are_not_overwritten() -> None:
    registry = Registry.load()
    before = {e.id: e.to_dict() for e in registry.all()}
    items = harvest("testdocument", synthetic_passages(), registry)
    known = {i.known_id for i in items if i.status == "known"}
    assert known == {"partner/aedes", "partner/nationale-jeugdraad", "experiment/gezonde-wijk"}
    for entity_id, data in before.items():
        assert registry.get(entity_id).to_dict() == data
    # harvesting the same document again finds its own harvested entities
    again = harvest("testdocument", synthetic_passages(), registry)
    assert {i.status for i in again} == {"known"}


def test_add_false_leaves_the_registry_alone() -> None:
    registry = Registry.load()
    size = len(registry)
    items = harvest("testdocument", synthetic_passages(), registry, add=False)
    assert {i.status for i in items} == {"new", "known"}
    assert len(registry) == size


def _table(rows: list[list[str]], caption: str = "Overzicht 40+ gemeenten") -> list[Passage]:
    text = caption + "\n" + "\n".join(" | ".join(row) for row in rows)
    return [
        Passage(
            "t1", "tabel", 0, "table", ["Bijlage"], text, 0, len(text), rows=rows, caption=caption
        )
    ]


def test_forty_plus_table_rows_become_wijken_with_status() -> None:
    registry = Registry.load()
    rows = [
        ["1e tranche", "Wijk"],
        ["Almelo", "Ossenkoppelerbroek"],
        ["Zwolle", "Voorbeeldwijk"],
        ["Onbekende Plaats", "Ergens"],
        ["2e tranche", "Wijk"],
        ["Gouda", "Oost"],
    ]
    items = harvest("tabel", _table(rows), registry)
    assert [(i.name, i.status) for i in items] == [
        ("Ossenkoppelerbroek", "known"),
        ("Voorbeeldwijk", "new"),
        ("Oost", "known"),
    ]
    assert items[2].known_id == "wijk/gouda-oost"
    wijk = registry.get("wijk/zwolle-voorbeeldwijk")
    assert wijk.attributes["status"] == "40+ eerste tranche"
    assert wijk.attributes["gemeente"] == "gemeente/zwolle"
    assert registry.problems() == []


def test_table_without_status_is_not_added() -> None:
    registry = Registry.load()
    rows = [
        ["gemeente", "wijk", "project"],
        ["Zwolle", "Voorbeeldwijk", "Gebouw"],
        ["", "Diezerpoort", "x"],
    ]
    items = harvest("tabel", _table(rows, caption="Projecten"), registry)
    assert [(i.name, i.status) for i in items] == [
        ("Voorbeeldwijk", "candidate"),
        ("Diezerpoort", "known"),
    ]
    assert "wijk/zwolle-voorbeeldwijk" not in registry


def test_to_dict_has_the_summary_fields() -> None:
    [item, *_] = harvest("testdocument", synthetic_passages(), Registry.load(), add=False)
    data = item.to_dict()
    assert {"id", "type", "name", "status", "passage_id"} <= set(data)
    assert data["entity"]["origin"] == "harvested"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kunstenaars&CO", "kunstenaars-en-co"),
        ("NOC*NSF", "noc-nsf"),
        ("'s-Hertogenbosch", "s-hertogenbosch"),
        ("Instituut voor Midden- en Kleinbedrijf", "instituut-voor-midden-en-kleinbedrijf"),
        ("Jurriëngasthuis", "jurriengasthuis"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug

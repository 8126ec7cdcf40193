"""Tests for kennisbank.search.thesaurus and kennisbank/data/thesaurus.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kennisbank.registry import Registry
from kennisbank.search.thesaurus import (
    THESAURUS_FILE,
    Thesaurus,
    ThesaurusGroup,
    registry_groups,
    term_key,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return Thesaurus.load(with_registry=False)


@pytest.fixture(scope="module")
def full() -> Thesaurus:
    return Thesaurus.load()


def terms(pairs: list[tuple[str, float]]) -> list[str]:
    return [term_key(t) for t, _ in pairs]


def test_every_source_is_a_corpus_quote_or_domain_term() -> None:
    payload = json.loads(THESAURUS_FILE.read_text(encoding="utf-8"))
    assert payload["entities"] == []  # kennisbank.registry reads every data/*.json
    docs = {p.stem: p.read_text(encoding="utf-8").split("\n") for p in CORPUS.glob("*.txt")}
    for group in payload["groups"]:
        assert group["sources"], group["terms"]
        assert 0 < group["weight"] < 1
        for source in group["sources"]:
            if source == "domain term":
                continue
            lines = docs[source["document"]]
            start = source["line"] - 1
            window = re.sub(r"\s+", " ", " ".join(lines[start : start + 4]))
            assert source["quote"] in window, source
            assert source["quote"].split()[0] in lines[start], source


def test_aandachtswijk_synonyms(th: Thesaurus) -> None:
    expanded = terms(th.expand("aandachtswijken"))
    for word in ("krachtwijk", "prachtwijk", "vogelaarwijk", "probleemwijk"):
        assert word in expanded
    assert "aandachtswijk" not in expanded  # same stem: the analyzer already matches it
    assert "aandachtswijk" in terms(th.expand("Vogelaarwijken"))
    assert all(weight == 0.5 for _, weight in th.expand("krachtwijk"))


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("CJG", "Centrum voor Jeugd en Gezin"),
        ("WWI", "Wonen, Wijken en Integratie"),
        ("VROM", "Volkshuisvesting, Ruimtelijke Ordening en Milieubeheer"),
        ("UWV", "Uitvoeringsorgaan Werknemersverzekeringen"),
        ("CWI", "Centrum voor Werk en Inkomen"),
        ("LSA", "Landelijk Samenwerkingsverband Aandachtswijken"),
        ("LSA", "Landelijk Samenwerkingsverband Actieve bewoners"),
        ("BIZ", "bedrijveninvesteringszone"),
        ("VSV", "voortijdig schoolverlaten"),
        ("VSV", "voortijdig schoolverlaters"),
        ("BVO", "betaald voetbal organisatie"),
        ("WAP", "wijkactieplan"),
    ],
)
def test_abbreviations_expand_both_ways(th: Thesaurus, short: str, long: str) -> None:
    assert term_key(long) in terms(th.expand(short))
    assert term_key(short) in terms(th.expand(long))


def test_lookup_ignores_case_accents_and_punctuation(th: Thesaurus) -> None:
    assert th.expand("cjg") == th.expand("CJG")
    assert th.expand("wap’s") == th.expand("WAP")
    assert th.expand("wonen wijken en integratie") == th.expand("Wonen, Wijken en Integratie")
    assert term_key("Conciërges") == "concierges"


def test_unknown_terms_expand_to_nothing(th: Thesaurus) -> None:
    assert th.expand("wijk") == []
    assert th.expand("") == []
    assert th.groups_for("kerkorgels") == []


def test_find_in_query(th: Thesaurus) -> None:
    found = th.find("Hoeveel bewoners van krachtwijken sporten niet?")
    assert [m.text for m in found][0] == "krachtwijken"
    assert "aandachtswijk" in terms(list(found[0].expansions))
    found = th.find("Wat doet het Centrum voor Jeugd en Gezin?")
    assert [m.text for m in found] == ["Centrum voor Jeugd en Gezin"]
    assert ("CJG", 0.5) in found[0].expansions


def test_registry_aliases_are_added(full: Thesaurus, th: Thesaurus) -> None:
    assert "s gravenhage" in terms(full.expand("Den Haag"))
    assert "richard kraijcek foundation" in terms(full.expand("Richard Krajicek Foundation"))
    assert th.expand("Den Haag") == []
    assert len(full) > len(th)
    kinds = {g.kind for g in full.groups()}
    assert "registry:gemeente" in kinds and "abbreviation" in kinds


def test_registry_groups_skip_generic_words() -> None:
    for group in registry_groups(Registry.load()):
        assert len(group.terms) > 1
        assert group.sources[0]["registry"]
        assert "krachtwijken" not in [term_key(t) for t in group.terms]


def test_registry_still_loads_with_thesaurus_files_in_data_dir() -> None:
    # data/thesaurus.json and data/stem_overrides.json sit beside the entity files
    assert len(Registry.load()) > 0


def test_groups_can_be_added(th: Thesaurus) -> None:
    own = Thesaurus([ThesaurusGroup(("buurthuis", "wijkcentrum"), weight=0.3)])
    assert own.expand("buurthuizen") == [("wijkcentrum", 0.3)]
    assert len(own.groups()) == 1

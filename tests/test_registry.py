"""Tests for the curated entity registry (kennisbank/registry.py and kennisbank/data/*.json).

The lists are compared with the sources themselves: the corpus files in the
repo, and (when ../shared/data is present) the Markdown of BWBR0004418 and the
other regulations cited.  A few rows are also hard-coded so that the tests mean
something without the shared data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kennisbank.errors import KennisbankError
from kennisbank.registry import (
    Alias,
    Entity,
    Registry,
    RegistryError,
    normalise,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "corpus"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LAWS = SHARED_DATA / "laws-md"
BWBR_2011 = LAWS / "_historical-wijken" / "AMvB" / "BWBR0004418.2011-07-20.md"
BWBR_2009 = LAWS / "_historical-wijken" / "AMvB" / "BWBR0004418.2009-07-01.md"
G31_FILE = LAWS / "current" / "AMvB" / "BWBR0018238.md"

VR2008 = "voortgangsrapportage-wijkenaanpak-2008"
VR2010 = "voortgangsrapportage-wijkenaanpak-2010"
QUOTE_WINDOW = 4  # a quote starts on its line and spans at most this many lines

needs_shared = pytest.mark.skipif(
    not BWBR_2011.is_file(), reason="../shared/data (laws-md) is niet aanwezig"
)


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _lines(doc: str) -> list[str]:
    return (CORPUS / f"{doc}.txt").read_text(encoding="utf-8").split("\n")


def _bwbr_rows(path: Path) -> list[tuple[str, float, int]]:
    """The 40 rows of the bijlage: (row text, additionele inzet in mln, max subsidie)."""
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        m = re.match(r"^\| (.+?)\s+\| ([\d,]+)\s+\| ([\d.]+)\s+\|$", line)
        if m and "Totaal" not in m.group(1):
            rows.append(
                (
                    m.group(1).strip(),
                    float(m.group(2).replace(",", ".")),
                    int(m.group(3).replace(".", "")),
                )
            )
    return rows


BWBR_ROWS = _bwbr_rows(BWBR_2011) if BWBR_2011.is_file() else []


def _section(lines: list[str], start: str, end: str) -> list[tuple[int, str]]:
    first = next(i for i, ln in enumerate(lines) if ln.strip() == start)
    last = next(i for i, ln in enumerate(lines) if i > first and ln.strip() == end)
    return [(i + 1, lines[i]) for i in range(first + 1, last)]


def _plus_rows() -> list[tuple[int, str, str, str]]:
    """(line, gemeente as written, wijk, status) of VR2010 'Overzicht 40+ gemeenten'."""
    rows = []
    status = ""
    for number, line in _section(_lines(VR2010), "Overzicht 40+ gemeenten", "Bijlage 3"):
        if line.startswith("1^e tranche"):
            status = "40+ eerste tranche"
        elif line.startswith("2^e tranche"):
            status = "40+ tweede tranche"
        m = re.match(r"^(.+?)\t<i>(.+)</i>\s*$", line)
        if m:
            rows.append((number, m.group(1).strip(), m.group(2).strip(), status))
    return rows


def _partner_rows() -> list[tuple[int, int, str]]:
    """(line, number, name) of VR2008 Bijlage 2."""
    rows = []
    for number, line in _section(_lines(VR2008), "Bijlage 2", "Bijlage 3"):
        m = re.match(r"^\s*(\d+)\. (.+?)\s*$", line)
        if m:
            rows.append((number, int(m.group(1)), m.group(2)))
    return rows


def _buurt_rows() -> list[tuple[int, int, str, str]]:
    """(line, number, buurt, gemeente as written) of VR2010 Bijlage 3."""
    lines = _lines(VR2010)
    start = max(i for i, ln in enumerate(lines) if ln.strip() == "Bijlage 3")
    rows = []
    for i in range(start, len(lines)):
        m = re.match(r"^(\d+)\.\s+(.+?)\t(.+?)\t(\d+%)\s*$", lines[i])
        if m:
            rows.append((i + 1, int(m.group(1)), m.group(2).strip(), m.group(3).strip()))
    return rows


@pytest.fixture(scope="module")
def registry() -> Registry:
    """The registry as shipped (read once; tests must not change it)."""
    return Registry.load()


@pytest.fixture()
def fresh_registry() -> Registry:
    """A registry of its own, for tests that add entities."""
    return Registry.load()


def _wijk_by_official(registry: Registry, text: str) -> Entity:
    found = [
        e
        for e in registry.by_type("wijk")
        if any(a.kind == "official" and a.text == text for a in e.aliases)
    ]
    assert len(found) == 1, (text, [e.id for e in found])
    return found[0]


def _gemeente_name(registry: Registry, wijk: Entity) -> str:
    gemeente = registry.get(wijk.attributes["gemeente"])
    assert gemeente is not None and gemeente.type == "gemeente"
    return gemeente.name


# ---------------------------------------------------------------- whole registry
def test_validate_passes(registry: Registry) -> None:
    registry.validate()
    assert registry.problems() == []


def test_counts_per_type(registry: Registry) -> None:
    wijken = registry.by_type("wijk")
    statuses = [w.attributes["status"] for w in wijken]
    assert statuses.count("aandachtswijk") == 40
    assert statuses.count("40+ eerste tranche") == 15
    assert statuses.count("40+ tweede tranche") == 22
    assert len(registry.by_type("partner")) == 62
    assert len(registry.by_type("experiment")) == 7
    assert len(registry.by_type("buurt")) == 127
    assert len(registry.by_type("gemeente")) == 54


def test_everything_is_curated_with_sources(registry: Registry) -> None:
    for entity in registry.all():
        assert entity.origin == "curated"
        assert entity.sources, entity.id
        for alias in entity.aliases:
            assert alias.sources, (entity.id, alias.text)


def test_ids_are_stable_slugs(registry: Registry) -> None:
    for entity in registry.all():
        assert re.fullmatch(r"[a-z]+/[a-z0-9]+(-[a-z0-9]+)*", entity.id), entity.id
        assert entity.id.startswith(entity.type + "/")
        if entity.type in ("wijk", "buurt"):
            gemeente_slug = entity.attributes["gemeente"].split("/", 1)[1]
            assert entity.id.startswith(f"{entity.type}/{gemeente_slug}-"), entity.id


# ---------------------------------------------------------------- aandachtswijken
HARD_CODED_ROWS = [
    # row of the bijlage, gemeente, wijk, additionele inzet (mln), max subsidie 2011 / 2009
    ("Den Haag Transvaal", "Den Haag", "Transvaal", 3.2, 640_000, 960_000),
    ("Den Haag Zuid-West", "Den Haag", "Zuid-West", 13.0, 2_600_000, 3_900_000),
    ("Dordrecht Wielwijk/Crabbehof", "Dordrecht", "Wielwijk/Crabbehof", 4.2, 840_000, 1_260_000),
    ("Arnhem Het Arnhemse Broek", "Arnhem", "Het Arnhemse Broek", 3.7, 740_000, 1_110_000),
    ("Amsterdam Nieuw-West", "Amsterdam", "Nieuw-West", 29.3, 5_860_000, 8_790_000),
    ("Utrecht Kanaleneiland", "Utrecht", "Kanaleneiland", 6.8, 1_360_000, 2_040_000),
    (
        "Leeuwarden Heechterp/Schieringen",
        "Leeuwarden",
        "Heechterp/Schieringen",
        2.3,
        460_000,
        690_000,
    ),
    ("Zaanstad Poelenburg", "Zaanstad", "Poelenburg", 3.4, 680_000, 1_020_000),
]


@pytest.mark.parametrize(
    ("row", "gemeente", "wijk", "inzet", "sub2011", "sub2009"), HARD_CODED_ROWS
)
def test_aandachtswijk_hard_coded(
    registry: Registry, row: str, gemeente: str, wijk: str, inzet: float, sub2011: int, sub2009: int
) -> None:
    entity = _wijk_by_official(registry, row)
    assert entity.name == wijk
    assert _gemeente_name(registry, entity) == gemeente
    assert entity.attributes["status"] == "aandachtswijk"
    assert entity.attributes["additionele_inzet_mln_eur"] == pytest.approx(inzet)
    assert entity.attributes["max_subsidie_eur"] == sub2011
    assert entity.attributes["max_subsidie_eur_per_versie"] == {
        "2009-07-01": sub2009,
        "2011-07-20": sub2011,
    }


def test_aandachtswijken_are_18_g18_gemeenten(registry: Registry) -> None:
    aandachtswijken = [
        w for w in registry.by_type("wijk") if w.attributes["status"] == "aandachtswijk"
    ]
    gemeenten = {w.attributes["gemeente"] for w in aandachtswijken}
    assert len(gemeenten) == 18
    g18 = {g.id for g in registry.by_type("gemeente") if "G18" in g.attributes["groepen"]}
    assert g18 == gemeenten


@needs_shared
def test_bwbr_bijlage_has_exactly_the_40(registry: Registry) -> None:
    assert len(BWBR_ROWS) == 40
    official = {
        a.text
        for w in registry.by_type("wijk")
        if w.attributes["status"] == "aandachtswijk"
        for a in w.aliases
        if a.kind == "official"
    }
    assert official == {row for row, _inzet, _sub in BWBR_ROWS}


@pytest.mark.parametrize(
    "bwbr_row",
    BWBR_ROWS
    or [pytest.param(None, marks=pytest.mark.skip(reason="../shared/data is niet aanwezig"))],
    ids=lambda row: row[0] if row else "geen-shared-data",
)
def test_aandachtswijk_from_bwbr(registry: Registry, bwbr_row: tuple[str, float, int]) -> None:
    row, inzet, subsidie = bwbr_row
    entity = _wijk_by_official(registry, row)
    # the row is "<gemeente> <wijk>": the registry's split must give back the row
    assert f"{_gemeente_name(registry, entity)} {entity.name}" == row
    assert entity.attributes["status"] == "aandachtswijk"
    assert entity.attributes["additionele_inzet_mln_eur"] == pytest.approx(inzet)
    assert entity.attributes["max_subsidie_eur"] == subsidie


@needs_shared
def test_bwbr_2009_version_amounts(registry: Registry) -> None:
    rows_2009 = _bwbr_rows(BWBR_2009)
    assert [r[0] for r in rows_2009] == [r[0] for r in BWBR_ROWS]
    for row, inzet, subsidie in rows_2009:
        entity = _wijk_by_official(registry, row)
        assert entity.attributes["additionele_inzet_mln_eur"] == pytest.approx(inzet)
        assert entity.attributes["max_subsidie_eur_per_versie"]["2009-07-01"] == subsidie


# ---------------------------------------------------------------- 40+ wijken
def test_40plus_wijken_match_the_2010_appendix(registry: Registry) -> None:
    rows = _plus_rows()
    assert len(rows) == 37
    assert sum(1 for r in rows if r[3] == "40+ eerste tranche") == 15
    registered = {
        (w.name, w.attributes["gemeente"], w.attributes["status"])
        for w in registry.by_type("wijk")
        if w.attributes["status"] != "aandachtswijk"
    }
    expected = set()
    for _line, gemeente_text, wijk, status in rows:
        gemeenten = registry.lookup(gemeente_text, "gemeente")
        assert len(gemeenten) == 1, gemeente_text
        expected.add((wijk, gemeenten[0].id, status))
    assert registered == expected


@pytest.mark.parametrize(
    ("wijk_id", "gemeente_id", "status"),
    [
        ("wijk/almelo-ossenkoppelerbroek", "gemeente/almelo", "40+ eerste tranche"),
        ("wijk/s-hertogenbosch-boschveld", "gemeente/s-hertogenbosch", "40+ eerste tranche"),
        ("wijk/s-hertogenbosch-hambaken", "gemeente/s-hertogenbosch", "40+ tweede tranche"),
        (
            "wijk/amsterdam-holendrecht-west-en-venserpolder",
            "gemeente/amsterdam",
            "40+ tweede tranche",
        ),
        (
            "wijk/capelle-aan-den-ijssel-de-hoeken-en-de-hoven-wiekslag",
            "gemeente/capelle-aan-den-ijssel",
            "40+ tweede tranche",
        ),
    ],
)
def test_40plus_hard_coded(registry: Registry, wijk_id: str, gemeente_id: str, status: str) -> None:
    entity = registry.get(wijk_id)
    assert entity is not None
    assert entity.attributes["gemeente"] == gemeente_id
    assert entity.attributes["status"] == status


# ---------------------------------------------------------------- buurten
def test_buurten_match_bijlage_3(registry: Registry) -> None:
    rows = _buurt_rows()
    assert [r[1] for r in rows] == list(range(1, 128))
    registered = {
        (b.attributes["bijlage3_nummer"], b.name, b.attributes["gemeente"])
        for b in registry.by_type("buurt")
    }
    expected = set()
    for _line, number, name, gemeente_text in rows:
        gemeenten = registry.lookup(gemeente_text, "gemeente")
        assert len(gemeenten) == 1, gemeente_text
        expected.add((number, name, gemeenten[0].id))
    assert registered == expected
    # the percentage column is not recorded (its meaning is not in the text)
    assert all(
        set(b.attributes)
        <= {"gemeente", "gemeente_in_bron", "bijlage3_nummer", "lijst", "opmerking"}
        for b in registry.by_type("buurt")
    )


# ---------------------------------------------------------------- partners
def test_exactly_62_partners_as_listed_in_bijlage_2(registry: Registry) -> None:
    rows = _partner_rows()
    assert [r[1] for r in rows] == list(range(1, 63))
    partners = sorted(registry.by_type("partner"), key=lambda p: p.attributes["nummer"])
    assert [(p.attributes["nummer"], p.name) for p in partners] == [(n, t) for _l, n, t in rows]
    lines = {p.name: p for p in partners}
    for line, _number, name in rows:
        name_sources = [s for s in lines[name].sources if s["fact"] == "name"]
        assert name_sources[0]["line"] == line
        assert name_sources[0]["where"] == "Bijlage 2"


def test_partner_hard_coded(registry: Registry) -> None:
    assert registry.get("partner/aedes").attributes["nummer"] == 2  # type: ignore[union-attr]
    nuso = registry.get("partner/nuso")
    assert nuso is not None and nuso.name == "NUSO (speeltuinwerk en recreatie)"
    assert nuso.attributes["nummer"] == 42
    assert registry.get("partner/wijkalliantie").attributes["nummer"] == 62  # type: ignore[union-attr]


# ---------------------------------------------------------------- experiments
EXPERIMENTS = [
    (1, "Samenhang in de wijk"),
    (2, "Bewonersparticipatie"),
    (3, "Slagkracht in de wijk"),
    (4, "Achter de voordeur"),
    (5, "Weg met bureaucratie! Energie steken in de juiste dingen!"),
    (6, "Gezonde wijk"),
    (7, "Vernieuwend welzijn"),
]


def test_seven_experiments_with_numbers(registry: Registry) -> None:
    found = sorted((e.attributes["nummer"], e.name) for e in registry.by_type("experiment"))
    assert found == EXPERIMENTS
    headings = [
        (int(m.group(1)), m.group(2))
        for ln in _lines(VR2008)
        if (m := re.match(r"^Experiment (\d): (.+?)\s*$", ln))
    ]
    assert headings == EXPERIMENTS


def test_experiment_participants(registry: Registry) -> None:
    vernieuwend = registry.get("experiment/vernieuwend-welzijn")
    assert vernieuwend is not None
    groups = {g["label"]: g for g in vernieuwend.attributes["deelnemers"]}
    assert groups["VR2008"]["gemeenten"] == [
        "gemeente/arnhem",
        "gemeente/den-haag",
        "gemeente/eindhoven",
        "gemeente/leeuwarden",
        "gemeente/utrecht",
    ]
    gezond = registry.get("experiment/gezonde-wijk")
    assert gezond is not None
    total = {
        gid
        for g in gezond.attributes["deelnemers"]
        if g["label"].startswith("VR2010")
        for gid in g["gemeenten"]
    }
    assert len(total) == 13  # "Dertien van de achttien betrokken gemeenten"


# ---------------------------------------------------------------- gemeenten
def test_gemeente_groups(registry: Registry) -> None:
    def members(group: str) -> set[str]:
        return {
            g.id for g in registry.by_type("gemeente") if group in g.attributes.get("groepen", [])
        }

    assert members("G4") == {
        "gemeente/amsterdam",
        "gemeente/den-haag",
        "gemeente/rotterdam",
        "gemeente/utrecht",
    }
    assert len(members("G18")) == 18
    assert len(members("G31")) == 31
    assert members("G18") <= members("G31")
    assert {"gemeente/zwolle", "gemeente/s-hertogenbosch", "gemeente/hengelo"} <= members("G31")
    assert "gemeente/almere" not in members("G31")


@needs_shared
def test_g31_matches_regulation(registry: Registry) -> None:
    text = G31_FILE.read_text(encoding="utf-8")
    listed = re.search(r"b\. G31: de gemeenten (.+?);", text)
    assert listed is not None
    names = re.split(r", | en ", listed.group(1))
    assert len(names) == 31
    ids = set()
    for name in names:
        found = registry.lookup(name, "gemeente")
        assert len(found) == 1, name
        ids.add(found[0].id)
    g31 = {g.id for g in registry.by_type("gemeente") if "G31" in g.attributes["groepen"]}
    assert ids == g31


# ---------------------------------------------------------------- sources are real
def _all_sources(registry: Registry) -> list[tuple[str, dict]]:
    out = []
    for entity in registry.all():
        out.extend((entity.id, src) for src in entity.sources)
        for alias in entity.aliases:
            out.extend((f"{entity.id} ({alias.text})", src) for src in alias.sources)
    return out


def test_corpus_quotes_are_at_the_cited_lines(registry: Registry) -> None:
    docs = {VR2008: _lines(VR2008), VR2010: _lines(VR2010)}
    checked = 0
    for label, src in _all_sources(registry):
        if "document" not in src:
            continue
        lines = docs[src["document"]]
        if "line" in src:
            window = _ws(" ".join(lines[src["line"] - 1 : src["line"] - 1 + QUOTE_WINDOW]))
            assert _ws(src["quote"]) in window, (label, src)
            checked += 1
        else:
            first, last = src["lines"]
            assert 1 <= first <= last <= len(lines), (label, src)
    assert checked > 500


def test_vocabulary_words_occur_in_their_sections(registry: Registry) -> None:
    docs = {VR2008: _lines(VR2008), VR2010: _lines(VR2010)}
    for thema in registry.by_type("thema"):
        ranges = [
            " ".join(docs[s["document"]][s["lines"][0] - 1 : s["lines"][1]]).lower()
            for s in thema.sources
            if s["fact"] == "vocabulaire"
        ]
        assert ranges, thema.id
        for word in thema.attributes["vocabulaire"]:
            assert any(word.lower() in text for text in ranges), (thema.id, word)


@needs_shared
def test_law_quotes_are_at_the_cited_lines(registry: Registry) -> None:
    cache: dict[str, list[str]] = {}
    checked = 0
    for label, src in _all_sources(registry):
        if "file" not in src:
            continue
        assert re.fullmatch(r"BWBR\d{7}", src["source"]), (label, src)
        if src["file"] not in cache:
            cache[src["file"]] = (SHARED_DATA / src["file"]).read_text(encoding="utf-8").split("\n")
        lines = cache[src["file"]]
        window = _ws(" ".join(lines[src["line"] - 1 : src["line"] - 1 + QUOTE_WINDOW]))
        assert _ws(src["quote"]) in window, (label, src)
        checked += 1
    assert checked > 100


def test_every_attribute_has_a_source(registry: Registry) -> None:
    unsourced = {"gemeente_in_bron", "naam_vereist_gemeente"}  # documented in SOURCES.md
    for entity in registry.all():
        facts = {s["fact"] for s in entity.sources}
        for key, value in entity.attributes.items():
            if key in unsourced:
                continue
            if key == "groepen":
                needed = [f"groepen:{v}" for v in value]
            elif key == "deelnemers":
                needed = [f"deelnemers:{g['label']}" for g in value]
            elif key == "max_subsidie_eur_per_versie":
                needed = [f"{key}:{version}" for version in value]
            else:
                needed = [key]
            for fact in needed:
                assert fact in facts, (entity.id, fact)
        assert "name" in facts, entity.id


# ---------------------------------------------------------------- lookup / suggest
LOOKUPS = [
    ("Wielwijk-Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Wielwijk en Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Wielwijk/Crabbehof", "wijk/dordrecht-wielwijk-crabbehof"),
    ("Heechterp/Schieringen", "wijk/leeuwarden-heechterp-schieringen"),
    ("Heechterp-Schieringen", "wijk/leeuwarden-heechterp-schieringen"),
    ("Woensel-West", "wijk/eindhoven-woensel-west"),
    ("Woensel West", "wijk/eindhoven-woensel-west"),
    ("De Kruiskamp", "wijk/amersfoort-de-kruiskamp"),
    ("Kruiskamp", "wijk/amersfoort-de-kruiskamp"),
    ("Zuidwest", "wijk/den-haag-zuid-west"),
    ("Zuilen-Oost", "wijk/utrecht-zuilen-oost"),
    ("Doomakkers", "wijk/eindhoven-doornakkers"),
    ("Utrecht Kanaleneiland", "wijk/utrecht-kanaleneiland"),
    ("Richard Krajicek Foundation", "partner/richard-krajicek-foundation"),
    ("Richard Kraijcek Foundation", "partner/richard-krajicek-foundation"),
    ("Van Harte Resto", "partner/van-harte-resto"),
    ("VanHarte Resto", "partner/van-harte-resto"),
    ("Resto VanHarte", "partner/van-harte-resto"),
    ("Den Haag", "gemeente/den-haag"),
    ("'s-Gravenhage", "gemeente/den-haag"),
    ("’s-Gravenhage", "gemeente/den-haag"),
    ("Haagse", "gemeente/den-haag"),
    ("'s-Hertogenbosch", "gemeente/s-hertogenbosch"),
    ("Den Bosch", "gemeente/s-hertogenbosch"),
    ("Rotterdamse", "gemeente/rotterdam"),
    ("Amsterdamse", "gemeente/amsterdam"),
    ("Utrechtse", "gemeente/utrecht"),
    ("Hengelo (Overijssel)", "gemeente/hengelo"),
    ("Gezonde Wijk", "experiment/gezonde-wijk"),
    ("Vernieuwend Welzijn", "experiment/vernieuwend-welzijn"),
    ("experiment Samenhang in de wijk", "experiment/samenhang-in-de-wijk"),
    ("experiment Bewonersparticipatie", "experiment/bewonersparticipatie"),
    ("Achter de Voordeur", "experiment/achter-de-voordeur"),
    ("Weg met bureaucratie!", "experiment/weg-met-bureaucratie"),
    ("leren en opgroeien", "thema/leren-en-opgroeien"),
    ("integratie", "thema/integreren"),
    ("Centrum voor Werk en Inkomen", "partner/cwi"),
    ("SVBN", "partner/straatvoetbalbond-nederland"),
    ("VROM", "organisatie/vrom"),
    ("ARK", "organisatie/algemene-rekenkamer"),
]


@pytest.mark.parametrize(("text", "expected"), LOOKUPS)
def test_lookup_variants(registry: Registry, text: str, expected: str) -> None:
    assert [e.id for e in registry.lookup(text)] == [expected]


def test_lookup_ambiguous_names_return_all(registry: Registry) -> None:
    assert [e.id for e in registry.lookup("Hatert")] == [
        "wijk/nijmegen-hatert",
        "buurt/nijmegen-hatert",
    ]
    noord = registry.lookup("noord", "wijk")
    assert {e.id for e in noord} == {
        "wijk/amsterdam-noord",
        "wijk/rotterdam-noord",
        "wijk/delfzijl-noord",
    }
    assert all(e.attributes.get("naam_vereist_gemeente") for e in noord)
    assert [e.type for e in registry.lookup("Bewonersparticipatie")] == ["experiment", "thema"]
    assert registry.lookup("") == []
    assert registry.lookup("bestaat niet") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Wielwijk en Crabbehof", "wielwijk/crabbehof"),
        ("Zuilen Oost", "ZUILEN-OOST"),
        ("Leren & opgroeien", "leren en opgroeien"),
        ("’s-Hertogenbosch", "'s Hertogenbosch"),
        ("´s-Hertogenbosch", "s-hertogenbosch"),
        ("Oriëntexpress", "orientexpress"),
        ("NOC*NSF", "noc nsf"),
    ],
)
def test_normalise_equivalences(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_normalise_keeps_distinctions() -> None:
    assert normalise("Zuidwest") != normalise("Zuid-West")
    assert normalise("Van Harte Resto") != normalise("VanHarte Resto")


def test_suggest_puts_kanaleneiland_first(registry: Registry) -> None:
    assert registry.get("wijk/utrecht-kanaleneiland") is not None
    suggestions = registry.suggest("Kanaleneilnad")
    assert suggestions[0][0].id == "wijk/utrecht-kanaleneiland"
    assert suggestions[0][1] > 85
    assert len(suggestions) == 5
    scores = [score for _e, score in suggestions]
    assert scores == sorted(scores, reverse=True)


def test_suggest_options(registry: Registry) -> None:
    assert registry.suggest("Kraijcek", limit=1, entity_type="partner")[0][0].id == (
        "partner/richard-krajicek-foundation"
    )
    assert registry.suggest("Overvecht", score_cutoff=99)[0][0].id == "wijk/utrecht-overvecht"
    assert registry.suggest("") == []
    assert registry.suggest("xyz", limit=0) == []


# ---------------------------------------------------------------- add_harvested
def _harvested(eid: str, name: str, **attributes: object) -> Entity:
    return Entity(
        id=eid,
        type=eid.split("/", 1)[0],
        name=name,
        aliases=(),
        attributes=dict(attributes),
        sources=({"fact": "name", "document": VR2010, "line": 1, "quote": name},),
        origin="harvested",
    )


def test_add_harvested_cannot_overwrite_curated(fresh_registry: Registry) -> None:
    curated = fresh_registry.get("wijk/utrecht-kanaleneiland")
    assert curated is not None
    intruder = _harvested(
        "wijk/utrecht-kanaleneiland",
        "Kanaleneiland-Noord",
        gemeente="gemeente/utrecht",
        status="aandachtswijk",
    )
    assert fresh_registry.add_harvested(intruder) is False
    assert fresh_registry.get("wijk/utrecht-kanaleneiland") is curated
    assert fresh_registry.lookup("Kanaleneiland-Noord") == []
    # the same wijk under another id is a duplicate of the curated one
    twin = _harvested(
        "wijk/utrecht-kanaleneiland-2",
        "Kanaleneiland",
        gemeente="gemeente/utrecht",
        status="aandachtswijk",
    )
    assert fresh_registry.add_harvested(twin) is False
    assert "wijk/utrecht-kanaleneiland-2" not in fresh_registry
    fresh_registry.validate()


def test_add_harvested_adds_and_replaces_harvested(fresh_registry: Registry) -> None:
    first = _harvested(
        "wijk/utrecht-lombok", "Lombok", gemeente="gemeente/utrecht", status="aandachtswijk"
    )
    assert fresh_registry.add_harvested(first) is True
    assert [e.id for e in fresh_registry.lookup("Lombok")] == ["wijk/utrecht-lombok"]
    second = _harvested(
        "wijk/utrecht-lombok", "Lombok-Oost", gemeente="gemeente/utrecht", status="aandachtswijk"
    )
    assert fresh_registry.add_harvested(second) is True
    assert fresh_registry.lookup("Lombok") == []
    assert fresh_registry.get("wijk/utrecht-lombok") is second
    fresh_registry.validate()


def test_add_harvested_rejects_curated_origin(fresh_registry: Registry) -> None:
    entity = Entity(
        id="thema/sport",
        type="thema",
        name="Sport",
        origin="curated",
        sources=({"fact": "name", "document": VR2008},),
    )
    with pytest.raises(RegistryError):
        fresh_registry.add_harvested(entity)


# ---------------------------------------------------------------- validate / load errors
def _source() -> tuple[dict, ...]:
    return ({"fact": "name", "document": VR2008, "line": 1, "quote": "x"},)


def test_validate_reports_problems_in_dutch() -> None:
    broken = Registry(
        [
            Entity("gemeente/utrecht", "gemeente", "Utrecht", sources=_source()),
            Entity("gemeente/utrecht", "gemeente", "Utrecht", sources=_source()),
            Entity(
                "wijk/nergens-x",
                "wijk",
                "X",
                attributes={"gemeente": "gemeente/nergens", "status": "aandachtswijk"},
                sources=_source(),
            ),
            Entity(
                "wijk/utrecht-utrecht",
                "wijk",
                "Utrecht",
                attributes={"gemeente": "gemeente/utrecht", "status": "aandachtswijk"},
                sources=_source(),
            ),
            Entity("thema/zonder-bron", "thema", "Zonder bron"),
            Entity(
                "thema/generiek",
                "thema",
                "Generiek",
                aliases=(Alias("G31", "variant", _source()),),
                sources=_source(),
            ),
            Entity("thema/Fout", "thema", "Fout", sources=_source()),
            Entity(
                "partner/alias-zonder-bron",
                "partner",
                "P",
                aliases=(Alias("Q", "bijnaam"),),
                sources=_source(),
            ),
        ]
    )
    with pytest.raises(RegistryError) as info:
        broken.validate()
    err = info.value
    assert isinstance(err, KennisbankError)
    assert str(err).startswith("Het register is ongeldig")
    text = " | ".join(err.problems)
    assert "gemeente/utrecht komt meer dan eens voor" in text
    assert "gemeente 'gemeente/nergens' bestaat niet" in text
    assert "wijk/utrecht-utrecht: de naam 'Utrecht' is ook de naam van gemeente/utrecht" in text
    assert "thema/zonder-bron: er is geen enkele bron" in text
    assert "'G31' is een algemeen woord" in text
    assert "thema/Fout: de id heeft niet de vorm" in text
    assert "onbekende soort 'bijnaam'" in text
    assert "alias 'Q' heeft geen bron" in text


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="bestaat niet"):
        Registry.load(tmp_path / "nergens")
    (tmp_path / "kapot.json").write_text("{niet json", encoding="utf-8")
    with pytest.raises(RegistryError, match="niet leesbaar"):
        Registry.load(tmp_path)
    (tmp_path / "kapot.json").write_text(
        '{"type": "wijk", "entities": [{"id": "thema/x", "type": "thema", "name": "X"}]}',
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="is voor type 'wijk'"):
        Registry.load(tmp_path)
    (tmp_path / "kapot.json").write_text('{"entities": [{"id": "thema/x"}]}', encoding="utf-8")
    with pytest.raises(RegistryError, match="mist verplichte velden"):
        Registry.load(tmp_path)


def test_entity_roundtrip_and_hash(registry: Registry) -> None:
    for entity in registry.all():
        assert Entity.from_dict(entity.to_dict()) == entity
    assert len(set(registry.all())) == len(registry)

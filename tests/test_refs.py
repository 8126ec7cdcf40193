"""Tests for kennisbank.refs: finding and normalising Kamerstuk citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kennisbank.errors import InvalidInput
from kennisbank.refs import KamerstukRef, find_refs, normalize_identifier, parse_ref

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
URL = "https://zoek.officielebekendmakingen.nl/{}.html"

#: text → expected refs, each "dossier ondernummer kamer vergaderjaar identifier | citation"
#: ("-" for an unknown kamer or vergaderjaar).
VARIANTS: dict[str, list[str]] = {
    "Tweede Kamer, vergaderjaar 2009 – 2010, 30 995, nr. 78": [
        "30995 78 II 2009-2010 kst-30995-78 | Kamerstukken II 2009/10, 30 995, nr. 78",
    ],
    "Tweede Kamer, vergaderjaar 2007–2008, 30 995, nr. 50": [
        "30995 50 II 2007-2008 kst-30995-50 | Kamerstukken II 2007/08, 30 995, nr. 50",
    ],
    "(kamerstuk 2007-2008, 30995, nr. 50)": [
        "30995 50 - 2007-2008 kst-30995-50 | Kamerstukken 2007/08, 30 995, nr. 50",
    ],
    "TK, 2007-2008, 30 995, nr. 49": [
        "30995 49 II 2007-2008 kst-30995-49 | Kamerstukken II 2007/08, 30 995, nr. 49",
    ],
    "(TK, 2007-2008, 31 311, nr. 20)": [
        "31311 20 II 2007-2008 kst-31311-20 | Kamerstukken II 2007/08, 31 311, nr. 20",
    ],
    "TK 2009-2010, 32 123 XVIII, nr.41": [
        "32123-XVIII 41 II 2009-2010 kst-32123-XVIII-41 "
        "| Kamerstukken II 2009/10, 32 123 XVIII, nr. 41",
    ],
    "(kamerstuk 2007-2008, 30995, 43)": [
        "30995 43 - 2007-2008 kst-30995-43 | Kamerstukken 2007/08, 30 995, nr. 43",
    ],
    "kamerstuk 2007-2008 30995,49)": [
        "30995 49 - 2007-2008 kst-30995-49 | Kamerstukken 2007/08, 30 995, nr. 49",
    ],
    "( kamerstuk 2007-\n2008, 30995, 45)": [
        "30995 45 - 2007-2008 kst-30995-45 | Kamerstukken 2007/08, 30 995, nr. 45",
    ],
    "(TK 2007-2008, 30995.47)": [
        "30995 47 II 2007-2008 kst-30995-47 | Kamerstukken II 2007/08, 30 995, nr. 47",
    ],
    "Kamerstukken II 2009/10, 30 995, nr. 82, p. 3": [
        "30995 82 II 2009-2010 kst-30995-82 | Kamerstukken II 2009/10, 30 995, nr. 82",
    ],
    "Kamerstukken I 2008/09, 31 700 XVIII, A": [
        "31700-XVIII A I 2008-2009 kst-31700-XVIII-A | Kamerstukken I 2008/09, 31 700 XVIII, A",
    ],
    "kst-30995-81": [
        "30995 81 - - kst-30995-81 | Kamerstukken 30 995, nr. 81",
    ],
    "kst-32123-XVIII-41": [
        "32123-XVIII 41 - - kst-32123-XVIII-41 | Kamerstukken 32 123 XVIII, nr. 41",
    ],
    "(TK, 2007-2008, 31 311, nr. 20 en 31 430, nr. 2)": [
        "31311 20 II 2007-2008 kst-31311-20 | Kamerstukken II 2007/08, 31 311, nr. 20",
        "31430 2 II 2007-2008 kst-31430-2 | Kamerstukken II 2007/08, 31 430, nr. 2",
    ],
    "Kamerstukken II 2009/10, 30 995, nrs. 1 en 2": [
        "30995 1 II 2009-2010 kst-30995-1 | Kamerstukken II 2009/10, 30 995, nr. 1",
        "30995 2 II 2009-2010 kst-30995-2 | Kamerstukken II 2009/10, 30 995, nr. 2",
    ],
    "Kamerstukken II 2009/10, 30 995, nrs. 1, 2 en 3": [
        "30995 1 II 2009-2010 kst-30995-1 | Kamerstukken II 2009/10, 30 995, nr. 1",
        "30995 2 II 2009-2010 kst-30995-2 | Kamerstukken II 2009/10, 30 995, nr. 2",
        "30995 3 II 2009-2010 kst-30995-3 | Kamerstukken II 2009/10, 30 995, nr. 3",
    ],
    "Tweede Kamer, vergaderjaar 2008 – 2009, 27562, nr. 48": [
        "27562 48 II 2008-2009 kst-27562-48 | Kamerstukken II 2008/09, 27 562, nr. 48",
    ],
    # A typo in the source (31 723?): reported as written.
    "Tweede Kamer, vergaderjaar 2007 – 2008, 317323, nrs. 1 en 2": [
        "317323 1 II 2007-2008 kst-317323-1 | Kamerstukken II 2007/08, 317 323, nr. 1",
        "317323 2 II 2007-2008 kst-317323-2 | Kamerstukken II 2007/08, 317 323, nr. 2",
    ],
    "Tweede Kamer, Vergaderjaar 2009-2010, Kamerstuk 28 684, nr. 276": [
        "28684 276 II 2009-2010 kst-28684-276 | Kamerstukken II 2009/10, 28 684, nr. 276",
    ],
    # Official style and other forms.
    "Kamerstukken II, 30 995, nr. 78": [
        "30995 78 II - kst-30995-78 | Kamerstukken II, 30 995, nr. 78",
    ],
    "Kamerstukken 2009/10, 30 995, nr. 78": [
        "30995 78 - 2009-2010 kst-30995-78 | Kamerstukken 2009/10, 30 995, nr. 78",
    ],
    "Tweede Kamer, vergaderjaar 2009 / 2010, 30 995, nr. 78": [
        "30995 78 II 2009-2010 kst-30995-78 | Kamerstukken II 2009/10, 30 995, nr. 78",
    ],
    "Tweede Kamer der Staten-Generaal, vergaderjaar 2009-2010, 30 995, nr. 78": [
        "30995 78 II 2009-2010 kst-30995-78 | Kamerstukken II 2009/10, 30 995, nr. 78",
    ],
    "Eerste Kamer, vergaderjaar 2008-2009, 31 700 XVIII, A": [
        "31700-XVIII A I 2008-2009 kst-31700-XVIII-A | Kamerstukken I 2008/09, 31 700 XVIII, A",
    ],
    "EK 2008/2009, 31 700 XVIII, B": [
        "31700-XVIII B I 2008-2009 kst-31700-XVIII-B | Kamerstukken I 2008/09, 31 700 XVIII, B",
    ],
    "Kamerstukken II 1999/2000, 26 800, nr. 5": [
        "26800 5 II 1999-2000 kst-26800-5 | Kamerstukken II 1999/2000, 26 800, nr. 5",
    ],
    "Kamerstukken II 2009/10, 21 501-20, nr. 478": [
        "21501-20 478 II 2009-2010 kst-21501-20-478 | Kamerstukken II 2009/10, 21 501-20, nr. 478",
    ],
    "zie 30 995, nr. 78 voor details": [
        "30995 78 - - kst-30995-78 | Kamerstukken 30 995, nr. 78",
    ],
    "TK 2009-2010, 28684-276": [
        "28684 276 II 2009-2010 kst-28684-276 | Kamerstukken II 2009/10, 28 684, nr. 276",
    ],
    "zie https://zoek.officielebekendmakingen.nl/kst-30995-78.html": [
        "30995 78 - - kst-30995-78 | Kamerstukken 30 995, nr. 78",
    ],
    "Kamerstukken II 2009/10, 30 995, nrs. 1 en 2, 30 996, nr. 3": [
        "30995 1 II 2009-2010 kst-30995-1 | Kamerstukken II 2009/10, 30 995, nr. 1",
        "30995 2 II 2009-2010 kst-30995-2 | Kamerstukken II 2009/10, 30 995, nr. 2",
        "30996 3 II 2009-2010 kst-30996-3 | Kamerstukken II 2009/10, 30 996, nr. 3",
    ],
}


def _assert_well_formed(text: str, refs: list[KamerstukRef]) -> None:
    """Spans lie inside the text, match ``text``, and increase without overlap."""
    previous_end = 0
    for ref in refs:
        assert 0 <= previous_end <= ref.start < ref.end <= len(text)
        assert text[ref.start : ref.end] == ref.text
        previous_end = ref.end


def _describe(ref: KamerstukRef) -> str:
    """A reference in the notation of :data:`VARIANTS`."""
    fields = [ref.dossier, ref.ondernummer, ref.kamer or "-", ref.vergaderjaar or "-"]
    return f"{' '.join(fields)} {ref.identifier} | {ref.citation}"


@pytest.mark.parametrize(("text", "expected"), list(VARIANTS.items()), ids=list(VARIANTS))
def test_variants(text: str, expected: list[str]) -> None:
    refs = find_refs(text)
    assert [_describe(r) for r in refs] == expected
    identifiers = [e.split()[4] for e in expected]
    assert [r.url for r in refs] == [URL.format(i) for i in identifiers]
    _assert_well_formed(text, refs)
    first = parse_ref(text)
    assert first is not None and first.identifier == identifiers[0]


def test_page_and_to_dict() -> None:
    [ref] = find_refs("Kamerstukken II 2009/10, 30 995, nr. 82, p. 3")
    assert ref.page == "3"
    assert ref.to_dict() == {
        "dossier": "30995",
        "ondernummer": "82",
        "kamer": "II",
        "vergaderjaar": "2009-2010",
        "start": 0,
        "end": 45,
        "text": "Kamerstukken II 2009/10, 30 995, nr. 82, p. 3",
        "page": "3",
        "identifier": "kst-30995-82",
        "citation": "Kamerstukken II 2009/10, 30 995, nr. 82",
        "url": "https://zoek.officielebekendmakingen.nl/kst-30995-82.html",
    }
    [plain] = find_refs("TK, 2007-2008, 30 995, nr. 49")
    assert plain.to_dict()["page"] is None


def test_enumeration_spans_cover_each_part() -> None:
    text = "(TK, 2007-2008, 31 311, nr. 20 en 31 430, nr. 2)"
    first, second = find_refs(text)
    assert first.text == "TK, 2007-2008, 31 311, nr. 20"
    assert second.text == "31 430, nr. 2"
    one, two = find_refs("Tweede Kamer, vergaderjaar 2007 – 2008, 317323, nrs. 1 en 2")
    assert one.text == "Tweede Kamer, vergaderjaar 2007 – 2008, 317323, nrs. 1"
    assert two.text == "2"


def test_reference_broken_over_lines_keeps_raw_text() -> None:
    text = "mijn brief van 9 mei 2008 ( kamerstuk 2007-\n2008, 30995, 45)."
    [ref] = find_refs(text)
    assert ref.text == "kamerstuk 2007-\n2008, 30995, 45"
    assert text[ref.start : ref.end] == ref.text


NEGATIVES = [
    "€ 30.995",
    "Er is € 30.995 uitgegeven op 7 juli 2010.",
    "30 995 euro",
    "250 miljoen",
    "€ 250 miljoen in 2008",
    "7 juli 2010",
    "2007-2008",
    "in de periode 2007-2008 is veel gebeurd",
    "1 oktober 2008",
    "30 995 bezoekers",
    "Er kwamen 30 995 bezoekers, 12 meer dan vorig jaar.",
    "30995, 78",
    "telefoon 070-3614011",
    "(070) 373 83 93",
    "06-12345678",
    "0800 12345",
    "Postbus 20011, 2500 EA Den Haag",
    "1234 AB Amsterdam",
    "30%",
    "een stijging van 12,5%",
    "G31",
    "de G31 en de 40+ wijken",
    "40+",
    "p. 3",
    "zie blz. 12345, 6",
    "hoofdstuk 3",
    "paragraaf 3.2, hoofdstuk 4",
    "Staatscourant 2008, nr. 123",
    "Stb. 2009, nr. 45",
    "Handelingen II 2009/10, nr. 45, p. 3872",
    "De Tweede Kamer is hierover in juni jl. bij brief nader geïnformeerd.",
    "De Tweede Kamer 2010, 30 zetels",
    "EK 2008 in Oostenrijk",
    "TK 2007-2009, 30995, 5",
    "brief aan de Tweede Kamer van 20 juni 2008, 14 uur",
    "Van Riebeeckstraat 70-78\t25.000",
    "nr. 20 en 31 gemeenten",
    "in 2008 30 995 woningen, nr. onbekend",
    "kst-30995",
    "kst-030995-78",
    "",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alike_numbers_are_not_references(text: str) -> None:
    assert find_refs(text) == []


@pytest.mark.parametrize(
    "text",
    ["€ 30.995", "7 juli 2010", "2007-2008", "2009-10", "0900-1234", "30995, 78", "G31", "", "ja"],
)
def test_parse_ref_rejects_look_alikes(text: str) -> None:
    assert parse_ref(text) is None


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("kst-30995-78", "kst-30995-78"),
        ("KST-30995-78", "kst-30995-78"),
        ("30995 nr 49", "kst-30995-49"),
        ("30995-78", "kst-30995-78"),
        ("Kamerstuk 30 995, nr. 78", "kst-30995-78"),
        ("28684-276", "kst-28684-276"),
        ("30 995, nr. 78", "kst-30995-78"),
        ("32123-XVIII-41", "kst-32123-XVIII-41"),
        ("  30995 nr. 49  ", "kst-30995-49"),
        ("Kamerstukken II 2009/10, 30 995, nr. 78", "kst-30995-78"),
    ],
)
def test_parse_ref_accepts_pasted_forms(text: str, identifier: str) -> None:
    ref = parse_ref(text)
    assert ref is not None
    assert ref.identifier == identifier


def test_parse_ref_returns_the_first_reference() -> None:
    ref = parse_ref("TK, 2007-2008, 31 311, nr. 20 en 31 430, nr. 2")
    assert ref is not None and ref.identifier == "kst-31311-20"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KST-30995-78", "kst-30995-78"),
        ("kst-30995-78.html", "kst-30995-78"),
        ("  kst-30995-78  ", "kst-30995-78"),
        ("kst-32123-xviii-41", "kst-32123-XVIII-41"),
        ("kst-31700-XVIII-a.pdf", "kst-31700-XVIII-A"),
        ("https://zoek.officielebekendmakingen.nl/kst-30995-78.html", "kst-30995-78"),
        ("https://zoek.officielebekendmakingen.nl/kst-30995-78.html?x=3#p1", "kst-30995-78"),
        ("30995-78", None),
        ("kst-30995", None),
        ("kst-30995-078", None),
        ("kst-30995-78-extra", None),
        ("Kamerstukken II 2009/10, 30 995, nr. 78", None),
        ("", None),
    ],
)
def test_normalize_identifier(raw: str, expected: str | None) -> None:
    assert normalize_identifier(raw) == expected


def test_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        find_refs(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        parse_ref(30995)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        KamerstukRef(dossier="30 995", ondernummer="78")
    with pytest.raises(InvalidInput):
        KamerstukRef(dossier="30995", ondernummer="078")
    with pytest.raises(InvalidInput):
        KamerstukRef(dossier="30995", ondernummer="78", kamer="III")
    with pytest.raises(InvalidInput):
        KamerstukRef(dossier="30995", ondernummer="78", vergaderjaar="2009-2011")
    with pytest.raises(InvalidInput):
        KamerstukRef(dossier="30995", ondernummer="78", start=5, end=2)
    assert normalize_identifier(None) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# The real corpus
# --------------------------------------------------------------------------- #

#: Every citation in the two reports, read by hand: (line of the citation, identifier).
CORPUS_CITATIONS: dict[str, list[tuple[int, str]]] = {
    "voortgangsrapportage-wijkenaanpak-2008.txt": [
        (100, "kst-30995-50"),  # (kamerstuk 2007-2008, 30995, nr. 50)
        (104, "kst-30995-43"),  # (kamerstuk 2007-2008, 30995, 43)
        (121, "kst-30995-49"),  # kamerstuk 2007-2008 30995,49)
        (121, "kst-30995-45"),  # ( kamerstuk 2007-\n2008, 30995, 45)
        (124, "kst-30995-45"),  # ( kamerstuk 2007-2008, 30995, 45)
        (284, "kst-30995-49"),  # (TK, 2007-2008, 30 995, nr. 49)
        (379, "kst-30995-47"),  # (TK \n2007-2008, 30995.47)
        (708, "kst-30995-49"),  # (TK, 2007-2008, 30 995, nr. 49)
        (765, "kst-31311-20"),  # (TK, 2007-2008, 31 311, nr. 20)
        (767, "kst-31430-2"),  # (TK, 2007-2008, 31 430, nr. 2)
        (2031, "kst-30995-50"),  # (Tweede Kamer, vergaderjaar 2007–\n2008, 30 995, nr. 50)
        (2043, "kst-30995-50"),  # (Tweede Kamer, vergaderjaar 2007–2008, 30 995, nr. 50)
        (2045, "kst-30995-54"),  # (Tweede Kamer, vergaderjaar 2007–2008, 30 995, nr. 54)
    ],
    "voortgangsrapportage-wijkenaanpak-2010.txt": [
        (15, "kst-30128-12"),  # footnote 1: 2006 – 2007, 30 128, nr. 12
        (17, "kst-30995-81"),  # footnote 2: 2008 – 2009, 30 995, nr. 81
        (48, "kst-30995-78"),  # footnote 3
        (62, "kst-317323-1"),  # footnote 4: 317323, nrs. 1 en 2 (typo in the source)
        (62, "kst-317323-2"),
        (76, "kst-30995-50"),  # footnote 5
        (80, "kst-30995-54"),  # footnote 7
        (82, "kst-27562-48"),  # footnote 8
        (219, "kst-32123-XVIII-41"),  # (TK 2009-2010, 32 123 XVIII, nr.41)
        (239, "kst-31700-XVIII-52"),  # footnote 15
        (284, "kst-31143-84"),  # footnote 19
        (344, "kst-28684-276"),  # footnote 21: Vergaderjaar 2009-2010, Kamerstuk 28 684, nr. 276
        (346, "kst-30995-77"),  # footnote 22
        (348, "kst-30995-80"),  # footnote 23
        (394, "kst-30995-82"),  # footnote 27
        (406, "kst-30995-78"),  # footnote 28
        (408, "kst-31757-14"),  # footnote 29: 2009–2010, 31 757, nr. 14
        (444, "kst-30995-79"),  # footnote 31
    ],
}


@pytest.mark.parametrize("name", sorted(CORPUS_CITATIONS))
def test_every_citation_in_the_corpus_is_found(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    refs = find_refs(text)
    found = [(text.count("\n", 0, r.start) + 1, r.identifier) for r in refs]
    assert found == CORPUS_CITATIONS[name]
    _assert_well_formed(text, refs)
    for ref in refs:
        assert ref.vergaderjaar is not None
        assert ref.dossier.split("-")[0] in ref.text.replace(" ", "") or ref.text.isdigit()


# --------------------------------------------------------------------------- #
# Hostile input
# --------------------------------------------------------------------------- #

HOSTILE = [
    ("TK " * 3400, 0),
    ("1 " * 5000, 0),
    (" " * 10000, 0),
    ("\n" * 10000, 0),
    ("-" * 10000, 0),
    ("1" * 10000, 0),
    ("0" * 10000, 0),
    ("A" * 10000, 0),
    ("nr. " * 2500, 0),
    ("2009-" * 2000, 0),
    ("2009/10, " * 1100, 0),
    ("30995 " * 1700, 0),
    ("1 234 " * 1700, 0),
    ("XVIII " * 1700, 0),
    ("kst-" * 2500, 0),
    ("Kamerstukken II " * 700, 0),
    ("Tweede Kamer, vergaderjaar 2009 – 2010, " * 250, 0),
    ("€ 1" * 3400, 0),
    ("kamerstuk " + "\n" * 10000 + "2009-2010", 0),
    ("nrs. 1 en 2 en " * 700, 0),
    ("30 995, nrs. " + ", ".join(["1"] * 3000), 3000),
    ("30995, nr. 1, " * 800, 800),
    ("TK 2009-2010, 30 995, nrs. 1 en " * 300, 300),
    ("kst-30995-1 " * 800, 800),
]


@pytest.mark.parametrize(
    ("text", "count"), HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))]
)
def test_hostile_strings(text: str, count: int) -> None:
    refs = find_refs(text)
    assert len(refs) == count
    _assert_well_formed(text, refs)
    parse_ref(text)


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #

#: Fragments that reference-like noise is made of.
TOKENS = [" ", "  ", "\n", "\u00a0", "\u00ad", "Tweede Kamer", "30 995", "2009 – 2010"]
TOKENS += (
    ", . ; ( ) - – / ² ¹ TK EK kamerstuk Kamerstukken I II vergaderjaar 2007 2008 2009/10 30995 "
    "317323 31 700 XVIII A nr. nrs. nr en 78 1 2 p. 3 kst- kst-30995-78 € euro miljoen % "
    "G31 40+ 0 ٣ 𝟑 x Eerste Kamer"
).split()
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(st.text())
def test_find_refs_never_raises_on_arbitrary_text(text: str) -> None:
    _assert_well_formed(text, find_refs(text))
    parse_ref(text)


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_find_refs_on_reference_like_noise(text: str) -> None:
    refs = find_refs(text)
    _assert_well_formed(text, refs)
    for ref in refs:
        assert normalize_identifier(ref.identifier) == ref.identifier
    parse_ref(text)


def _repeat_to_10k(unit: str) -> str:
    return unit * (10000 // len(unit) + 1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(min_size=1, max_size=40),
        st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map("".join),
    ).map(_repeat_to_10k)
)
def test_find_refs_on_huge_text(text: str) -> None:
    """Ten thousand characters and more of repeated (reference-like) material."""
    _assert_well_formed(text, find_refs(text))
    parse_ref(text)


@st.composite
def kamerstuk_refs(draw: st.DrawFn) -> KamerstukRef:
    """A valid reference: any dossier/chapter, a Kamer-appropriate ondernummer, any year."""
    dossier = str(draw(st.integers(1000, 999999)))
    chapters = [None, "I", "IV", "VII", "IXB", "XIII", "XVIII", "A", "02", "20"]
    chapter = draw(st.sampled_from(chapters))
    if chapter:
        dossier += f"-{chapter}"
    kamer = draw(st.sampled_from([None, "I", "II"]))
    numbers = st.integers(1, 9999).map(str)
    letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2)
    ondernummer = draw(numbers if kamer == "II" else st.one_of(numbers, letters))
    year = draw(st.none() | st.integers(1900, 2098).map(lambda y: f"{y}-{y + 1}"))
    return KamerstukRef(dossier=dossier, ondernummer=ondernummer, kamer=kamer, vergaderjaar=year)


@PROPERTY_SETTINGS
@given(kamerstuk_refs())
def test_identifier_round_trip(ref: KamerstukRef) -> None:
    parsed = parse_ref(ref.identifier)
    assert parsed is not None
    assert parsed.identifier == ref.identifier
    assert normalize_identifier(ref.identifier) == ref.identifier
    assert normalize_identifier(ref.identifier.upper() + ".html") == ref.identifier
    assert ref.url == URL.format(ref.identifier)


def _key(ref: KamerstukRef) -> tuple[str, str, str | None, str | None]:
    return (ref.dossier, ref.ondernummer, ref.kamer, ref.vergaderjaar)


@PROPERTY_SETTINGS
@given(kamerstuk_refs())
def test_citation_round_trip(ref: KamerstukRef) -> None:
    parsed = parse_ref(ref.citation)
    assert parsed is not None
    assert _key(parsed) == _key(ref)
    text = f"Zie ({ref.citation})."
    [found] = find_refs(text)
    assert _key(found) == _key(ref)
    assert found.text == ref.citation


@PROPERTY_SETTINGS
@given(st.lists(kamerstuk_refs(), min_size=1, max_size=5))
def test_several_citations_are_all_found(refs: list[KamerstukRef]) -> None:
    text = "Zie " + "; ".join(r.citation for r in refs) + "."
    assert [_key(r) for r in find_refs(text)] == [_key(r) for r in refs]


@PROPERTY_SETTINGS
@given(st.one_of(st.text(), kamerstuk_refs().map(lambda r: r.identifier.lower() + ".html")))
def test_normalize_identifier_is_idempotent(raw: str) -> None:
    once = normalize_identifier(raw)
    if once is not None:
        assert normalize_identifier(once) == once
        assert once == once.strip()
        assert once.startswith("kst-")


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("TK 2009/10 30995 77", "kst-30995-77"),
        ("TK 2009/10 30 995 77", "kst-30995-77"),
        ("Kamerstukken II 2009/10 30995 78.", "kst-30995-78"),
        ("TK 2009/10 30995 77, p. 3", "kst-30995-77"),
    ],
)
def test_a_short_notation_with_kamer_and_year_needs_no_nr(text: str, identifier: str) -> None:
    found = find_refs(text)
    assert [r.identifier for r in found] == [identifier]
    assert found[0].vergaderjaar == "2009-2010"


@pytest.mark.parametrize(
    "text",
    [
        "TK 30995 77",  # no year: too weak
        "Tweede Kamer, vergaderjaar 2009-2010, 30 995 2 bijlagen",  # a word follows
        "TK 2009/10 30995 2010",  # a year, not an ondernummer
    ],
)
def test_a_spaced_number_is_not_read_as_ondernummer_without_context(text: str) -> None:
    assert find_refs(text) == []

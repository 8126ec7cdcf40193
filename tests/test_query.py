"""The query parser: words, phrases, operators, filters, references, questions, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kennisbank.search.query import (
    MAX_QUERY_CHARS,
    And,
    FieldFilter,
    Group,
    Not,
    Or,
    Phrase,
    Word,
    parse_query,
)


def test_plain_words_form_one_group() -> None:
    parsed = parse_query("verdeling bewonersbudgetten")
    assert parsed.root == Group((Word("verdeling"), Word("bewonersbudgetten")))
    assert str(parsed) == "verdeling bewonersbudgetten"
    assert parsed.notes == ()


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('"Scoren door Scholing"', Phrase("Scoren door Scholing")),
        ("\u201cScoren door Scholing\u201d", Phrase("Scoren door Scholing")),
        ("wonen EN werken", And((Word("wonen"), Word("werken")))),
        ("wonen AND werken", And((Word("wonen"), Word("werken")))),
        ("wonen OF werken", Or((Word("wonen"), Word("werken")))),
        ("wonen OR werken", Or((Word("wonen"), Word("werken")))),
        ("NIET sloop", Not(Word("sloop"))),
        ("NOT sloop", Not(Word("sloop"))),
        ("wonen -sloop", Group((Word("wonen"), Not(Word("sloop"))))),
        ("wonen NIET sloop", Group((Word("wonen"), Not(Word("sloop"))))),
        ("wijk*", Word("wijk", prefix=True)),
        ("a EN b OF c d", Group((Or((And((Word("a"), Word("b"))), Word("c"))), Word("d")))),
        ("(a OF b) EN c", And((Or((Word("a"), Word("b"))), Word("c")))),
        ("NIET NIET a", Word("a")),
    ],
)
def test_phrases_operators_and_prefixes(text: str, root: object) -> None:
    assert parse_query(text).root == root


def test_lower_case_operator_words_are_ordinary_words() -> None:
    parsed = parse_query("wonen en werken of niet")
    assert parsed.root == Group(tuple(Word(w) for w in ("wonen", "en", "werken", "of", "niet")))


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("gemeente:Utrecht", (FieldFilter("gemeente", "Utrecht"),)),
        ("wijk:Overvecht", (FieldFilter("wijk", "Overvecht"),)),
        ('gemeente:"Den Haag"', (FieldFilter("gemeente", "Den Haag"),)),
        ("type:voortgangsrapportage", (FieldFilter("doctype", "voortgangsrapportage"),)),
        ("thema:wonen", (FieldFilter("thema", "wonen"),)),
        ("dossier:30995", (FieldFilter("dossier", "30995"),)),
        ("kst:kst-30995-78", (FieldFilter("kst", "kst-30995-78"),)),
        ("-gemeente:Utrecht", (FieldFilter("gemeente", "Utrecht", negated=True),)),
        ("NIET thema:wonen", (FieldFilter("thema", "wonen", negated=True),)),
    ],
)
def test_field_filters_apply_to_the_whole_query(text: str, filters: tuple) -> None:
    parsed = parse_query(f"werk {text}")
    assert parsed.filters == filters
    assert parsed.root == Word("werk")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("jaar:2010", 2010, 2010),
        ("jaar:2008-2010", 2008, 2010),
        ("jaar:2010-2008", 2008, 2010),
        ("jaar:2008-", 2008, None),
        ("year:-2009", None, 2009),
    ],
)
def test_year_filters(text: str, low: int | None, high: int | None) -> None:
    parsed = parse_query(text)
    assert (parsed.year_from, parsed.year_to) == (low, high)
    assert parsed.filters == () and parsed.root is None


def test_a_bad_year_is_explained() -> None:
    parsed = parse_query("wonen jaar:vorig")
    assert parsed.year_from is None and parsed.year_to is None
    assert any("jaarfilter" in n for n in parsed.notes)


def test_unknown_fields_are_words() -> None:
    assert parse_query("foo:bar").root == Group((Word("foo"), Word("bar")))


@pytest.mark.parametrize(
    ("text", "identifier", "citation"),
    [
        ("30 995 nr. 50", "kst-30995-50", "Kamerstukken 30 995, nr. 50"),
        ("30995 nr 49", "kst-30995-49", "Kamerstukken 30 995, nr. 49"),
        ("Kamerstuk 30 995, nr. 78", "kst-30995-78", "Kamerstukken 30 995, nr. 78"),
        ("kst-31311-20", "kst-31311-20", "Kamerstukken 31 311, nr. 20"),
        ("28684-276", "kst-28684-276", "Kamerstukken 28 684, nr. 276"),
        ("TK 2007-2008 31 430 nr. 2", "kst-31430-2", "Kamerstukken II 2007/08, 31 430, nr. 2"),
    ],
)
def test_kamerstuk_references_in_any_notation(text: str, identifier: str, citation: str) -> None:
    parsed = parse_query(text)
    assert [r.identifier for r in parsed.refs] == [identifier]
    assert parsed.refs[0].citation == citation
    assert parsed.root is None  # the reference's numbers are not searched as words


def test_a_reference_next_to_words_keeps_the_words() -> None:
    parsed = parse_query("wijkaanpak kst-30995-78 bewoners")
    assert [r.identifier for r in parsed.refs] == ["kst-30995-78"]
    assert parsed.root == Group((Word("wijkaanpak"), Word("bewoners")))


def test_a_bare_dossier_number_is_a_dossier_hint() -> None:
    parsed = parse_query("30 995")
    assert parsed.dossiers == ("30995",) and parsed.refs == ()


def test_questions_drop_question_words() -> None:
    parsed = parse_query("Welke gemeenten doen mee aan het experiment Gezonde Wijk?")
    assert parsed.question
    assert parsed.root == Group(
        tuple(Word(w) for w in ("gemeenten", "experiment", "Gezonde", "Wijk"))
    )


def test_keyword_queries_are_not_questions() -> None:
    parsed = parse_query("wijkschool Rotterdam")
    assert not parsed.question and len(parsed.words()) == 2


@pytest.mark.parametrize(
    ("text", "root", "note"),
    [
        ('"Scoren door', Group((Word("Scoren"), Word("door"))), "aanhalingsteken"),
        ("(wonen werken", Group((Word("wonen"), Word("werken"))), "openingshaakje"),
        ("wonen werken)", Group((Word("wonen"), Word("werken"))), "sluithaakje"),
        ("EN", None, "operator"),
        ("wonen EN", Word("wonen"), "operator"),
        ("OF OF", None, "operator"),
        ("NIET", None, "operator"),
        ("*", None, "'*'"),
        ("a*", Word("a"), "'*'"),
        ("gemeente:", None, "zonder waarde"),
    ],
)
def test_malformed_input_is_repaired_with_a_note(text: str, root: object, note: str) -> None:
    parsed = parse_query(text)
    assert parsed.root == root
    assert any(note in n for n in parsed.notes), parsed.notes


def test_long_input_is_truncated_with_a_note() -> None:
    parsed = parse_query("wijk " * 2000)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert any(str(MAX_QUERY_CHARS) in n for n in parsed.notes)


def test_control_characters_and_markup_are_harmless() -> None:
    parsed = parse_query("wijk\x00\x07aanpak\u200b <script>alert(1)</script>")
    assert "\x00" not in parsed.text and "\u200b" not in parsed.text
    assert all(isinstance(w, Word) and "<" not in w.text for w in parsed.words())
    assert "script" in [w.text for w in parsed.words()]


def test_deep_brackets_are_flattened() -> None:
    parsed = parse_query("(" * 40 + "wonen" + ")" * 40)
    assert parsed.root == Word("wonen")


def test_non_string_input_is_tolerated() -> None:
    assert parse_query(None).root is None  # type: ignore[arg-type]
    assert parse_query(2010).root == Word("2010")  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "wonen",
        "wijk",
        "Overvecht",
        "sloop",
        "EN",
        "OF",
        "NIET",
        "AND",
        "OR",
        "NOT",
        "-",
        "(",
        ")",
        '"',
        "*",
        "wijk*",
        "-sloop",
        "gemeente:Utrecht",
        "jaar:2010",
        "jaar:20x",
        "foo:bar",
        "30 995 nr. 50",
        "kst-31311-20",
        "?",
        "<",
        "&",
        "\x00",
        "é",
        " ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600))
def test_parse_query_never_raises_on_any_text(text: str) -> None:
    parsed = parse_query(text)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert isinstance(str(parsed), str)
    assert all(isinstance(n, str) for n in parsed.notes)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map(" ".join))
def test_parse_query_never_raises_on_operator_soup(text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(str(parsed), str)


_PLAIN = st.sampled_from(
    [
        "wonen",
        "wijk",
        "sloop",
        "bewoners",
        "EN",
        "OF",
        "NIET",
        "(",
        ")",
        '"',
        "-",
        "wijk*",
        "school",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PLAIN, max_size=20).map(" ".join))
def test_the_string_form_parses_to_the_same_tree(text: str) -> None:
    parsed = parse_query(text)
    again = parse_query(str(parsed))
    assert again.root == parsed.root

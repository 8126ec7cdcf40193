"""parse_text: text repair, structure, footnotes, lists and tables on the real corpus.

The two progress reports in ``corpus/`` are the main fixtures; small synthetic
texts pin each rule on its own.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.parsers.text import build_vocabulary, parse_text
from indexer.parsers.textrepair import collapse_spaces, ends_sentence, keep_hyphen
from kennisbank.model import Block, ParsedDocument

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
NAME_2008 = "voortgangsrapportage-wijkenaanpak-2008.txt"
NAME_2010 = "voortgangsrapportage-wijkenaanpak-2010.txt"


@cache
def _vocabulary() -> frozenset[str]:
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in (NAME_2008, NAME_2010)]
    return frozenset(build_vocabulary(texts))


@cache
def _parsed(name: str) -> ParsedDocument:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return parse_text(text, vocabulary=set(_vocabulary()), name=name)


@pytest.fixture(scope="module")
def doc2008() -> ParsedDocument:
    return _parsed(NAME_2008)


@pytest.fixture(scope="module")
def doc2010() -> ParsedDocument:
    return _parsed(NAME_2010)


def headings(doc: ParsedDocument, role: str | None = None) -> list[Block]:
    return [b for b in doc.blocks if b.kind == "heading" and (role is None or b.role == role)]


def heading(doc: ParsedDocument, text: str) -> Block:
    found = [b for b in headings(doc) if b.text == text]
    assert len(found) == 1, (text, [b.text for b in headings(doc)])
    return found[0]


def paragraphs(doc: ParsedDocument) -> list[Block]:
    return [b for b in doc.blocks if b.kind == "paragraph"]


def full_text(doc: ParsedDocument) -> str:
    return "\n".join(b.text for b in doc.blocks)


def single(doc: ParsedDocument, kind: str) -> Block:
    found = [b for b in doc.blocks if b.kind == kind]
    assert len(found) == 1, [(b.kind, b.text) for b in doc.blocks]
    return found[0]


# --------------------------------------------------------------------------- structure 2008


def test_2008_has_its_eight_numbered_chapters(doc2008: ParsedDocument) -> None:
    chapters = [b.text for b in headings(doc2008, "chapter")]
    assert chapters == [
        "1. Inleiding",
        "2. Opbouwfase wijkenaanpak",
        "3. Werken aan zichtbare resultaten",
        "4. Bevorderen betrokkenheid bewoners",
        "5. De zeven experimenten van de wijkenaanpak",
        "6. Aan de slag met de Landelijke alliantiepartners",
        "7. Voortgang volgen",
        "8. Tot slot",
    ]
    assert all(b.level == 1 for b in headings(doc2008, "chapter"))


def test_2008_experiments_and_appendices(doc2008: ParsedDocument) -> None:
    experiments = headings(doc2008, "experiment")
    assert [b.text.split(":")[0] for b in experiments] == [f"Experiment {n}" for n in range(1, 8)]
    assert experiments[4].text == (
        "Experiment 5: Weg met bureaucratie! Energie steken in de juiste dingen!"
    )
    assert all(b.level == 2 for b in experiments)
    bijlagen = [b.text for b in headings(doc2008, "bijlage")]
    assert bijlagen == [
        "Bijlage 1: Model G31 Subsidieverordening vouchers bewonersinitiatieven",
        "Bijlage 2: Partners Landelijke Alliantie Krachtwijken",
        "Bijlage 3",
    ]
    assert all(b.level == 1 for b in headings(doc2008, "bijlage"))


def test_2008_sections_and_good_practice_blocks(doc2008: ParsedDocument) -> None:
    for text in ("Rol rijksoverheid", "Wonen", "Werken", "Wijkeconomie", "Veiligheid"):
        block = heading(doc2008, text)
        assert (block.level, block.role) == (2, "section")
    for text in (
        "Nijmegen: actiecentrum Hatert naar Werk",
        "Utrecht Overvecht: Ontmoetingsruimten in flats",
        "Dordrecht, Wielwijk en Crabbehof",
        "Dordrecht: een werkmakelaar aan de slag",
        "Den Haag Zuidwest: social sofa’s",
    ):
        block = heading(doc2008, text)
        assert (block.level, block.role) == (3, "praktijkvoorbeeld")
    # Headings ending in a period lose it; the page-start ".. en opgroeien" is a heading.
    assert heading(doc2008, "Financiën Wijkenaanpak").role == "section"
    assert heading(doc2008, ".. en opgroeien").level == 2
    # Enumerated sub-headings inside experiments.
    assert heading(doc2008, "a) Projectencarrousel").role == "subheading"
    assert heading(doc2008, "(b) Verbeteren van de samenwerking in de veiligheid").level == 3


def test_2008_has_no_title_line_but_names_itself(doc2008: ParsedDocument) -> None:
    assert not headings(doc2008, "title")
    assert doc2008.title == "Voortgangsrapportage Wijkenaanpak 2008"
    assert doc2008.metadata == {"year": 2008}


def test_2008_no_broken_paragraph_tail_becomes_a_heading(doc2008: ParsedDocument) -> None:
    for block in headings(doc2008):
        assert len(block.text) <= 100, block.text
        assert not block.text[0].islower() or re.match(r"^\(?[a-z][.)]", block.text), block.text
        assert not block.text.endswith((",", ";", " de", " het", " van", " en")), block.text


# --------------------------------------------------------------------------- structure 2010


def test_2010_title_and_year(doc2010: ParsedDocument) -> None:
    title = headings(doc2010)[0]
    assert (title.text, title.level, title.role) == (
        "Voortgangsrapportage Wijkenaanpak 2010",
        0,
        "title",
    )
    assert doc2010.title == "Voortgangsrapportage Wijkenaanpak 2010"
    assert doc2010.metadata == {"year": 2010}


def test_2010_chapters(doc2010: ParsedDocument) -> None:
    assert [b.text for b in headings(doc2010, "chapter")] == [
        "Inleiding",
        "1 ... is wijkgericht; bewoners en wijk staan centraal",
        "2 ... heeft een norm, boekt en bewaakt resultaten",
        "3 ... stelt bewoners centraal",
        "4 ... verbindt partijen",
        "5 ... is innovatief en een lerende aanpak",
        "6 ... is geborgd",
        "Ten slotte",
    ]
    assert heading(doc2010, "Bijlage 3").role == "bijlage"
    assert (heading(doc2010, "Leeswijzer").level, heading(doc2010, "Leeswijzer").role) == (
        2,
        "section",
    )


def test_2010_boxes_one_to_eighteen(doc2010: ParsedDocument) -> None:
    boxes = headings(doc2010, "box")
    numbers = [int(re.match(r"Box (\d+):", b.text).group(1)) for b in boxes]  # type: ignore[union-attr]
    assert numbers == list(range(1, 19))
    assert heading(doc2010, "Box 3: Inzet op werk").level == 3  # under "Voortgang werk ..."
    assert heading(doc2010, "Box 2: Experiment Samenhang in de wijk").level == 2  # under ch. 1


def test_2010_box_one_principles_are_not_chapters(doc2010: ParsedDocument) -> None:
    principle = heading(doc2010, "1 is wijkgericht; bewoners en wijk staan centraal")
    assert principle.role == "subheading"
    assert principle.level == heading(doc2010, "Box 1: Een effectieve wijkeraanpak").level + 1


def test_2010_figure_captions_are_not_headings(doc2010: ParsedDocument) -> None:
    captions = [b.text for b in paragraphs(doc2010) if b.role == "caption"]
    assert any(c.startswith("Grafiek Ontwikkeling niet-werkende werkzoekenden") for c in captions)
    assert "Grafiek: contacten buurtbewoners\nBron: WoON / Sociaal Fysiek" in captions
    assert not any(b.text.startswith("Grafiek") for b in headings(doc2010))


# --------------------------------------------------------------------------- footnotes


def test_2010_footnotes_one_to_thirty_one_are_linked_once(doc2010: ParsedDocument) -> None:
    blocks = doc2010.blocks
    notes = {b.label: i for i, b in enumerate(blocks) if b.kind == "footnote"}
    assert sorted(notes, key=int) == [str(n) for n in range(1, 32)]
    for label, position in notes.items():
        citing = [i for i, b in enumerate(blocks) if b.kind != "footnote" and label in b.notes]
        assert len(citing) == 1, label
        assert citing[0] < position, label
    assert blocks[notes["1"]].text == "Tweede Kamer, vergaderjaar 2006 – 2007, 30 128, nr. 12"
    first = next(b for b in blocks if "1" in b.notes)
    assert "Stedelijke Vernieuwing¹ luidde" in first.text


def test_2010_footnote_bodies_are_not_inside_paragraphs(doc2010: ParsedDocument) -> None:
    text = "\n".join(b.text for b in doc2010.blocks if b.kind != "footnote")
    assert "Tweede Kamer, vergaderjaar 2006 – 2007, 30 128" not in text
    # The paragraph cut by the footnotes 5-8 is whole again.
    assert any("minder tevreden dan bewoners elders" in b.text for b in paragraphs(doc2010))


def test_2010_footnote_cited_in_a_table(doc2010: ParsedDocument) -> None:
    table = next(b for b in doc2010.blocks if b.caption.startswith("Tabel: verdeling"))
    assert table.notes == ["24"]


def test_2008_plain_digit_footnotes(doc2008: ParsedDocument) -> None:
    blocks = doc2008.blocks
    notes = {b.label: b for b in blocks if b.kind == "footnote"}
    assert sorted(notes) == ["1", "2", "3", "4"]
    assert (
        notes["1"].text
        == "Een aantal gemeenten moet nog een definitief besluit nemen over deelname"
    )
    assert notes["2"].text == "Bron: Rapport RIVM Gezondheid in de 40 krachtwijken, 2008."
    assert notes["3"].text.startswith("Welzijnswerk bestaat uit sociaal-cultureel werk")
    assert notes["3"].text.endswith("en maatschappelijke opvang.")
    assert notes["4"].text.endswith("c. Opvoeden en d. Optreden.")
    for label, marker in (("1", "gemeenten¹ en"), ("2", "Nederland²:"), ("3", "welzijnswerk³")):
        citing = [b for b in blocks if label in b.notes]
        assert len(citing) == 1 and marker in citing[0].text
        assert blocks.index(notes[label]) == blocks.index(citing[0]) + 1
    assert "welzijnsfuncties⁴ als" in next(b for b in blocks if "4" in b.notes).text
    # The footnote body does not interrupt the text it stood in.
    assert "Een aantal gemeenten moet nog" not in "\n".join(b.text for b in paragraphs(doc2008))


# --------------------------------------------------------------------------- text repair


#: Paragraphs whose last sentence has no final punctuation in the source itself
#: (checked against the corpus files); nothing to repair there.
SOURCE_WITHOUT_FINAL_PERIOD = (
    "die de ontwikkeling van de wijken volgt",  # 2008, line 2061
    "zie www.sardes.nl",  # 2010, box 8
    "Onderwijs en Ontwikkeling gebiedsgebonden politiewerk",  # 2010, box 10
    "bij brief van 9 juli 2010²⁷",  # 2010, box 14
)


@pytest.mark.parametrize("name", [NAME_2008, NAME_2010])
def test_no_paragraph_ends_mid_sentence(name: str) -> None:
    doc = _parsed(name)
    open_ends = [
        b.text
        for b in paragraphs(doc)
        if b.role != "caption" and not ends_sentence(b.text)
        if not b.text.endswith(SOURCE_WITHOUT_FINAL_PERIOD)
    ]
    assert open_ends == []


@pytest.mark.parametrize("name", [NAME_2008, NAME_2010])
def test_no_paragraph_starts_lower_case(name: str) -> None:
    """A lower-case start means a sentence was cut at a page break."""
    starts = [b.text[:60] for b in paragraphs(_parsed(name)) if b.text[:1].islower() and not b.role]
    assert starts == []


def test_2008_hyphens_kept_where_they_belong(doc2008: ParsedDocument) -> None:
    text = full_text(doc2008)
    # "leer-" / "werkplekken" at a line end: the corpus writes "leer-werkplekken".
    assert "in wijken leer-werkplekken te creëren" in text
    assert "VWS-programma ‘Beter in Meedoen’" in text  # acronym before the hyphen
    assert "beheer van de integratie-uitkering" in text  # hyphenated form known
    assert "kamerstuk 2007-2008, 30995, 45" in text  # number after the hyphen
    assert "het pro-actiever inrichten" in text  # "pro-" is a known compound prefix
    assert "bewonersparticipatie en –budgetten" in text  # dash after "en" joins tight
    assert "die - indien nodig - dwars" in text  # a spaced dash stays a dash


def test_2008_page_artefacts_removed(doc2008: ParsedDocument) -> None:
    texts = [b.text for b in doc2008.blocks]
    assert "37" not in texts
    assert not any(re.search(r"(^|\s)37$|^37\s", t) for t in texts)
    output = next(i for i, t in enumerate(texts) if t.startswith("Ik vind het van groot belang"))
    assert texts[output + 1].startswith("Gemeenten hebben een autonome verantwoordelijkheid")
    assert not any(t.startswith(" ") or t.endswith(" ") for t in texts)
    assert "  " not in "\n".join(b.text for b in paragraphs(doc2008))


def test_special_characters_survive(doc2008: ParsedDocument, doc2010: ParsedDocument) -> None:
    text = full_text(doc2008)
    assert "€ 250 miljoen" in text
    assert "leren & opgroeien" in text
    assert "“de Buurt, de schaal van de toekomst”" in text
    assert "Interveniëren" in text and "geïnformeerd" in text
    # Italic markers are dropped in the 2010 report.
    assert "magazine Nog meer wijken in uitvoering 2010 worden" in full_text(doc2010)
    assert "*" not in "".join(b.text for b in paragraphs(doc2010) if b.role != "caption")


# --------------------------------------------------------------------------- lists and tables


def test_lists_on_the_corpus(doc2008: ParsedDocument, doc2010: ParsedDocument) -> None:
    lists = [b for b in doc2008.blocks if b.kind == "list"]
    first = lists[0]
    assert (
        first.items[0]
        == "realiseren van concrete, meetbare verbeteringen voor bewoners in de wijken"
    )
    assert len(first.items) == 5
    assert first.text.split("\n")[1] == "• versterken van de betrokkenheid van bewoners"
    partners = next(b for b in lists if b.items[0] == "1. Aannemersfederatie Nederland")
    assert len(partners.items) == 62 and partners.items[-1] == "62. WijkAlliantie"
    # "�" bullets, with items wrapped over several lines.
    alliance = next(b for b in lists if b.items[0].startswith("Het NAi heeft"))
    assert alliance.items[-1].startswith("Albert Heijn; opent filialen")
    # An item continued after a blank line is one item.
    assert any(
        "de ‘ongetemde problemen in de wijken’ aan te pakken." in item
        for b in lists
        for item in b.items
    )
    uwv = [b for b in doc2010.blocks if b.kind == "list"][0]
    assert len(uwv.items) == 5 and uwv.items[0].startswith("De drempel naar het Werkplein")


def test_ww_table(doc2010: ParsedDocument) -> None:
    table = next(b for b in doc2010.blocks if b.caption == "Aandeel WW-uitkeringen")
    assert table.kind == "table"
    assert table.rows == [
        ["", "", "2007", "2008", "2009", "2010"],
        ["Aandachtswijken", "%", "2,5", "2,0", "2,0", "3,0"],
        ["G18", "%", "2,2", "1,8", "1,8", "2,7"],
        ["Aandachtswijken / G18", "", "1,10", "1,12", "1,15", "1,14"],
    ]
    lines = table.text.split("\n")
    assert lines[0] == "Aandeel WW-uitkeringen"
    assert lines[2] == "Aandachtswijken | % | 2,5 | 2,0 | 2,0 | 3,0"
    assert lines[-1] == "Bron: CBS-Outcomemonitor Wijkenaanpak"
    assert not any(
        "2,5\t2,0" in b.text or "Aandachtswijken | %" in b.text for b in paragraphs(doc2010)
    )


def test_40plus_and_herbestemming_tables(doc2010: ParsedDocument) -> None:
    table = next(b for b in doc2010.blocks if b.caption == "Overzicht 40+ gemeenten")
    assert table.rows[0] == ["1e tranche", "Wijk"]
    assert ["Almelo", "Ossenkoppelerbroek"] in table.rows
    assert ["2e tranche", "Wijk"] in table.rows
    assert table.rows[-1] == ["Haarlem", "Boerhaavewijk"]
    assert len(table.rows) == 2 + 37  # the "37 40+ wijken" of chapter 5
    herbestemming = next(
        b for b in doc2010.blocks if b.caption == "Verdeling tweede tranche impuls herbestemming"
    )
    assert herbestemming.rows[0] == ["gemeente", "wijk", "project", "bedrag"]
    assert herbestemming.rows[-1] == ["Zaanstad", "Poelenburg", "Kerkepad", "35.000"]


def test_buurten_table(doc2010: ParsedDocument) -> None:
    table = next(b for b in doc2010.blocks if b.kind == "table" and b.rows[0][0] == "Buurt")
    body = table.rows[1:]
    assert len(body) == 127
    assert body[0] == ["1. 't Rak-Noord", "Alkmaar", "15%"]
    assert body[27] == ["28. Erasmuspark", "Amsterdam", "14%"]  # numbered in its own cell
    assert all(len(row) == 3 for row in body)
    assert body[-1][0].startswith("127. ")


def test_2008_tables(doc2008: ParsedDocument) -> None:
    tables = [b for b in doc2008.blocks if b.kind == "table"]
    charter = next(b for b in tables if b.rows[0][1:2] == ["Microfinanciering"])
    assert charter.rows[0] == [
        "",
        "Microfinanciering",
        "Bedrijfsgerichte Gebieds-Verbetering",
        "Branchering",
        "Kansenzones",
    ]
    assert ["Amsterdam", "X", "", "", "X"] in charter.rows
    assert ["Leeuwarden", "X", "", "", ""] in charter.rows
    assert ["Enschede", "*)", "", "", ""] in charter.rows
    assert charter.caption.startswith("De tabel geeft een overzicht")
    assert charter.text.endswith("het versterken van het ondernemersklimaat.")
    migrants = next(b for b in tables if b.caption.startswith("Percentage niet-westerse"))
    assert migrants.rows[0][-1] == "90-100%"
    assert migrants.rows[1] == [
        "Aantal krachtwijken",
        "1",
        "5",
        "9",
        "6",
        "8",
        "5",
        "3",
        "1",
        "2",
        "0",
    ]
    assert migrants.text.endswith("Bron: CBS Statline 2008, bewerking VROM")


# --------------------------------------------------------------------------- synthetic rules


def test_hyphen_removed_when_the_joined_word_is_known() -> None:
    text = "Er zijn duidelijke verbeter-\ningen in de wijk zichtbaar.\n"
    doc = parse_text(text, vocabulary={"verbeteringen", "wijk"})
    assert single(doc, "paragraph").text == "Er zijn duidelijke verbeteringen in de wijk zichtbaar."


def test_hyphen_kept_when_the_hyphenated_form_is_known() -> None:
    text = "Bewoners krijgen leer-\nwerkplekken in de wijk.\n"
    doc = parse_text(text, vocabulary={"leer-werkplekken", "leer", "werkplekken"})
    assert single(doc, "paragraph").text == "Bewoners krijgen leer-werkplekken in de wijk."


def test_hyphen_kept_before_a_capital() -> None:
    doc = parse_text("Zij wonen in Noord-\nBrabant en werken daar.\n", vocabulary=set())
    assert "Noord-Brabant" in single(doc, "paragraph").text


def test_keep_hyphen_rules() -> None:
    vocab = {"leer-werkplekken", "verbeteringen"}
    prefixes = {"leer"}
    assert keep_hyphen("leer", "werkplaatsen", vocab, prefixes)  # known compound prefix
    assert not keep_hyphen("verbeter", "ingen", vocab, prefixes)  # joined word known
    assert keep_hyphen("integratie", "uitkering", set(), set())  # vowel clash e|u
    assert not keep_hyphen("huur", "woningen", set(), set())  # plain syllable break
    assert keep_hyphen("VWS", "programma", set(), set())  # acronym


def test_vocabulary_skips_line_end_fragments() -> None:
    vocab = build_vocabulary(["De verbeter-\ningen en leer-werkplekken. Café"])
    assert {"leer-werkplekken", "leer", "werkplekken", "café", "de", "en"} <= vocab
    assert "verbeter" not in vocab and "ingen" not in vocab


def test_vocabulary_of_a_repeated_text_is_that_of_one_copy() -> None:
    text = "De Woensel-West aanpak: bewoners en Bewoners praten mee. "
    assert build_vocabulary([text * 500]) == build_vocabulary([text])
    assert {"woensel-west", "woensel", "west", "bewoners"} <= build_vocabulary([text])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b", "a b"),
        ("a b c", "a b c"),
        ("a\u00a0b", "a b"),
        ("a \u202f\u2007 b", "a b"),
        ("  a  ", "a"),
        ("a\tb", "a\tb"),  # only spaces collapse
    ],
)
def test_collapse_spaces(raw: str, expected: str) -> None:
    assert collapse_spaces(raw) == expected


def test_own_words_are_the_default_vocabulary() -> None:
    text = "We zien verbeteringen.\n\nDe eerste verbeter-\ningen zijn er.\n"
    doc = parse_text(text)
    assert paragraphs(doc)[1].text == "De eerste verbeteringen zijn er."


def test_hard_wrapped_lines_become_one_paragraph() -> None:
    text = (
        "Dit is de eerste regel van een alinea die door de pdf is afgebroken \n"
        "en hier verder gaat met nog meer tekst over de wijkenaanpak in de \n"
        "veertig wijken.  \n"
        " \n"
        "Tweede alinea.\n"
    )
    doc = parse_text(text)
    assert [b.text for b in paragraphs(doc)] == [
        "Dit is de eerste regel van een alinea die door de pdf is afgebroken en hier verder "
        "gaat met nog meer tekst over de wijkenaanpak in de veertig wijken.",
        "Tweede alinea.",
    ]


def test_page_number_and_page_break_are_repaired() -> None:
    text = (
        "De gemeenten hebben samen met de corporaties afspraken gemaakt over de\n"
        "\n"
        "\n"
        " 12\n"
        "\n"
        " uitvoering van de plannen in de wijk.\n"
    )
    doc = parse_text(text)
    assert single(doc, "paragraph").text == (
        "De gemeenten hebben samen met de corporaties afspraken gemaakt over de "
        "uitvoering van de plannen in de wijk."
    )


def test_running_headers_are_removed() -> None:
    page = "Voortgangsrapportage 2009\n\nDe {word} wijk gaat vooruit, merken bewoners.\n\n{n}\n"
    words = ["eerste", "tweede", "derde", "vierde"]
    text = "\f".join(page.format(word=word, n=n) for n, word in enumerate(words, 1))
    doc = parse_text(text)
    assert "Voortgangsrapportage 2009" not in full_text(doc)
    assert [b.text.split()[1] for b in paragraphs(doc)] == words


def test_paragraph_split_by_footnotes_is_rejoined() -> None:
    text = (
        "Uit onderzoek² blijkt dat bewoners veelal minder tevreden\n"
        "\n"
        "² Tweede Kamer, vergaderjaar 2009 – 2010, 27562, nr. 48\n"
        "\n"
        "zijn dan elders. Dat is niet verwonderlijk.\n"
    )
    doc = parse_text(text)
    para = single(doc, "paragraph")
    assert para.text == (
        "Uit onderzoek² blijkt dat bewoners veelal minder tevreden zijn dan elders. "
        "Dat is niet verwonderlijk."
    )
    assert para.notes == ["2"]
    note = single(doc, "footnote")
    assert (note.label, note.text) == ("2", "Tweede Kamer, vergaderjaar 2009 – 2010, 27562, nr. 48")
    assert doc.blocks.index(note) == doc.blocks.index(para) + 1


def test_plain_digit_footnote_at_the_foot_of_a_page() -> None:
    text = (
        "Betrokken gemeenten1 en het thema waarmee zij meedoen zijn hieronder genoemd en\n"
        "uitgewerkt in de bijlage.\n"
        "\n"
        "                                                      \n"
        "1 Een aantal gemeenten moet nog een besluit\n"
        "nemen over deelname.\n"
        " Rotterdam: Samenhangende aanpak Pleinen op Zuid.\n"
    )
    doc = parse_text(text)
    para = paragraphs(doc)[0]
    assert para.text.startswith("Betrokken gemeenten¹ en het thema")
    assert para.notes == ["1"]
    note = single(doc, "footnote")
    assert note.text == "Een aantal gemeenten moet nog een besluit nemen over deelname."
    assert paragraphs(doc)[1].text == "Rotterdam: Samenhangende aanpak Pleinen op Zuid."


def test_bullets_are_normalised_into_a_list() -> None:
    text = (
        "De opgaven zijn:\n• wonen\n- werken\n\ufffd leren\no integreren\n\nDaarna volgt tekst.\n"
    )
    doc = parse_text(text)
    block = single(doc, "list")
    assert block.items == ["wonen", "werken", "leren", "integreren"]
    assert block.text == "• wonen\n• werken\n• leren\n• integreren"
    assert [b.text for b in paragraphs(doc)] == ["De opgaven zijn:", "Daarna volgt tekst."]


def test_numbered_list_is_not_a_chapter() -> None:
    text = "1. Inleiding\n\nDe thema's zijn:\n\n1. een aanpak\n2. woningen\n3. zorg\n"
    doc = parse_text(text)
    assert [b.text for b in headings(doc)] == ["1. Inleiding"]
    assert single(doc, "list").items == ["1. een aanpak", "2. woningen", "3. zorg"]


def test_heading_roles_and_levels() -> None:
    text = (
        "Voortgangsrapportage Wijkenaanpak 2011\n\n"
        "1. Inleiding\n\nEerste tekst.\n\n"
        "Wonen\n\nTekst over wonen.\n\n"
        "Nijmegen: actiecentrum Hatert naar Werk\n\nEen voorbeeld.\n\n"
        "Box 1: Een effectieve aanpak\n\nTekst in een box.\n\n"
        "2. Experimenten\n\nTekst.\n\n"
        "Experiment 1: Samenhang in de wijk\n\nTekst.\n\n"
        "a) Projectencarrousel\nOnder invloed van de politiek worden projecten gestart.\n\n"
        "Bijlage 1\n\nPartners Landelijke Alliantie\n\nTekst.\n"
    )
    doc = parse_text(text)
    outline = [(b.level, b.role, b.text) for b in headings(doc)]
    assert outline == [
        (0, "title", "Voortgangsrapportage Wijkenaanpak 2011"),
        (1, "chapter", "1. Inleiding"),
        (2, "section", "Wonen"),
        (3, "praktijkvoorbeeld", "Nijmegen: actiecentrum Hatert naar Werk"),
        (3, "box", "Box 1: Een effectieve aanpak"),
        (1, "chapter", "2. Experimenten"),
        (2, "experiment", "Experiment 1: Samenhang in de wijk"),
        (3, "subheading", "a) Projectencarrousel"),
        (1, "bijlage", "Bijlage 1: Partners Landelijke Alliantie"),
    ]
    assert doc.title == "Voortgangsrapportage Wijkenaanpak 2011"
    assert doc.metadata == {"year": 2011}


def test_last_line_of_a_paragraph_is_not_a_heading() -> None:
    text = (
        "De afspraken in de charters worden de komende jaren uitgevoerd door de gemeenten\n"
        "samen met de corporaties en de bewoners in de\n"
        "\n"
        "Veertig Wijken.\n"
        "\n"
        "Wonen\n"
        "\n"
        "De woningen worden verbeterd.\n"
    )
    doc = parse_text(text)
    assert [b.text for b in headings(doc)] == ["Wonen"]
    assert paragraphs(doc)[0].text.endswith("de bewoners in de Veertig Wijken.")


def test_markdown_headings() -> None:
    text = "# Titel van het stuk\n\n## Wonen\n\nTekst.\n\n### Details\n\nMeer tekst.\n"
    doc = parse_text(text, name="notitie.md")
    assert [(b.level, b.role, b.text) for b in headings(doc)] == [
        (0, "title", "Titel van het stuk"),
        (2, "section", "Wonen"),
        (3, "subheading", "Details"),
    ]


def test_tab_table_with_caption_and_source() -> None:
    text = (
        "Het aandeel daalt.\n\n"
        "Aandeel WW-uitkeringen\n\n"
        "\t\t2007\t2008\n"
        "Aandachtswijken\t%\t2,5\t2,0\n\n"
        "Bron: CBS\n\n"
        "Daarna volgt tekst.\n"
    )
    doc = parse_text(text)
    table = single(doc, "table")
    assert table.caption == "Aandeel WW-uitkeringen"
    assert table.rows == [["", "", "2007", "2008"], ["Aandachtswijken", "%", "2,5", "2,0"]]
    assert table.text == (
        "Aandeel WW-uitkeringen\n |  | 2007 | 2008\nAandachtswijken | % | 2,5 | 2,0\nBron: CBS"
    )
    assert [b.text for b in paragraphs(doc)] == ["Het aandeel daalt.", "Daarna volgt tekst."]


def test_special_characters_and_italics() -> None:
    text = "Het *magazine* kost € 5 & is ‘gratis’ voor “bewoners” in Café Één.\n"
    doc = parse_text(text)
    assert single(doc, "paragraph").text == (
        "Het magazine kost € 5 & is ‘gratis’ voor “bewoners” in Café Één."
    )


def test_empty_and_blank_input() -> None:
    assert parse_text("").blocks == []
    assert parse_text(" \n\n \t\n").blocks == []
    assert parse_text("", name="leeg.txt").title == ""


_PIECES = st.sampled_from(
    [
        "a",
        "Wonen",
        " ",
        "\n",
        "\n\n",
        "\t",
        ".",
        ",",
        ":",
        "-",
        "–",
        "•",
        "\ufffd",
        "o ",
        "*",
        "#",
        "1",
        "12",
        "¹",
        "²³",
        "€",
        "&",
        "\f",
        "Box 1: ",
        "Bijlage 2",
        "1. ",
        "1 ... ",
        "Experiment 3: ",
        "Bron: ",
        "Tabel: ",
        "Grafiek ",
        "a) ",
        " " * 30,
        "X ",
        "verbeter-\ningen",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), st.lists(_PIECES, max_size=60).map("".join)))
def test_parse_text_never_raises(text: str) -> None:
    doc = parse_text(text, name="x.txt")
    for block in doc.blocks:
        assert block.kind in ("heading", "paragraph", "list", "table", "footnote")
        assert block.text or block.rows or block.items

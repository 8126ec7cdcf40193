"""Segmentation: section paths, passage kinds, stable ids, offsets, sentence safety, footnotes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.segment import (
    MAX_PASSAGE_CHARS,
    PASSAGE_SEPARATOR,
    segment,
    split_long_text,
    split_sentences,
)
from kennisbank.model import Block


def heading(text: str, level: int, role: str = "section") -> Block:
    return Block(kind="heading", text=text, level=level, role=role)


def para(text: str, notes: list[str] | None = None) -> Block:
    return Block(kind="paragraph", text=text, notes=notes or [])


BLOCKS = [
    heading("Voortgangsrapportage Wijkenaanpak 2008", 0, "title"),
    heading("3. Werken aan zichtbare resultaten", 1, "chapter"),
    heading("Werken", 2, "subheading"),
    heading("Dordrecht: een werkmakelaar aan de slag", 3, "praktijkvoorbeeld"),
    para("In Dordrecht gaat een werkmakelaar aan de slag."),
    para("Hij bemiddelt bewoners naar werk¹.", ["1"]),
    Block(kind="footnote", text="Zie de brief van 1 juli 2008.", label="1"),
    heading("Leren en opgroeien", 2, "subheading"),
    para("Brede scholen worden uitgebreid."),
]


def test_section_path_follows_heading_hierarchy() -> None:
    seg = segment("doc", BLOCKS)
    box = next(p for p in seg.passages if p.kind == "praktijkvoorbeeld")
    assert box.section_path == [
        "3. Werken aan zichtbare resultaten",
        "Werken",
        "Dordrecht: een werkmakelaar aan de slag",
    ]
    last = seg.passages[-1]
    assert last.section_path == ["3. Werken aan zichtbare resultaten", "Leren en opgroeien"]


def test_short_good_practice_block_is_one_passage() -> None:
    seg = segment("doc", BLOCKS)
    blocks = [p for p in seg.passages if p.kind == "praktijkvoorbeeld"]
    assert len(blocks) == 1
    assert blocks[0].text.startswith("In Dordrecht") and blocks[0].text.endswith("werk¹.")


def test_sections_list_headings_but_not_the_title() -> None:
    seg = segment("doc", BLOCKS)
    assert [s.title for s in seg.sections] == [
        "3. Werken aan zichtbare resultaten",
        "Werken",
        "Dordrecht: een werkmakelaar aan de slag",
        "Leren en opgroeien",
    ]
    assert [s.level for s in seg.sections] == [1, 2, 3, 2]


def test_footnote_is_linked_both_ways() -> None:
    seg = segment("doc", BLOCKS)
    note = next(p for p in seg.passages if p.kind == "footnote")
    citing = next(p for p in seg.passages if p.kind == "praktijkvoorbeeld")
    assert note.cited_by == [citing.id]
    assert citing.notes == [note.id]
    assert note.label == "1"


def test_offsets_point_into_the_cleaned_text() -> None:
    seg = segment("doc", BLOCKS)
    for p in seg.passages:
        assert seg.text[p.start : p.end] == p.text
    assert seg.text.count(PASSAGE_SEPARATOR) == len(seg.passages) - 1


def test_ids_are_stable_and_unique() -> None:
    first = segment("doc", BLOCKS + [para("Brede scholen worden uitgebreid.")])
    second = segment("doc", BLOCKS + [para("Brede scholen worden uitgebreid.")])
    assert [p.id for p in first.passages] == [p.id for p in second.passages]
    assert len({p.id for p in first.passages}) == len(first.passages)


def test_unchanged_text_keeps_its_id_when_other_text_changes() -> None:
    before = segment("doc", BLOCKS)
    changed = list(BLOCKS)
    changed[-1] = para("Brede scholen worden fors uitgebreid.")
    after = segment("doc", changed)
    assert before.passages[4].id == after.passages[4].id
    assert before.passages[-1].id != after.passages[-1].id


def test_long_paragraph_is_split_only_at_sentence_ends() -> None:
    sentence = "De gemeente investeert in de wijk en de bewoners praten mee over de plannen. "
    text = (sentence * 60).strip()
    seg = segment("doc", [para(text)])
    assert len(seg.passages) > 1
    for p in seg.passages:
        assert p.text.endswith(".")
        assert len(p.text) <= MAX_PASSAGE_CHARS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dit is zin één. Dit is zin twee.", ["Dit is zin één.", "Dit is zin twee."]),
        ("Zie o.a. de brief. Daarna volgt meer.", ["Zie o.a. de brief.", "Daarna volgt meer."]),
        (
            "Kamerstuk 30 995, nr. 78 is verstuurd. Klaar.",
            ["Kamerstuk 30 995, nr. 78 is verstuurd.", "Klaar."],
        ),
        ("Werkt het? Ja! Zeker.", ["Werkt het?", "Ja!", "Zeker."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(st.text(max_size=3000))
def test_split_long_text_loses_no_characters(text: str) -> None:
    chunks = split_long_text(text, limit=200)
    assert "".join("".join(chunks).split()) == "".join(text.split())

"""Metadata: sidecars, inference of year and type."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.metadata import infer_doctype, infer_year, read_sidecar, resolve_metadata
from kennisbank.errors import SkipFile
from kennisbank.model import Block, ParsedDocument


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Brief van 7 juli 2010 over de periode 2007-2008.", 2010),
        ("In 2007 en 2008, en opnieuw in 2008.", 2008),
        ("Geen jaartal hier, alleen 250 miljoen.", None),
    ],
)
def test_infer_year(text: str, year: int | None) -> None:
    assert infer_year(text) == year


@pytest.mark.parametrize(
    ("title", "identifier", "doctype"),
    [
        ("Voortgangsrapportage Wijkenaanpak 2008", None, "voortgangsrapportage"),
        ("Charter Amsterdam", None, "charter"),
        ("Wijkactieplan Overvecht", None, "wijkactieplan"),
        ("Wat dan ook", "kst-30995-78", "kamerstuk"),
        ("Notulen", None, "overig"),
    ],
)
def test_infer_doctype(title: str, identifier: str | None, doctype: str) -> None:
    assert infer_doctype(title, identifier) == doctype


def test_invalid_sidecar_skips_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("x")
    (tmp_path / "a.meta.json").write_text("{niet: json")
    with pytest.raises(SkipFile, match="geen geldige JSON"):
        read_sidecar(doc)


def test_first_heading_is_the_title_without_other_sources(tmp_path: Path) -> None:
    parsed = ParsedDocument(
        title="",
        blocks=[Block(kind="heading", text="Wijkactieplan Spangen", level=1, role="chapter")],
    )
    fields = resolve_metadata(tmp_path / "x.txt", parsed, {}, "Vastgesteld in juni 2008.")
    assert fields["title"] == "Wijkactieplan Spangen"
    assert fields["doctype"] == "wijkactieplan"
    assert fields["year"] == 2008
    assert fields["identifier"] is None

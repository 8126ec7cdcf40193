"""Checks before a cited Kamerstuk is shown as official (issue 15, :mod:`kennisbank.refcheck`):
the 2010 report's typo "317323" and its "2008 – 2009, 30 995, nr. 81" for a letter of
7 July 2010 are flagged with their reasons; complete citations where the parts are known."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from kennisbank.refcheck import (
    Occurrence,
    check_references,
    dates_in,
    form_problem,
    sentence_at,
    vergaderjaar_of,
)


def _occ(
    number: str,
    year: str | None,
    context: str = "",
    kamer: str | None = "II",
    dossier: str = "30995",
) -> Occurrence:
    return Occurrence(
        f"kst-{dossier}-{number}", dossier, number, kamer, year, f"{dossier}, nr. {number}", context
    )


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2010, 7, 7), "2009-2010"),
        (date(2010, 9, 20), "2009-2010"),  # the Monday before Prinsjesdag 2010 (21 Sept)
        (date(2010, 9, 21), "2010-2011"),
        (date(2008, 1, 3), "2007-2008"),
    ],
)
def test_the_vergaderjaar_opens_on_prinsjesdag(day: date, year: str) -> None:
    assert vergaderjaar_of(day) == year


def test_dates_and_sentences() -> None:
    text = (
        "Eerst iets. U bent daar bij brief van 7 juli 2010 uitgebreid over geïnformeerd². Daarna."
    )
    assert dates_in(text) == [date(2010, 7, 7)]
    assert dates_in("31 februari 2010 en 1 MEI 2009") == [date(2009, 5, 1)]
    at = text.index("²")
    assert sentence_at(text, at, at + 1).startswith("U bent daar") and "Daarna" not in sentence_at(
        text, at, at + 1
    )


@pytest.mark.parametrize(
    ("dossier", "number", "ok"),
    [("30995", "78", True), ("32123-XVIII", "41", True), ("31700-XVIII", "A", True),
     ("317323", "1", False), ("995", "1", False), ("30995", "12345", False)],
)  # fmt: skip
def test_form(dossier: str, number: str, ok: bool) -> None:
    assert (form_problem(dossier, number) is None) is ok


def test_the_two_cases_of_the_2010_report_are_flagged_with_their_reasons() -> None:
    footnote = "U bent daar bij brief van 7 juli 2010 uitgebreid over geïnformeerd²."
    occurrences = [
        *[_occ(str(n), "2009-2010") for n in (77, 78, 79, 80, 82)],
        _occ("81", "2008-2009", footnote),
        _occ("1", "2007-2008", dossier="317323"),
        _occ("43", "2007-2008", kamer=None),
    ]
    checks = check_references(occurrences)
    typo = checks["kst-317323-1"]
    assert not typo.official and "317 323 heeft 6 cijfers" in typo.reasons[0]
    assert typo.note and typo.note.startswith("bron lijkt onjuist: ")
    late = checks["kst-30995-81"]
    assert not late.official
    assert any("7 juli 2010" in r and "2009/10" in r for r in late.reasons)
    assert any("nr. 80 is van 2009/10" in r and "nr. 82 is van 2009/10" in r for r in late.reasons)
    # one wrong year does not make its neighbours suspect
    assert all(checks[f"kst-30995-{n}"].official for n in (77, 78, 79, 80, 82))
    completed = checks["kst-30995-43"]
    assert completed.official and completed.kamer == "II"
    assert "de andere stukken van dossier 30 995" in completed.completed[0]


def test_neighbours_alone_flag_a_year_out_of_order() -> None:
    checks = check_references(
        [
            _occ("10", "2007-2008"),
            _occ("11", "2010-2011"),
            _occ("12", "2007-2008"),
            _occ("13", "2008-2009"),
        ]
    )
    assert [i for i, c in checks.items() if not c.official] == ["kst-30995-11"]


# -- on the pages and in the API ------------------------------------------------------------


def test_pages_show_suspect_references_as_written_without_an_official_link(
    client: FlaskClient,
) -> None:
    items = {k["identifier"]: k for k in client.get("/api/kamerstukken").get_json()["kamerstukken"]}
    for identifier in ("kst-317323-1", "kst-317323-2", "kst-30995-81"):
        item = items[identifier]
        assert item["official"] is False and item["url"] is None, identifier
        assert item["note"].startswith("bron lijkt onjuist"), identifier
        assert item["check"]["reasons"], identifier
    assert items["kst-317323-1"]["citation"].startswith("Tweede Kamer, vergaderjaar 2007")
    for identifier in ("kst-30995-43", "kst-30995-45"):
        assert (
            items[identifier]["citation"]
            == f"Kamerstukken II 2007/08, 30 995, nr. {identifier[-2:]}"
        )
    assert items["kst-30995-78"]["citation"] == "Kamerstukken II 2009/10, 30 995, nr. 78"
    html = client.get("/kamerstukken").get_data(as_text=True)
    assert "kst-317323-1.html" not in html and "kst-30995-81.html" not in html
    assert html.count("bron lijkt onjuist") >= 3
    page = client.get("/kamerstuk/kst-30995-81").get_data(as_text=True)
    assert "7 juli 2010" in page and "officielebekendmakingen.nl/kst-30995-81" not in page
    doc = client.get("/document/voortgangsrapportage-wijkenaanpak-2010").get_data(as_text=True)
    assert "kst-317323-1.html" not in doc and "bron lijkt onjuist" in doc
    assert "kst-30995-80.html" in doc


def test_the_dossier_facet_has_no_impossible_dossier(client: FlaskClient) -> None:
    data = client.get("/api/search?q=wijken").get_json()
    dossiers = [v["value"] for f in data["facets"] if f["name"] == "dossier" for v in f["values"]]
    assert "30995" in dossiers and "317323" not in dossiers


def test_api_refs_completes_and_checks(client: FlaskClient) -> None:
    refs = client.get(
        "/api/refs?text=zie kst-30995-78 en Kamerstukken II 2008/09, 30 995, nr. 81"
    ).get_json()["refs"]
    known, late = refs
    assert (
        known["vergaderjaar"] == "2009-2010"
        and known["citation"] == "Kamerstukken II 2009/10, 30 995, nr. 78"
    )
    assert known["official"] is True and known["url"].endswith("kst-30995-78.html")
    assert late["official"] is False and late["url"] is None
    assert late["citation"] == "Kamerstukken II 2008/09, 30 995, nr. 81"  # as typed
    assert "nr. 80 is van 2009/10" in late["note"]

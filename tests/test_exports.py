"""The search's exports for spreadsheets (issue 16): ``/api/search.csv`` as Dutch Excel
reads it (UTF-8 with BOM, ``;``, decimal comma), ``/api/search.xlsx`` read back with
openpyxl, and the register's CSV in the same dialect."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from flask.testing import FlaskClient

from web.exports import COLUMNS, NAME_SEPARATOR, csv_cell, csv_stream, xlsx_bytes

BOM = b"\xef\xbb\xbf"


def _excel_rows(body: bytes) -> list[list[str]]:
    """The CSV as Dutch Excel reads it: UTF-8 after a BOM, ``;`` between cells."""
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_opens_in_columns_in_dutch_excel(client: FlaskClient) -> None:
    response = client.get("/api/search.csv?q=geïntensiveerd")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    body = response.get_data()
    assert body.startswith(BOM + b"document;titel;jaar;")
    assert b"\r\n" in body
    rows = _excel_rows(body)
    header = rows[0]
    assert header == COLUMNS
    assert {"citaat", "gemeente", "wijk", "thema", "url"} <= set(header)
    assert len(rows) > 1 and all(len(row) == len(header) for row in rows)
    text = " ".join(row[header.index("tekst")] for row in rows[1:])
    assert "geïntensiveerd" in text  # not "geÃ¯ntensiveerd"
    first = dict(zip(header, rows[1], strict=True))
    assert first["gemeente"] == "Eindhoven" and first["wijk"] == "Bennekel"
    assert first["thema"] == "Veiligheid"
    assert first["url"].startswith("http://localhost/document/") and "#p-" in first["url"]
    assert first["citaat"].endswith(first["url"])


def test_csv_cells_name_entities_and_numbers_the_dutch_way(client: FlaskClient) -> None:
    rows = _excel_rows(client.get("/api/search.csv?q=kanaleneiland").get_data())
    header, data = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert any("Kanaleneiland" in r["wijk"].split(NAME_SEPARATOR) for r in data)
    assert any("Utrecht" in r["gemeente"].split(NAME_SEPARATOR) for r in data)
    several = next(r for r in data if NAME_SEPARATOR in r["wijk"])
    assert ";" not in several["wijk"]  # several names never look like several cells
    assert all(re.fullmatch(r"\d+(,\d+)?", r["score"]) for r in data)
    assert any("," in r["score"] for r in data)
    assert all(re.fullmatch(r"\d{4}", r["jaar"]) for r in data)
    assert header.index("score") == len(header) - 1


def test_csv_writer_quotes_separators_and_guards_formulas() -> None:
    body = "".join(
        csv_stream(["a", "b", "c", "d"], [["=1+1", "een; twee", 'regel\n"twee"', 2.5]])
    ).encode("utf-8")
    rows = _excel_rows(body)
    assert rows == [["a", "b", "c", "d"], ["'=1+1", "een; twee", 'regel\n"twee"', "2,5"]]
    assert csv_cell(0.125) == "0,125" and csv_cell(-1.5) == "-1,5" and csv_cell(2010) == "2010"
    assert csv_cell(1 / 3) == "0,3333" and csv_cell(7.0) == "7"
    assert csv_cell("-1") == "'-1" and csv_cell("@SUM(A1)") == "'@SUM(A1)"


def test_xlsx_has_the_same_rows_a_frozen_header_and_widths(client: FlaskClient) -> None:
    csv_rows = _excel_rows(client.get("/api/search.csv?q=kanaleneiland").get_data())
    response = client.get("/api/search.xlsx?q=kanaleneiland")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="zoekresultaten.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert list(rows[0]) == COLUMNS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGH"}
    assert widths["F"] >= 60 and widths["H"] >= 40 and widths["C"] < widths["F"]
    assert len(rows) == len(csv_rows)
    jaar, score, url = COLUMNS.index("jaar"), COLUMNS.index("score"), COLUMNS.index("url")
    for got, expected in zip(rows[1:], csv_rows[1:], strict=True):
        assert isinstance(got[jaar], int) and str(got[jaar]) == expected[jaar]
        assert isinstance(got[score], float)
        assert f"{got[score]:.4f}".rstrip("0").rstrip(".").replace(".", ",") == expected[score]
        assert got[url] == expected[url]
        for name in ("gemeente", "wijk", "thema", "citaat", "titel"):
            assert (got[COLUMNS.index(name)] or "") == expected[COLUMNS.index(name)], name


def test_xlsx_text_is_never_a_formula() -> None:
    body = xlsx_bytes(["a", "b", "c"], [['=HYPERLINK("x")', "geïntensiveerd\x01", 3]])
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    a, b, c = sheet[2]
    assert a.data_type == "s" and a.value == '=HYPERLINK("x")'
    assert b.value == "geïntensiveerd" and c.value == 3


def test_register_csv_is_in_the_same_dialect(client: FlaskClient) -> None:
    response = client.get("/api/toezeggingen.csv")
    assert response.status_code == 200
    rows = _excel_rows(response.get_data())
    header = rows[0]
    assert header[:3] == ["id", "status", "onderwerp"]
    assert len(rows) > 1 and all(len(r) == len(header) for r in rows)
    data = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert any(NAME_SEPARATOR in r["kamerstukken"] for r in data)
    assert all(r["passage"].startswith("http://localhost/document/") for r in data)

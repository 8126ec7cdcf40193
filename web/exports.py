"""The search's exports: every hit of a search (answers and passages) as rows, written
as a CSV for Dutch Excel (UTF-8 with BOM, ``;`` separator, decimal comma) or as ``.xlsx``.

The rows come from the same search as the page (:mod:`web.searching`): the published
Vraagbaak answers first, then the passages, all pages, at most :data:`MAX_CSV_ROWS`.
:func:`export_rows` yields raw values (numbers stay numbers); :func:`csv_stream` and
:func:`xlsx_bytes` write them, both guarding against cells a spreadsheet runs as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import xlsxwriter
from flask import url_for

from kennisbank.citations import passage_citation
from kennisbank.graph import entity_names
from kennisbank.vraagbaak.search import DOCTYPE, DOCTYPE_LABEL
from web.context import citation_documents, document_citation, open_store
from web.params import MAX_LIMIT, MAX_OFFSET, SearchParams
from web.searching import engine, passage_filters, plain, qa_hits, run_search

#: At most this many rows go into one CSV export.
MAX_CSV_ROWS = MAX_OFFSET
#: Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The columns of an export.
COLUMNS = [
    "document", "titel", "jaar", "sectie", "passage_id", "tekst", "url", "citaat",
    "gemeente", "wijk", "thema", "score",
]  # fmt: skip
#: Entity types with a column of their own, in :data:`COLUMNS` order.
ENTITY_COLUMNS = ("gemeente", "wijk", "thema")
#: Joins several names in one cell (never ``;``, the CSV's separator).
NAME_SEPARATOR = " | "
#: The byte order mark that tells Excel the CSV is UTF-8.
BOM = "\ufeff"
#: The longest text an Excel cell holds.
XLSX_MAX_CHARS = 32_767
#: Column widths of the ``.xlsx`` (characters), by column name.
XLSX_WIDTHS = {"tekst": 80, "citaat": 60, "titel": 40, "sectie": 30, "url": 40}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DutchExcel(csv.Dialect):
    """The CSV dialect Dutch Excel opens in columns: ``;`` separated, ``"`` quoted, CRLF."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def decimal_comma(value: float) -> str:
    """A number with decimals the Dutch way: ``2.5`` → ``2,5`` (at most 4 decimals)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def csv_cell(text: Any) -> str:
    """A CSV cell that a spreadsheet will not read as a formula; numbers with decimals
    get a decimal comma (numbers are never formulas, so a minus sign stays)."""
    if isinstance(text, bool) or text is None:
        return "" if text is None else str(text)
    if isinstance(text, float):
        return decimal_comma(text)
    if isinstance(text, int):
        return str(text)
    value = str(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_stream(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The rows as CSV for Dutch Excel (:class:`DutchExcel`), the BOM first, one chunk per
    row; every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=DutchExcel)
    buffer.write(BOM)
    writer.writerow([csv_cell(c) for c in header])
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(
    header: list[str], rows: Iterable[list[Any]], sheet: str = "Zoekresultaten"
) -> bytes:
    """The rows as an ``.xlsx`` workbook: a bold, frozen header row with a filter, widths
    per column; text is always written as text (never a formula or a link)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": False, "valign": "top"})
    for col, name in enumerate(header):
        ws.write_string(0, col, name, bold)
        ws.set_column(col, col, XLSX_WIDTHS.get(name, 14), wrap)
    ws.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(count, col, value)
            else:
                text = _XML_ILLEGAL.sub("", str(value))[:XLSX_MAX_CHARS]
                ws.write_string(count, col, text)
    ws.autofilter(0, 0, count, max(0, len(header) - 1))
    book.close()
    return out.getvalue()


def _names(entities: Iterable[Any], names: dict[str, dict[str, str]]) -> dict[str, str]:
    """The hit's entities by :data:`ENTITY_COLUMNS` type, names joined by
    :data:`NAME_SEPARATOR`."""
    found: dict[str, list[str]] = {t: [] for t in ENTITY_COLUMNS}
    for entity in entities:
        entity_id = entity.get("id") if isinstance(entity, dict) else entity
        if not isinstance(entity_id, str) or "/" not in entity_id:
            continue
        known = names.get(entity_id, {})
        kind = known.get("type") or entity_id.partition("/")[0]
        if kind not in found:
            continue
        given = entity.get("name") if isinstance(entity, dict) else None
        name = known.get("label") or given or known.get("name") or entity_id.partition("/")[2]
        if name not in found[kind]:
            found[kind].append(name)
    return {kind: NAME_SEPARATOR.join(values) for kind, values in found.items()}


def _entity_names() -> dict[str, dict[str, str]]:
    with open_store() as store:
        return entity_names(store.conn)


def export_rows(params: SearchParams) -> Iterator[list[Any]]:
    """Every hit of the search (all pages, at most :data:`MAX_CSV_ROWS`): first the header
    (:data:`COLUMNS`), then one row of raw values per hit (years and scores are numbers).
    Raises :class:`~web.searching.SearchUnavailable` before the header."""
    search = engine()
    yield list(COLUMNS)
    names = _entity_names()
    answers = qa_hits(params)[:MAX_CSV_ROWS]
    for hit in answers:
        url = url_for("vraagbaak.published", vraag_id=hit.qa.id, _external=True)
        entities = _names((t.waarde for t in hit.qa.onderwerpen), names)
        yield [
            DOCTYPE,
            hit.qa.vraag,
            hit.year,
            DOCTYPE_LABEL,
            hit.qa.referentie,
            hit.qa.antwoord,
            url,
            f"Vraagbaak Wijkenaanpak, {hit.qa.referentie}. {url}",
            *(entities[t] for t in ENTITY_COLUMNS),
            round(float(hit.score), 4),
        ]
    filters = passage_filters(params)
    offset = 0
    while filters is not None and offset < MAX_CSV_ROWS - len(answers):
        result = run_search(search, params, filters, limit=MAX_LIMIT, offset=offset, facets=False)
        hits = getattr(result, "hits", []) or []
        rows = [plain(hit) for hit in hits]
        docs = citation_documents([data["document_id"] for data in rows])
        for data in rows:
            url = url_for("views.document", doc_id=data["document_id"], _external=True)
            link = f"{url}#p-{data['passage_id']}"
            doc = docs.get(data["document_id"])
            cite = (
                passage_citation(
                    doc,
                    data.get("section_path") or [],
                    link,
                    document_citation(doc)["kamerstukken"],
                )["text"]
                if doc
                else ""
            )
            entities = _names(data.get("entities") or [], names)
            yield [
                data["document_id"],
                data.get("document_title"),
                data.get("year"),
                " › ".join(data.get("section_path") or []),
                data["passage_id"],
                data.get("text"),
                link,
                cite,
                *(entities[t] for t in ENTITY_COLUMNS),
                round(float(data.get("score") or 0.0), 4),
            ]
        offset += MAX_LIMIT
        if not hits or offset >= int(getattr(result, "total", 0) or 0):
            return

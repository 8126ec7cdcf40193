"""The search's exports: every hit of a search (answers and passages) as CSV rows.

The rows come from the same search as the page (:mod:`web.searching`): the published
Vraagbaak answers first, then the passages, all pages, at most :data:`MAX_CSV_ROWS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import url_for

from kennisbank.citations import passage_citation
from kennisbank.vraagbaak.search import DOCTYPE, DOCTYPE_LABEL
from web.context import citation_documents, document_citation
from web.params import MAX_LIMIT, MAX_OFFSET, SearchParams
from web.searching import engine, passage_filters, plain, qa_hits

#: At most this many rows go into one CSV export.
MAX_CSV_ROWS = MAX_OFFSET
#: Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: Any) -> str:
    """A CSV cell that a spreadsheet will not read as a formula."""
    value = "" if text is None else str(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_rows(params: SearchParams) -> Iterator[list[str]]:
    """Every hit of the search (all pages, at most :data:`MAX_CSV_ROWS`), as CSV rows."""
    search = engine()
    yield ["document", "titel", "jaar", "sectie", "passage_id", "tekst", "url", "citaat"]
    answers = qa_hits(params)[:MAX_CSV_ROWS]
    for hit in answers:
        url = url_for("vraagbaak.published", vraag_id=hit.qa.id, _external=True)
        yield [
            csv_cell(DOCTYPE),
            csv_cell(hit.qa.vraag),
            csv_cell(hit.year),
            csv_cell(DOCTYPE_LABEL),
            csv_cell(hit.qa.referentie),
            csv_cell(hit.qa.antwoord),
            csv_cell(url),
            csv_cell(f"Vraagbaak Wijkenaanpak, {hit.qa.referentie}. {url}"),
        ]
    filters = passage_filters(params)
    offset = 0
    while filters is not None and offset < MAX_CSV_ROWS - len(answers):
        result = search.search(
            params.q,
            filters=filters,
            year_from=params.year_from,
            year_to=params.year_to,
            sort=params.engine_sort,
            limit=MAX_LIMIT,
            offset=offset,
            facets=False,
            snippets=False,
        )
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
            yield [
                csv_cell(data["document_id"]),
                csv_cell(data.get("document_title")),
                csv_cell(data.get("year")),
                csv_cell(" › ".join(data.get("section_path") or [])),
                csv_cell(data["passage_id"]),
                csv_cell(data.get("text")),
                csv_cell(link),
                csv_cell(cite),
            ]
        offset += MAX_LIMIT
        if not hits or offset >= int(getattr(result, "total", 0) or 0):
            return

"""The OpenAPI 3.1 description of ``/api/…``, built from the same limits the code enforces.

Why one module: it is one document — the schemas, parameters and paths refer to each
other by name, and a reader checks the API against it in one place.
"""

from __future__ import annotations

from typing import Any

from web.entity_types import CARD_TYPES
from web.params import (
    FACETS,
    MAX_FILTER_CHARS,
    MAX_FILTER_VALUES,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    MAX_REFS_TEXT_CHARS,
    MAX_YEAR,
    MIN_YEAR,
    SORTS,
)
from web.toezeggingen import FACETS as REGISTER_FACETS
from web.vraagbaak import MAX_API_LIMIT, MAX_VRAAG_ID

_OBJ: dict[str, Any] = {"type": "object", "additionalProperties": True}
_STR_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_INT_OR_NULL: dict[str, Any] = {"type": ["integer", "null"]}
_YEAR: dict[str, Any] = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schemas() -> dict[str, Any]:
    entity_ref = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string"},
        },
    }
    return {
        "Fout": {
            "type": "object",
            "required": ["fout", "status"],
            "properties": {
                "fout": {"type": "string", "description": "Nederlandse foutmelding"},
                "status": {"type": "integer"},
                "parameter": {"type": "string"},
                "suggesties": _array(_OBJ),
            },
        },
        "EntityRef": entity_ref,
        "FacetValue": {
            "type": "object",
            "required": ["value", "label", "count", "selected", "toggle_url"],
            "properties": {
                "value": {"type": "string"},
                "label": {"type": "string"},
                "count": {"type": "integer"},
                "selected": {"type": "boolean"},
                "toggle_url": {"type": "string"},
            },
        },
        "Hit": {
            "type": "object",
            "description": "Een passage (soort 'passage': passage_id en document_id) of een "
            "gepubliceerd antwoord van de Vraagbaak (soort 'vraag_en_antwoord': vraag_id, "
            "referentie, centrum, gepubliceerd; document_title is de vraag, text het antwoord)",
            "required": ["soort", "document_title", "url"],
            "properties": {
                "soort": {"type": "string", "enum": ["passage", "vraag_en_antwoord"]},
                "vraag_id": {"type": "integer"},
                "referentie": {"type": "string"},
                "centrum": _STR_OR_NULL,
                "gepubliceerd": {"type": "string"},
                "citaten": {"type": "integer"},
                "passage_id": {"type": "string"},
                "document_id": {"type": "string"},
                "document_title": {"type": "string"},
                "section_path": _array({"type": "string"}),
                "kind": {"type": "string"},
                "score": {"type": "number"},
                "text": {"type": "string"},
                "snippet_html": {
                    "type": "string",
                    "description": "HTML-veilig, alleen <mark> als opmaak",
                },
                "entities": _array(_ref("EntityRef")),
                "citation": {
                    "type": ["string", "null"],
                    "description": "Citeertekst: uitgever (als bekend), titel (datum), "
                    "Kamerstuk (als zeker), sectie, Kennisbank Wijkenaanpak, permalink",
                },
                "citation_kamerstukken": {
                    "type": ["string", "null"],
                    "description": "Kamerstukken-stijl (alleen als het document een Kamerstuk is)",
                },
                "permalink": {"type": "string", "description": "Absolute link naar de passage"},
                "year": _INT_OR_NULL,
                "answer": {
                    "type": ["object", "null"],
                    "description": "De zin van de passage die de zoekvraag het best dekt "
                    "(platte tekst; start/end: tekenposities in text), of null",
                    "required": ["text", "start", "end"],
                    "properties": {
                        "text": {"type": "string"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                    },
                },
                "url": {"type": "string"},
            },
        },
        "Search": {
            "type": "object",
            "required": ["params", "available", "hits", "facets"],
            "properties": {
                "params": _OBJ,
                "available": {"type": "boolean"},
                "message": _STR_OR_NULL,
                "query": {"type": "string"},
                "total": {"type": "integer"},
                "hits": _array(_ref("Hit")),
                "facets": _array(
                    {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "label": {"type": "string"},
                            "values": _array(_ref("FacetValue")),
                        },
                    }
                ),
                "active_filters": _array(_OBJ),
                "suggestion": _STR_OR_NULL,
                "corrected_query": _STR_OR_NULL,
                "notes": _array({"type": "string"}),
                "pagination": _OBJ,
                "timeline": _array(_OBJ),
                "kamerstuk": _STR_OR_NULL,
                "confidence": {
                    "description": "'laag' als niets gevonden is of geen van de beste "
                    "treffers de helft van de woorden van de vraag bevat",
                    "type": "string",
                    "enum": ["normaal", "laag"],
                },
                "coverage": {
                    "description": "[k, n]: de best dekkende treffer bevat k van de n woorden "
                    "en zinsdelen van de vraag (null bij een vraag van één woord)",
                    "oneOf": [_array({"type": "integer"}), {"type": "null"}],
                },
                "refine": _array(_OBJ),
                "unknown_words": {
                    "description": "Getypte woorden die nergens in de index voorkomen",
                    **_array({"type": "string"}),
                },
                "answer_box": {
                    "description": "Antwoord uit de kennisgraaf op een lijstvraag ('Welke "
                    "gemeenten doen mee aan Gezonde Wijk?'): de entiteiten met per vermelding "
                    "de passage als bron; null als de vraag geen lijstvraag over een bekende "
                    "entiteit is",
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["title", "subject", "target_type", "count", "items"],
                            "properties": {
                                "title": {"type": "string"},
                                "subject": _OBJ,
                                "relation": {"type": "string"},
                                "target_type": {"type": "string"},
                                "count": {"type": "integer"},
                                "items": _array(_OBJ),
                            },
                        },
                        {"type": "null"},
                    ],
                },
                "documents": _array(_OBJ),
            },
        },
        "Documents": {
            "type": "object",
            "required": ["documents", "counts"],
            "properties": {"documents": _array(_OBJ), "counts": _OBJ},
        },
        "Document": {
            "type": "object",
            "required": ["document", "passages", "refs", "mentions", "citation"],
            "properties": {
                "document": _OBJ,
                "passages": _array(_OBJ),
                "refs": _OBJ,
                "footnote_labels": _OBJ,
                "mentions": _OBJ,
                "citation": _OBJ,
            },
        },
        "Entities": {
            "type": "object",
            "required": ["entities", "total"],
            "properties": {
                "type": _STR_OR_NULL,
                "entities": _array(_OBJ),
                "total": {"type": "integer"},
                "counts": _OBJ,
            },
        },
        "EntityCard": {
            "type": "object",
            "required": ["entity", "facts", "links", "passage_groups"],
            "properties": {
                "entity": _OBJ,
                "type_label": {"type": "string"},
                "facts": _array(_OBJ),
                "links": _OBJ,
                "related": _OBJ,
                "passage_groups": _array(_OBJ),
                "commitments": _array(_OBJ),
                "similar": _array(_OBJ),
                "graph": _OBJ,
            },
        },
        "RefCheck": {
            "type": "object",
            "description": "De controle van een Kamerstukverwijzing: vorm (5-cijferig dossier), "
            "vergaderjaar tegen de datum in de verwijzende zin en tegen de nummers eromheen. "
            "Niet officieel: citation is de tekst zoals de bron die schrijft, url is null.",
            "required": ["identifier", "official", "reasons", "note", "completed"],
            "properties": {
                "identifier": {"type": "string"},
                "official": {"type": "boolean"},
                "reasons": _array({"type": "string"}),
                "note": _STR_OR_NULL,
                "kamer": _STR_OR_NULL,
                "vergaderjaar": _STR_OR_NULL,
                "completed": _array({"type": "string"}),
                "as_written": {"type": "string"},
                "checks": _array({"type": "string"}),
            },
        },
        "Kamerstuk": {
            "type": "object",
            "required": ["identifier", "citation", "url", "official", "check", "in_corpus"],
            "properties": {
                "identifier": {"type": "string"},
                "citation": {"type": "string"},
                "url": _STR_OR_NULL,
                "official": {"type": "boolean"},
                "note": _STR_OR_NULL,
                "check": _ref("RefCheck"),
                "dossier": {"type": "string"},
                "ondernummer": {"type": "string"},
                "in_corpus": {"type": "boolean"},
                "document": {"type": ["object", "null"]},
                "citations": _array(_OBJ),
                "documents": _array({"type": "string"}),
                "commitments": _array(_OBJ),
            },
        },
        "Kamerstukken": {
            "type": "object",
            "required": ["kamerstukken", "total"],
            "properties": {
                "kamerstukken": _array(_OBJ),
                "total": {"type": "integer"},
                "dossiers": _array(_OBJ),
            },
        },
        "Toezeggingen": {
            "type": "object",
            "description": "Het register van toezeggingen: per toezegging de tekst, wie, waar en "
            "wanneer, de Kamerstukken (gecontroleerd), thema's en entiteiten, en de status "
            "(open, nagekomen, onbekend) met het bewijs.",
            "required": ["toezeggingen", "total", "facets"],
            "properties": {
                "toezeggingen": _array(
                    {
                        "type": "object",
                        "required": ["id", "text", "subject", "status", "evidence", "url"],
                        "properties": {
                            "id": {"type": "string"},
                            "text": {"type": "string"},
                            "subject": {"type": "string"},
                            "speaker": _STR_OR_NULL,
                            "venue": _STR_OR_NULL,
                            "date": _STR_OR_NULL,
                            "year": _INT_OR_NULL,
                            "status": {"type": "string", "enum": ["open", "nagekomen", "onbekend"]},
                            "evidence": _OBJ,
                            "refs": _array(_OBJ),
                            "themas": _array(_OBJ),
                            "entities": _array(_OBJ),
                            "url": {"type": "string"},
                        },
                    }
                ),
                "total": {"type": "integer"},
                "all": {"type": "integer"},
                "facets": _array(_OBJ),
            },
        },
        "Refs": {
            "type": "object",
            "required": ["refs", "count"],
            "properties": {
                "refs": _array(
                    {
                        "type": "object",
                        "required": ["identifier", "citation", "url", "official", "check"],
                        "properties": {
                            "identifier": {"type": "string"},
                            "citation": {"type": "string"},
                            "url": _STR_OR_NULL,
                            "official": {"type": "boolean"},
                            "note": _STR_OR_NULL,
                            "check": _ref("RefCheck"),
                        },
                    }
                ),
                "count": {"type": "integer"},
            },
        },
        "Wijken": {
            "type": "object",
            "required": ["gemeenten", "total"],
            "properties": {
                "gemeenten": _array(_OBJ),
                "total": {"type": "integer"},
                "statuses": _array(_OBJ),
            },
        },
        "Experimenten": {
            "type": "object",
            "required": ["experimenten", "total"],
            "properties": {"experimenten": _array(_OBJ), "total": {"type": "integer"}},
        },
        "Partners": {
            "type": "object",
            "required": ["allianties", "total"],
            "properties": {"allianties": _array(_OBJ), "total": {"type": "integer"}},
        },
        "Citaat": {
            "type": "object",
            "required": ["passage_id", "document_id", "citaat", "url"],
            "properties": {
                "passage_id": {"type": "string"},
                "document_id": {"type": "string"},
                "citaat": {"type": "string"},
                "url": {"type": "string", "description": "/document/<id>#p-<passage id>"},
            },
            "additionalProperties": False,
        },
        "Vraag": {
            "type": "object",
            "description": "Een gepubliceerde vraag met antwoord; zonder contactgegevens.",
            "required": ["id", "vraag", "antwoord", "centrum", "gepubliceerd", "citaten", "url"],
            "properties": {
                "id": {"type": "integer"},
                "referentie": {"type": "string"},
                "vraag": {"type": "string"},
                "antwoord": {"type": "string"},
                "centrum": {**_STR_OR_NULL, "description": "naam van het kenniscentrum"},
                "centrum_code": _STR_OR_NULL,
                "gepubliceerd": {"type": "string", "description": "UTC-tijd (ISO 8601)"},
                "bijgewerkt": {"type": "string"},
                "versie": {"type": "integer", "minimum": 1},
                "themas": _array({"type": "string"}),
                "onderwerpen": _array(
                    {
                        "type": "object",
                        "required": ["id", "name", "type"],
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                            "type": {"type": "string"},
                            "url": _STR_OR_NULL,
                        },
                    }
                ),
                "citaten": _array(_ref("Citaat")),
                "url": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "Vragen": {
            "type": "object",
            "required": ["vragen", "total", "limit", "offset"],
            "properties": {
                "vragen": _array(_ref("Vraag")),
                "total": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        },
    }


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A query parameter; an optional one may be empty (``?limit=``: as if it were absent)."""
    if not extra.get("required"):
        extra.setdefault("allowEmptyValue", True)
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _search_parameters() -> list[dict[str, Any]]:
    params = [
        _query("q", "Zoekvraag", {"type": "string", "maxLength": MAX_QUERY_CHARS}),
        _query("jaar_van", "Vanaf jaar (niet na jaar_tot: anders 400)", _YEAR),
        _query("jaar_tot", "Tot en met jaar (niet vóór jaar_van: anders 400)", _YEAR),
        _query("sort", "Sortering", {"type": "string", "enum": list(SORTS)}),
        _query(
            "pagina",
            f"Paginanummer (vanaf 1); (pagina − 1) × limit mag niet boven {MAX_OFFSET} "
            "komen: verder bladeren geeft 400",
            {"type": "integer", "minimum": 1, "maximum": MAX_OFFSET + 1},
        ),
        _query(
            "limit",
            "Resultaten per pagina",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        ),
    ]
    for name, label in FACETS.items():
        params.append(
            _query(
                f"f.{name}",
                _filter_description(label),
                _filter_values(),
                style="form",
                explode=True,
            )
        )
    return params


def _filter_description(label: str) -> str:
    return (
        f"Filter op {label.lower()} (herhaalbaar; waarden van ten hoogste {MAX_FILTER_CHARS} "
        f"tekens, samen over alle filters ten hoogste {MAX_FILTER_VALUES}: anders 400)"
    )


def _filter_values(min_length: int = 0) -> dict[str, Any]:
    """The values of a repeatable filter, as limited in :mod:`web.params`."""
    value: dict[str, Any] = {"type": "string", "maxLength": MAX_FILTER_CHARS}
    if min_length:
        value["minLength"] = min_length
    return {**_array(value), "maxItems": MAX_FILTER_VALUES}


def _register_parameters() -> list[dict[str, Any]]:
    """The filters of the register of commitments (repeatable, limited as on the search)."""
    return [
        _query(f"f.{name}", _filter_description(label), _filter_values(1), explode=True)
        for name, label in REGISTER_FACETS.items()
    ]


def _responses(schema: str, *errors: int, media: str = "application/json") -> dict[str, Any]:
    texts = {400: "Ongeldige parameter", 404: "Onbekend", 503: "Index of zoeken niet beschikbaar"}
    body = {media: {"schema": _ref(schema) if media == "application/json" else {"type": "string"}}}
    responses: dict[str, Any] = {"200": {"description": "Gelukt", "content": body}}
    for status in errors:
        responses[str(status)] = {
            "description": texts[status],
            "content": {"application/json": {"schema": _ref("Fout")}},
        }
    return responses


#: Answers every operation can give: 304 (``If-None-Match`` with the current ``ETag``),
#: 400 (a malformed or untrusted ``Host`` header, or a bad parameter) and 414 (an absurdly
#: long path or query string, refused before any work).
_COMMON_RESPONSES: dict[str, Any] = {
    "304": {"description": "Niet gewijzigd: If-None-Match noemt de huidige ETag"},
    "400": {
        "description": "Ongeldige parameter, of een onbekende of ongeldige Host-kop",
        "content": {"application/json": {"schema": _ref("Fout")}},
    },
    "414": {
        "description": "Adres te lang (pad boven 2.048 tekens of querystring boven 64 kB)",
        "content": {"application/json": {"schema": _ref("Fout")}},
    },
}


def _get(
    summary: str, responses: dict[str, Any], parameters: list[Any] | None = None, op_id: str = ""
) -> dict[str, Any]:
    responses = {**responses}
    for status, response in _COMMON_RESPONSES.items():
        responses.setdefault(status, response)
    operation: dict[str, Any] = {"summary": summary, "operationId": op_id, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (a plain dict, ready for ``jsonify``)."""
    type_param = _query(
        "type", "Soort entiteit (leeg: alle)", {"type": "string", "enum": list(CARD_TYPES)}
    )
    paths = {
        "/api/search": _get(
            "Zoeken (JSON-tweeling van /)",
            _responses("Search", 400, 503),
            _search_parameters(),
            "search",
        ),
        "/api/search.csv": _get(
            "Alle zoekresultaten als CSV voor Nederlandse Excel (';', UTF-8 met BOM)",
            _responses("Search", 400, 503, media="text/csv"),
            _search_parameters(),
            "searchCsv",
        ),
        "/api/search.xlsx": _get(
            "Alle zoekresultaten als Excel-werkmap (.xlsx)",
            _responses(
                "Search",
                400,
                503,
                media="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            _search_parameters(),
            "searchXlsx",
        ),
        "/api/documents": _get("Alle documenten", _responses("Documents", 503), op_id="documents"),
        "/api/documents/{doc_id}": _get(
            "Eén document met passages en vermeldingen",
            _responses("Document", 404, 503),
            [_path("doc_id", "Document-id")],
            "document",
        ),
        "/api/entities": _get(
            "Alle entiteiten", _responses("Entities", 400, 503), [type_param], "entities"
        ),
        "/api/entities/{entity_type}/{slug}": _get(
            "Kaart van één entiteit (een korte slug die één entiteit noemt: 302 naar de kaart)",
            {
                **_responses("EntityCard", 404, 503),
                "302": {"description": "Doorverwijzing naar de canonieke slug"},
            },
            [_path("entity_type", "Soort entiteit"), _path("slug", "Slug")],
            "entity",
        ),
        "/api/wijken": _get("Wijken per gemeente", _responses("Wijken", 503), op_id="wijken"),
        "/api/experimenten": _get(
            "Experimenten en deelnemers", _responses("Experimenten", 503), op_id="experimenten"
        ),
        "/api/partners": _get("Alliantiepartners", _responses("Partners", 503), op_id="partners"),
        "/api/toezeggingen": _get(
            "Het register van toezeggingen (filters f.status, f.jaar, f.dossier, f.thema, "
            "f.entiteit)",
            _responses("Toezeggingen", 400, 503),
            _register_parameters(),
            "toezeggingen",
        ),
        "/api/toezeggingen.csv": _get(
            "Het register van toezeggingen als CSV",
            _responses("Toezeggingen", 400, 503, media="text/csv"),
            _register_parameters(),
            "toezeggingenCsv",
        ),
        "/api/kamerstukken": _get(
            "Alle geciteerde Kamerstukken", _responses("Kamerstukken", 503), op_id="kamerstukken"
        ),
        "/api/kamerstukken/{ref}": _get(
            "Eén Kamerstuk (elke schrijfwijze)",
            _responses("Kamerstuk", 404, 503),
            [_path("ref", "Kamerstuk-id, bijv. kst-30995-78")],
            "kamerstuk",
        ),
        "/api/refs": _get(
            "Kamerstukverwijzingen in een tekst",
            _responses("Refs", 400, 503),
            [
                _query(
                    "text",
                    "Tekst (niet leeg)",
                    {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_REFS_TEXT_CHARS,
                        "pattern": r"\S",
                    },
                    required=True,
                )
            ],
            "refs",
        ),
        "/api/vragen": _get(
            "Gepubliceerde vragen en antwoorden van de Vraagbaak (nieuwste eerst)",
            _responses("Vragen", 400),
            [
                _query(
                    "limit",
                    "Aantal vragen",
                    {"type": "integer", "minimum": 1, "maximum": MAX_API_LIMIT},
                ),
                _query(
                    "offset",
                    "Overslaan",
                    {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
                ),
            ],
            "vragen",
        ),
        "/api/vragen/{vraag_id}": _get(
            "Eén gepubliceerde vraag met antwoord",
            _responses("Vraag", 404),
            [
                {
                    "name": "vraag_id",
                    "in": "path",
                    "required": True,
                    "description": "Nummer van de gepubliceerde vraag",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_VRAAG_ID},
                }
            ],
            "vraag",
        ),
        "/api/openapi.json": _get(
            "Deze beschrijving",
            {
                "200": {
                    "description": "OpenAPI-document",
                    "content": {"application/json": {"schema": _OBJ}},
                }
            },
            op_id="openapi",
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kennisbank Wijkenaanpak API",
            "version": "1.0.0",
            "description": "Alleen-lezen JSON-API; elke HTML-pagina heeft hier een "
            "JSON-tweeling met dezelfde gegevens. Fouten: "
            '{"fout": …, "status": …}. Een lege waarde van een optionele parameter '
            "(?limit=) telt als weggelaten. Antwoorden die alleen van de index afhangen "
            "hebben een ETag en Cache-Control: public; If-None-Match geeft dan 304.",
        },
        "paths": paths,
        "components": {"schemas": _schemas()},
    }

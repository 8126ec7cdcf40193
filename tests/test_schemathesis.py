"""Schemathesis against ``/api/openapi.json``: generated requests, every check, 0 failures.

In-process against the WSGI app over the built index of the bundled corpus (no network),
bounded (a few examples per operation and generation mode) and derandomized, so a run is
repeatable and quick.  A failure means the document and the API disagree: fix whichever
is wrong, never the check.

The operations are collected from :func:`web.openapi.openapi_document` (pytest needs them
before any fixture runs, and schemathesis' fixture-based loader does not work with pytest
9.2: it reads ``Function._nodeid``); the ``served`` fixture loads ``/api/openapi.json`` from
the app with ``schemathesis.openapi.from_wsgi`` and checks it is exactly that document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from kennisbank.config import Settings
from web.openapi import openapi_document
from web.params import MAX_FILTER_VALUES, MAX_OFFSET, PAGE_LIMIT

#: Examples per operation (fuzzing, positive and negative data; the coverage phase adds its
#: own deterministic cases).
MAX_EXAMPLES = 10
#: The run as a whole: at least this many cases (fewer means operations were silently
#: skipped), at most this many (the bound of this test).
MIN_CASES, MAX_CASES = 150, 700

#: The coverage phase (deterministic boundary values, then unexpected methods and invalid
#: values) is exhaustive: 1,200+ cases over the whole document, 0 failures, but too slow for
#: every run.  It runs in full (positive and negative) on the operations without query
#: parameters (their negative cases are the unexpected methods: 405 with ``Allow``) and
#: with valid values only on the others, whose invalid values the fuzzing phase and
#: ``tests/test_openapi.py`` (every bound and one past it) cover.
#: Invalid data may also be refused with the declared 414 (a query string above 64 kB,
#: refused before routing), next to schemathesis' default rejections.
CONFIG = {
    "checks": {
        "negative_data_rejection": {
            "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "414"]
        }
    },
    "phases": {"coverage": {"generation": {"mode": "positive"}}},
    "operations": [
        {
            "include-path-regex": r"^/api/(documents|entities/|wijken|experimenten|partners"
            r"|kamerstukken|vragen/|openapi\.json)",
            "phases": {"coverage": {"generation": {"mode": "all"}}},
        }
    ],
}
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=schemathesis.Config.from_dict(CONFIG)
)
#: (operation, phase, method sent) of every case run.
_cases: list[tuple[str, str, str]] = []


def _int(values: list[str]) -> int | None:
    """The first value of a parameter as the API reads it (``args.get``), as a number."""
    text = values[0].strip() if values else ""
    return int(text) if text.isascii() and text.lstrip("-").isdigit() else None


def _breaks_cross_parameter_rule(case: Any, sent: dict[str, list[str]]) -> str | None:
    """The parameter the API blames when the query as sent breaks a documented rule
    between parameters (checked in the API's order).

    OpenAPI cannot express a rule between parameters; these are in the parameters'
    descriptions and answered with 400 (``tests/test_openapi.py`` checks the years and
    pages): at most MAX_FILTER_VALUES filter values over all ``f.…`` together, ``jaar_van``
    not after ``jaar_tot``, ``(pagina - 1) x limit`` at most MAX_OFFSET.  Schemathesis
    generates such queries as valid data (its coverage phase ignores filter hooks), so they
    must get exactly that 400 instead.
    """
    count = 0
    for param in case.operation.definition.raw.get("parameters", []):
        if param["name"].startswith("f."):
            count += sum(1 for value in sent.get(param["name"], []) if value.strip())
            if count > MAX_FILTER_VALUES:
                return param["name"]
    year_from, year_to = _int(sent.get("jaar_van", [])), _int(sent.get("jaar_tot", []))
    if year_from is not None and year_to is not None and year_from > year_to:
        return "jaar_van"
    page, limit = _int(sent.get("pagina", [])), _int(sent.get("limit", []))
    if page is not None and (page - 1) * (limit or PAGE_LIMIT) > MAX_OFFSET:
        return "pagina"
    return None


def _wire_valid(param: dict[str, Any], sent: list[str]) -> bool:
    """Whether the values sent for a query parameter are valid for it, read as the API reads
    them: blank values count as absent, a repeated key is an array, a scalar the first value
    (Flask's ``args.get``), an integer its digits."""
    values = [value.strip() for value in sent if value.strip()]
    schema = param["schema"]
    if schema.get("type") == "array":
        return jsonschema.Draft202012Validator(schema).is_valid(values)
    if not values:
        return not param.get("required")
    value: Any = next(v for v in sent if v.strip())
    if schema.get("type") == "integer":
        text = value.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            return False
        value = int(text)
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def _as_sent(query: dict[str, Any]) -> dict[str, list[str]]:
    """The generated query as lists of strings (scalars and lists of scalars only)."""
    return {
        name: [str(v) for v in (value if isinstance(value, list) else [value])]
        for name, value in query.items()
    }


def _sent(response: Any) -> dict[str, list[str]]:
    """The query string as sent."""
    return parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)


def _negative_but_valid_on_the_wire(case: Any, response: Any) -> bool:
    """True when a negative case only mutated query parameters and what was sent is valid.

    Query values are text: ``f.jaar=false`` is the one-element array ``["false"]`` and
    ``q={"a": 1}`` goes out as ``q=a``, however they were generated ("not an array",
    "not a string" mutations).  Schemathesis 4.32 still judges such a request invalid;
    it is valid, so it gets the checks of a valid request instead (see the test).
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    mutations = getattr(meta.phase.data, "mutations", ())
    if not mutations:
        return False
    sent = _sent(response)
    parameters = {p["name"]: p for p in case.operation.definition.raw.get("parameters", [])}
    for mutation in mutations:
        param = parameters.get(mutation.parameter or "")
        if param is None or param["in"] != "query":
            return False
        if not _wire_valid(param, sent.get(param["name"], [])):
            return False
    return True


@pytest.fixture(scope="module")
def served(built_settings: Settings, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over the built index, once its ``/api/openapi.json`` is the tested document."""
    from web import create_app

    app = create_app({"TESTING": True, "KENNISBANK_SETTINGS": built_settings})
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    assert loaded.raw_schema == schema.raw_schema
    load_all_checks()
    config = schema.config.checks_config_for()
    disabled = [
        name for name in CHECKS.get_all_names() if not config.get_by_name(name=name).enabled
    ]
    assert not disabled, f"checks uitgeschakeld: {disabled}"
    _cases.clear()
    yield app
    phases = Counter(phase for _, phase, _ in _cases)
    labels = {label for label, _, _ in _cases}
    other_methods = sum(1 for _, _, method in _cases if method != "GET")
    summary = (
        f"schemathesis: {len(_cases)} gevallen over {len(labels)} operaties "
        f"({', '.join(f'{name}: {n}' for name, n in sorted(phases.items()))}; "
        f"{other_methods} met een niet-beschreven methode)"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(f"\n{summary}")
    else:
        print(summary)
    operations = sum(1 for result in schema.get_all_operations() if result.ok())
    if len(labels) == operations:  # the whole run (not a -k selection)
        assert MIN_CASES <= len(_cases) <= MAX_CASES, summary


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case: Any, served: Flask) -> None:
    phase = case.meta.phase.name.value if case.meta else "?"
    _cases.append((case.operation.label, phase, case.method.upper()))
    response = case.call(app=served)
    excluded: list[Any] = []
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if not negative or _negative_but_valid_on_the_wire(case, response):
        # a valid request, as far as OpenAPI can tell: only the cross-parameter rules
        # described on the parameters may refuse it, with a 400 that names the parameter
        blamed = _breaks_cross_parameter_rule(case, _as_sent(case.query or {}))
        if blamed is not None:
            assert response.status_code == 400, (blamed, response.status_code)
            assert response.json()["parameter"] == blamed
            excluded = [positive_data_acceptance, negative_data_rejection]
        elif negative:
            assert response.status_code < 400 or response.status_code == 404, response.text[:300]
            excluded = [negative_data_rejection]
    case.validate_response(response, excluded_checks=excluded, transport_kwargs={"app": served})

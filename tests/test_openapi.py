"""``/api/openapi.json`` is a valid OpenAPI document that describes every endpoint truthfully."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kennisbank.config import Settings
from tests.test_web import DOC_2010, KST, WIJK, settings_with_search
from web import create_app

openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
openapi_schema_validator = pytest.importorskip("openapi_schema_validator")


@pytest.fixture()
def spec(client: FlaskClient) -> dict[str, Any]:
    """The served OpenAPI document."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def _resolve(node: Any, spec: dict[str, Any]) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(copy.deepcopy(target), spec)
        return {key: _resolve(value, spec) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, spec) for item in node]
    return node


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    openapi_spec_validator.validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_api_route_is_described(app: Flask, spec: dict[str, Any]) -> None:
    routes = {
        re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(spec["paths"])
    for path, item in spec["paths"].items():
        operation = item["get"]
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{([a-z_]+)}", path)), path
        assert "200" in operation["responses"], path


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/documents", "/api/documents", "200"),
        (f"/api/documents/{DOC_2010}", "/api/documents/{doc_id}", "200"),
        ("/api/documents/bestaat-niet", "/api/documents/{doc_id}", "404"),
        ("/api/entities?type=wijk", "/api/entities", "200"),
        (f"/api/entities/{WIJK}", "/api/entities/{entity_type}/{slug}", "200"),
        ("/api/entities/wijk/onbekend", "/api/entities/{entity_type}/{slug}", "404"),
        ("/api/wijken", "/api/wijken", "200"),
        ("/api/experimenten", "/api/experimenten", "200"),
        ("/api/partners", "/api/partners", "200"),
        ("/api/kamerstukken", "/api/kamerstukken", "200"),
        (f"/api/kamerstukken/{KST}", "/api/kamerstukken/{ref}", "200"),
        ("/api/refs?text=kst-30995-78", "/api/refs", "200"),
        ("/api/refs", "/api/refs", "400"),
        ("/api/search?pagina=abc", "/api/search", "400"),
    ],
)
def test_responses_match_their_schemas(
    client: FlaskClient, spec: dict[str, Any], url: str, path: str, status: str
) -> None:
    response = client.get(url)
    assert str(response.status_code) == status
    declared = spec["paths"][path]["get"]["responses"][status]
    schema = _resolve(declared["content"]["application/json"]["schema"], spec)
    openapi_schema_validator.validate(
        response.get_json(), schema, cls=openapi_schema_validator.OAS31Validator
    )


def test_search_parameters_match_the_limits(spec: dict[str, Any]) -> None:
    from web.params import FACETS, MAX_LIMIT, MAX_QUERY_CHARS

    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["maxLength"] == MAX_QUERY_CHARS
    assert params["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert {f"f.{name}" for name in FACETS} <= set(params)


def test_search_responses_match_their_schema(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = settings_with_search(built_settings, tmp_path_factory)
    client = create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings}).test_client()
    spec = client.get("/api/openapi.json").get_json()
    declared = spec["paths"]["/api/search"]["get"]["responses"]["200"]
    schema = _resolve(declared["content"]["application/json"]["schema"], spec)
    for url in ("/api/search?q=wijkactieplan&f.gemeente=gemeente/utrecht", "/api/search"):
        response = client.get(url)
        assert response.status_code == 200
        openapi_schema_validator.validate(
            response.get_json(), schema, cls=openapi_schema_validator.OAS31Validator
        )


#: A value for each path parameter that names something in the bundled corpus.
PATH_VALUES = {
    "doc_id": DOC_2010,
    "entity_type": WIJK.split("/")[0],
    "slug": WIJK.split("/")[1],
    "ref": KST,
    "vraag_id": "1",
}


#: Other parameters under which a parameter's declared bounds are reachable: the
#: cross-parameter rule ``(pagina - 1) x limit <= 10000`` is in ``pagina``'s description.
COMPANIONS = {"pagina": {"limit": "1"}}


def _param_valid(param: dict[str, Any], raw: str) -> bool:
    """Whether the declared parameter accepts the query-string value ``raw``."""
    if raw.strip() == "":  # blanks around a value are ignored, so blanks alone are empty
        return bool(param.get("allowEmptyValue")) and not param.get("required")
    schema = param["schema"]
    if schema.get("type") == "array":
        schema = schema["items"]
    value: Any = raw
    if schema.get("type") == "integer":
        if not raw.lstrip("-").isdigit():
            return False
        value = int(raw)
    try:
        openapi_schema_validator.validate(
            value, schema, cls=openapi_schema_validator.OAS31Validator
        )
    except openapi_schema_validator.validators.ValidationError:  # type: ignore[attr-defined]
        return False
    return True


def _boundary_values(param: dict[str, Any]) -> list[str]:
    """The empty value and the values at and just past each declared bound."""
    schema = param["schema"]
    schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    values: list[Any] = ["", " "]
    if "minimum" in schema:
        values += [schema["minimum"], schema["minimum"] - 1]
    if "maximum" in schema:
        values += [schema["maximum"], schema["maximum"] + 1]
    if "maxLength" in schema:
        values += ["k" * schema["maxLength"], "k" * (schema["maxLength"] + 1)]
    if "enum" in schema:
        values += [schema["enum"][0], schema["enum"][-1], "onbekend"]
    if schema.get("type") == "integer":
        values += ["abc", "1.5"]
    return [str(value) for value in values]


def test_every_operation_answers_empty_and_boundary_values_as_declared(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    """Walk the document: an empty value, each bound and one past it, for every parameter of
    every operation; the status must be declared, 400 exactly when the schema says no."""
    checked = 0
    for path, item in spec["paths"].items():
        operation = item["get"]
        declared = set(operation["responses"])
        assert {"304", "400"} <= declared, path
        url = re.sub(r"{([a-z_]+)}", lambda m: PATH_VALUES[m.group(1)], path)
        params = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        base = {p["name"]: KST for p in params if p.get("required")}
        cases = [(None, "", base)]
        for param in params:
            for value in _boundary_values(param):
                companions = {
                    name: v
                    for name, v in COMPANIONS.get(param["name"], {}).items()
                    if any(p["name"] == name for p in params)
                }
                cases.append((param, value, {**base, **companions, param["name"]: value}))
        for param, value, args in cases:
            response = client.get(url, query_string=args)
            response.get_data()
            status = str(response.status_code)
            assert status in declared, (path, args, status)
            if param is not None:
                valid = _param_valid(param, value)
                assert valid == (status != "400"), (path, param["name"], value, status)
            if status == "400":
                body = response.get_json()
                assert body["status"] == 400 and body["fout"], (path, args)
            checked += 1
        # a bad Host header and a matching If-None-Match are declared answers too
        bad_host = client.get(url, query_string=base, headers={"Host": "a..b"})
        assert bad_host.status_code == 400 and bad_host.get_json()["status"] == 400
        first = client.get(url, query_string=base)
        first.get_data()
        if "ETag" in first.headers:
            again = client.get(
                url, query_string=base, headers={"If-None-Match": first.headers["ETag"]}
            )
            assert again.status_code == 304, path
    assert checked > 100


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("jaar_van=2010&jaar_tot=2009", 400),  # described on jaar_van/jaar_tot
        ("jaar_van=2009&jaar_tot=2009", 200),
        ("pagina=10001&limit=1", 200),  # the declared maximum, with the smallest page
        ("pagina=102&limit=100", 400),  # (pagina - 1) x limit > 10,000: described on pagina
        ("limit=&pagina=&sort=&jaar_van=", 200),  # empty values count as absent
    ],
)
def test_cross_parameter_rules_are_described(
    client: FlaskClient, spec: dict[str, Any], query: str, status: int
) -> None:
    response = client.get(f"/api/search?{query}")
    assert response.status_code == status
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "400" in params["jaar_van"]["description"]
    assert "10000" in params["pagina"]["description"]

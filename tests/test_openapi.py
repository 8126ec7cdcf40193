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

"""The served schema is a valid OpenAPI 3 document that generated clients can use: JSON
bodies everywhere, multipart alone and only where a file is sent."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
# Bodies that are not JSON by nature: tus appends raw bytes, LiveKit signs its own type.
RAW_BODIES = {
    ("patch", "/api/v1/uploads/{upload_id}/"): "application/offset+octet-stream",
    ("post", "/api/v1/live/webhook/"): "application/webhook+json",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _has_file(schema, body_schema) -> bool:
    if "$ref" in body_schema:
        name = body_schema["$ref"].rsplit("/", 1)[-1]
        body_schema = schema["components"]["schemas"][name]
    return any(
        prop.get("format") == "binary" for prop in body_schema.get("properties", {}).values()
    )


def test_the_served_schema_passes_the_openapi_validator(schema):
    validate(schema)  # raises, naming the first problem, on an invalid document


def test_every_operation_with_path_parameters_declares_them(schema):
    for method, path, operation in _operations(schema):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        wanted = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert declared == wanted, (method, path)


def test_each_request_body_has_one_content_type(schema):
    multipart = []
    for method, path, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        content = operation["requestBody"]["content"]
        assert len(content) == 1, (method, path, list(content))
        ((content_type, body),) = content.items()
        if (method, path) in RAW_BODIES:
            assert content_type == RAW_BODIES[(method, path)]
        elif _has_file(schema, body.get("schema", {})):
            assert content_type == "multipart/form-data", (method, path)
            multipart.append(path)
        else:
            assert content_type == "application/json", (method, path, content_type)
    assert "/api/v1/upload/audio/" in multipart and "/api/v1/auth/me/avatar/" in multipart


def test_a_form_body_gets_415_and_changes_nothing(user_client, user):
    response = user_client.patch(
        "/api/v1/auth/me", "display_name=Changed", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    user.refresh_from_db()
    assert user.display_name != "Changed"


def test_id_query_parameters_are_integers(schema):
    seen = 0
    for method, path, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] == "query" and (
                name in {"artist", "category"} or name.endswith("_id")
            ):
                assert parameter["schema"]["type"] == "integer", (method, path, name)
                assert parameter["schema"].get("minimum") == 1, (method, path, name)
                seen += 1
    assert seen >= 6  # podcasts, movies and music each filter by artist and category


def test_numeric_path_ids_have_one_type(schema):
    int_id = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
    numeric = 0
    for method, path, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "path" or not parameter["name"].endswith("id"):
                continue
            kind = parameter["schema"]
            if kind.get("type") == "integer":
                assert kind == int_id, (method, path, parameter["name"])
                numeric += 1
            else:
                assert kind.get("pattern") != "^\\d+$", (method, path, parameter["name"])
    assert numeric > 50


def _documented(schema, path, method="get"):
    return schema["paths"][path][method]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]


def test_feeds_and_lists_answer_as_documented(schema, user_client):
    following = user_client.get("/api/v1/community/posts/following")
    assert following.status_code == 200
    assert set(following.json()) >= {"count", "results"}
    assert _documented(schema, "/api/v1/community/posts/following/") == {
        "$ref": "#/components/schemas/PaginatedPostList"
    }
    for method in ("get", "put"):
        documented = _documented(schema, "/api/v1/notifications/preferences/", method)
        assert documented["type"] == "array"
    preferences = user_client.get("/api/v1/notifications/preferences")
    assert preferences.status_code == 200 and isinstance(preferences.json(), list)
    assert _documented(schema, "/api/v1/live/streams/{id}/chat/")["type"] == "array"


def _resolve(schema, node):
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_operation_documents_its_error_statuses(schema):
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        for code in ("401", "429", "503"):
            assert code in responses, f"{where} does not document {code}"
        assert "Retry-After" in responses["429"].get("headers", {}), where
        if "{" in path:
            assert "404" in responses, where
        if any(p["name"] == "page" for p in operation.get("parameters", [])):
            assert "404" in responses and "400" in responses, where
        for code, response in responses.items():
            if code >= "400" and method != "head" and path != "/ready/":
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, f"{where} {code}"


def test_reads_document_the_etag_and_304(schema):
    for method, path, operation in _operations(schema):
        if method != "get" or "200" not in operation["responses"]:
            continue
        assert "ETag" in operation["responses"]["200"]["headers"], path
        assert "304" in operation["responses"], path
        names = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-None-Match" in names, path


def test_open_operations_do_not_document_a_403(schema):
    login = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    health = schema["paths"]["/health/"]["get"]["responses"]
    assert "403" not in login and "403" not in health
    me = schema["paths"]["/api/v1/auth/me/"]["get"]["responses"]
    assert "403" in me


def test_the_error_code_vocabulary_is_documented_once(schema):
    from cnt.api.schema import _subclasses
    from cnt.errors import ApplicationError

    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    described = error["properties"]["code"]["description"]
    for cls in _subclasses(ApplicationError):
        assert f"`{cls.default_code}`" in described, cls.__name__


def _inline_enums(node, where):
    if isinstance(node, dict):
        if "enum" in node:
            yield where
        for key, value in node.items():
            yield from _inline_enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _inline_enums(value, f"{where}/{index}")


def test_every_enum_is_a_named_component(schema):
    inline = list(_inline_enums(schema["paths"], "paths"))
    for name, component in schema["components"]["schemas"].items():
        if "enum" not in component:
            inline += list(_inline_enums(component, name))
    assert inline == []


def test_every_integer_id_is_an_int64(schema):
    loose = []
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in (component.get("properties") or {}).items():
            is_id = prop == "id" or prop.endswith("_id")
            if is_id and spec.get("type") == "integer" and spec.get("format") != "int64":
                loose.append(f"{name}.{prop}")
    assert loose == []


def _refs(spec) -> set[str]:
    branches = [spec, *spec.get("allOf", []), *spec.get("oneOf", [])]
    return {b["$ref"].rsplit("/", 1)[-1] for b in branches if "$ref" in b}


def test_money_is_a_decimal_string_beside_its_currency(schema):
    components = schema["components"]["schemas"]
    assert components["Amount"]["type"] == "string"
    assert components["Amount"]["format"] == "decimal"
    with_money = 0
    for name, component in components.items():
        props = component.get("properties") or {}
        money = [p for p in props if p == "amount" or p.startswith("amount_")]
        for prop in money:
            assert "Amount" in _refs(props[prop]), f"{name}.{prop}"
        if money:
            with_money += 1
            assert "Currency" in _refs(props["currency"]), name
    assert with_money >= 4

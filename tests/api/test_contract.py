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

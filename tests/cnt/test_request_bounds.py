"""Hostile request shapes get a clear 4xx in the one error shape, never a 500, and change
nothing: deep or huge JSON, overfull or oversized forms, NUL and control characters in the
path, the query or JSON text, and unbounded lists."""

import json

import pytest
from django.test import Client

from accounts.models import User
from cnt.api.parsers import check_document
from cnt.errors import InvalidInput
from cnt.notifications.models import NotificationPreference, NotificationType
from media.models import MediaAsset as Asset
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
PREFERENCES = "/api/v1/notifications/preferences"


def _post_json(client, url, raw: str | bytes, method="post"):
    return getattr(client, method)(url, data=raw, content_type="application/json")


def _shape(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"detail", "code", "errors"}
    return body


# --- JSON bodies ---------------------------------------------------------------------------


def test_json_nested_2000_deep_is_400_too_deep(api_client):
    raw = '{"email": ' + "[" * 2000 + "]" * 2000 + "}"

    response = _post_json(api_client, REGISTER, raw)

    assert response.status_code == 400
    assert _shape(response)["code"] == "too_deep"
    assert User.objects.count() == 0


def test_json_just_past_the_depth_limit_is_400_and_at_it_passes_the_parser(settings):
    settings.API_JSON_MAX_DEPTH = 4
    check_document({"a": [{"b": []}]})  # four levels
    with pytest.raises(InvalidInput) as refused:
        check_document({"a": [{"b": [[]]}]})
    assert refused.value.code == "too_deep"


def test_six_megabyte_json_is_413(api_client):
    raw = json.dumps({"email": "a@example.com", "username": "ada", "bio": "x" * 6_000_000})

    response = _post_json(api_client, REGISTER, raw)

    assert response.status_code == 413
    assert _shape(response)["code"] == "payload_too_large"
    assert User.objects.count() == 0


def test_json_over_the_limit_without_a_content_length_is_413(settings):
    from io import BytesIO

    from cnt.api.parsers import BoundedJSONParser
    from cnt.errors import PayloadTooLarge

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(PayloadTooLarge):
        BoundedJSONParser().parse(BytesIO(b'{"a": "' + b"x" * 200 + b'"}'), parser_context={})
    assert BoundedJSONParser().parse(BytesIO(b'{"a": "x"}'), parser_context={}) == {"a": "x"}


@pytest.mark.parametrize("text", ["ada\u0000", "ada\u0007", "\u001b[31mada"])
def test_nul_or_control_characters_in_json_text_are_400(api_client, text):
    body = {"email": "ada@example.com", "username": "ada_l", "password": "x" * 12}
    raw = json.dumps({**body, "display_name": text})
    response = _post_json(api_client, REGISTER, raw)

    assert response.status_code == 400
    body = _shape(response)
    assert body["code"] == "invalid"
    message = "Text may not contain NUL or other control characters."
    assert body["errors"] == {"display_name": [message]}
    assert body["detail"] == f"display_name: {message}"
    assert User.objects.count() == 0


def test_nul_in_a_json_key_is_400(user):
    response = _post_json(
        client_for(user), PREFERENCES, json.dumps([{"type\u0000": "like"}]), method="put"
    )

    assert response.status_code == 400
    assert list(_shape(response)["errors"]) == ["0.type\\x00"]


def test_tabs_and_line_breaks_are_text():
    check_document({"message": "line one\r\nline two\tend"})


def test_invalid_json_is_still_a_400_parse_error(api_client):
    response = _post_json(api_client, REGISTER, '{"email": ')

    assert response.status_code == 400
    assert _shape(response)["code"] == "parse_error"


# --- form bodies ---------------------------------------------------------------------------


def test_multipart_with_more_fields_than_allowed_is_400(user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    data = {f"field{i}": "x" for i in range(60)}

    response = client_for(user).post("/api/v1/upload/image", data, format="multipart")

    assert response.status_code == 400
    assert _shape(response)["code"] == "too_many_fields"
    assert Asset.objects.count() == 0


def test_multipart_fields_over_the_memory_limit_are_413(user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {"purpose": "x" * 5000}

    response = client_for(user).post("/api/v1/upload/image", data, format="multipart")

    assert response.status_code == 413
    assert _shape(response)["code"] == "payload_too_large"
    assert Asset.objects.count() == 0


def test_urlencoded_webhook_body_over_the_limit_is_413(settings, api_client):
    # Views that read request.body (webhooks) meet Django's own limit.
    settings.PAYMENT_GATEWAY_WEBHOOK_SECRET = "whsec_test"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = _post_json(api_client, "/api/v1/donations/webhook", "{" + " " * 5000 + "}")

    assert response.status_code == 413
    assert _shape(response)["code"] == "payload_too_large"


# --- path and query ------------------------------------------------------------------------


def test_nul_in_a_path_parameter_is_400(api_client):
    response = api_client.get("/api/v1/users/ada%00")

    assert response.status_code == 400
    assert _shape(response)["code"] == "control_characters"


def test_nul_in_a_query_parameter_is_400(api_client):
    response = api_client.get("/api/v1/community/posts?author=ada%00")

    assert response.status_code == 400
    body = _shape(response)
    assert body["code"] == "control_characters"
    assert "author" in body["detail"]


def test_control_character_in_a_query_parameter_name_is_400(api_client):
    response = api_client.get("/api/v1/community/posts?a%01=1")

    assert response.status_code == 400
    assert _shape(response)["code"] == "control_characters"


def test_too_many_query_parameters_is_400(api_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    query = "&".join(f"p{i}=1" for i in range(30))

    response = api_client.get(f"/api/v1/community/posts?{query}")

    assert response.status_code == 400
    assert _shape(response)["code"] == "too_many_fields"


def test_ordinary_query_text_still_works(api_client):
    response = api_client.get("/api/v1/community/posts?author=nobody%20here")

    assert response.status_code == 200


def test_nul_outside_the_api_is_a_plain_404_in_the_path_and_400_in_the_query(admin_user):
    response = Client().get("/media/s/00000000-0000-0000-0000-000000000000/1/sig/a%00.m3u8")
    assert response.status_code == 404

    client = Client()
    client.force_login(admin_user)
    response = client.get("/admin/accounts/user/?q=ada%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


# --- bounded lists -------------------------------------------------------------------------


def test_notification_preferences_list_is_bounded(user):
    items = [{"type": "like", "in_app": False, "email": True}] * 30_000

    response = client_for(user).put(PREFERENCES, items, format="json")

    assert response.status_code == 400
    body = _shape(response)
    assert body["code"] == "invalid"
    assert NotificationPreference.objects.count() == 0


def test_notification_preferences_refuse_a_type_twice(user):
    items = [{"type": "like", "in_app": False}, {"type": "like", "in_app": True}]

    response = client_for(user).put(PREFERENCES, items, format="json")

    assert response.status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_notification_preferences_take_every_type_once(user):
    items = [{"type": value, "in_app": False, "email": True} for value in NotificationType.values]

    response = client_for(user).put(PREFERENCES, items, format="json")

    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=user, in_app=False).count() == len(
        NotificationType.values
    )


def test_audio_edit_top_level_sources_are_bounded(user):
    import uuid

    sources = [str(uuid.uuid4()) for _ in range(21)]
    response = client_for(user).post(
        "/api/v1/audio-editing",
        {"sources": sources, "operations": [{"type": "merge"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "sources" in _shape(response)["errors"]


def test_the_schema_documents_413_for_operations_with_a_body(api_client):
    schema = api_client.get("/api/schema/?format=json").json()

    register = schema["paths"]["/api/v1/auth/register/"]["post"]["responses"]
    assert register["413"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "413" not in schema["paths"]["/api/v1/auth/me/"]["get"]["responses"]


def test_every_list_a_request_may_carry_has_a_maximum_length(api_client):
    """Walks the request side of the OpenAPI document (its *Request components and request
    bodies): every array must declare maxItems, so no list a client sends is unbounded."""
    schema = api_client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    unbounded = []

    def walk(node, where, seen):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    walk(components[name], name, seen | {name})
                return
            if node.get("type") == "array" and "maxItems" not in node and not node.get("readOnly"):
                unbounded.append(where)
            for key, value in node.items():
                walk(value, f"{where}.{key}", seen)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}.{index}", seen)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body:
                walk(body, f"{method.upper()} {path}", frozenset())

    assert unbounded == []


def test_escaped_backslashes_that_look_like_control_escapes_are_text():
    from io import BytesIO

    from cnt.api.parsers import BoundedJSONParser

    raw = json.dumps({"path": "C:\\u0000\\bin", "deep": [[[[1]]]]}).encode()

    assert BoundedJSONParser().parse(BytesIO(raw), parser_context={}) == {
        "path": "C:\\u0000\\bin",
        "deep": [[[[1]]]],
    }

"""One JSON error shape for 400, 401, 403, 404, 405 and unhandled exceptions under /api/."""

import pytest

from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.cnt.urls_errors")]


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["code"] == code
    return body


def test_400_names_the_fields(api_client):
    response = api_client.post(
        "/api/test/validate", {"name": "far too long", "tags": ["x"]}, format="json"
    )
    body = assert_error_shape(response, 400, "invalid")
    assert body["errors"]["name"] == ["Ensure this field has no more than 5 characters."]
    assert body["errors"]["tags.0"] == ["A valid integer is required."]
    assert body["name"] == body["errors"]["name"]
    assert body["detail"].startswith("name: ")


def test_400_for_malformed_json(api_client):
    response = api_client.generic(
        "POST", "/api/test/validate", "{not json", content_type="application/json"
    )
    assert_error_shape(response, 400, "parse_error")


def test_401_without_credentials(api_client):
    assert_error_shape(api_client.get("/api/test/private"), 401, "not_authenticated")


def test_401_with_a_garbage_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert_error_shape(api_client.get("/api/test/private"), 401, "token_not_valid")


def test_403_for_a_user_without_the_role(user):
    assert_error_shape(client_for(user).get("/api/test/staff"), 403, "permission_denied")


def test_404_for_an_unknown_api_path(api_client):
    assert_error_shape(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_404_stays_html_outside_the_api(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_405_for_a_wrong_method(api_client):
    body = assert_error_shape(api_client.delete("/api/test/validate"), 405, "method_not_allowed")
    assert "DELETE" in body["detail"]


def test_500_from_a_drf_view_hides_the_exception(api_client):
    api_client.raise_request_exception = False
    response = api_client.get("/api/test/crash")
    body = assert_error_shape(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert body == {"detail": "Internal server error.", "code": "server_error"}


def test_500_from_a_plain_django_view_is_json_too(client, settings):
    settings.DEBUG = True  # even the debug page never replaces the JSON error
    client.raise_request_exception = False
    response = client.get("/api/test/plain-crash")
    assert_error_shape(response, 500, "server_error")
    assert "plain boom" not in response.content.decode()


def test_html_error_pages_under_api_become_json(client):
    assert_error_shape(client.get("/api/test/html-error"), 400, "bad_request")

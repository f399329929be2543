"""One JSON error shape for 400, 401, 403, 404, 405 and unhandled exceptions under /api/."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError

from accounts.exceptions import OtpError
from catalog.models import ModerationDecision
from catalog.services import CannotFollowSelf
from cnt import errors
from cnt.models import ModerationStatus
from finance.services.donations import IdempotencyKeyReused
from live.livekit import InvalidWebhook, LiveKitRejected
from media.editing.services import EditLimitReached
from media.tus import ChecksumMismatch as TusChecksumMismatch
from media.tus import UploadGone
from media.validation import MediaRejected, MediaTooLarge
from tests.cnt.urls_errors import RaisingView
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.moderation.factories import PodcastFactory

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
    assert set(body) == {"detail", "code", "errors"}  # field errors live under `errors` only
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


# --- the application error vocabulary (cnt.errors), rendered by cnt.api.exceptions ----------

APPLICATION_ERRORS = [
    (errors.ApplicationError(), 400, "error"),
    (errors.InvalidInput("Bad header.", "invalid_header"), 400, "invalid_header"),
    (errors.Forbidden(), 403, "permission_denied"),
    (errors.NotFound(), 404, "not_found"),
    (errors.Conflict("Already done.", "already_done"), 409, "already_done"),
    (errors.Gone(), 410, "gone"),
    (errors.PreconditionFailed(), 412, "precondition_failed"),
    (errors.PayloadTooLarge(), 413, "payload_too_large"),
    (errors.UnsupportedMediaType(), 415, "unsupported_media_type"),
    (errors.Unprocessable(), 422, "unprocessable"),
    (errors.RateLimited(), 429, "throttled"),
    (errors.ChecksumMismatch(), 460, "checksum_mismatch"),
    (errors.SignatureInvalid(), 401, "invalid_signature"),
    (errors.UpstreamRejected(), 502, "bad_gateway"),
    (errors.ServiceUnavailable(), 503, "service_unavailable"),
    (errors.NotConfigured(), 503, "not_configured"),
    # domain errors keep the codes clients already match on
    (OtpError(code="otp_expired"), 400, "otp_expired"),
    (CannotFollowSelf(), 400, "cannot_follow_self"),
    (MediaTooLarge("The file is too large."), 413, "file_too_large"),
    (MediaRejected("Not a PDF.", "unsupported_format"), 400, "unsupported_format"),
    (TusChecksumMismatch(), 460, "checksum_mismatch"),
    (UploadGone(), 410, "upload_expired"),
    (EditLimitReached(), 429, "too_many_edits"),
    (IdempotencyKeyReused(), 422, "idempotency_key_reused"),
    (InvalidWebhook(), 401, "invalid_signature"),
    (LiveKitRejected(), 502, "bad_gateway"),
]


@pytest.fixture
def raising(monkeypatch):
    def set_error(exc):
        monkeypatch.setattr(RaisingView, "raising", exc)

    return set_error


@pytest.mark.parametrize(
    ("exc", "status", "code"), APPLICATION_ERRORS, ids=lambda v: type(v).__name__
)
def test_application_errors_render_their_status_and_code(api_client, raising, exc, status, code):
    raising(exc)
    body = assert_error_shape(api_client.get("/api/test/raise"), status, code)
    assert body == {"detail": exc.detail, "code": code}


def test_field_errors_name_the_fields_like_serializer_errors(api_client, raising):
    raising(errors.InvalidInput(errors={"slug": ["Taken."], "operations": {0: {"end": "Late."}}}))
    body = assert_error_shape(api_client.get("/api/test/raise"), 400, "invalid")
    assert body == {
        "detail": "slug: Taken.",
        "code": "invalid",
        "errors": {"slug": ["Taken."], "operations.0.end": ["Late."]},
    }


def test_rate_limited_says_when_to_retry(api_client, raising):
    raising(errors.RateLimited("Too many wrong passcodes.", retry_after=899.2))
    response = api_client.get("/api/test/raise")
    body = assert_error_shape(response, 429, "throttled")
    assert response["Retry-After"] == "900"
    assert body["detail"] == "Too many wrong passcodes. Expected available in 900 seconds."


def test_not_authenticated_names_the_scheme(api_client, raising):
    raising(errors.NotAuthenticated("Invalid credentials.", "invalid_credentials"))
    response = api_client.get("/api/test/raise")
    body = assert_error_shape(response, 401, "invalid_credentials")
    assert body["detail"] == "Invalid credentials."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_django_validation_error_with_fields_is_a_400_naming_them(api_client, raising):
    raising(DjangoValidationError({"reason": "A reason is required.", NON_FIELD_ERRORS: "No."}))
    body = assert_error_shape(api_client.get("/api/test/raise"), 400, "invalid")
    assert body["errors"] == {"reason": ["A reason is required."], "non_field_errors": ["No."]}
    assert "reason" not in body
    assert body["detail"] == "reason: A reason is required."


def test_a_django_validation_error_without_fields_is_a_400(api_client, raising):
    raising(DjangoValidationError(["First problem.", "Second problem."]))
    body = assert_error_shape(api_client.get("/api/test/raise"), 400, "invalid")
    assert body["detail"] == "First problem."
    assert body["errors"] == {"non_field_errors": ["First problem.", "Second problem."]}


def test_a_django_permission_denied_is_a_403(api_client, raising):
    raising(DjangoPermissionDenied("Moderators only."))
    assert_error_shape(api_client.get("/api/test/raise"), 403, "permission_denied")


def test_a_protected_delete_is_a_409(api_client, raising):
    raising(ProtectedError("Cannot delete: referenced.", set()))
    body = assert_error_shape(api_client.get("/api/test/raise"), 409, "conflict")
    assert "still in use" in body["detail"]


def test_a_service_raising_django_validation_error_is_a_400_and_changes_nothing(user):
    podcast = PodcastFactory(status=ModerationStatus.PENDING)
    moderator = UserFactory(is_staff=True)
    response = client_for(moderator).post(
        f"/api/test/unchecked-reject/{podcast.pk}", {"reason": "   "}, format="json"
    )
    body = assert_error_shape(response, 400, "invalid")
    assert body["errors"] == {"reason": ["A reason is required to reject content."]}
    podcast.refresh_from_db()
    assert podcast.status == ModerationStatus.PENDING
    assert podcast.rejection_reason == ""
    assert not ModerationDecision.objects.filter(object_id=podcast.pk).exists()


def test_the_admin_reject_endpoint_without_a_reason_is_a_400_and_changes_nothing():
    podcast = PodcastFactory(status=ModerationStatus.PENDING)
    moderator = UserFactory(is_staff=True)
    response = client_for(moderator).post(
        f"/api/v1/admin/reject/podcast/{podcast.pk}", {"reason": ""}, format="json"
    )
    body = assert_error_shape(response, 400, "invalid")
    assert list(body["errors"]) == ["reason"]
    podcast.refresh_from_db()
    assert podcast.status == ModerationStatus.PENDING
    assert not ModerationDecision.objects.filter(object_id=podcast.pk).exists()

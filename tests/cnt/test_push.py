"""cnt/push.py: the Firebase Admin SDK against the local fake FCM (OAuth JWT grant + HTTP v1),
and how each FCM answer is sorted (sent, unregistered, transient, failed)."""

import pytest

from cnt import push


def test_sends_through_the_sdk_with_an_oauth_token_from_the_credentials_token_uri(fcm):
    outcome = push.send_each(
        [
            push.Push(
                token="tok-a", title="Ana liked your post", data={"n": "1"}, collapse_key="like"
            ),
            push.Push(token="tok-b", title="New sermon", body="Sunday"),
        ]
    )
    assert outcome.sent == ["tok-a", "tok-b"]
    assert (outcome.unregistered, outcome.transient, outcome.failed) == ([], [], [])
    assert fcm.token_requests == 1
    by_token = {body["message"]["token"]: body["message"] for body in fcm.sent}
    liked = by_token["tok-a"]
    assert liked["notification"] == {"title": "Ana liked your post"}
    assert liked["data"] == {"n": "1"}
    assert liked["android"] == {"collapse_key": "like", "notification": {"tag": "like"}}
    assert liked["apns"] == {"headers": {"apns-collapse-id": "like"}}
    assert liked["webpush"]["headers"] == {"Topic": "like"}
    sermon = by_token["tok-b"]
    assert sermon["notification"] == {"title": "New sermon", "body": "Sunday"}
    assert "android" not in sermon and "apns" not in sermon

    push.send_each([push.Push(token="tok-c", title="Again")])
    assert fcm.token_requests == 1  # the access token is reused until it expires
    assert fcm.tokens_sent_to[-1] == "tok-c"


def test_unregistered_and_invalid_tokens_are_reported_for_removal(fcm):
    fcm.unregistered.add("gone")
    fcm.invalid.add("garbled")
    outcome = push.send_each(
        [
            push.Push(token="gone", title="x"),
            push.Push(token="garbled", title="x"),
            push.Push(token="fine", title="x"),
        ]
    )
    assert sorted(outcome.unregistered) == ["garbled", "gone"]
    assert outcome.sent == ["fine"]


def test_quota_and_unavailable_are_transient_with_retry_after(fcm):
    fcm.failures = [(429, "QUOTA_EXCEEDED", "7"), (503, "UNAVAILABLE", None)]
    outcome = push.send_each([push.Push(token="a", title="x"), push.Push(token="b", title="x")])
    assert sorted(outcome.transient) == ["a", "b"]
    assert outcome.retry_after == 7.0
    assert outcome.sent == []
    assert fcm.send_requests == 2  # no hidden retries inside the SDK: the task decides


def test_a_refusal_for_another_reason_is_failed_not_retried(fcm):
    fcm.failures = [(403, "SENDER_ID_MISMATCH", None)]
    outcome = push.send_each([push.Push(token="a", title="x")])
    assert outcome.failed == ["a"]
    assert outcome.transient == [] and outcome.unregistered == []


def test_more_than_a_batch_is_refused(fcm):
    with pytest.raises(ValueError, match="at most 500"):
        push.send_each([push.Push(token=f"t{i}", title="x") for i in range(501)])
    assert fcm.send_requests == 0


def test_token_endpoint_refusing_the_account_is_a_configuration_error(fcm, settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from tests.cnt import fake_fcm

    other = fake_fcm.FakeFCM(url="http://127.0.0.1:1")  # a token_uri nobody serves
    settings.FCM_CREDENTIALS_FILE = str(other.credentials_file(tmp_path))
    fcm_url = settings.FCM_API_URL
    assert fcm_url == fcm.url
    with pytest.raises((push.PushUnavailable, ImproperlyConfigured)):
        push.send_each([push.Push(token="a", title="x")])
    assert fcm.send_requests == 0


def test_off_without_credentials(settings):
    settings.FCM_CREDENTIALS_FILE = ""
    assert push.is_enabled() is False


def test_default_endpoint_is_googles(fcm, settings):
    settings.FCM_API_URL = "https://fcm.googleapis.com"
    push.reset()
    assert push.send_url() == "https://fcm.googleapis.com/v1/projects/cnt-test/messages:send"
    settings.FCM_API_URL = fcm.url + "/"
    assert push.send_url() == f"{fcm.url}/v1/projects/cnt-test/messages:send"


def test_a_credentials_file_that_is_not_json_says_what_to_do(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    path = tmp_path / "creds.json"
    path.write_text("not json")
    settings.FCM_CREDENTIALS_FILE = str(path)
    push.reset()
    with pytest.raises(ImproperlyConfigured, match="service-account JSON"):
        push.send_each([push.Push(token="a", title="x")])
    push.reset()

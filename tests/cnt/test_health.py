import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_ok(api_client):
    response = api_client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_every_dependency(api_client):
    response = api_client.get("/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"] == {"database": "ok", "cache": "ok", "storage": "ok", "ffmpeg": "ok"}
    assert body["failing"] == []


def test_ready_names_a_missing_ffmpeg(api_client, settings, caplog):
    settings.FFMPEG_BINARY = "ffmpeg-that-is-not-installed"
    response = api_client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["ffmpeg"]
    assert body["checks"]["ffmpeg"] == "error"
    # What exactly failed is for the operator's log, not for anyone who asks.
    assert "ffmpeg-that-is-not-installed not found" in caplog.text


def test_ready_names_an_unreachable_cache(api_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = api_client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_ready_names_an_unwritable_storage(api_client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = api_client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]

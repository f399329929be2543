"""A client generated from the served schema with openapi-python-client, unedited, makes a
listener's and a creator's whole journey over real HTTP: register, log in, upload audio,
publish a podcast, list and search, report progress, post and like, read notifications.
If the schema and the server disagree, the generated models fail to parse or the calls fail."""

import importlib
import io
import os
import shutil
import subprocess
import sys
from http import HTTPStatus

import pytest
import requests

from tests.factories import DEFAULT_PASSWORD, UserFactory

GENERATOR_ENV = "OPENAPI_PYTHON_CLIENT"
PACKAGE = "cnt_generated_client"


def _generator() -> str:
    path = os.environ.get(GENERATOR_ENV) or shutil.which("openapi-python-client")
    assert path and os.path.exists(path), (
        "openapi-python-client is missing: run `make test` (it installs .venv-codegen), or "
        f"point {GENERATOR_ENV} at the command"
    )
    return path


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package, generated now from what the server serves."""
    schema = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    spec = tmp_path / "openapi.json"
    spec.write_bytes(schema.content)
    config = tmp_path / "config.yml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    out = tmp_path / "client"
    result = subprocess.run(
        [_generator(), "generate", "--path", str(spec), "--output-path", str(out)]
        + ["--meta", "none", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # tus appends raw bytes (application/offset+octet-stream), which the generator skips.
    skipped = [line for line in result.stdout.splitlines() if "will not be generated" in line]
    assert all("/uploads/{upload_id}" in line for line in skipped), skipped
    sys.path.insert(0, str(tmp_path))
    package_dir = tmp_path / PACKAGE
    out.rename(package_dir)
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _ok(response, status=HTTPStatus.OK):
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response.parsed is not None
    return response.parsed


def test_a_generated_client_makes_the_whole_journey(generated, live_server, tone_mp3):
    from catalog import moderation
    from catalog.models import ContentType, Podcast

    client_module = generated("client")
    api = lambda name: generated(f"api.{name}")  # noqa: E731
    models = generated("models")
    types = generated("types")
    anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=False)

    registered = _ok(
        api("auth.auth_register_create").sync_detailed(
            client=anonymous,
            body=models.RegisterRequest(
                email="ruth@example.com", username="ruth", password="a-long-Passphrase-7"
            ),
        ),
        HTTPStatus.CREATED,
    )
    assert registered.user.username == "ruth"
    tokens = _ok(
        api("auth.auth_login_create").sync_detailed(
            client=anonymous,
            body=models.LoginRequest(username="ruth", password="a-long-Passphrase-7"),
        )
    )
    ruth = client_module.AuthenticatedClient(
        base_url=live_server.url, token=tokens.access, raise_on_unexpected_status=False
    )

    upload = models.UploadRequest(
        file=types.File(
            payload=io.BytesIO(tone_mp3.read_bytes()), file_name="grace.mp3", mime_type="audio/mpeg"
        )
    )
    asset = _ok(
        api("uploads.upload_audio_create").sync_detailed(client=ruth, body=upload),
        HTTPStatus.CREATED,
    )
    podcast = _ok(
        api("podcasts.podcasts_create").sync_detailed(
            client=ruth, body=models.PodcastWriteRequest(title="Zebulun Grace", asset=asset.id)
        ),
        HTTPStatus.CREATED,
    )
    assert str(podcast.status) == "pending"
    moderator = UserFactory(is_staff=True, is_superuser=True)
    moderation.content_approve(
        content_type=ContentType.PODCAST,
        obj=Podcast.objects.get(pk=podcast.id),
        moderator=moderator,
    )

    listed = _ok(api("podcasts.podcasts_list").sync_detailed(client=anonymous))
    assert [item.id for item in listed.results] == [podcast.id]
    found = _ok(api("search.search_list").sync_detailed(client=anonymous, q="zebulun"))
    assert [(str(hit.type_), hit.id) for hit in found.results] == [("podcast", podcast.id)]

    listener = UserFactory(username="boaz")
    boaz_tokens = _ok(
        api("auth.auth_login_create").sync_detailed(
            client=anonymous, body=models.LoginRequest(username="boaz", password=DEFAULT_PASSWORD)
        )
    )
    boaz = client_module.AuthenticatedClient(
        base_url=live_server.url, token=boaz_tokens.access, raise_on_unexpected_status=False
    )
    progress = _ok(
        api("podcasts.podcasts_progress_create").sync_detailed(
            podcast.id, client=boaz, body=models.ProgressWriteRequest(position=5.0, duration=5.0)
        )
    )
    assert progress.counted is True and progress.plays_count == 1
    assert listener.pk

    post = _ok(
        api("community.community_posts_create").sync_detailed(
            client=ruth, body=models.PostRequest(content="Thank you for listening")
        ),
        HTTPStatus.CREATED,
    )
    liked = _ok(
        api("community.community_posts_like_create").sync_detailed(post.id, client=boaz),
        HTTPStatus.CREATED,  # a new like; 200 when it was already there
    )
    assert liked.likes_count == 1

    notifications = _ok(api("notifications.notifications_list").sync_detailed(client=ruth))
    kinds = {str(item.type_) for item in notifications.results}
    assert {"content_approved", "like"} <= kinds

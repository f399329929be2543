"""The media path on real S3 semantics: moto's S3 server over HTTP, django-storages'
S3Storage, boto3. Uploads land in the bucket under the layout, the pipeline writes its
renditions there, playback serves playlists and redirects to SigV4 presigned URLs, and
deletes and reprocessing leave no orphaned objects."""

from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from botocore.exceptions import EndpointConnectionError

from cnt import signing
from media import layout, services, storage
from media.models import AssetStatus, MediaAsset
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.media.conftest import post_file
from tests.media.s3_fixtures import bucket_keys

pytestmark = [pytest.mark.django_db]

AUDIO_RUNGS = ("aac_256k", "aac_128k", "aac_64k", "speech_48k")
AUDIO_OUTPUTS = sorted(
    [f"hls/{rung}/index.m3u8" for rung in AUDIO_RUNGS]
    + [f"hls/{rung}/seg_0000{n}.ts" for rung in AUDIO_RUNGS for n in range(3)]
    + ["hls/master.m3u8", "waveform.json"]
    + [f"downloads/{rung}.m4a" for rung in ("aac_256k", "aac_128k", "speech_48k")]
)


@pytest.fixture
def ready_audio(s3_storage, user, user_client, tone_mp3, django_capture_on_commit_callbacks):
    """An audio upload through the API, processed by the (eager) pipeline."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(user_client, "audio", "sermon.mp3", tone_mp3.read_bytes())
    assert response.status_code == 201, response.json()
    asset = MediaAsset.objects.get(id=response.json()["id"])
    assert asset.status == AssetStatus.READY, asset.error
    return asset


def relative(keys: list[str], prefix: str) -> list[str]:
    return sorted(key[len(prefix) + 1 :] for key in keys if key.startswith(prefix + "/"))


def test_upload_and_pipeline_write_to_the_bucket_under_the_layout(
    ready_audio, s3_client, s3_bucket, tone_mp3
):
    key = ready_audio.storage_key
    assert key.startswith("audio/") and key.endswith(".mp3")
    assert str(Path(key).stem) != ready_audio.original_filename
    original = s3_client.get_object(Bucket=s3_bucket, Key=key)
    assert original["Body"].read() == tone_mp3.read_bytes()
    assert original["ContentType"] == "audio/mpeg"

    root = layout.asset_root("audio", ready_audio.id)
    assert ready_audio.output_prefix.startswith(root + "/")
    keys = bucket_keys(s3_client, s3_bucket)
    assert keys == sorted([key, *(f"{ready_audio.output_prefix}/{k}" for k in AUDIO_OUTPUTS)])
    assert sorted(storage.list_keys(root)) == [k for k in keys if k.startswith(root + "/")]
    head = s3_client.head_object(
        Bucket=s3_bucket, Key=f"{ready_audio.output_prefix}/hls/master.m3u8"
    )
    assert head["ContentType"] == "application/vnd.apple.mpegurl"
    assert head["CacheControl"] == "public, max-age=60"
    segment = s3_client.head_object(
        Bucket=s3_bucket, Key=f"{ready_audio.output_prefix}/hls/aac_64k/seg_00000.ts"
    )
    assert segment["CacheControl"] == "public, max-age=31536000, immutable"
    assert original["CacheControl"] == "public, max-age=31536000, immutable"


def test_signed_playback_serves_playlists_and_redirects_to_presigned_urls(
    ready_audio, user_client, client, s3_client, s3_bucket, tone_mp3
):
    body = user_client.get(f"/api/v1/media/assets/{ready_audio.id}").json()
    assert body["status"] == "ready" and body["hls_url"].startswith("http://testserver/media/s/")

    master = client.get(body["hls_url"])
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    variants = [line for line in master.content.decode().splitlines() if line.endswith(".m3u8")]
    assert variants == [f"{rung}/index.m3u8" for rung in AUDIO_RUNGS]

    variant_url = urljoin(body["hls_url"], variants[-1])
    variant = client.get(variant_url)
    assert variant.status_code == 200
    segments = [line for line in variant.content.decode().splitlines() if line.endswith(".ts")]
    assert segments == ["seg_00000.ts", "seg_00001.ts", "seg_00002.ts"]

    segment = client.get(urljoin(variant_url, segments[0]))
    assert segment.status_code == 302
    location = segment["Location"]
    query = parse_qs(urlparse(location).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # never legacy SigV2
    assert query["response-content-type"] == ["video/mp2t"]
    assert segment["Cache-Control"] == "private, max-age=3600"
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Type"] == "video/mp2t"
    stored = s3_client.get_object(
        Bucket=s3_bucket,
        Key=f"{ready_audio.output_prefix}/hls/{variants[-1].split('/')[0]}/seg_00000.ts",
    )
    assert fetched.content == stored["Body"].read() and len(fetched.content) > 1000

    original = client.get(body["original_url"])
    assert original.status_code == 302
    ranged = requests.get(original["Location"], headers={"Range": "bytes=10-109"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == tone_mp3.read_bytes()[10:110]
    assert ranged.headers["Content-Type"] == "audio/mpeg"

    waveform = client.get(body["waveform_url"])
    assert waveform.status_code == 302
    assert requests.get(waveform["Location"], timeout=10).json()["length"] > 0


def test_playback_refuses_bad_signatures_and_missing_playlists(ready_audio, client):
    good = signing.playback_path(ready_audio.id, "hls/master.m3u8")
    parts = good.split("/")
    flipped = ("B" if parts[5][0] == "A" else "A") + parts[5][1:]  # always a different signature
    tampered = "/".join(parts[:5] + [flipped] + parts[6:])
    assert client.get(tampered).status_code == 403
    missing = client.get(signing.playback_path(ready_audio.id, "hls/aac_64k/nothere.m3u8"))
    assert missing.status_code == 404


def test_playback_answers_503_when_storage_is_unreachable(ready_audio, client, monkeypatch):
    from django.core.files.storage import default_storage

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    monkeypatch.setattr(default_storage._wrapped, "_open", unreachable)
    response = client.get(signing.playback_path(ready_audio.id, "hls/master.m3u8"))
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response["Cache-Control"] == "no-store"


def test_delete_prefix_removes_every_rendition_and_nothing_else(
    ready_audio, s3_client, s3_bucket, s3_storage
):
    from django.core.files.base import ContentFile

    root = layout.asset_root("audio", ready_audio.id)
    neighbour = f"{root}x/keep.json"  # shares the string prefix, not the folder
    s3_storage.save(neighbour, ContentFile(b"{}"))
    assert storage.delete_prefix(root) == len(AUDIO_OUTPUTS)
    assert bucket_keys(s3_client, s3_bucket) == sorted([ready_audio.storage_key, neighbour])
    assert storage.delete_prefix(root) == 0
    with pytest.raises(ValueError):
        storage.delete_prefix("/")


def test_reprocess_replaces_the_renditions_without_orphans(
    ready_audio, admin_client_api, s3_client, s3_bucket, django_capture_on_commit_callbacks
):
    before = ready_audio.output_prefix
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(f"/api/v1/media/assets/{ready_audio.id}/reprocess")
    assert response.status_code == 202
    ready_audio.refresh_from_db()
    assert ready_audio.status == AssetStatus.READY, ready_audio.error
    assert ready_audio.output_prefix != before
    keys = bucket_keys(s3_client, s3_bucket)
    assert keys == sorted(
        [ready_audio.storage_key, *(f"{ready_audio.output_prefix}/{k}" for k in AUDIO_OUTPUTS)]
    )
    assert relative(keys, before) == []


def test_deleting_the_asset_empties_the_bucket(
    ready_audio, user_client, s3_client, s3_bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.delete(f"/api/v1/media/assets/{ready_audio.id}")
    assert response.status_code == 204
    assert bucket_keys(s3_client, s3_bucket) == []


def test_an_interrupted_run_is_finished_from_what_the_bucket_holds(
    ready_audio, s3_client, s3_bucket, django_capture_on_commit_callbacks
):
    """A rerun of the same run fetches the finished variants back from S3 to write the
    master playlist, and only makes what is missing."""
    from media import pipeline

    prefix = ready_audio.output_prefix
    run_id = prefix.rsplit("/", 1)[1]
    for key in (f"{prefix}/hls/aac_64k/index.m3u8", f"{prefix}/hls/master.m3u8"):
        s3_client.delete_object(Bucket=s3_bucket, Key=key)
    MediaAsset.objects.filter(id=ready_audio.id).update(
        status=AssetStatus.UPLOADED, metadata={**ready_audio.metadata, "run_id": run_id}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline.asset_process(asset_id=ready_audio.id) == "ready"
    ready_audio.refresh_from_db()
    assert ready_audio.output_prefix == prefix
    assert relative(bucket_keys(s3_client, s3_bucket), prefix) == AUDIO_OUTPUTS


def test_a_rejected_upload_leaves_nothing_in_the_bucket(
    s3_storage, user_client, s3_client, s3_bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_file(
            user_client, "audio", "x.mp3", b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n"
        )
    assert response.status_code == 400 and response.json()["code"] == "invalid_media"
    assert callbacks == []
    assert MediaAsset.objects.count() == 0
    assert bucket_keys(s3_client, s3_bucket) == []


def test_a_video_gets_its_ladder_and_stills_in_the_bucket(
    s3_storage, video_small, s3_client, s3_bucket, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="video", path=video_small, filename="v.mp4"
        )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error
    outputs = relative(bucket_keys(s3_client, s3_bucket), asset.output_prefix)
    assert {"hls/master.m3u8", "hls/240p/index.m3u8", "poster.jpg", "thumbnail.jpg"} <= set(outputs)
    poster = client.get(signing.playback_path(asset.id, "poster.jpg"))
    assert poster.status_code == 302
    fetched = requests.get(poster["Location"], timeout=10)
    assert fetched.headers["Content-Type"] == "image/jpeg" and fetched.content[:2] == b"\xff\xd8"


def test_local_copy_streams_to_disk_instead_of_buffering_in_memory(
    s3_storage, monkeypatch, tmp_path
):
    """S3File keeps a whole object in a SpooledTemporaryFile that never rolls over
    (AWS_S3_MAX_MEMORY_SIZE=0), so an 8 GB original would be read into RAM."""
    source = tmp_path / "big.bin"
    source.write_bytes(b"x" * (3 * 1024 * 1024))
    storage.put_file("video/big.bin", source)

    def no_s3file(*args, **kwargs):
        raise AssertionError("opened through S3File")

    monkeypatch.setattr(s3_storage._wrapped, "_open", no_s3file)
    with storage.local_copy("video/big.bin") as path:
        assert path.stat().st_size == source.stat().st_size


@pytest.mark.parametrize("location", ["", "tenant-a"])
def test_storage_helpers_respect_the_storage_location(
    settings, s3_storage, s3_client, s3_bucket, tmp_path, location
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "location": location},
        },
    }
    source = tmp_path / "a.json"
    source.write_bytes(b'{"a": 1}')
    storage.put_file("x/run/a.json", source)
    storage.put_file("x/run/deep/b.json", source)
    storage.put_file("x/run/a.json", source)  # a rerun replaces, never renames
    bucket_prefix = f"{location}/" if location else ""
    assert bucket_keys(s3_client, s3_bucket) == [
        f"{bucket_prefix}x/run/a.json",
        f"{bucket_prefix}x/run/deep/b.json",
    ]
    assert list(storage.list_keys("x")) == ["x/run/a.json", "x/run/deep/b.json"]
    with storage.local_copy("x/run/deep/b.json") as path:
        assert path.read_bytes() == b'{"a": 1}'
        workdir = path.parent
    assert not workdir.exists()
    with pytest.raises(FileNotFoundError), storage.local_copy("x/run/missing.json"):
        pass
    url = storage.signed_object_url("x/run/a.json", ttl=60)
    assert f"/{s3_bucket}/{bucket_prefix}x/run/a.json?" in url
    assert requests.get(url, timeout=10).content == b'{"a": 1}'
    assert storage.delete_prefix("x/run") == 2
    assert bucket_keys(s3_client, s3_bucket) == []


def test_presigned_urls_are_sigv4_even_when_the_storage_would_not_sign(
    settings, s3_storage, tmp_path
):
    """A custom domain without CloudFront keys, or AWS_QUERYSTRING_AUTH off, makes
    S3Storage.url() unsigned; playback redirects must stay signed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {
                **settings.STORAGES["default"]["OPTIONS"],
                "custom_domain": "cdn.example.org",
                "querystring_auth": False,
            },
        },
    }
    source = tmp_path / "p.json"
    source.write_bytes(b"{}")
    storage.put_file("p/p.json", source)
    url = storage.signed_object_url("p/p.json")
    assert "X-Amz-Signature=" in url and "cdn.example.org" not in url
    assert requests.get(url, timeout=10).status_code == 200


def test_the_original_of_an_upload_is_owned_and_listed(ready_audio, user):
    body = client_for(user).get("/api/v1/media/assets").json()
    assert [item["id"] for item in body["results"]] == [str(ready_audio.id)]

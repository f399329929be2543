import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from media import services, storage
from media.models import AssetStatus, MediaAsset
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_audio(tone_mp3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create_from_path(
            owner=UserFactory(), purpose="audio", path=tone_mp3, filename="a.mp3"
        )
    asset.refresh_from_db()
    return asset


def test_media_gc_removes_only_what_no_asset_accounts_for(ready_audio):
    published = sorted(storage.list_keys(ready_audio.output_prefix))
    default_storage.save("audio/orphan.mp3", ContentFile(b"x"))
    stale_run = f"audio/processed/{ready_audio.id}/deadbeef/hls/master.m3u8"
    default_storage.save(stale_run, ContentFile(b"#EXTM3U\n"))
    gone_asset = "video/processed/00000000-0000-0000-0000-000000000000/run1/poster.jpg"
    default_storage.save(gone_asset, ContentFile(b"x"))

    out = io.StringIO()
    call_command("media_gc", "--dry-run", "--grace-hours", "0", stdout=out)
    assert "3 orphaned objects" in out.getvalue()
    assert default_storage.exists("audio/orphan.mp3")

    call_command("media_gc", "--grace-hours", "0", stdout=io.StringIO())
    for key in ("audio/orphan.mp3", stale_run, gone_asset):
        assert not default_storage.exists(key)
    assert default_storage.exists(ready_audio.storage_key)
    assert sorted(storage.list_keys(ready_audio.output_prefix)) == published


def test_media_gc_keeps_young_objects():
    default_storage.save("audio/just-uploaded.mp3", ContentFile(b"x"))
    call_command("media_gc", stdout=io.StringIO())
    assert default_storage.exists("audio/just-uploaded.mp3")


@pytest.mark.django_db(transaction=True)
def test_media_reprocess_failed_assets(ready_audio):
    MediaAsset.objects.filter(id=ready_audio.id).update(status=AssetStatus.FAILED, error="boom")
    out = io.StringIO()
    call_command("media_reprocess", "--failed", stdout=out, stderr=io.StringIO())
    # The tests run tasks in-process: the summary says what was done, never "Queued".
    assert "Reprocessed 1 asset in this process: 1 ready." in out.getvalue()
    assert "Queued" not in out.getvalue()
    ready_audio.refresh_from_db()
    assert ready_audio.status == AssetStatus.READY and ready_audio.error == ""


def test_media_reprocess_explains_bad_arguments():
    with pytest.raises(CommandError, match="exactly one"):
        call_command("media_reprocess", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No audio, video or image asset"):
        call_command("media_reprocess", "not-a-uuid", stdout=io.StringIO())

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import User
from catalog.models import MusicTrack, Podcast, SearchWord
from cnt.models import ModerationStatus
from media.models import MediaAsset

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_real_media_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo admin: username 'admin'" in out.getvalue()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("cnt-demo-2026")
    assert Podcast.objects.filter(status=ModerationStatus.APPROVED).count() == 3
    assert Podcast.objects.filter(status=ModerationStatus.PENDING).count() == 1
    track = MusicTrack.objects.select_related("audio").first()
    assert track.audio.storage_key.startswith("audio/")
    with default_storage.open(track.audio.storage_key) as handle:
        assert handle.read(3) == b"ID3"
    assert default_storage.size(track.audio.storage_key) == track.audio.size_bytes > 1000
    prefixes = {asset.storage_key.split("/")[0] for asset in MediaAsset.objects.all()}
    assert prefixes == {"audio", "video", "images", "documents", "animated-bible-stories"}
    # Episodes carry their passages, and typo correction knows the demo's words.
    shepherd = Podcast.objects.get(title="The Good Shepherd")
    assert shepherd.scripture_reference == "John 10:11-18; Psalms 23:1-6"
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"amazing", "grace", "shepherd"} <= words

    counts = {model: model.objects.count() for model in (User, Podcast, MusicTrack, MediaAsset)}
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 rows created" in again.getvalue()
    assert {model: model.objects.count() for model in counts} == counts

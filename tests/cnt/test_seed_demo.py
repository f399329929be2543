import ast
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import User
from accounts.policies import MODERATORS_GROUP
from bible.models import BibleStory
from catalog import kinds
from catalog.models import ModerationDecision, MusicTrack, Podcast, SearchWord
from cnt.models import ModerationStatus
from cnt.notifications.models import Notification
from cnt.seeding import demo_modules
from media.models import MediaAsset

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "media", "catalog", "bible", "community", "live", "finance", "support")


def _rows(label):
    return sum(model.objects.count() for model in apps.get_app_config(label).get_models())


def _all_rows():
    return {
        model._meta.label: model.objects.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }


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

    counts = _all_rows()
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 rows created" in again.getvalue()
    assert _all_rows() == counts


def test_seeded_content_went_through_moderation_by_a_granted_moderator():
    call_command("seed_demo", "--no-media", stdout=io.StringIO(), stderr=io.StringIO())
    moderator = User.objects.get(username="moderator")
    assert moderator.is_staff and not moderator.is_superuser
    assert moderator.groups.get().name == MODERATORS_GROUP
    for kind in kinds.kinds():
        for obj in kind.model.objects.all():
            actions = list(
                ModerationDecision.objects.filter(content_type=kind.name, object_id=obj.pk)
                .order_by("pk")
                .values_list("action", "moderator__username")
            )
            if obj.status == ModerationStatus.APPROVED:
                assert obj.moderated_by == moderator
                assert actions == [("submit", None), ("approve", "moderator")], obj
            else:
                assert (obj.status, obj.moderated_by, actions) == (
                    ModerationStatus.PENDING,
                    None,
                    [("submit", None)],
                )
    assert Podcast.objects.filter(status=ModerationStatus.PENDING).count() == 1
    # The admin shows each approval in the moderator's Recent actions.
    assert LogEntry.objects.filter(user=moderator, change_message="Approved.").count() == 16


def test_demo_modules_run_in_layer_order():
    assert [label for label, _ in demo_modules()] == [
        "accounts",
        "media",
        "catalog",
        "bible",
        "community",
        "live",
        "support",
    ]
    assert all(callable(module.seed) for _, module in demo_modules())


def test_every_demo_module_adds_rows_once_and_a_rerun_adds_none(settings):
    # Without FFmpeg the rows come without audio and video, and the run says so.
    settings.FFMPEG_BINARY = "/nonexistent/ffmpeg"
    labels = [label for label, _ in demo_modules()]
    before = {label: _rows(label) for label in labels}
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out, stderr=err)

    assert "FFmpeg not found" in err.getvalue()
    # 90: the moderators group itself comes from migrate (catalog/moderators.py).
    assert "Demo data ready: 90 rows created." in out.getvalue()
    assert {label for label in labels if _rows(label) > before[label]} == set(labels)
    assert Podcast.objects.filter(audio__isnull=True).count() == 4
    assert not MediaAsset.objects.filter(kind__in=["audio", "video"]).exists()
    # Rows that need another app's rows found them: creators' avatars (media, on accounts),
    # podcast passages (bible, on catalog), the comment notifications (community).
    assert User.objects.filter(username="grace_choir", avatar__isnull=False).exists()
    assert Podcast.objects.get(title="Romans, Chapter 8").scripture_reference == "Romans 8:1-39"
    assert BibleStory.objects.filter(category__slug="old-testament").count() == 2
    # 5 comment notifications, and one per approved item to its owner (9 catalogue items,
    # 2 Bible stories, 5 posts): the demo moderator approved them through the service.
    assert Notification.objects.count() == 5 + 16

    counts = _all_rows()
    again = io.StringIO()
    call_command("seed_demo", "--no-media", stdout=again, stderr=io.StringIO())
    assert "Demo data ready: 0 rows created." in again.getvalue()
    assert "Demo admin 'admin' already exists (password unchanged)." in again.getvalue()
    assert _all_rows() == counts


def test_seed_demo_command_imports_no_app():
    """The command sits in the platform layer: it finds the apps' demo modules at run time."""
    root = Path(settings.BASE_DIR)
    for path in ("cnt/management/commands/seed_demo.py", "cnt/seeding.py"):
        tree = ast.parse((root / path).read_text())
        imported = {
            (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & set(PROJECT_APPS), path

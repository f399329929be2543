import ast
import io
import json
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


def test_seed_demo_loads_real_media_and_is_idempotent(settings):
    # As `make run` seeds: tasks go to the embedded worker's queue (the command reads the
    # setting; this test's transaction never commits, so nothing is sent).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo admin: username 'admin'" in out.getvalue()
    assert "queued for the worker" in out.getvalue()
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

    _media_worth_looking_at()
    _every_kind_in_every_state()

    counts = _all_rows()
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 rows created" in again.getvalue()
    assert "queued" not in again.getvalue()  # nothing new to process
    assert _all_rows() == counts


def _media_worth_looking_at():
    from PIL import Image

    from catalog.models import Movie
    from media import pipeline
    from media.models import AssetStatus

    # Seeding queues processing after commit (the test's transaction never commits): run
    # it for one sermon and one film here.
    sermon = Podcast.objects.select_related("audio").get(title="Walking by Faith")
    movie = Movie.objects.select_related("video").get(title="The Prodigal Returns")
    for asset in (sermon.audio, movie.video):
        assert pipeline.asset_process(asset_id=asset.pk) == "ready"
        asset.refresh_from_db()
    # Sermons are speech (espeak-ng): seconds long, with the waveform of speech (pauses
    # between phrases), and the words they say.
    assert sermon.audio.status == AssetStatus.READY, sermon.audio.error
    assert sermon.audio.duration_seconds > 8 and sermon.duration_seconds > 8
    from media import profiles

    with default_storage.open(f"{sermon.audio.output_prefix}/{profiles.WAVEFORM}") as handle:
        peaks = json.load(handle)["peaks"]
    quiet = sum(1 for peak in peaks if peak < 0.02) / len(peaks)
    assert 0.05 < quiet < 0.7  # pauses, and speech between them: not a flat tone
    track = MusicTrack.objects.select_related("audio").get(title="Amazing Grace")
    assert track.audio.duration_seconds > 10
    # The 720p film plays in a ladder of at least three video rungs.
    assert (movie.video.width, movie.video.height) == (1280, 720)
    rungs = movie.video.renditions.filter(kind="hls_video", status="ready")
    assert rungs.count() >= 3
    # Covers: square 1400 px artwork with a gradient (not one flat colour).
    with default_storage.open(sermon.thumbnail.storage_key) as handle:
        cover = Image.open(handle)
        cover.load()
    assert cover.size == (1400, 1400)
    top, bottom = cover.getpixel((700, 5)), cover.getpixel((700, 1395))
    assert sum(abs(a - b) for a, b in zip(top, bottom, strict=True)) > 60


def _every_kind_in_every_state():
    from catalog.models import Movie
    from community.models import CommunityPost, Report

    for model in (Podcast, Movie, MusicTrack, BibleStory):
        states = set(model.objects.values_list("status", flat=True))
        expected = {ModerationStatus.APPROVED, ModerationStatus.PENDING}
        if model is not MusicTrack:
            expected.add(ModerationStatus.REJECTED)
        assert expected <= states, model
    rejected = Podcast.objects.get(status=ModerationStatus.REJECTED)
    from catalog.models import ModerationDecision

    assert rejected.rejection_reason
    assert ModerationDecision.objects.filter(
        content_type="podcast", object_id=rejected.pk, action="reject"
    ).exists()
    reported = CommunityPost.objects.filter(reports__isnull=False).distinct().get()
    assert reported.reports.count() == 2
    assert Report.objects.filter(comment__isnull=False).exists()
    assert CommunityPost.objects.filter(status=ModerationStatus.PENDING).exists()


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
            elif obj.status == ModerationStatus.REJECTED:
                assert obj.moderated_by == moderator and obj.rejection_reason
                assert actions == [("submit", None), ("reject", "moderator")], obj
            else:
                assert (obj.status, obj.moderated_by, actions) == (
                    ModerationStatus.PENDING,
                    None,
                    [("submit", None)],
                )
    assert Podcast.objects.filter(status=ModerationStatus.PENDING).count() == 1
    # The admin shows each approval in the moderator's Recent actions.
    assert LogEntry.objects.filter(user=moderator, change_message="Approved.").count() == 15


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
    # 103: the moderators group itself comes from migrate (catalog/moderators.py).
    assert "Demo data ready: 103 rows created (accounts " in out.getvalue()
    assert {label for label in labels if _rows(label) > before[label]} == set(labels)
    assert Podcast.objects.filter(audio__isnull=True).count() == 5
    assert not MediaAsset.objects.filter(kind__in=["audio", "video"]).exists()
    # Rows that need another app's rows found them: creators' avatars (media, on accounts),
    # podcast passages (bible, on catalog), the comment notifications (community).
    assert User.objects.filter(username="grace_choir", avatar__isnull=False).exists()
    assert Podcast.objects.get(title="Romans, Chapter 8").scripture_reference == "Romans 8:1-39"
    assert BibleStory.objects.filter(category__slug="old-testament").count() == 4
    # 5 comment notifications, and one per decision to its item's owner, made by the demo
    # moderator through the service: approvals of 7 catalogue items, 2 Bible stories and 6
    # posts; rejections of an episode, a film and a Bible story, with their reasons.
    assert Notification.objects.filter(type="comment").count() == 5
    assert Notification.objects.filter(type="content_approved").count() == 15
    assert Notification.objects.filter(type="content_rejected").count() == 3

    counts = _all_rows()
    again = io.StringIO()
    call_command("seed_demo", "--no-media", stdout=again, stderr=io.StringIO())
    assert "Demo data ready: 0 rows created (all there already)." in again.getvalue()
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
